"""The New KPI and Edit KPI pages: editors and admins, the organization's choices only, services' rules."""

from decimal import Decimal

import pytest
from django.urls import reverse

from kpis.models import Kpi
from tests.accounts.factories import TeamFactory
from tests.kpis.factories import KpiFactory
from tests.okrs.factories import ObjectiveFactory, PriorityFactory

pytestmark = pytest.mark.django_db

NEW = {
    "code": "win_rate",
    "name": "Win rate",
    "family": "sales",
    "description": "",
    "unit": "percent",
    "direction": "higher",
    "cadence": "monthly",
    "aggregation": "average",
    "formula": "",
    "target": "25.5",
    "warning_threshold": "20",
    "critical_threshold": "15",
    "baseline": "",
    "benchmark": "",
    "active": "on",
}


def test_editor_creates_a_kpi_through_the_page(client, editor_a):
    priority = PriorityFactory(organization=editor_a.organization)
    team = TeamFactory(organization=editor_a.organization)
    client.force_login(editor_a.user)
    data = {**NEW, "owner": editor_a.user.pk, "team": team.pk, "priorities": [priority.pk]}
    response = client.post(reverse("kpis:kpi-create"), data)
    kpi = Kpi.objects.get(code="win_rate")
    assert response.status_code == 302 and response.url == reverse("dashboards:kpi-detail", args=[kpi.pk])
    assert (kpi.organization, kpi.owner, kpi.team) == (editor_a.organization, editor_a.user, team)
    assert kpi.target == Decimal("25.5")
    assert list(kpi.priorities.all()) == [priority]
    assert kpi.recompute_requested_at is not None


def test_new_kpi_page_shows_the_services_refusals_next_to_the_field(client, editor_a):
    KpiFactory(organization=editor_a.organization, code="win_rate")
    client.force_login(editor_a.user)
    data = {**NEW, "formula": "100 * deals_won / nothing_here", "code": "win_rate"}
    response = client.post(reverse("kpis:kpi-create"), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "already has the code" in errors["code"][0]
    assert Kpi.objects.count() == 1


def test_kpi_pages_offer_only_the_organizations_people_teams_priorities_and_objectives(
    client, editor_a, member_b
):
    ours = PriorityFactory(organization=editor_a.organization, title="Our priority")
    PriorityFactory(organization=member_b.organization, title="Their priority")
    TeamFactory(organization=member_b.organization, name="Their team")
    ObjectiveFactory(cycle__organization=member_b.organization, title="Their objective")
    client.force_login(editor_a.user)
    page = client.get(reverse("kpis:kpi-create")).content.decode()
    assert "Our priority" in page
    for theirs in ("Their priority", "Their team", "Their objective", "member-b"):
        assert theirs not in page
    theirs = PriorityFactory(organization=member_b.organization)
    response = client.post(reverse("kpis:kpi-create"), {**NEW, "priorities": [ours.pk, theirs.pk]})
    assert response.status_code == 400
    assert "priorities" in response.context["form"].errors
    assert not Kpi.objects.exists()


def test_editor_changes_a_kpi_through_the_page(client, editor_a):
    kpi = KpiFactory(organization=editor_a.organization, name="Old name", recompute_requested_at=None)
    client.force_login(editor_a.user)
    url = reverse("kpis:kpi-update", args=[kpi.pk])
    data = {**NEW, "code": kpi.code, "name": "New name", "cadence": kpi.cadence}
    response = client.post(url, data)
    assert response.status_code == 302
    kpi.refresh_from_db()
    assert (kpi.name, kpi.target) == ("New name", Decimal("25.5"))
    assert kpi.recompute_requested_at is not None


def test_edit_kpi_page_refuses_a_bad_change(client, editor_a):
    kpi = KpiFactory(organization=editor_a.organization, name="Kept")
    client.force_login(editor_a.user)
    data = {**NEW, "code": kpi.code, "name": "Changed", "warning_threshold": "10", "critical_threshold": "15"}
    response = client.post(reverse("kpis:kpi-update", args=[kpi.pk]), data)
    assert response.status_code == 400
    assert Kpi.objects.get(pk=kpi.pk).name == "Kept"


def test_another_organizations_kpi_is_not_found(client, editor_a, member_b):
    theirs = KpiFactory(organization=member_b.organization)
    client.force_login(editor_a.user)
    url = reverse("kpis:kpi-update", args=[theirs.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {**NEW, "code": theirs.code}).status_code == 404


def test_viewers_may_not_create_or_edit_kpis(client, viewer_a):
    kpi = KpiFactory(organization=viewer_a.organization)
    client.force_login(viewer_a.user)
    assert client.get(reverse("kpis:kpi-create")).status_code == 403
    assert client.post(reverse("kpis:kpi-create"), NEW).status_code == 403
    assert client.get(reverse("kpis:kpi-update", args=[kpi.pk])).status_code == 403
    assert not Kpi.objects.exclude(pk=kpi.pk).exists()


def test_scorecard_and_kpi_page_link_to_the_kpi_pages_for_editors_only(client, editor_a, viewer_a):
    kpi = KpiFactory(organization=editor_a.organization)
    new, edit = reverse("kpis:kpi-create"), reverse("kpis:kpi-update", args=[kpi.pk])
    client.force_login(editor_a.user)
    assert new in client.get(reverse("dashboards:kpi-scorecard")).content.decode()
    assert edit in client.get(reverse("dashboards:kpi-detail", args=[kpi.pk])).content.decode()
    client.force_login(viewer_a.user)
    assert new not in client.get(reverse("dashboards:kpi-scorecard")).content.decode()
    assert edit not in client.get(reverse("dashboards:kpi-detail", args=[kpi.pk])).content.decode()
