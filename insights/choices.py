from django.db import models
from django.utils.translation import gettext_lazy as _


class ReviewCadence(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class ReviewState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class ImpactVerdict(models.TextChoices):
    """What an initiative's before/during comparison says about one KPI."""

    BETTER = "better", _("Better than the usual variation")
    WORSE = "worse", _("Worse than the usual variation")
    NOISE = "noise", _("Within the usual variation")
    UNKNOWN = "unknown", _("Not enough data yet")
