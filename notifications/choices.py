from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    """The events a person can choose to hear about (preferences list these values)."""

    CHECK_IN_DIGEST = "check_in_digest", _("Weekly check-in reminder")
    ALERT = "alert", _("Alerts: at risk, off track, KPI red")
    CELEBRATION = "celebration", _("Celebrations: achieved, KPI back to green")
    REVIEW_REQUESTED = "review_requested", _("Review requests")
    REVIEW_DECIDED = "review_decided", _("Review decisions on my objectives")
    MENTION = "mention", _("Mentions in comments")


class EmailState(models.TextChoices):
    """Where a notification's mail stands; the inbox row exists whatever this says."""

    NONE = "none", _("In-app only")
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    LIMITED = "limited", _("Not sent: hourly limit reached")
    FAILED = "failed", _("Failed")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Subject(models.TextChoices):
    """What a status tracker follows."""

    KEY_RESULT = "key_result", _("Key result")
    OBJECTIVE = "objective", _("Objective")
    KPI = "kpi", _("KPI")


class ChannelEvent(models.TextChoices):
    """The events a team's chat channel can receive."""

    ALERT = "alert", _("Alerts")
    CELEBRATION = "celebration", _("Celebrations")
    REVIEW_REQUESTED = "review_requested", _("Review requests")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
