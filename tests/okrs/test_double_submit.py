"""A page form sent twice (double click, retried request, back and Submit again) saves once: the second
submission is shown the saved result."""

import os
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from okrs.choices import KeyResultKind, ObjectiveState
from okrs.models import CheckIn, KeyResult, Objective
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the browser test's live server
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def key_result(editor_a):
    objective = ObjectiveFactory(
        cycle=CycleFactory(organization=editor_a.organization),
        owner=editor_a.user,
        state=ObjectiveState.ACTIVE,
    )
    return KeyResultFactory(objective=objective, owner=editor_a.user, target_value=Decimal(100))


def page_token(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    token = response.context["form"]["form_token"].value()
    assert f'name="form_token" value="{token}"' in response.content.decode()
    return token


def test_check_in_page_sent_twice_saves_one_check_in(client, editor_a, key_result):
    client.force_login(editor_a.user)
    url = reverse("okrs:check-in-create", args=[key_result.pk])
    data = {"value": "40", "confidence": "7", "form_token": page_token(client, url)}
    first = client.post(url, data)
    second = client.post(url, data, follow=True)
    assert first.status_code == 302
    assert second.status_code == 200
    assert second.redirect_chain[0][0] == first.url  # the saved result, shown again
    assert "This check-in was already saved." in second.content.decode()
    assert CheckIn.objects.filter(key_result=key_result).count() == 1


def test_htmx_check_in_sent_twice_saves_one_and_shows_the_row(client, editor_a, key_result):
    client.force_login(editor_a.user)
    url = reverse("okrs:check-in-create", args=[key_result.pk])
    token = page_token(client, url)
    htmx = {"HTTP_HX_REQUEST": "true"}
    data = {"value": "40", "confidence": "7", "form_token": token}
    first = client.post(url, data, **htmx)
    second = client.post(url, data, **htmx)
    assert first.status_code == second.status_code == 200
    assert f'id="kr-{key_result.pk}"' in second.content.decode()
    assert CheckIn.objects.filter(key_result=key_result).count() == 1
    # The row swapped in carries a new token: the next check-in is saved.
    new_token = second.context["form"]["form_token"].value()
    assert new_token != token
    client.post(url, {"value": "55", "confidence": "7", "form_token": new_token}, **htmx)
    assert CheckIn.objects.filter(key_result=key_result).count() == 2


def test_a_refused_check_in_can_be_corrected_and_sent_with_the_same_token(client, editor_a, key_result):
    client.force_login(editor_a.user)
    url = reverse("okrs:check-in-create", args=[key_result.pk])
    token = page_token(client, url)
    assert client.post(url, {"value": "21,5", "confidence": "7", "form_token": token}).status_code == 400
    assert client.post(url, {"value": "12", "confidence": "7", "form_token": token}).status_code == 302
    assert CheckIn.objects.get(key_result=key_result).value == Decimal(12)


def test_a_forged_token_is_refused(client, editor_a, key_result):
    client.force_login(editor_a.user)
    url = reverse("okrs:check-in-create", args=[key_result.pk])
    response = client.post(url, {"value": "12", "confidence": "7", "form_token": "made-up"})
    assert response.status_code == 400
    assert "This form has expired" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_objective_create_sent_twice_creates_one(client, editor_a, key_result):
    client.force_login(editor_a.user)
    url = reverse("okrs:objective-create")
    data = {
        "title": "Win the mid-market",
        "so_what": "Bigger deals.",
        "outcome_kind": "growth",
        "type": "committed",
        "cycle": key_result.objective.cycle_id,
        "state": ObjectiveState.DRAFT,
        "owner": editor_a.user.pk,
        "form_token": page_token(client, url),
    }
    first = client.post(url, data)
    assert first.status_code == 302, first.context["form"].errors
    second = client.post(url, data)
    assert second.status_code == 302 and second.url == first.url
    assert Objective.objects.filter(title="Win the mid-market").count() == 1


def test_key_result_create_sent_twice_creates_one(client, editor_a, key_result):
    client.force_login(editor_a.user)
    objective = key_result.objective
    url = reverse("okrs:key-result-create", args=[objective.pk])
    data = {
        "title": "Close 40 deals",
        "kind": KeyResultKind.INCREASE,
        "unit": "number",
        "start_value": "0",
        "target_value": "40",
        "due_date": objective.cycle.end.isoformat(),
        "owner": editor_a.user.pk,
        "weight": "1",
        "confidence": "5",
        "form_token": page_token(client, url),
    }
    first = client.post(url, data)
    assert first.status_code == 302, first.context["form"].errors
    second = client.post(url, data)
    assert second.status_code == 302 and second.url == objective.get_absolute_url()
    assert KeyResult.objects.filter(title="Close 40 deals").count() == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_check_in_form_sent_twice_from_chromium_saves_one(page, live_server, editor_a, key_result):
    client = Client()
    client.force_login(editor_a.user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}{reverse('okrs:check-in-create', args=[key_result.pk])}")
    page.get_by_label("New value").fill("40")
    # The same form sent twice at once, as a double click on a slow connection or a retried request does.
    statuses = page.locator("form[action*=check-ins]").evaluate(
        """form => Promise.all([1, 2].map(() =>
            fetch(form.action, {method: "POST", body: new FormData(form), redirect: "manual"})
              .then(response => response.type)))"""
    )
    assert statuses == ["opaqueredirect", "opaqueredirect"]  # both answered with the saved result
    assert CheckIn.objects.filter(key_result=key_result).count() == 1
    page.get_by_role("button", name="Save check-in").click()  # the page's own token, once more: replay
    page.wait_for_url(f"**{key_result.objective.get_absolute_url()}")
    assert "This check-in was already saved." in page.content()
    assert CheckIn.objects.filter(key_result=key_result).count() == 1
