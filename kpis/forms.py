from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from common.forms import LocalizedDecimalField, OneTimeTokenForm
from kpis.choices import GuardrailComparison
from kpis.models import Kpi
from kpis.services import definitions
from okrs.forms import ModelFieldsForm

# What one web request imports well within gunicorn's timeout (60 s): 100,000 short rows (4.2 MB) took
# 17 s on SQLite and 4.4 s on PostgreSQL through this page (README, "Sending measurements"). Larger
# files go through the import_measurements command.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UPLOAD_ROWS = 100_000
TOO_LARGE = _(
    "The file is larger than the page imports (%(mb)d MB, %(rows)s rows); split it, or use the "
    "import_measurements command."
)


class MeasurementImportForm(OneTimeTokenForm):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8, header line: kpi,timestamp,value[,idempotency_key,note]. Up to 5 MB and 100,000 rows."
        ),
    )
    skip_existing = forms.BooleanField(
        label=_("Skip rows already stored"),
        required=False,
        initial=True,
        help_text=_(
            "Rows with the same KPI, timestamp and value as a stored measurement are not stored again. "
            "Clear it to store repeated values on purpose."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES or _line_count(upload) - 1 > MAX_UPLOAD_ROWS:
            raise forms.ValidationError(
                TOO_LARGE % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024), "rows": f"{MAX_UPLOAD_ROWS:,}"}
            )
        return upload


def _line_count(upload) -> int:
    lines = last = 0
    for chunk in upload.chunks():
        lines += chunk.count(b"\n")
        last = chunk[-1:]
    upload.seek(0)
    return lines + (1 if last and last != b"\n" else 0)


class AdminMeasurementImportForm(MeasurementImportForm):
    organization = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("Organization"))

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        for name in ("skip_existing", "form_token"):  # the page's options; the admin imports as before
            del self.fields[name]
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


class GuardrailForm(OneTimeTokenForm):
    """A guardrail of a key result: a KPI it must not push past a limit."""

    kpi = forms.ModelChoiceField(queryset=Kpi.objects.none(), label=_("Guardrail KPI"))
    comparison = forms.ChoiceField(choices=GuardrailComparison.choices, label=_("Must stay"))
    limit = LocalizedDecimalField(label=_("Limit"), max_digits=20, decimal_places=6)

    def __init__(self, *args, kpis, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kpi"].queryset = kpis
