import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.models import BaseModel
from webhooks.choices import DeliveryState, WebhookEvent


class WebhookEndpointQuerySet(models.QuerySet):
    def for_organization(self, organization):
        return self.filter(organization=organization)

    def subscribed_to(self, event: str):
        # Events are few, so they are kept as a JSON list; matching in Python works on every database.
        return [endpoint for endpoint in self.filter(active=True) if event in endpoint.events]


class WebhookEndpoint(BaseModel):
    """A URL of an organization's integration that receives signed JSON events."""

    organization = models.ForeignKey(
        "accounts.Organization",
        models.CASCADE,
        related_name="webhook_endpoints",
        verbose_name=_("organization"),
    )
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(
        _("secret"),
        max_length=200,
        help_text=_("Shared with the receiver, which checks the X-Rumbo-Signature header with it."),
    )
    events = models.JSONField(_("events"), default=list, help_text=_("The events sent to this URL."))
    description = models.CharField(_("description"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        ordering = ["organization", "url"]
        verbose_name = _("webhook endpoint")

    def __str__(self):
        return self.url

    def clean(self):
        super().clean()
        if not isinstance(self.events, list) or not self.events:
            raise ValidationError({"events": _("Choose at least one event.")})
        unknown = sorted(set(map(str, self.events)) - set(WebhookEvent.values))
        if unknown:
            raise ValidationError(
                {"events": _("Unknown events: %(events)s.") % {"events": ", ".join(unknown)}}
            )
        if len(self.secret) < 16:
            raise ValidationError({"secret": _("Use a secret of at least 16 characters.")})


class WebhookDelivery(BaseModel):
    """One event sent (or being sent) to one endpoint, with the outcome of its attempts."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint, models.CASCADE, related_name="deliveries", verbose_name=_("endpoint")
    )
    event = models.CharField(_("event"), max_length=40, choices=WebhookEvent.choices)
    # One event reaches one endpoint once, however many times its dispatch runs.
    event_id = models.UUIDField(_("event id"), null=True, editable=False)
    # The exact bytes sent on every attempt, so that retries carry the same body.
    body = models.TextField(_("body"))
    state = models.CharField(
        _("state"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    response_status_code = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint("endpoint", "event_id", name="webhook_delivery_once_per_event")
        ]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self):
        return f"{self.event} → {self.endpoint_id} ({self.state})"
