"""The History section of objective and KPI pages, and its page of its own."""

from decimal import Decimal

import pytest
from django.urls import reverse

from common.people import person_name
from kpis.services import definitions as kpi_services
from okrs import services
from tests.kpis.factories import KpiFactory
from tests.okrs.factories import CycleFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _objective(member, title="Grow EMEA", cycle=None):
    cycle = cycle or CycleFactory(organization=member.organization)
    return services.objective_create(
        user=member.user,
        cycle=cycle,
        title=title,
        so_what="Revenue.",
        outcome_kind="growth",
        owner=member.user,
    )


def _key_result(objective, member, title="Pipeline"):
    return services.key_result_create(
        objective=objective,
        user=member.user,
        title=title,
        owner=member.user,
        kind="increase",
        unit="number",
        start_value=Decimal(0),
        target_value=Decimal(10),
    )


def _url(target, pk):
    return reverse("activity:timeline", args=[target, pk])


def test_objective_page_loads_its_history_section(client, viewer_a, admin_a):
    objective = _objective(admin_a)
    client.force_login(viewer_a.user)
    html = client.get(objective.get_absolute_url()).content.decode()
    assert 'id="activity-title"' in html
    assert f'hx-get="{_url("objective", objective.pk)}"' in html


def test_objective_timeline_covers_its_key_results_newest_first(client, viewer_a, admin_a):
    objective = _objective(admin_a)
    key_result = _key_result(objective, admin_a)
    services.key_result_update(key_result=key_result, user=admin_a.user, target_value=Decimal(20))
    client.force_login(viewer_a.user)
    response = client.get(_url("objective", objective.pk), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html  # the partial, swapped into the objective page
    entries = response.context["entries"]
    assert [(e.object_type, e.action_name) for e in entries] == [
        ("key_result", "update"),
        ("key_result", "create"),
        ("objective", "create"),
    ]
    assert "<del>10</del> → <ins>20</ins>" in html
    assert "created objective “Grow EMEA”" in " ".join(html.split())
    # Made by services called from a command: nobody signed in.
    assert '<strong data-role="actor">Command</strong>' in html


def test_timeline_names_the_person_who_changed_it_on_a_page(client, admin_a):
    objective = _objective(admin_a)
    client.force_login(admin_a.user)
    form = {
        "cycle": objective.cycle_id,
        "title": "Grow DACH",
        "description": "",
        "type": objective.type,
        "so_what": objective.so_what,
        "outcome_kind": objective.outcome_kind,
        "owner": admin_a.user.pk,
        "team": "",
        "state": objective.state,
        "priority": "",
        "parent": "",
    }
    assert client.post(reverse("okrs:objective-update", args=[objective.pk]), form).status_code == 302
    html = " ".join(client.get(_url("objective", objective.pk), **HTMX).content.decode().split())
    assert f"{person_name(admin_a.user)}</strong> changed objective “Grow DACH”" in html
    assert "from the page" in html
    assert "<del>Grow EMEA</del> → <ins>Grow DACH</ins>" in html


def test_without_javascript_the_history_is_a_page_of_its_own(client, viewer_a, admin_a):
    objective = _objective(admin_a)
    client.force_login(viewer_a.user)
    response = client.get(_url("objective", objective.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>History of Grow EMEA</h1>" in html
    assert f'href="{objective.get_absolute_url()}"' in html


def test_a_deleted_objectives_history_stays_readable(client, viewer_a, admin_a):
    objective = _objective(admin_a)
    objective_id = objective.pk
    services.objective_delete(objective=objective, user=admin_a.user)
    client.force_login(viewer_a.user)
    response = client.get(_url("objective", objective_id))
    assert response.status_code == 200
    assert [e.action_name for e in response.context["entries"]] == ["delete", "create"]
    assert "(deleted)" in response.content.decode()


def test_another_organizations_or_a_missing_object_is_404(client, admin_a, member_b):
    theirs = _objective(member_b, title="Theirs")
    kpi = KpiFactory(organization=member_b.organization)
    client.force_login(admin_a.user)
    assert client.get(_url("objective", theirs.pk)).status_code == 404
    assert client.get(_url("objective", theirs.pk), **HTMX).status_code == 404
    assert client.get(_url("kpi", kpi.pk)).status_code == 404
    assert client.get(_url("objective", 999999)).status_code == 404
    assert client.get("/activity/cycle/1/").status_code == 404


def test_anonymous_people_are_sent_to_sign_in(client, admin_a):
    objective = _objective(admin_a)
    response = client.get(_url("objective", objective.pk))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_kpi_page_shows_its_definition_history(client, viewer_a, admin_a):
    kpi = KpiFactory(organization=admin_a.organization, name="Win rate", code="win_rate")
    kpi_services.kpi_update(kpi=kpi, target=Decimal("25.5"), cadence="weekly")
    client.force_login(viewer_a.user)
    page = client.get(reverse("dashboards:kpi-detail", args=[kpi.pk])).content.decode()
    assert f'hx-get="{_url("kpi", kpi.pk)}"' in page
    html = " ".join(client.get(_url("kpi", kpi.pk), **HTMX).content.decode().split())
    assert "<del>–</del> → <ins>25.5</ins>" in html
    assert "<del>Daily</del> → <ins>Weekly</ins>" in html


def test_an_objective_without_changes_says_so(client, viewer_a, admin_a):
    from activity.models import ActivityEntry

    objective = _objective(admin_a)
    ActivityEntry.objects.all().delete()
    client.force_login(viewer_a.user)
    assert "No changes recorded yet." in client.get(_url("objective", objective.pk), **HTMX).content.decode()


@pytest.mark.parametrize("key_results", [1, 10])
def test_timeline_runs_constant_queries(client, viewer_a, admin_a, key_results, django_assert_num_queries):
    objective = _objective(admin_a)
    for number in range(key_results):
        key_result = _key_result(objective, admin_a, title=f"KR {number}")
        services.key_result_update(key_result=key_result, user=admin_a.user, title=f"Renamed {number}")
    client.force_login(viewer_a.user)
    url = _url("objective", objective.pk)
    client.get(url, **HTMX)
    # Session, user, membership; the objective; entries with actor and type; cycle and owner names.
    with django_assert_num_queries(7):
        response = client.get(url, **HTMX)
    assert len(response.context["entries"]) == 1 + 2 * key_results
