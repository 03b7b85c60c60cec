from django.db import models
from django.utils.translation import gettext_lazy as _


class CycleState(models.TextChoices):
    PLANNING = "planning", _("Planning")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class ObjectiveType(models.TextChoices):
    COMMITTED = "committed", _("Committed")
    ASPIRATIONAL = "aspirational", _("Aspirational")


class OutcomeKind(models.TextChoices):
    GROWTH = "growth", _("Growth")
    EFFICIENCY = "efficiency", _("Efficiency")
    RETENTION = "retention", _("Retention")
    EXPANSION = "expansion", _("Expansion")


class ObjectiveState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


# Only these objectives count in roll-ups to teams and priorities.
ROLLUP_STATES = (ObjectiveState.ACTIVE, ObjectiveState.CLOSED)


class KeyResultKind(models.TextChoices):
    INCREASE = "increase", _("Increase to")
    DECREASE = "decrease", _("Decrease to")
    KEEP_ABOVE = "keep_above", _("Keep above")
    KEEP_BELOW = "keep_below", _("Keep below")
    MILESTONE = "milestone", _("Milestone")


class Unit(models.TextChoices):
    NUMBER = "number", _("Number")
    PERCENT = "percent", _("%")
    CURRENCY = "currency", _("Currency")
    DAYS = "days", _("Days")


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")
    ACHIEVED = "achieved", _("Achieved")
    STALE = "stale", _("Stale")


class CheckInSource(models.TextChoices):
    MANUAL = "manual", _("Manual")
    API = "api", _("API")
    IMPORT = "import", _("Import")
    KPI_SYNC = "kpi_sync", _("KPI sync")


class KpiWindow(models.TextChoices):
    """Which figure of a linked KPI becomes a key result's current value."""

    LATEST_PERIOD = "latest_period", _("Latest period value")
    CYCLE_TO_DATE = "cycle_to_date", _("Aggregate since the cycle start")


class ScoreColour(models.TextChoices):
    RED = "red", _("Red")
    YELLOW = "yellow", _("Yellow")
    GREEN = "green", _("Green")


class ReviewDecisionKind(models.TextChoices):
    APPROVE = "approve", _("Approved")
    REQUEST_CHANGES = "request_changes", _("Changes requested")


class ReviewOutcome(models.TextChoices):
    """How one round of review (one submission of an objective) ended."""

    OPEN = "open", _("Open")
    APPROVED = "approved", _("Approved")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    WITHDRAWN = "withdrawn", _("Moved back to draft")
    ACTIVATED = "activated", _("Activated without every approval")


class ReviewStanding(models.TextChoices):
    """Where one reviewer stands in the open round of an objective's review."""

    PENDING = "pending", _("Not decided yet")
    APPROVED = "approved", _("Approved")
    APPROVED_EARLIER = "approved_earlier", _("Approved an earlier version")
    CHANGES_REQUESTED = "changes_requested", _("Requested changes")
    INACTIVE = "inactive", _("No longer a member")
