"""The webhook endpoint admin writes through webhooks.services, scoped to the admin's organization."""

import pytest
from django.urls import reverse

from tests.webhooks.factories import WebhookEndpointFactory
from webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, admin_a):
    admin_a.user.is_staff = True
    admin_a.user.save()
    client.force_login(admin_a.user)
    return admin_a


def _data(organization, **overrides):
    data = {
        "organization": organization.pk,
        "url": "https://hooks.example.com/rumbo",
        "secret": "a-secret-of-enough-length",
        "events": ["check_in.created"],
        "description": "CRM",
        "active": "on",
    }
    return {**data, **overrides}


def test_admin_adds_an_endpoint(client, staff):
    response = client.post(reverse("admin:webhooks_webhookendpoint_add"), _data(staff.organization))
    assert response.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.organization, endpoint.events) == (staff.organization, ["check_in.created"])


def test_a_short_secret_is_a_form_error_and_nothing_is_stored(client, staff):
    response = client.post(
        reverse("admin:webhooks_webhookendpoint_add"), _data(staff.organization, secret="short")
    )
    assert response.status_code == 200
    assert "at least 16 characters" in str(response.context["errors"])
    assert not WebhookEndpoint.objects.exists()


def test_admin_changes_and_deletes_an_endpoint(client, staff):
    endpoint = WebhookEndpointFactory(organization=staff.organization)
    url = reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk])
    response = client.post(url, _data(staff.organization, events=["key_result.achieved"], active=""))
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.events, endpoint.active) == (["key_result.achieved"], False)
    response = client.post(
        reverse("admin:webhooks_webhookendpoint_delete", args=[endpoint.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not WebhookEndpoint.objects.exists()


def test_another_organizations_endpoint_is_not_found(client, staff, member_b):
    endpoint = WebhookEndpointFactory(organization=member_b.organization)
    response = client.get(reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk]))
    assert response.status_code == 302  # the admin redirects a missing object to its index
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
