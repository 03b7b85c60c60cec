from django.db import models
from django.utils.translation import gettext_lazy as _


class WebhookEvent(models.TextChoices):
    KEY_RESULT_STATUS_CHANGED = "key_result.status_changed", _("Key result status changed")
    KEY_RESULT_ACHIEVED = "key_result.achieved", _("Key result achieved")
    OBJECTIVE_STATE_CHANGED = "objective.state_changed", _("Objective state changed")
    CHECK_IN_CREATED = "check_in.created", _("Check-in created")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
