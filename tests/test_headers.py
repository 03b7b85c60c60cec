"""Headers every answer carries: the Content-Security-Policy and Cache-Control."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.urls import reverse

from common.middleware import NoStoreMiddleware
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def _policy(response) -> dict[str, list[str]]:
    directives = [part.split() for part in response["Content-Security-Policy"].split(";") if part.strip()]
    return {directive[0]: directive[1:] for directive in directives}


@pytest.mark.parametrize(
    "url",
    ["accounts:login", "dashboards:overview", "admin:index", "api:docs", "api:redoc"],
)
def test_pages_admin_and_api_docs_run_no_inline_script(client, admin_a, url):
    admin_a.user.is_staff = True
    admin_a.user.save()
    client.force_login(admin_a.user)
    response = client.get(reverse(url))
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    if "object-src" in policy:
        assert policy["object-src"] == ["'none'"]


def test_templates_hold_no_inline_script_or_event_handler():
    offending = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'type="application/json"' not in tag:
                offending.append(f"{template}: {tag}")
        offending += [f"{template}: {m}" for m in re.findall(r"<[^>]*\s(?:on[a-z]+|hx-on[:\w-]*)=", text)]
    assert offending == []


def test_signed_in_pages_are_not_stored_by_browsers_or_proxies(client, admin_a):
    client.force_login(admin_a.user)
    response = client.get(reverse("dashboards:overview"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_anonymous_pages_keep_the_caching_their_view_chose(rf):
    request = rf.get("/accounts/password_reset/done/")
    request.user = AnonymousUser()
    response = HttpResponse("public")
    response["Cache-Control"] = "max-age=60"
    assert NoStoreMiddleware(lambda _request: response)(request)["Cache-Control"] == "max-age=60"


def test_api_answers_are_never_stored_signed_in_or_not(client, admin_a):
    anonymous = client.get("/api/v1/objectives/")
    assert anonymous.status_code == 401
    assert "no-store" in anonymous["Cache-Control"]
    with_token = client.get("/api/v1/objectives/", **bearer(admin_a.user))
    assert with_token.status_code == 200
    assert "no-store" in with_token["Cache-Control"]
