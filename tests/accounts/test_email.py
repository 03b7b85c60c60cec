"""Mail that really goes out: through a real SMTP server on 127.0.0.1, with a text and an HTML part.

Also the settings that configure it (EMAIL_URL, DEFAULT_FROM_EMAIL) and the compose file's mail catcher.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client

from accounts import emails, services
from accounts.choices import Role
from tests.accounts.smtp import first_link, html_part, text_part

ROOT = Path(settings.BASE_DIR)
PASSWORD = "tangerine-harbour-42"


# Committed for real: mail goes out once the invitation is committed, as in production.
@pytest.mark.django_db(transaction=True)
def test_invitation_mail_arrives_with_both_parts_and_a_working_link(mailbox, admin_a, settings):
    settings.SITE_URL = "http://rumbo.test"
    settings.DEFAULT_FROM_EMAIL = "Rumbo <okrs@rumbo.test>"
    services.invitation_create(
        organization=admin_a.organization, email="ana@example.com", role=Role.EDITOR, invited_by=admin_a.user
    )
    [message] = mailbox.messages
    assert mailbox.recipients == [["ana@example.com"]]
    assert message["From"] == "Rumbo <okrs@rumbo.test>"
    assert message["Subject"] == "You are invited to join Organization A on Rumbo"
    assert message.get_content_type() == "multipart/alternative"
    text, html = text_part(message), html_part(message)
    assert "Your role: Editor" in text and "Your role: Editor" in html
    assert "&lt;" not in text  # the text part is not HTML-escaped
    link = first_link(text, "/accounts/invite/")
    assert link.startswith("http://rumbo.test/accounts/invite/")
    assert f'href="{link}"' in html

    client = Client()
    path = link.removeprefix("http://rumbo.test")
    assert client.get(path).status_code == 200
    data = {"new_password1": PASSWORD, "new_password2": PASSWORD}
    response = client.post(path, data, follow=True)
    assert response.context["membership"].role == Role.EDITOR
    assert response.context["organization"] == admin_a.organization


@pytest.mark.django_db(transaction=True)
def test_mail_is_rendered_in_the_organizations_language(mailbox, admin_a):
    organization = admin_a.organization
    services.organization_update(organization=organization, language="es")
    services.invitation_create(organization=organization, email="ana@example.com", invited_by=admin_a.user)
    [message] = mailbox.messages
    assert '<html lang="es">' in html_part(message)


@pytest.mark.django_db(transaction=True)
def test_password_reset_mail_arrives_over_smtp_and_its_link_sets_the_password(mailbox, admin_a):
    client = Client()
    client.post("/accounts/password-reset/", {"email": "admin-a@example.com"})
    [message] = mailbox.messages
    assert mailbox.recipients == [["admin-a@example.com"]]
    assert message["Subject"] == "Reset your Rumbo password"
    text, html = text_part(message), html_part(message)
    assert "Your username is admin-a." in text and "admin-a" in html
    link = first_link(text, "/accounts/password-reset/")
    assert f'href="{link}"' in html
    response = client.get(urlsplit(link).path, follow=True)
    response = client.post(
        response.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    assert response.status_code == 302
    admin_a.user.refresh_from_db()
    assert admin_a.user.check_password(PASSWORD)


@pytest.mark.django_db
def test_a_refusing_mail_server_does_not_break_the_write(admin_a, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    invitation = services.invitation_create(organization=admin_a.organization, email="ana@example.com")
    assert emails.invitation_send(invitation) is False


# Settings ----------------------------------------------------------------------------------------------


def _settings_with(**env) -> dict:
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k) for k in "
        "['EMAIL_BACKEND', 'EMAIL_HOST', 'EMAIL_PORT', 'EMAIL_HOST_USER', 'EMAIL_HOST_PASSWORD', "
        "'EMAIL_USE_TLS', 'DEFAULT_FROM_EMAIL']}))"
    )
    inherited = {
        k: v
        for k, v in os.environ.items()
        if k not in ("EMAIL_URL", "DEFAULT_FROM_EMAIL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE")
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**inherited, "DJANGO_SETTINGS_MODULE": "config.settings.local", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_email_url_configures_smtp_and_the_sender():
    configured = _settings_with(
        EMAIL_URL="smtp+tls://mailer:s3cret@mail.example.com:587",
        DEFAULT_FROM_EMAIL="OKRs <okrs@example.com>",
    )
    assert configured == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.com",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "mailer",
        "EMAIL_HOST_PASSWORD": "s3cret",
        "EMAIL_USE_TLS": True,
        "DEFAULT_FROM_EMAIL": "OKRs <okrs@example.com>",
    }


def test_without_email_url_mail_is_printed_on_the_console():
    assert _settings_with()["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_compose_runs_a_mail_catcher_that_every_app_service_sends_to():
    import compose

    binary = Path(compose.__file__).parent / "docker-compose"
    environment = {k: v for k, v in os.environ.items() if k not in ("EMAIL_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    result = subprocess.run(
        [str(binary), "config", "--format", "json"],
        cwd=ROOT,
        env={**environment, "SECRET_KEY": "compose-validation-secret"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    services_ = json.loads(result.stdout)["services"]
    mail = services_["mail"]
    assert mail["image"].startswith("axllent/mailpit:")
    assert {port["target"] for port in mail["ports"]} == {8025}
    for name in ("web", "worker", "beat"):
        assert services_[name]["environment"]["EMAIL_URL"] == "smtp://mail:1025"
        assert "DEFAULT_FROM_EMAIL" in services_[name]["environment"]
