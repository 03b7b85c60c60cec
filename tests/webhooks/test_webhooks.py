"""Webhooks: events emitted after commit, signed deliveries over real HTTP, retries and the log."""

import json
import uuid
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from okrs import services as okr_services
from okrs.models import KeyResult
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory
from tests.webhooks.factories import WebhookEndpointFactory
from webhooks import services
from webhooks.choices import DeliveryState, WebhookEvent
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.tasks import webhook_deliver_task, webhook_dispatch_task

pytestmark = pytest.mark.django_db


def _readme_verify():
    """The receiver's check exactly as the README's Webhooks section documents it."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## Webhooks", 1)[1]
    code = section.split("```python", 1)[1].split("```", 1)[0]
    namespace = {}
    exec(code, namespace)  # noqa: S102 - our own documentation
    return namespace["verify"]


verify = _readme_verify()


@pytest.fixture
def key_result(admin_a):
    objective = ObjectiveFactory(cycle=CycleFactory(organization=admin_a.organization), owner=admin_a.user)
    return KeyResultFactory(objective=objective, owner=admin_a.user)


@pytest.fixture
def endpoint(admin_a, receiver):
    return WebhookEndpointFactory(organization=admin_a.organization, url=receiver.url)


def post_check_in(user, key_result, value):
    client = APIClient()
    client.force_authenticate(user)
    return client.post(
        "/api/v1/check-ins/", {"key_result": key_result.pk, "value": value, "confidence": 9}, format="json"
    )


def test_check_in_sends_signed_events_over_http(
    editor_a, key_result, endpoint, receiver, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_check_in(editor_a.user, key_result, "100")
    assert response.status_code == 201

    [created] = receiver.events("check_in.created")
    assert created["event"] == "check_in.created"
    assert created["organization_id"] == key_result.objective.cycle.organization_id
    assert created["data"]["check_in"]["id"] == response.json()["id"]
    assert Decimal(created["data"]["check_in"]["value"]) == Decimal(100)
    assert created["data"]["check_in"]["source"] == "api"
    [changed] = receiver.events("key_result.status_changed")
    assert changed["data"]["key_result"]["previous_status"] == "not_started"
    assert changed["data"]["key_result"]["status"] == "achieved"
    [achieved] = receiver.events("key_result.achieved")
    assert achieved["data"]["key_result"]["id"] == key_result.pk

    for request in receiver.requests:
        assert request["headers"]["Content-Type"] == "application/json"
        assert verify(endpoint.secret, request["headers"], request["body"])
        assert not verify("another-secret-entirely", request["headers"], request["body"])
        assert not verify(endpoint.secret, request["headers"], request["body"] + b" ")
        delivery = WebhookDelivery.objects.get(pk=request["headers"]["X-Rumbo-Delivery"])
        assert delivery.state == DeliveryState.SUCCEEDED
        assert delivery.response_status_code == 200 and delivery.attempts == 1
        assert json.loads(delivery.body)["id"] == str(delivery.pk)


def test_objective_state_change_is_sent(
    admin_a, key_result, endpoint, receiver, eager_celery, django_capture_on_commit_callbacks
):
    objective = key_result.objective
    client = APIClient()
    client.force_authenticate(admin_a.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.patch(f"/api/v1/objectives/{objective.pk}/", {"title": "Same state"}, format="json")
        response = client.patch(f"/api/v1/objectives/{objective.pk}/", {"state": "closed"}, format="json")
    assert response.status_code == 200
    [event] = receiver.events("objective.state_changed")
    assert event["data"]["objective"] == {
        "id": objective.pk,
        "title": "Same state",
        "cycle_id": objective.cycle_id,
        "state": "closed",
        "previous_state": "active",
    }


def test_recomputation_sends_status_changes(
    admin_a, key_result, endpoint, receiver, eager_celery, django_capture_on_commit_callbacks
):
    # The value reached the target, but the stored status is still the old one.
    KeyResult.objects.filter(pk=key_result.pk).update(current_value=100, last_check_in_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        okr_services.progress_recompute(organization_id=admin_a.organization.pk)
    [changed] = receiver.events("key_result.status_changed")
    assert changed["data"]["key_result"]["status"] == "achieved"
    assert len(receiver.events("key_result.achieved")) == 1
    with django_capture_on_commit_callbacks(execute=True):
        okr_services.progress_recompute(organization_id=admin_a.organization.pk)
    assert len(receiver.events("key_result.status_changed")) == 1  # nothing changed: nothing sent


def test_only_subscribed_active_endpoints_of_the_organization_receive(
    editor_a, member_b, key_result, receiver, eager_celery, django_capture_on_commit_callbacks
):
    WebhookEndpointFactory(
        organization=editor_a.organization, url=receiver.url + "/a", events=["check_in.created"]
    )
    WebhookEndpointFactory(organization=editor_a.organization, url=receiver.url + "/off", active=False)
    WebhookEndpointFactory(organization=member_b.organization, url=receiver.url + "/b")
    with django_capture_on_commit_callbacks(execute=True):
        post_check_in(editor_a.user, key_result, "40")
    assert [(r["path"], r["headers"]["X-Rumbo-Event"]) for r in receiver.requests] == [
        ("/hooks/rumbo/a", "check_in.created")
    ]


def test_the_request_only_enqueues_and_sends_nothing(
    editor_a, key_result, endpoint, receiver, django_capture_on_commit_callbacks
):
    with mock.patch.object(webhook_dispatch_task, "apply_async") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            response = post_check_in(editor_a.user, key_result, "100")
    assert response.status_code == 201
    assert {call.kwargs["args"][1] for call in delay.call_args_list} == {
        "check_in.created",
        "key_result.status_changed",
        "key_result.achieved",
    }
    assert receiver.requests == [] and not WebhookDelivery.objects.exists()


def test_events_are_not_sent_when_the_transaction_rolls_back(
    editor_a, key_result, endpoint, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = post_check_in(editor_a.user, key_result, "1" * 30)  # invalid: nothing written
    assert response.status_code == 400
    assert callbacks == []


def test_a_broker_outage_does_not_fail_the_check_in(
    editor_a, key_result, endpoint, django_capture_on_commit_callbacks
):
    with mock.patch.object(webhook_dispatch_task, "apply_async", side_effect=OSError("broker down")):
        with django_capture_on_commit_callbacks(execute=True):
            response = post_check_in(editor_a.user, key_result, "50")
    assert response.status_code == 201


def test_failing_receiver_is_retried_until_it_answers(
    editor_a, key_result, endpoint, receiver, eager_celery, settings
):
    settings.WEBHOOK_MAX_ATTEMPTS = 4
    receiver.statuses = [500, 503, 200]
    [delivery_id] = services.webhook_dispatch(
        organization_id=endpoint.organization_id,
        event="check_in.created",
        data={"x": 1},
        occurred_at="now",
        event_id=str(uuid.uuid4()),
    )
    webhook_deliver_task.delay(str(delivery_id))
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert (delivery.state, delivery.attempts, delivery.response_status_code) == ("succeeded", 3, 200)
    assert len(receiver.requests) == 3
    assert len({r["body"] for r in receiver.requests}) == 1  # every attempt carries the same body
    assert all(verify(endpoint.secret, r["headers"], r["body"]) for r in receiver.requests)


def test_delivery_fails_after_the_last_attempt(endpoint, receiver, eager_celery, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    receiver.statuses = [500]
    [delivery_id] = services.webhook_dispatch(
        organization_id=endpoint.organization_id,
        event="check_in.created",
        data={},
        occurred_at="now",
        event_id=str(uuid.uuid4()),
    )
    webhook_deliver_task.delay(str(delivery_id))
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert (delivery.state, delivery.attempts, delivery.response_status_code) == ("failed", 3, 500)
    assert delivery.last_error == "HTTP 500"
    assert len(receiver.requests) == 3


def test_retries_back_off_exponentially(endpoint, receiver, settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    settings.WEBHOOK_RETRY_MAX_DELAY_SECONDS = 600
    assert [services.retry_delay_seconds(n) for n in range(1, 7)] == [30, 60, 120, 240, 480, 600]
    receiver.statuses = [500]
    [delivery_id] = services.webhook_dispatch(
        organization_id=endpoint.organization_id,
        event="check_in.created",
        data={},
        occurred_at="now",
        event_id=str(uuid.uuid4()),
    )
    with mock.patch.object(webhook_deliver_task, "retry", side_effect=RuntimeError("retry")) as retry:
        with pytest.raises(RuntimeError):
            webhook_deliver_task.run(str(delivery_id))
        with pytest.raises(RuntimeError):
            webhook_deliver_task.run(str(delivery_id))
    assert [call.kwargs["countdown"] for call in retry.call_args_list] == [30, 60]


def test_slow_receiver_times_out_and_is_logged(endpoint, receiver, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    receiver.delay_seconds = 3
    [delivery_id] = services.webhook_dispatch(
        organization_id=endpoint.organization_id,
        event="check_in.created",
        data={},
        occurred_at="now",
        event_id=str(uuid.uuid4()),
    )
    result = services.delivery_attempt(delivery_id=delivery_id)
    assert result.retry and not result.delivered
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert delivery.state == "pending" and delivery.response_status_code is None
    assert "timed out" in delivery.last_error


def test_unreachable_receiver_is_logged(admin_a):
    endpoint = WebhookEndpointFactory(organization=admin_a.organization, url="http://127.0.0.1:9/closed")
    [delivery_id] = services.webhook_dispatch(
        organization_id=endpoint.organization_id,
        event="check_in.created",
        data={},
        occurred_at="now",
        event_id=str(uuid.uuid4()),
    )
    services.delivery_attempt(delivery_id=delivery_id)
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert delivery.attempts == 1 and delivery.last_error


def test_redirect_is_a_failed_attempt(endpoint, receiver):
    receiver.statuses = [302]
    [delivery_id] = services.webhook_dispatch(
        organization_id=endpoint.organization_id,
        event="check_in.created",
        data={},
        occurred_at="now",
        event_id=str(uuid.uuid4()),
    )
    services.delivery_attempt(delivery_id=delivery_id)
    assert WebhookDelivery.objects.get(pk=delivery_id).response_status_code == 302


def test_delivering_twice_sends_once(endpoint, receiver):
    [delivery_id] = services.webhook_dispatch(
        organization_id=endpoint.organization_id,
        event="check_in.created",
        data={},
        occurred_at="now",
        event_id=str(uuid.uuid4()),
    )
    services.delivery_attempt(delivery_id=delivery_id)
    again = services.delivery_attempt(delivery_id=delivery_id)
    assert not again.retry and len(receiver.requests) == 1


def test_deliver_task_is_a_no_op_when_the_delivery_is_gone(db):
    assert webhook_deliver_task.run("00000000-0000-0000-0000-000000000000") is False


def test_dispatch_for_an_organization_without_endpoints_does_nothing(admin_a):
    assert (
        webhook_dispatch_task.run(admin_a.organization.pk, "check_in.created", {}, "now", str(uuid.uuid4()))
        == 0
    )


@pytest.mark.parametrize(
    "events, secret, field",
    [
        ([], "a-secret-of-enough-length", "events"),
        (["kpi.nope"], "a-secret-of-enough-length", "events"),
        (["check_in.created"], "short", "secret"),
    ],
)
def test_endpoint_validation(admin_a, events, secret, field):
    from django.core.exceptions import ValidationError

    endpoint = WebhookEndpoint(
        organization=admin_a.organization, url="https://example.com/h", secret=secret, events=events
    )
    with pytest.raises(ValidationError) as error:
        endpoint.full_clean()
    assert field in error.value.message_dict


def test_admin_registers_endpoints_and_sees_deliveries(client, admin_a, member_b):
    admin_a.user.is_staff = True
    admin_a.user.save()
    client.force_login(admin_a.user)
    response = client.post(
        "/admin/webhooks/webhookendpoint/add/",
        {
            "organization": admin_a.organization.pk,
            "url": "https://crm.example.com/rumbo",
            "secret": "a-secret-of-enough-length",
            "events": ["check_in.created", "key_result.achieved"],
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    endpoint = WebhookEndpoint.objects.get(url="https://crm.example.com/rumbo")
    assert endpoint.events == ["check_in.created", "key_result.achieved"]
    services.webhook_dispatch(
        organization_id=admin_a.organization.pk,
        event=WebhookEvent.CHECK_IN_CREATED,
        data={},
        occurred_at="now",
        event_id=str(uuid.uuid4()),
    )
    theirs = WebhookEndpointFactory(organization=member_b.organization, url="https://other.example.com/x")
    services.webhook_dispatch(
        organization_id=member_b.organization.pk,
        event="check_in.created",
        data={},
        occurred_at="now",
        event_id=str(uuid.uuid4()),
    )
    listing = client.get("/admin/webhooks/webhookdelivery/").content.decode()
    assert "crm.example.com" in listing and theirs.url not in listing
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert client.get(f"/admin/webhooks/webhookdelivery/{delivery.pk}/change/").status_code == 200


def test_closing_a_cycle_sends_the_closed_objectives(
    admin_a, key_result, endpoint, receiver, eager_celery, django_capture_on_commit_callbacks
):
    draft = ObjectiveFactory(cycle=key_result.objective.cycle, owner=admin_a.user, state="draft")
    with django_capture_on_commit_callbacks(execute=True):
        okr_services.cycle_close(cycle=key_result.objective.cycle)
    events = receiver.events("objective.state_changed")
    assert [e["data"]["objective"]["id"] for e in events] == [key_result.objective_id]
    assert events[0]["data"]["objective"]["state"] == "closed"
    assert draft.pk not in [e["data"]["objective"]["id"] for e in events]


def test_dispatching_an_event_twice_creates_its_deliveries_once(endpoint):
    event_id = str(uuid.uuid4())
    arguments = {"organization_id": endpoint.organization_id, "event": "check_in.created", "data": {}}
    first = services.webhook_dispatch(**arguments, occurred_at="now", event_id=event_id)
    again = services.webhook_dispatch(**arguments, occurred_at="now", event_id=event_id)
    assert len(first) == 1 and again == []
    assert WebhookDelivery.objects.get().event_id == uuid.UUID(event_id)
    other = services.webhook_dispatch(**arguments, occurred_at="now", event_id=str(uuid.uuid4()))
    assert len(other) == 1
