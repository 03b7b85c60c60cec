"""Login throttling (django-axes): wrong passwords lock a username out from one address on both login pages,
until the cool-off ends or an administrator unlocks it; password reset keeps working."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
LOGIN_PAGES = ["/accounts/login/", "/admin/login/"]


@pytest.fixture
def person():
    return UserFactory(username="dana", email="dana@example.com", is_staff=True)


def _log_in(client, url, password, address="203.0.113.7"):
    return client.post(url, {"username": "dana", "password": password}, REMOTE_ADDR=address)


def _guess_30_times(client, url):
    return [_log_in(client, url, f"wrong-{attempt}").status_code for attempt in range(30)]


@pytest.mark.parametrize("url", LOGIN_PAGES)
def test_thirty_wrong_passwords_lock_out_and_the_right_one_is_refused(client, person, url):
    statuses = _guess_30_times(client, url)
    limit = settings.AXES_FAILURE_LIMIT
    assert statuses == [200] * (limit - 1) + [429] * (30 - limit + 1)
    response = _log_in(client, url, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed logins" in response.text
    assert "Try again in 15 minutes" in response.text
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("url", LOGIN_PAGES)
def test_the_lockout_is_for_the_username_and_address_together(client, person, url):
    _guess_30_times(client, url)
    assert _log_in(Client(), url, PASSWORD, address="198.51.100.4").status_code == 302


@pytest.mark.parametrize("url", LOGIN_PAGES)
def test_the_right_password_works_again_after_the_cool_off(client, person, url):
    _guess_30_times(client, url)
    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(seconds=5)):
        assert _log_in(client, url, PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)


@pytest.mark.parametrize("url", LOGIN_PAGES)
def test_a_superuser_unlocks_in_the_admin(client, person, url):
    _guess_30_times(client, url)
    attempt = AccessAttempt.objects.get(username="dana")
    superuser = Client()
    superuser.force_login(UserFactory(is_staff=True, is_superuser=True))
    changelist = superuser.get("/admin/axes/accessattempt/")
    assert changelist.status_code == 200 and "dana" in changelist.text
    response = superuser.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert _log_in(client, url, PASSWORD).status_code == 302


def test_an_organization_admin_cannot_see_or_clear_lockouts(client, person, admin_a):
    _guess_30_times(client, "/accounts/login/")
    admin_a.user.is_staff = True
    admin_a.user.save()
    other = Client()
    other.force_login(admin_a.user)
    assert other.get("/admin/axes/accessattempt/").status_code == 403
    assert AccessAttempt.objects.filter(username="dana").exists()


def test_password_reset_works_while_locked_out(client, person):
    _guess_30_times(client, "/accounts/login/")
    assert client.get("/accounts/password-reset/").status_code == 200
    response = client.post(
        "/accounts/password-reset/", {"email": "dana@example.com"}, REMOTE_ADDR="203.0.113.7"
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "dana" in mail.outbox[0].body


def test_a_successful_login_clears_earlier_failures(client, person):
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        _log_in(client, "/accounts/login/", f"wrong-{attempt}")
    assert _log_in(client, "/accounts/login/", PASSWORD).status_code == 302
    client.logout()
    assert _log_in(client, "/accounts/login/", "wrong-again").status_code == 200
    assert _log_in(client, "/accounts/login/", PASSWORD).status_code == 302
