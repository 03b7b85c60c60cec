"""Personal API tokens: Bearer authentication, hashing, expiry and revocation; the page, admin and command."""

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from accounts import services
from accounts.models import ApiToken
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


def test_bearer_token_authenticates_as_its_user(api_client, viewer_a, tree_a):
    response = api_client.get("/api/v1/objectives/", **bearer(viewer_a.user))
    assert response.status_code == 200
    assert response.json()["count"] == 2


def test_token_is_stored_hashed(viewer_a):
    token, raw = services.api_token_create(user=viewer_a.user, name="BI export")
    assert raw.startswith("rumbo_") and len(raw) > 40
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert not ApiToken.objects.filter(token_hash=raw).exists()
    assert raw not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    assert raw.startswith(token.prefix)


def test_token_use_is_recorded(api_client, viewer_a):
    headers = bearer(viewer_a.user)
    api_client.get("/api/v1/teams/", **headers)
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.parametrize(
    "change, message",
    [
        ({"revoked_at": timezone.now()}, "This token has been revoked; create a new one."),
        ({"expires_at": timezone.now() - timedelta(seconds=1)}, "This token has expired; create a new one."),
    ],
)
def test_revoked_or_expired_token_is_401_with_a_clear_message(api_client, viewer_a, change, message):
    headers = bearer(viewer_a.user)
    ApiToken.objects.update(**change)
    response = api_client.get("/api/v1/teams/", **headers)
    assert response.status_code == 401
    assert response.json() == {"code": "authentication_failed", "detail": message}
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize(
    "header",
    ["Bearer not-a-token", "Bearer", "Bearer two parts", "Bearer caf\u00e9".encode().decode("latin-1")],
)
def test_invalid_tokens_are_401(api_client, header):
    response = api_client.get("/api/v1/teams/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_token_of_inactive_user_is_refused(api_client, viewer_a):
    headers = bearer(viewer_a.user)
    viewer_a.user.is_active = False
    viewer_a.user.save()
    assert api_client.get("/api/v1/teams/", **headers).status_code == 401


def test_token_writes_follow_the_role(api_client, viewer_a, editor_a, tree_a):
    payload = {"key_result": tree_a["key_result"].pk, "value": "3", "confidence": 4}
    assert (
        api_client.post("/api/v1/check-ins/", payload, format="json", **bearer(viewer_a.user)).status_code
        == 403
    )
    response = api_client.post("/api/v1/check-ins/", payload, format="json", **bearer(editor_a.user))
    assert response.status_code == 201


def test_person_without_organization_is_403(api_client):
    from tests.accounts.factories import UserFactory

    response = api_client.get("/api/v1/teams/", **bearer(UserFactory()))
    assert response.status_code == 403
    assert response.json()["detail"] == "You are not a member of any organization."


def test_session_authentication_works_for_the_browser(client, viewer_a, tree_a):
    client.force_login(viewer_a.user)
    response = client.get("/api/v1/objectives/")
    assert response.status_code == 200
    assert response.json()["count"] == 2


def test_session_writes_need_the_csrf_token(viewer_a, editor_a, tree_a):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(editor_a.user)
    response = client.post("/api/v1/teams/", {"name": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


@override_settings(
    REST_FRAMEWORK={
        "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.BearerTokenAuthentication"],
        "DEFAULT_THROTTLE_CLASSES": ["accounts.throttling.ApiTokenRateThrottle"],
        "DEFAULT_THROTTLE_RATES": {"api_token": "3/minute"},
        "EXCEPTION_HANDLER": "common.api.exception_handler",
        "DEFAULT_PAGINATION_CLASS": "common.api.Pagination",
        "PAGE_SIZE": 50,
    }
)
def test_throttling_is_per_token_with_retry_after(api_client, viewer_a):
    first, second = bearer(viewer_a.user, "one"), bearer(viewer_a.user, "two")
    for _ in range(3):
        assert api_client.get("/api/v1/teams/", **first).status_code == 200
    throttled = api_client.get("/api/v1/teams/", **first)
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "throttled"
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert api_client.get("/api/v1/teams/", **second).status_code == 200


# The settings page


def test_token_page_creates_a_token_shown_once(client, viewer_a):
    client.force_login(viewer_a.user)
    response = client.post("/accounts/tokens/", {"name": "CRM sync", "expires_on": ""}, follow=True)
    assert response.redirect_chain == [("/accounts/tokens/", 302)]
    raw = response.context["new_token"]
    assert raw in response.content.decode()
    token = ApiToken.objects.get(user=viewer_a.user)
    assert token.name == "CRM sync" and token.expires_at is None
    again = client.get("/accounts/tokens/")
    assert raw not in again.content.decode()
    assert token.prefix in again.content.decode()


def test_token_page_sets_an_expiry(client, viewer_a):
    client.force_login(viewer_a.user)
    day = (timezone.now() + timedelta(days=30)).date()
    client.post("/accounts/tokens/", {"name": "Temporary", "expires_on": day.isoformat()})
    assert ApiToken.objects.get().expires_at.date() == day


@pytest.mark.parametrize(
    "data, field", [({"name": ""}, "name"), ({"name": "x", "expires_on": "2001-01-01"}, "expires_on")]
)
def test_token_page_shows_form_errors(client, viewer_a, data, field):
    client.force_login(viewer_a.user)
    response = client.post("/accounts/tokens/", data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_token_page_revokes(client, viewer_a):
    token, raw = services.api_token_create(user=viewer_a.user, name="Old")
    client.force_login(viewer_a.user)
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/", follow=True)
    assert "no longer works" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_token_page_cannot_revoke_someone_elses_token(client, viewer_a, admin_a):
    token, _raw = services.api_token_create(user=admin_a.user, name="Admin's")
    client.force_login(viewer_a.user)
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_page_needs_login(client):
    response = client.get("/accounts/tokens/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# The admin


def test_admin_creates_token_and_shows_it_once(client, admin_a, viewer_a):
    admin_a.user.is_staff = True
    admin_a.user.save()
    client.force_login(admin_a.user)
    response = client.post(
        "/admin/accounts/apitoken/add/", {"user": viewer_a.user.pk, "name": "From admin"}, follow=True
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(name="From admin")
    shown = [str(m) for m in response.context["messages"] if "The new token is" in str(m)]
    assert len(shown) == 1
    raw = shown[0].split("The new token is ")[1].split(" ")[0]
    assert services.api_token_hash(raw) == token.token_hash


def test_admin_revoke_action(client, admin_a, viewer_a, member_b):
    admin_a.user.is_staff = True
    admin_a.user.save()
    mine, _ = services.api_token_create(user=viewer_a.user, name="A")
    theirs, _ = services.api_token_create(user=member_b.user, name="B")
    client.force_login(admin_a.user)
    listing = client.get("/admin/accounts/apitoken/")
    assert "A (" in listing.content.decode() or mine.prefix in listing.content.decode()
    assert theirs.prefix not in listing.content.decode()
    client.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke", "_selected_action": [mine.pk, theirs.pk]},
    )
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_at is not None
    assert theirs.revoked_at is None


# The management command


def test_create_api_token_command_prints_only_the_token(viewer_a, api_client):
    out = StringIO()
    call_command("create_api_token", "--user", viewer_a.user.username, "--name", "Nightly script", stdout=out)
    raw = out.getvalue().strip()
    assert out.getvalue() == raw + "\n"
    assert ApiToken.objects.get().name == "Nightly script"
    assert api_client.get("/api/v1/teams/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


def test_create_api_token_command_explains_an_unknown_user(db):
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("create_api_token", "--user", "nobody", "--name", "x", stdout=StringIO())


@pytest.mark.parametrize("tokens", [1, 10])
def test_token_page_runs_constant_queries(client, viewer_a, tokens, django_assert_num_queries):
    for index in range(tokens):
        services.api_token_create(user=viewer_a.user, name=f"Token {index}")
    client.force_login(viewer_a.user)
    # session, user, membership, tokens, unread notifications (menu)
    with django_assert_num_queries(5):
        response = client.get("/accounts/tokens/")
    assert response.status_code == 200
    assert len(response.context["tokens"]) == tokens
