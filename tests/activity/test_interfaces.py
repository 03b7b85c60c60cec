"""Each interface leaves the same kind of entry, naming the person and where the change came from:
pages and the admin through the session, the API through a token too, commands with nobody."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Organization
from activity.choices import Source
from okrs.models import Objective
from tests.activity.conftest import changes, entries_of
from tests.api.conftest import bearer
from tests.okrs.factories import CycleFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def objective(admin_a):
    return ObjectiveFactory(
        cycle=CycleFactory(organization=admin_a.organization), owner=admin_a.user, title="Grow EMEA"
    )


def _submitted(form) -> dict:
    """What a browser sends back for an untouched form."""
    data = {}
    for bound in form:
        value = bound.value()
        if isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
        elif value is not None:
            formatted = bound.field.widget.format_value(value)
            formatted = formatted[0] if isinstance(formatted, list) else formatted
            data[bound.html_name] = "" if formatted is None else formatted
    return data


def test_a_change_on_a_page_names_the_person_and_the_page(client, editor_a, objective):
    client.force_login(editor_a.user)
    url = reverse("okrs:objective-update", args=[objective.pk])
    form = client.get(url).context["form"]
    response = client.post(url, {**_submitted(form), "title": "Grow EMEA and DACH"})
    assert response.status_code == 302
    [entry] = entries_of(objective, "update")
    assert (entry.actor, entry.source) == (editor_a.user, Source.PAGE)
    assert changes(entry) == {"title": ["Grow EMEA", "Grow EMEA and DACH"]}
    assert entry.remote_addr == "127.0.0.1"


def test_a_change_through_the_api_with_a_token_names_the_token_owner(editor_a, objective):
    client = APIClient()
    response = client.patch(
        f"/api/v1/objectives/{objective.pk}/", {"title": "Grow DACH"}, format="json", **bearer(editor_a.user)
    )
    assert response.status_code == 200, response.content
    [entry] = entries_of(objective, "update")
    assert (entry.actor, entry.source) == (editor_a.user, Source.API)
    assert changes(entry) == {"title": ["Grow EMEA", "Grow DACH"]}


def test_a_change_through_the_api_in_a_browser_session_names_the_person(client, admin_a, objective):
    client.force_login(admin_a.user)
    response = client.delete(f"/api/v1/objectives/{objective.pk}/")
    assert response.status_code == 204
    assert not Objective.objects.filter(pk=objective.pk).exists()
    [entry] = entries_of(objective, "delete")
    assert (entry.actor, entry.source) == (admin_a.user, Source.API)


def test_a_change_in_the_admin_names_the_person_and_the_admin(client, admin_a):
    admin_a.user.is_staff = True
    admin_a.user.save()
    client.force_login(admin_a.user)
    organization = admin_a.organization
    data = {
        "name": organization.name,
        "currency": organization.currency,
        "language": organization.language,
        "time_zone": organization.time_zone,
        "fiscal_year_start_month": organization.fiscal_year_start_month,
        "on_track_margin": "0.050",
        "at_risk_margin": organization.at_risk_margin,
        "check_in_cadence_days": organization.check_in_cadence_days,
    }
    response = client.post(reverse("admin:accounts_organization_change", args=[organization.pk]), data)
    assert response.status_code == 302
    [entry] = entries_of(organization, "update")
    assert (entry.actor, entry.source) == (admin_a.user, Source.ADMIN)
    assert changes(entry) == {"on_track_margin": ["0.1", "0.05"]}


def test_a_change_by_a_command_has_no_person_and_says_command(db):
    call_command(
        "create_organization",
        "--name",
        "Acme",
        "--slug",
        "acme",
        "--admin-email",
        "founder@acme.test",
        stdout=io.StringIO(),
    )
    organization = Organization.objects.get(slug="acme")
    [entry] = entries_of(organization, "create")
    assert (entry.actor, entry.source) == (None, Source.COMMAND)
    assert changes(entry)["name"] == [None, "Acme"]
    [membership] = organization.memberships.all()
    [joined] = entries_of(membership, "create")
    assert (joined.actor, joined.source, joined.organization_id) == (None, Source.COMMAND, organization.pk)
    assert changes(joined)["role"] == [None, "Admin"]


def test_a_refused_change_leaves_no_entry(client, viewer_a, objective):
    client.force_login(viewer_a.user)
    response = client.post(reverse("okrs:objective-update", args=[objective.pk]), {"title": "Hijacked"})
    assert response.status_code == 403
    assert entries_of(objective, "update") == []
    assert Objective.objects.get(pk=objective.pk).title == "Grow EMEA"


def test_admins_read_their_organizations_history_in_the_admin(client, admin_a, member_b):
    admin_a.user.is_staff = True
    admin_a.user.save()
    ObjectiveFactory(cycle=CycleFactory(organization=member_b.organization), title="Theirs")
    ours = ObjectiveFactory(cycle=CycleFactory(organization=admin_a.organization), title="Ours")
    client.force_login(admin_a.user)
    response = client.get(reverse("admin:activity_activityentry_changelist"))
    assert response.status_code == 200
    listed = {entry.object_repr for entry in response.context["cl"].result_list}
    assert "Ours" in listed and "Theirs" not in listed
    [created] = entries_of(ours, "create")
    page = client.get(reverse("admin:activity_activityentry_change", args=[created.pk]))
    assert page.status_code == 200
    assert "<strong>title</strong>: – → Ours" in page.content.decode()
    [theirs] = entries_of(ObjectiveFactory._meta.model.objects.get(title="Theirs"), "create")
    assert client.get(reverse("admin:activity_activityentry_change", args=[theirs.pk])).status_code == 302
    assert client.get(reverse("admin:activity_activityentry_add")).status_code == 403
