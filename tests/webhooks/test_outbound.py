"""Webhooks cannot reach the inside: refused at registration and again at delivery, after DNS; lost
delivery tasks are queued again by the sweeper."""

import socket
import uuid
from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.webhooks.factories import WebhookEndpointFactory
from webhooks import services
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.tasks import webhook_deliver_task, webhook_sweep_task

pytestmark = pytest.mark.django_db

SECRET = "a-secret-of-enough-length"


@pytest.fixture
def nothing_allowed(settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = []


def resolving_to(address: str):
    """Patch the resolver so that every name resolves to `address`."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    answer = [(family, socket.SOCK_STREAM, 6, "", (address, 443))]
    return mock.patch("socket.getaddrinfo", return_value=answer)


def dispatch(endpoint) -> str:
    [delivery_id] = services.webhook_dispatch(
        organization_id=endpoint.organization_id,
        event="check_in.created",
        data={},
        occurred_at="now",
        event_id=str(uuid.uuid4()),
    )
    return delivery_id


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://10.0.0.7/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]:8000/hook",
        "http://192.168.1.20/hook",
    ],
)
def test_registering_an_inside_address_is_refused(admin_a, nothing_allowed, url):
    with pytest.raises(ValidationError) as refusal:
        services.webhook_endpoint_create(
            organization=admin_a.organization, url=url, secret=SECRET, events=["check_in.created"]
        )
    assert "url" in refusal.value.message_dict
    assert not WebhookEndpoint.objects.exists()


def test_a_name_resolving_to_loopback_is_refused(admin_a, nothing_allowed):
    with resolving_to("127.0.0.1"), pytest.raises(ValidationError) as refusal:
        services.webhook_endpoint_create(
            organization=admin_a.organization,
            url="https://hooks.example.com/rumbo",
            secret=SECRET,
            events=["check_in.created"],
        )
    assert "127.0.0.1" in refusal.value.message_dict["url"][0]


def test_changing_the_url_to_an_inside_address_is_refused(admin_a, nothing_allowed):
    with resolving_to("93.184.215.14"):
        endpoint = services.webhook_endpoint_create(
            organization=admin_a.organization,
            url="https://hooks.example.com/rumbo",
            secret=SECRET,
            events=["check_in.created"],
        )
    with pytest.raises(ValidationError) as refusal:
        services.webhook_endpoint_update(endpoint=endpoint, url="http://10.1.2.3/")
    assert "url" in refusal.value.message_dict
    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks.example.com/rumbo"


def test_a_public_address_and_an_allowed_network_are_accepted(admin_a, settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    with resolving_to("93.184.215.14"):
        services.webhook_endpoint_create(
            organization=admin_a.organization,
            url="https://hooks.example.com/rumbo",
            secret=SECRET,
            events=["check_in.created"],
        )
    services.webhook_endpoint_create(
        organization=admin_a.organization, url="http://10.20.1.1/", secret=SECRET, events=["check_in.created"]
    )
    assert WebhookEndpoint.objects.count() == 2


def test_the_admin_form_shows_the_refusal_on_the_url(client, admin_a, nothing_allowed):
    admin_a.user.is_staff = True
    admin_a.user.save()
    client.force_login(admin_a.user)
    response = client.post(
        "/admin/webhooks/webhookendpoint/add/",
        {
            "organization": admin_a.organization.pk,
            "url": "http://127.0.0.1:6379/",
            "secret": SECRET,
            "events": ["check_in.created"],
            "active": "on",
        },
    )
    assert response.status_code == 200
    assert "inside the network" in response.context["adminform"].form.errors["url"][0]
    assert not WebhookEndpoint.objects.exists()


def test_delivery_is_refused_after_dns_rebinding(admin_a, receiver, nothing_allowed):
    """Registered while the name resolved to a public address; at delivery it resolves to loopback."""
    with resolving_to("93.184.215.14"):
        endpoint = services.webhook_endpoint_create(
            organization=admin_a.organization,
            url=receiver.url.replace("127.0.0.1", "rebound.example.com"),
            secret=SECRET,
            events=["check_in.created"],
        )
    delivery_id = dispatch(endpoint)
    with resolving_to("127.0.0.1"), mock.patch.object(webhook_deliver_task, "retry") as retry:
        assert webhook_deliver_task.run(str(delivery_id)) is False
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert (delivery.state, delivery.attempts, delivery.response_status_code) == ("failed", 1, None)
    assert "127.0.0.1" in delivery.last_error and "inside the network" in delivery.last_error
    assert not retry.called  # refused for good, not retried
    assert receiver.requests == []


def test_an_endpoint_stored_on_loopback_is_not_contacted(admin_a, receiver, nothing_allowed):
    endpoint = WebhookEndpointFactory(organization=admin_a.organization, url=receiver.url)
    result = services.delivery_attempt(delivery_id=dispatch(endpoint))
    assert not result.retry and not result.delivered
    assert receiver.requests == []


def test_the_sweeper_queues_a_stranded_delivery_once(admin_a):
    endpoint = WebhookEndpointFactory(organization=admin_a.organization)
    stranded = dispatch(endpoint)  # written, but its task never queued (the process died)
    WebhookDelivery.objects.filter(pk=stranded).update(updated_at=timezone.now() - timedelta(minutes=15))
    fresh = dispatch(endpoint)  # its task may still be in the queue: left alone
    with mock.patch.object(webhook_deliver_task, "apply_async") as queued:
        assert webhook_sweep_task.run() == 1
        assert webhook_sweep_task.run() == 0
    assert [call.kwargs["args"] for call in queued.call_args_list] == [[str(stranded)]]
    assert str(fresh) != str(stranded)


def test_the_sweeper_waits_for_a_scheduled_retry(admin_a, settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30 * 60
    endpoint = WebhookEndpointFactory(organization=admin_a.organization)
    delivery_id = dispatch(endpoint)
    WebhookDelivery.objects.filter(pk=delivery_id).update(
        attempts=2, updated_at=timezone.now() - timedelta(minutes=30)
    )  # its retry is due in 60 minutes
    assert services.pending_delivery_sweep() == []
    WebhookDelivery.objects.filter(pk=delivery_id).update(updated_at=timezone.now() - timedelta(minutes=75))
    assert services.pending_delivery_sweep() == [delivery_id]


def test_the_sweeper_is_scheduled():
    from django_celery_beat.models import PeriodicTask

    assert PeriodicTask.objects.get(task="webhooks.sweep").interval.every == 5


def test_delivery_tasks_acknowledge_late():
    assert webhook_deliver_task.acks_late and webhook_deliver_task.reject_on_worker_lost
