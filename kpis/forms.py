from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from kpis.models import Kpi
from kpis.services import definitions
from okrs.forms import ModelFieldsForm

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class MeasurementImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8, header line: kpi,timestamp,value[,idempotency_key,note]."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 50 MB; split it, or use the import_measurements command.")
            )
        return upload


class AdminMeasurementImportForm(MeasurementImportForm):
    organization = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("Organization"))

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.order_fields(["organization", "file"])


class KpiForm(ModelFieldsForm):
    """A KPI definition on the New KPI and Edit KPI pages; kpis.services validate and save it."""

    model = Kpi
    field_names = [*definitions.EDITABLE, "priorities", "objectives"]

    def __init__(self, *args, owners, teams, priorities, objectives, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda user: user.get_full_name() or user.username
        self.fields["team"].queryset = teams
        self.fields["priorities"].queryset = priorities
        self.fields["objectives"].queryset = objectives
        self.fields["objectives"].label_from_instance = lambda objective: (
            f"{objective.title} ({objective.cycle.name})"
        )
        self.fields["description"].widget.attrs["rows"] = 3
