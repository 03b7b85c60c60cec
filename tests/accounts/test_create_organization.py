"""`manage.py create_organization`: an organization, its first admin, and a link to choose a password."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from accounts.choices import Role
from accounts.models import Membership, Organization
from tests.accounts.smtp import first_link, html_part, text_part

User = get_user_model()
PASSWORD = "tangerine-harbour-42"


def _create(*extra, **options):
    out = io.StringIO()
    args = ["--name", "Acme", "--slug", "acme", "--admin-email", "founder@acme.test", *extra]
    call_command("create_organization", *args, stdout=out, **options)
    return out.getvalue()


# Committed for real: the welcome mail goes out when the command's transaction commits.
@pytest.mark.django_db(transaction=True)
def test_command_creates_the_organization_and_a_first_admin_who_sets_a_password(mailbox, settings):
    settings.SITE_URL = "http://rumbo.test"
    output = _create("--time-zone", "Europe/Madrid", "--language", "es")
    organization = Organization.objects.get(slug="acme")
    assert (organization.name, organization.time_zone, organization.language) == (
        "Acme",
        "Europe/Madrid",
        "es",
    )
    admin = User.objects.get(username="founder@acme.test")
    assert Membership.objects.get(user=admin).role == Role.ADMIN
    printed = first_link(output, "/accounts/password-set/")
    assert printed.startswith("http://rumbo.test/accounts/password-set/")

    [message] = mailbox.messages
    assert mailbox.recipients == [["founder@acme.test"]]
    assert "Acme" in message["Subject"]
    mailed = first_link(text_part(message), "/accounts/password-set/")
    assert mailed in html_part(message)

    client = Client()
    path = mailed.removeprefix("http://rumbo.test")
    response = client.get(path, follow=True)
    assert "Choose your password" in response.content.decode()
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": PASSWORD, "new_password2": PASSWORD}, follow=True)
    assert response.context["user"] == admin
    assert response.context["membership"].organization == organization
    assert User.objects.get(pk=admin.pk).check_password(PASSWORD)
    # The printed link was for the same one-time choice: it no longer works. The admin, now signed in,
    # reads it in the organization's language.
    with translation.override("es"):
        expired = gettext("This link is not valid any more: it was already used, or it expired.")
    assert expired.startswith("Este enlace")
    assert expired in client.get(printed.removeprefix("http://rumbo.test"), follow=True).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "extra, message",
    [
        (["--time-zone", "Mars/Olympus"], "--time-zone, e.g. Europe/Madrid"),
        (["--language", "fr"], "Use --language en or --language es."),
        (["--admin-email", "founder"], "is not an email address"),
    ],
)
def test_command_errors_say_what_to_do_next(extra, message):
    with pytest.raises(CommandError, match=message):
        _create(*extra)
    assert not Organization.objects.filter(slug="acme").exists()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_a_taken_slug_is_refused_with_a_hint(org_a):
    with pytest.raises(CommandError, match="already exists. Choose another with --slug"):
        call_command(
            "create_organization", "--name", "A again", "--slug", org_a.slug, "--admin-email", "x@acme.test"
        )
    assert not User.objects.exists()
