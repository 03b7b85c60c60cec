from django.db import models
from django.utils.translation import gettext_lazy as _

from common.choices import GuardrailComparison  # noqa: F401 (kpis' guardrails use it)
from okrs.choices import Unit


class Family(models.TextChoices):
    FINANCIAL = "financial", _("Financial")
    SALES = "sales", _("Sales")
    MARKETING = "marketing", _("Marketing")
    CUSTOMER_SUCCESS = "customer_success", _("Customer success")
    OPERATIONS = "operations", _("Operations")


# KPIs and key results speak the same units, so a key result can follow a KPI.
KpiUnit = Unit


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "higher", _("Higher is better")
    LOWER_IS_BETTER = "lower", _("Lower is better")


class Cadence(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


# The truncation Django's database functions apply for each cadence (weeks start on Monday).
CADENCE_TRUNC = {
    Cadence.DAILY: "day",
    Cadence.WEEKLY: "week",
    Cadence.MONTHLY: "month",
    Cadence.QUARTERLY: "quarter",
}


class Aggregation(models.TextChoices):
    SUM = "sum", _("Sum")
    AVERAGE = "average", _("Average")
    MINIMUM = "minimum", _("Minimum")
    MAXIMUM = "maximum", _("Maximum")
    LAST = "last", _("Last")
    COUNT = "count", _("Count")


class KpiStatus(models.TextChoices):
    GREEN = "green", _("Green")
    AMBER = "amber", _("Amber")
    RED = "red", _("Red")
    NONE = "none", _("No status")


class MeasurementSource(models.TextChoices):
    API = "api", _("API")
    CSV = "csv", _("CSV upload")
    ADMIN = "admin", _("Admin CSV upload")
    COMMAND = "command", _("Import command")
    DEMO = "demo", _("Demo data")
    SYSTEM = "system", _("Computed by Rumbo")


class RunState(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped (another run held the lock)")


class QualityIssueKind(models.TextChoices):
    """What the data-quality check of a KPI can find (kpis.quality)."""

    STALE = "stale", _("No recent measurement")
    MISSING_PERIODS = "missing_periods", _("Missing periods")
    OUTLIER_PERIOD = "outlier_period", _("Unusual period value")
    OUTLIER_MEASUREMENT = "outlier_measurement", _("Unusual measurement")
    DUPLICATES = "duplicates", _("Suspected duplicate measurements")
    IN_PROGRESS = "in_progress", _("Current period in progress")
    DEFINITION_CHANGED = "definition_changed", _("Definition changed mid-history")
