"""The language a person reads Rumbo in: their preference, else their organization's, else the browser's."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from rest_framework.test import APIClient

from accounts import services
from accounts.emails import language_for_user
from accounts.models import Profile
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


def _in(language: str, msgid: str) -> str:
    with translation.override(language):
        return gettext(msgid)


def _overview(client, **headers) -> str:
    response = client.get(reverse("dashboards:overview"), **headers)
    assert response.status_code == 200
    return response.content.decode()


def test_a_member_reads_the_organization_language_whatever_the_browser_says(client, editor_a):
    services.organization_update(organization=editor_a.organization, language="es")
    client.force_login(editor_a.user)
    page = _overview(client, HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="es"' in page
    assert _in("es", "Company overview") in page and _in("es", "Company overview") != "Company overview"


def test_a_personal_preference_wins_over_the_organization(client, editor_a):
    services.organization_update(organization=editor_a.organization, language="es")
    services.profile_language_set(user=editor_a.user, language="en")
    client.force_login(editor_a.user)
    page = _overview(client, HTTP_ACCEPT_LANGUAGE="es")
    assert '<html lang="en"' in page and "Company overview" in page


def test_anonymous_visitors_get_the_browser_language_then_their_choice(client):
    login = reverse("accounts:login")
    assert '<html lang="es"' in client.get(login, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="en"' in client.get(login, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    response = client.post(reverse("accounts:language"), {"language": "es", "next": login})
    assert response.status_code == 302 and response["Location"] == login
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    page = client.get(login, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="es"' in page and _in("es", "Log in to Rumbo") in page


def test_the_switcher_saves_the_preference_and_can_go_back_to_the_organization_language(client, editor_a):
    client.force_login(editor_a.user)
    page = _overview(client)
    assert 'name="language" value="es"' in page  # the menu offers the other language
    response = client.post(reverse("accounts:language"), {"language": "es", "next": "/kpis/"})
    assert response.status_code == 302 and response["Location"] == "/kpis/"
    assert Profile.objects.get(user=editor_a.user).language == "es"
    assert '<html lang="es"' in _overview(client)
    assert language_for_user(editor_a.user) == "es"  # mail follows the preference too
    client.post(reverse("accounts:language"), {"language": "", "next": "/"})
    assert Profile.objects.get(user=editor_a.user).language == ""
    assert '<html lang="en"' in _overview(client, HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x"])
def test_the_switcher_never_redirects_off_site(client, next_url):
    response = client.post(reverse("accounts:language"), {"language": "es", "next": next_url})
    assert response["Location"] == "/"


def test_the_switcher_ignores_an_unknown_language(client, editor_a):
    client.force_login(editor_a.user)
    client.post(reverse("accounts:language"), {"language": "fr", "next": "/"})
    assert not Profile.objects.filter(user=editor_a.user, language="fr").exists()


def test_api_errors_follow_accept_language_else_the_person(editor_a):
    client = APIClient()
    headers = bearer(editor_a.user)
    url = "/api/v1/objectives/999999/"
    english = client.get(url, **headers, HTTP_ACCEPT_LANGUAGE="en").json()["detail"]
    spanish = client.get(url, **headers, HTTP_ACCEPT_LANGUAGE="es").json()["detail"]
    assert english != spanish and spanish == _in("es", english)
    services.profile_language_set(user=editor_a.user, language="es")
    assert client.get(url, **headers).json()["detail"] == spanish


def test_the_organization_settings_read_margins_in_spanish(client, admin_a):
    services.profile_language_set(user=admin_a.user, language="es")
    client.force_login(admin_a.user)
    url = reverse("accounts:organization-settings")
    page = client.get(url).content.decode()
    assert 'value="0,1"' in page and 'value="0,25"' in page  # the stored 0.100 and 0.250, in Spanish
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data.update(on_track_margin="0,15", at_risk_margin="0,3", review_required="", public_diagnostic="")
    response = client.post(url, {k: v for k, v in data.items() if v not in (None, False, "")})
    assert response.status_code == 302
    admin_a.organization.refresh_from_db()
    assert str(admin_a.organization.on_track_margin) == "0.150"
