"""Signing, dispatching and delivering webhook events. Network calls happen only in delivery_attempt,
which runs in a Celery worker, outside any transaction."""

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from webhooks.choices import DeliveryState
from webhooks.models import WebhookDelivery, WebhookEndpoint

WEBHOOK_ENDPOINT_EDITABLE = ["url", "secret", "events", "description", "active"]
SIGNATURE_HEADER = "X-Rumbo-Signature"
TIMESTAMP_HEADER = "X-Rumbo-Timestamp"


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


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # A redirect is an answer like any other non-2xx: the attempt failed.


_opener = urllib.request.build_opener(_NoRedirect)


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
    status_code, error = _post(delivery)
    delivered = status_code is not None and 200 <= status_code < 300
    out_of_attempts = attempts >= settings.WEBHOOK_MAX_ATTEMPTS
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


def _post(delivery: WebhookDelivery) -> tuple[int | None, str]:
    body = delivery.body.encode()
    timestamp = int(time.time())
    request = urllib.request.Request(
        delivery.endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Rumbo-Webhooks/1",
            "X-Rumbo-Event": delivery.event,
            "X-Rumbo-Delivery": str(delivery.pk),
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: webhook_signature(
                secret=delivery.endpoint.secret, timestamp=timestamp, body=body
            ),
        },
    )
    try:
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, f"HTTP {error.code}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        return None, str(getattr(error, "reason", error))[:500]


@transaction.atomic
def webhook_endpoint_create(*, organization, **fields) -> WebhookEndpoint:
    endpoint = WebhookEndpoint(organization=organization, **fields)
    endpoint.full_clean()
    endpoint.save()
    return endpoint


@transaction.atomic
def webhook_endpoint_update(*, endpoint: WebhookEndpoint, **fields) -> WebhookEndpoint:
    for name, value in fields.items():
        if name not in WEBHOOK_ENDPOINT_EDITABLE:
            raise TypeError(f"{name} is not an editable field of a webhook endpoint")
        setattr(endpoint, name, value)
    endpoint.full_clean()
    endpoint.save()
    return endpoint


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """Delete an endpoint and its delivery log."""
    endpoint.delete()
