"""Enumerations shared by apps on different layers (okrs and kpis both speak of guardrails)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class GuardrailComparison(models.TextChoices):
    """How a guardrail KPI must stay against its limit."""

    AT_MOST = "at_most", _("at most")
    AT_LEAST = "at_least", _("at least")
