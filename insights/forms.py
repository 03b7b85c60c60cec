from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import OneTimeTokenForm
from common.people import person_name
from insights.choices import ReviewCadence
from insights.models import ActionItem, BusinessReview, Initiative
from insights.services.initiatives import EDITABLE as INITIATIVE_EDITABLE
from okrs.forms import ModelFieldsForm


def _key_result_label(key_result) -> str:
    return f"{key_result.title} ({key_result.objective.title})"


class InitiativeForm(OneTimeTokenForm, ModelFieldsForm):
    """An initiative on the New and Edit initiative pages; insights.services validate and save it."""

    model = Initiative
    field_names = [*INITIATIVE_EDITABLE, "key_results", "kpis"]

    def __init__(self, *args, owners, teams, key_results, kpis, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = person_name
        self.fields["team"].queryset = teams
        self.fields["key_results"].queryset = key_results
        self.fields["key_results"].label_from_instance = _key_result_label
        self.fields["kpis"].queryset = kpis
        self.fields["description"].widget.attrs["rows"] = 3
        for name in ("start", "end"):
            self.fields[name].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def clean(self):
        cleaned_data = super().clean()
        start, end = cleaned_data.get("start"), cleaned_data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The initiative cannot end before it starts."))
        return cleaned_data


class ReviewCreateForm(OneTimeTokenForm):
    team = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Team"), empty_label=_("The whole organization")
    )
    cadence = forms.ChoiceField(
        choices=ReviewCadence.choices, label=_("Cadence"), initial=ReviewCadence.WEEKLY
    )
    held_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


class ReviewNotesForm(ModelFieldsForm):
    model = BusinessReview
    field_names = ["notes", "decisions"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.field_names:
            self.fields[name].widget.attrs["rows"] = 4


class ActionItemForm(OneTimeTokenForm, ModelFieldsForm):
    model = ActionItem
    field_names = ["title", "owner", "due_date", "key_result", "kpi"]

    def __init__(self, *args, owners, key_results, kpis, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = person_name
        self.fields["key_result"].queryset = key_results
        self.fields["key_result"].label_from_instance = _key_result_label
        self.fields["kpi"].queryset = kpis
        self.fields["due_date"].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
