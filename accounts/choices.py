from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    EDITOR = "editor", _("Editor")
    VIEWER = "viewer", _("Viewer")


class TeamKind(models.TextChoices):
    SALES = "sales", _("Sales")
    MARKETING = "marketing", _("Marketing")
    CUSTOMER_SUCCESS = "customer_success", _("Customer success")
    FINANCE = "finance", _("Finance")
    REVOPS = "revops", _("RevOps")
    OTHER = "other", _("Other")


class InvitationState(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


class StatusBasis(models.TextChoices):
    """What "on track" means for key results and objectives."""

    EXPECTED = "expected", _("Progress against the time elapsed")
    FORECAST = "forecast", _("Forecast: likely to reach the target")
