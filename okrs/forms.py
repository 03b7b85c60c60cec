"""Forms of the OKR pages. They check the shape of the input; the services validate the rules.

A service raises Django's ValidationError (from the model's full_clean) or an ApplicationError;
`add_service_errors` puts either next to the field it concerns, so pages show the same reasons as
the API.
"""

from decimal import Decimal

from django import forms
from django.db import models
from django.forms.models import fields_for_model, model_to_dict
from django.utils.translation import gettext_lazy as _

from common.form_errors import add_service_errors  # noqa: F401 - the pages import it from here
from common.forms import LocalizedDecimalField, OneTimeTokenForm
from common.people import person_name
from okrs.choices import KpiWindow
from okrs.models import CheckIn, KeyResult, Objective
from okrs.services.objectives import KEY_RESULT_EDITABLE, OBJECTIVE_EDITABLE

# Decimals are typed in the reader's language: "21,5" in Spanish, "21.5" in English (common.numbers).
DecimalCommaField = LocalizedDecimalField


class CheckInForm(OneTimeTokenForm):
    value = DecimalCommaField(label=_("New value"), max_digits=18, decimal_places=4)
    confidence = forms.IntegerField(
        label=_("Confidence (0–10)"),
        min_value=0,
        max_value=10,
        initial=5,
        help_text=CheckIn._meta.get_field("confidence").help_text,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def __init__(self, *args, key_result: KeyResult, **kwargs):
        if not args and "data" not in kwargs:
            kwargs.setdefault("initial", {"confidence": key_result.confidence})
        # Several check-in forms share a page: each key result's fields get their own ids.
        kwargs.setdefault("auto_id", f"id_kr{key_result.pk}_%s")
        super().__init__(*args, **kwargs)
        self.fields["note"].widget.attrs.update({"placeholder": _("What moved it?")})


class TextAreaField(forms.CharField):
    """Multi-line text. Browsers send a text area's line breaks as CRLF; stored text keeps LF, so saving
    an untouched description neither changes it nor counts as a change."""

    widget = forms.Textarea

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n") if isinstance(value, str) else value


def model_form_fields(model, field_names: list[str]) -> dict[str, forms.Field]:
    """The form fields of a model's editable fields: decimals are read in the reader's language, text
    areas keep LF line breaks."""
    classes = {models.DecimalField: DecimalCommaField, models.TextField: TextAreaField}
    field_classes = {
        name: field_class
        for name in field_names
        for model_field_class, field_class in classes.items()
        if isinstance(model._meta.get_field(name), model_field_class)
    }
    return fields_for_model(model, fields=field_names, field_classes=field_classes)


def stored_values(instance, field_names: list[str]) -> dict:
    """What an edit form opens with: the stored value of every field (ids for relations)."""
    return model_to_dict(instance, fields=field_names)


class ModelFieldsForm(forms.Form):
    """A plain form carrying a model's editable fields; the service, not the form, saves the row.

    An edit form opens with the stored values: `initial` (e.g. from the query string) only adds to them.
    """

    model = None
    field_names: list[str] = []

    def __init__(self, *args, instance=None, initial=None, **kwargs):
        stored = stored_values(instance, self.field_names) if instance is not None else {}
        super().__init__(*args, initial={**stored, **(initial or {})}, **kwargs)
        self.fields.update(model_form_fields(self.model, self.field_names))


class ObjectiveForm(OneTimeTokenForm, ModelFieldsForm):
    model = Objective
    field_names = OBJECTIVE_EDITABLE

    def __init__(self, *args, cycles, owners, teams, priorities, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle"].queryset = cycles
        self.fields["owner"].queryset = owners
        self.fields["team"].queryset = teams
        self.fields["priority"].queryset = priorities
        self.fields["parent"].queryset = parents
        self.fields["owner"].label_from_instance = person_name
        for name in ("description", "so_what"):
            self.fields[name].widget.attrs["rows"] = 3


class KeyResultForm(OneTimeTokenForm, ModelFieldsForm):
    model = KeyResult
    field_names = KEY_RESULT_EDITABLE

    def __init__(self, *args, owners, kpis, **kwargs):
        creating = kwargs.get("instance") is None
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["kpi"].queryset = kpis
        self.fields["kpi"].help_text = _("Optional: the KPI whose value this key result follows.")
        self.fields["kpi_window"].required = False
        self.fields["owner"].label_from_instance = person_name
        # A new key result is due at the end of its cycle unless told otherwise.
        self.fields["due_date"].required = not creating
        # A date input speaks ISO dates whatever the language of the page.
        self.fields["due_date"].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields["weight"].initial = Decimal(1)

    def clean_kpi_window(self):
        return self.cleaned_data.get("kpi_window") or KpiWindow.LATEST_PERIOD
