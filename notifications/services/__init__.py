"""Services of notifications, by sub-domain; import them from here."""

from notifications.services.channels import (
    channel_message_send,
    channel_post,
    channel_sweep,
    team_channel_create,
    team_channel_delete,
    team_channel_update,
)
from notifications.services.digests import digest_send, digests_send
from notifications.services.evaluations import figures_evaluated, kpi_statuses_evaluated, observations_record
from notifications.services.events import (
    guardrail_breached,
    mentioned,
    quality_dropped,
    review_decided,
    review_requested,
)
from notifications.services.inbox import (
    email_enqueue,
    notification_email_send,
    notification_mark_all_read,
    notification_mark_read,
    notify,
    pending_sweep,
)
from notifications.services.preferences import (
    defaults_update,
    objective_follow,
    objective_unfollow,
    preference_update,
)

__all__ = [
    "guardrail_breached",
    "quality_dropped",
    "channel_message_send",
    "channel_post",
    "channel_sweep",
    "defaults_update",
    "digest_send",
    "digests_send",
    "email_enqueue",
    "figures_evaluated",
    "kpi_statuses_evaluated",
    "mentioned",
    "notification_email_send",
    "notification_mark_all_read",
    "notification_mark_read",
    "notify",
    "objective_follow",
    "objective_unfollow",
    "observations_record",
    "pending_sweep",
    "preference_update",
    "review_decided",
    "review_requested",
    "team_channel_create",
    "team_channel_delete",
    "team_channel_update",
]
