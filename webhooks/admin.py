from django import forms
from django.contrib import admin

from accounts.admin_base import OrganizationScopedAdmin, ServiceAdmin, ServiceModelForm
from webhooks import services
from webhooks.choices import WebhookEvent
from webhooks.models import WebhookDelivery, WebhookEndpoint


class WebhookEndpointForm(ServiceModelForm):
    url = forms.URLField(label="URL", max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = WebhookEndpoint
        fields = ["organization", "url", "secret", "events", "description", "active"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ServiceAdmin):
    form = WebhookEndpointForm
    list_display = ["url", "organization", "active", "description", "created_at"]
    list_filter = ["active", "organization"]
    list_select_related = ["organization"]
    search_fields = ["url", "description"]
    autocomplete_fields = ["organization"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["organization"]

    def service_create(self, request, form, fields):
        return services.webhook_endpoint_create(**fields)

    def service_update(self, request, obj, fields):
        fields.pop("organization", None)
        return services.webhook_endpoint_update(endpoint=obj, **fields)

    def service_delete(self, request, obj):
        services.webhook_endpoint_delete(endpoint=obj)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(OrganizationScopedAdmin):
    """The delivery log: read-only."""

    organization_path = "endpoint__organization"
    list_display = [
        "created_at",
        "event",
        "endpoint",
        "state",
        "response_status_code",
        "attempts",
        "delivered_at",
    ]
    list_filter = ["state", "event"]
    list_select_related = ["endpoint"]
    search_fields = ["endpoint__url", "event"]
    readonly_fields = [
        "id",
        "endpoint",
        "event",
        "event_id",
        "state",
        "attempts",
        "response_status_code",
        "last_error",
        "delivered_at",
        "created_at",
        "body",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
