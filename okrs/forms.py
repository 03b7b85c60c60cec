"""Forms of the OKR pages. They check the shape of the input; the services validate the rules.

A service raises Django's ValidationError (from the model's full_clean) or an ApplicationError;
`add_service_errors` puts either next to the field it concerns, so pages show the same reasons as
the API.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import fields_for_model, model_to_dict
from django.utils.translation import gettext_lazy as _

from common.exceptions import ApplicationError
from okrs.choices import KpiWindow
from okrs.models import CheckIn, KeyResult, Objective
from okrs.services.objectives import KEY_RESULT_EDITABLE, OBJECTIVE_EDITABLE


class CheckInForm(forms.Form):
    value = forms.DecimalField(label=_("New value"), max_digits=18, decimal_places=4)
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
        self.fields["value"].widget.attrs.update({"step": "any", "inputmode": "decimal"})
        self.fields["note"].widget.attrs.update({"placeholder": _("What moved it?")})


class _ModelFieldsForm(forms.Form):
    """A plain form carrying a model's editable fields; the service, not the form, saves the row."""

    model = None
    field_names: list[str] = []

    def __init__(self, *args, instance=None, **kwargs):
        if instance is not None:
            kwargs.setdefault("initial", model_to_dict(instance, fields=self.field_names))
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(self.model, fields=self.field_names))
        for name in self.field_names:
            if isinstance(self.fields[name], forms.DecimalField):
                self.fields[name].widget.attrs["step"] = "any"


class ObjectiveForm(_ModelFieldsForm):
    model = Objective
    field_names = OBJECTIVE_EDITABLE

    def __init__(self, *args, cycles, owners, teams, priorities, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle"].queryset = cycles
        self.fields["owner"].queryset = owners
        self.fields["team"].queryset = teams
        self.fields["priority"].queryset = priorities
        self.fields["parent"].queryset = parents
        self.fields["owner"].label_from_instance = _person
        for name in ("description", "so_what"):
            self.fields[name].widget.attrs["rows"] = 3


class KeyResultForm(_ModelFieldsForm):
    model = KeyResult
    field_names = KEY_RESULT_EDITABLE

    def __init__(self, *args, owners, kpis, **kwargs):
        creating = kwargs.get("instance") is None
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["kpi"].queryset = kpis
        self.fields["kpi"].help_text = _("Optional: the KPI whose value this key result follows.")
        self.fields["kpi_window"].required = False
        self.fields["owner"].label_from_instance = _person
        # A new key result is due at the end of its cycle unless told otherwise.
        self.fields["due_date"].required = not creating
        self.fields["due_date"].widget = forms.DateInput(attrs={"type": "date"})
        self.fields["weight"].initial = Decimal(1)


    def clean_kpi_window(self):
        return self.cleaned_data.get("kpi_window") or KpiWindow.LATEST_PERIOD


def add_service_errors(form: forms.Form, error: ValidationError | ApplicationError) -> None:
    """Show a service's refusal next to the field it names, or above the form."""
    if isinstance(error, ApplicationError):
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages in error.message_dict.items():
        form.add_error(name if name in form.fields else None, messages)


def _person(user) -> str:
    return user.get_full_name() or user.username
