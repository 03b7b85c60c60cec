"""Teams' chat channels: an incoming-webhook URL that receives `{"text": "..."}` (Slack and Microsoft
Teams both accept it). URLs inside the network are refused when saved and again when posting
(common.net). Messages are rows posted by a Celery task after the commit, each at most once."""

import json
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Team
from common.exceptions import ApplicationError
from common.net import OutboundAddressRefused, outbound_post, outbound_url_check
from notifications import selectors
from notifications.choices import DeliveryState
from notifications.models import ChannelMessage, TeamChannel

logger = logging.getLogger(__name__)

TEAM_CHANNEL_EDITABLE = ["name", "url", "events", "active"]
MAX_ATTEMPTS = 5
SENDING_STALE_AFTER = timedelta(minutes=15)
SWEEP_GRACE = timedelta(minutes=2)


def _url_check(url: str) -> None:
    try:
        outbound_url_check(url)
    except OutboundAddressRefused as error:
        raise ApplicationError(
            _("This address cannot be used: %(reason)s") % {"reason": error}, field="url"
        ) from error


@transaction.atomic
def team_channel_create(*, team: Team, **fields) -> TeamChannel:
    """Register a team's chat channel; a URL inside the network (or unresolvable) is refused."""
    channel = TeamChannel(team=team, **fields)
    channel.full_clean()
    _url_check(channel.url)
    channel.save()
    return channel


@transaction.atomic
def team_channel_update(*, channel: TeamChannel, **fields) -> TeamChannel:
    for name, value in fields.items():
        if name not in TEAM_CHANNEL_EDITABLE:
            raise TypeError(f"{name} is not an editable field of a team channel")
        setattr(channel, name, value)
    channel.full_clean()
    if "url" in fields:
        _url_check(channel.url)
    channel.save()
    return channel


@transaction.atomic
def team_channel_delete(*, channel: TeamChannel) -> None:
    channel.delete()


def channel_post(*, team_id: int | None, event: str, key: str, text: str) -> list[int]:
    """Post `text` to the team's channels that receive `event`, after the commit; once per channel and key."""
    channels = selectors.channels_for(team_id=team_id, event=event)
    if not channels:
        return []
    rows = [ChannelMessage(channel=channel, key=key[:200], text=text) for channel in channels]
    ChannelMessage.objects.bulk_create(rows, ignore_conflicts=True)
    ids = list(
        ChannelMessage.objects.filter(
            channel__in=channels, key=key[:200], state=DeliveryState.PENDING, attempts=0
        ).values_list("pk", flat=True)
    )
    if ids:
        transaction.on_commit(lambda: channel_message_enqueue(ids))
    return ids


def channel_message_enqueue(message_ids: list[int]) -> None:
    from notifications.tasks import channel_message_post_task

    for pk in message_ids:
        try:
            channel_message_post_task.apply_async(args=[pk], retry=False)
        except Exception:  # noqa: BLE001 - the rows stay pending; the sweeper queues them again
            logger.warning("Could not queue chat message %s; the sweeper will.", pk, exc_info=True)
            return


def channel_message_send(*, message_id: int, now: datetime | None = None) -> bool:
    """Post one pending chat message (claimed first, so a retried task posts nothing twice)."""
    now = now or timezone.now()
    message = ChannelMessage.objects.select_related("channel").filter(pk=message_id).first()
    if message is None or message.state != DeliveryState.PENDING:
        return False
    claimed = ChannelMessage.objects.filter(
        pk=message.pk, state=DeliveryState.PENDING, attempts=message.attempts
    ).update(state=DeliveryState.SENDING, attempts=F("attempts") + 1, updated_at=now)
    if not claimed:
        return False
    attempts = message.attempts + 1
    status_code, error, final = None, "", False
    try:
        status_code = outbound_post(
            message.channel.url,
            body=json.dumps({"text": message.text}).encode(),
            headers={"Content-Type": "application/json", "User-Agent": "Rumbo-Notifications/1"},
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
        )
    except OutboundAddressRefused as refusal:
        error, final = str(refusal), True  # the address will not become public by trying again
    except OSError as failure:
        error = str(failure) or type(failure).__name__
    sent = status_code is not None and 200 <= status_code < 300
    if not sent and not error:
        error = f"HTTP {status_code}"
    if sent:
        state = DeliveryState.SENT
    elif final or attempts >= MAX_ATTEMPTS:
        state = DeliveryState.FAILED
    else:
        state = DeliveryState.PENDING
    ChannelMessage.objects.filter(pk=message.pk).update(
        state=state, status_code=status_code, error=error[:500], updated_at=timezone.now()
    )
    if not sent:
        logger.warning("Chat message %s to channel %s failed: %s", message.pk, message.channel_id, error)
    return sent


def channel_sweep(*, now: datetime | None = None) -> list[int]:
    """Chat messages to (re)post: pending a while after their last attempt; stuck sending ones fail."""
    now = now or timezone.now()
    ChannelMessage.objects.filter(
        state=DeliveryState.SENDING, updated_at__lt=now - SENDING_STALE_AFTER
    ).update(state=DeliveryState.FAILED, error="The worker stopped while posting.", updated_at=now)
    return list(
        ChannelMessage.objects.filter(state=DeliveryState.PENDING, updated_at__lt=now - SWEEP_GRACE)
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )
