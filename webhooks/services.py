"""Signing, dispatching and delivering webhook events. Network calls happen only in delivery_attempt,
which runs in a Celery worker, outside any transaction."""

import hashlib
import hmac
import json
import socket
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from common.net import OutboundAddressRefused, outbound_post, outbound_url_check
from webhooks.choices import DeliveryState
from webhooks.models import WebhookDelivery, WebhookEndpoint

WEBHOOK_ENDPOINT_EDITABLE = ["url", "secret", "events", "description", "active"]
SIGNATURE_HEADER = "X-Rumbo-Signature"
TIMESTAMP_HEADER = "X-Rumbo-Timestamp"
# A pending delivery untouched this long past its retry delay lost its task (crash, broker outage).
SWEEP_GRACE = timedelta(minutes=10)


def webhook_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=` and the hex HMAC-SHA256, keyed by the secret, of `<timestamp>.<body>`."""
    message = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def webhook_dispatch(
    *, organization_id: int, event: str, data: dict, occurred_at: str, event_id: str
) -> list:
    """Create one pending delivery per active endpoint subscribed to the event; return the new ids.

    Safe to run twice: an (endpoint, event id) pair that already has a delivery gets no second one.
    """
    endpoints = WebhookEndpoint.objects.filter(organization_id=organization_id).subscribed_to(event)
    deliveries = []
    for endpoint in endpoints:
        delivery = WebhookDelivery(endpoint=endpoint, event=event, event_id=event_id)
        envelope = {
            "id": str(delivery.pk),
            "event_id": str(event_id),
            "event": event,
            "occurred_at": occurred_at,
            "organization_id": organization_id,
            "data": data,
        }
        delivery.body = json.dumps(envelope, separators=(",", ":"), sort_keys=True)
        deliveries.append(delivery)
    WebhookDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    created = WebhookDelivery.objects.filter(pk__in=[delivery.pk for delivery in deliveries])
    return list(created.values_list("pk", flat=True))


@dataclass(frozen=True)
class AttemptResult:
    delivered: bool
    attempts: int
    retry: bool  # False when delivered, gone, already handled, or out of attempts


def delivery_attempt(*, delivery_id) -> AttemptResult:
    """Send a pending delivery once and record the outcome. Safe to call twice for the same attempt."""
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.state != DeliveryState.PENDING:
        return AttemptResult(delivered=False, attempts=getattr(delivery, "attempts", 0), retry=False)
    # Claim this attempt: of two workers holding the same message, only one sends it.
    claimed = WebhookDelivery.objects.filter(
        pk=delivery.pk, state=DeliveryState.PENDING, attempts=delivery.attempts
    ).update(attempts=F("attempts") + 1)
    if not claimed:
        return AttemptResult(delivered=False, attempts=delivery.attempts, retry=False)
    attempts = delivery.attempts + 1
    status_code, error, refused = _post(delivery)
    delivered = status_code is not None and 200 <= status_code < 300
    # A refused address will not become public by trying again.
    out_of_attempts = refused or attempts >= settings.WEBHOOK_MAX_ATTEMPTS
    state = DeliveryState.SUCCEEDED if delivered else (DeliveryState.FAILED if out_of_attempts else None)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        response_status_code=status_code,
        last_error=error,
        state=state or DeliveryState.PENDING,
        delivered_at=timezone.now() if delivered else None,
        updated_at=timezone.now(),
    )
    return AttemptResult(delivered=delivered, attempts=attempts, retry=not delivered and not out_of_attempts)


def retry_delay_seconds(attempts: int) -> int:
    """Exponential backoff: base, 2×base, 4×base… capped at WEBHOOK_RETRY_MAX_DELAY_SECONDS."""
    delay = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return min(delay, settings.WEBHOOK_RETRY_MAX_DELAY_SECONDS)


def _post(delivery: WebhookDelivery) -> tuple[int | None, str, bool]:
    """(status code, error, refused): the host is resolved and checked again here, and the request
    goes to the checked address, so a name rebound to an inside address since registration is refused."""
    body = delivery.body.encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Rumbo-Webhooks/1",
        "X-Rumbo-Event": delivery.event,
        "X-Rumbo-Delivery": str(delivery.pk),
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: webhook_signature(secret=delivery.endpoint.secret, timestamp=timestamp, body=body),
    }
    try:
        status_code = outbound_post(
            delivery.endpoint.url, body=body, headers=headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS
        )
    except OutboundAddressRefused as refusal:
        return None, f"Refused: {refusal}"[:500], True
    except OSError as error:
        return None, (str(error) or type(error).__name__)[:500], False
    return status_code, "" if 200 <= status_code < 300 else f"HTTP {status_code}", False


def webhook_url_check(url: str) -> None:
    """Refuse a URL whose host is, or resolves to, an address inside the network (common.net's rule).

    A name that does not resolve yet is accepted: delivery resolves and checks it again on every attempt.
    """
    try:
        outbound_url_check(url)
    except OutboundAddressRefused as refusal:
        if isinstance(refusal.__cause__, socket.gaierror):
            return
        raise ValidationError({"url": f"This address cannot be used: {refusal}"}) from refusal


def pending_delivery_sweep() -> list:
    """Ids of pending deliveries whose task was lost (never queued, or its retry dropped), marked as
    re-queued now so that the next sweep leaves them alone while their new task runs."""
    now = timezone.now()
    stranded = [
        delivery.pk
        for delivery in WebhookDelivery.objects.filter(
            state=DeliveryState.PENDING, updated_at__lt=now - SWEEP_GRACE
        ).only("pk", "attempts", "updated_at")
        if delivery.updated_at + timedelta(seconds=_retry_wait(delivery.attempts)) + SWEEP_GRACE < now
    ]
    WebhookDelivery.objects.filter(pk__in=stranded, state=DeliveryState.PENDING).update(updated_at=now)
    return stranded


def _retry_wait(attempts: int) -> int:
    return retry_delay_seconds(attempts) if attempts else 0


@transaction.atomic
def webhook_endpoint_create(*, organization, **fields) -> WebhookEndpoint:
    endpoint = WebhookEndpoint(organization=organization, **fields)
    endpoint.full_clean()
    webhook_url_check(endpoint.url)
    endpoint.save()
    return endpoint


@transaction.atomic
def webhook_endpoint_update(*, endpoint: WebhookEndpoint, **fields) -> WebhookEndpoint:
    for name, value in fields.items():
        if name not in WEBHOOK_ENDPOINT_EDITABLE:
            raise TypeError(f"{name} is not an editable field of a webhook endpoint")
        setattr(endpoint, name, value)
    endpoint.full_clean()
    webhook_url_check(endpoint.url)
    endpoint.save()
    return endpoint


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """Delete an endpoint and its delivery log."""
    endpoint.delete()
