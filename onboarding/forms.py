"""Forms of the guided start. They check the shape of the input; the services validate the rules."""

import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from common.people import person_name
from okrs import okr_templates
from okrs.forms import DecimalCommaField


class ObjectChoiceField(forms.ChoiceField):
    """A choice among rows read once for the whole page: five template forms share one list each,
    where a ModelChoiceField would query again for every form."""

    def __init__(self, *args, label_of=str, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_of = label_of
        self.objects = {}

    def set_objects(self, objects, *, empty_label="---------"):
        self.objects = {str(obj.pk): obj for obj in objects}
        self.choices = [("", empty_label)] + [(key, self.label_of(obj)) for key, obj in self.objects.items()]

    def to_python(self, value):
        return self.objects.get(str(value)) if value not in self.empty_values else None

    def valid_value(self, value):
        return True  # to_python already kept only known rows

    def prepare_value(self, value):
        return getattr(value, "pk", value)


def _time_zones() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class BasicsForm(forms.Form):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=_time_zones)
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        help_text=_("The three-letter ISO 4217 code of money amounts, such as USD or EUR."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    def clean_currency(self):
        currency = self.cleaned_data["currency"].strip().upper()
        if len(currency) != 3 or not currency.isalpha() or not currency.isascii():
            raise forms.ValidationError(_("Use a three-letter currency code such as USD or EUR."))
        return currency


class CycleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    start = forms.DateField(label=_("Start"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("End"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            self.add_error("end", _("The end must not be before the start."))
        return cleaned


class PriorityForm(forms.Form):
    include = forms.BooleanField(label=_("Add"), required=False)
    title = forms.CharField(label=_("Priority"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("include") and not (cleaned.get("title") or "").strip():
            self.add_error("title", _("Give the priority a title, or leave it out."))
        return cleaned


PriorityFormSet = forms.formset_factory(PriorityForm, extra=0)


class TemplateForm(forms.Form):
    """One OKR template, adapted before it is added: its title, owner, team, priority and key results."""

    add = forms.BooleanField(label=_("Add this objective"), required=False)
    title = forms.CharField(label=_("Objective"), max_length=200, required=False)
    owner = ObjectChoiceField(label=_("Owner"), required=False, label_of=person_name)
    team = ObjectChoiceField(label=_("Team"), required=False)
    priority = ObjectChoiceField(label=_("Company priority"), required=False)

    def __init__(self, *args, template: okr_templates.ObjectiveTemplate, owners, teams, priorities, **kwargs):
        super().__init__(*args, prefix=template.key, **kwargs)
        self.template = template
        self.fields["owner"].set_objects(owners)
        self.fields["team"].set_objects(teams)
        self.fields["priority"].set_objects(priorities)
        for kr in template.key_results:
            self.fields[f"{kr.key}_include"] = forms.BooleanField(label=_("Include"), required=False)
            self.fields[f"{kr.key}_title"] = forms.CharField(
                label=_("Key result"), max_length=200, required=False
            )
            self.fields[f"{kr.key}_start"] = DecimalCommaField(
                label=_("Start"), max_digits=18, decimal_places=4, required=False
            )
            self.fields[f"{kr.key}_target"] = DecimalCommaField(
                label=_("Target"), max_digits=18, decimal_places=4, required=False
            )

    def key_result_rows(self):
        """Per key result of the template: (template key result, include, title, start, target) fields."""
        return [
            (kr, *(self[f"{kr.key}_{name}"] for name in ("include", "title", "start", "target")))
            for kr in self.template.key_results
        ]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("add"):
            return cleaned
        if cleaned.get("owner") is None:
            self.add_error("owner", _("Choose who owns this objective."))
        if not any(cleaned.get(f"{kr.key}_include") for kr in self.template.key_results):
            self.add_error(None, _("Keep at least one key result."))
        return cleaned

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "template_key": self.template.key,
            "title": data["title"],
            "owner": data["owner"],
            "team": data["team"],
            "priority": data["priority"],
            "key_results": [
                {
                    "key": kr.key,
                    "include": data[f"{kr.key}_include"],
                    "title": data[f"{kr.key}_title"],
                    "start": data[f"{kr.key}_start"],
                    "target": data[f"{kr.key}_target"],
                }
                for kr in self.template.key_results
            ],
        }


class CycleChoiceForm(forms.Form):
    cycle = ObjectChoiceField(label=_("Cycle"))

    def __init__(self, *args, cycles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle"].set_objects(cycles)
        self.fields["cycle"].choices = self.fields["cycle"].choices[1:]  # a cycle is always chosen


class CatalogForm(CycleChoiceForm):
    codes = forms.MultipleChoiceField(label=_("KPIs"), choices=(), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, codes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["codes"].choices = [(code, code) for code in codes]
        self.fields["codes"].error_messages["required"] = _("Choose at least one KPI to add.")
