"""The dashboard pages: what each shows, who may see and change what, and their query counts."""

import re
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from accounts.models import Organization
from dashboards.views import CYCLE_SESSION_KEY
from okrs.choices import CycleState, Status
from okrs.models import Cycle, KeyResult, Objective, ObjectiveSnapshot, RollUp
from tests.dashboards.builders import kpi_build, world_build
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(admin_a):
    return world_build(admin_a.organization, admin_a.user, size=2)


def _pages(world):
    objective, kpi = world.objectives[0], world.kpis[0]
    return {
        "overview": reverse("dashboards:overview"),
        "alignment": reverse("dashboards:alignment"),
        "teams": reverse("dashboards:team-list"),
        "team": reverse("dashboards:team-detail", args=[world.team.pk]),
        "objective": reverse("dashboards:objective-detail", args=[objective.pk]),
        "scorecard": reverse("dashboards:kpi-scorecard"),
        "kpi": reverse("dashboards:kpi-detail", args=[kpi.pk]),
        "mine": reverse("dashboards:my-okrs"),
        "help": reverse("dashboards:help"),
    }


# Access ---------------------------------------------------------------------------------------------


def test_pages_need_a_signed_in_person(client, world):
    for url in _pages(world).values():
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_every_page_loads_for_a_viewer(client, world, viewer_a):
    client.force_login(viewer_a.user)
    for name, url in _pages(world).items():
        assert client.get(url).status_code == 200, name


@pytest.mark.parametrize("page", ["team", "objective", "kpi"])
def test_another_organizations_object_is_not_found(client, world, member_b, page):
    client.force_login(member_b.user)
    assert client.get(_pages(world)[page]).status_code == 404


def test_another_organizations_data_never_shows(client, world, member_b):
    client.force_login(member_b.user)
    for url in (
        reverse("dashboards:overview"),
        reverse("dashboards:alignment"),
        reverse("dashboards:kpi-scorecard"),
    ):
        content = client.get(url).content.decode()
        assert (
            "Objective 0" not in content and "Win rate 0" not in content and "Sales efficiency" not in content
        )


def test_viewer_sees_no_edit_controls(client, world, viewer_a):
    client.force_login(viewer_a.user)
    objective = world.objectives[0]
    content = client.get(_pages(world)["objective"]).content.decode()
    assert "Key result 0a" in content
    assert reverse("okrs:check-in-create", args=[objective.key_results.first().pk]) not in content
    assert reverse("okrs:objective-update", args=[objective.pk]) not in content
    assert reverse("okrs:key-result-create", args=[objective.pk]) not in content
    assert reverse("okrs:objective-create") not in client.get(_pages(world)["alignment"]).content.decode()


def test_editor_sees_edit_controls(client, world, editor_a):
    client.force_login(editor_a.user)
    objective = world.objectives[0]
    content = client.get(_pages(world)["objective"]).content.decode()
    assert reverse("okrs:check-in-create", args=[objective.key_results.first().pk]) in content
    assert reverse("okrs:objective-update", args=[objective.pk]) in content


def test_navigation_links_every_section_and_admin_only_for_admins(client, world, admin_a, viewer_a):
    client.force_login(viewer_a.user)
    content = client.get(reverse("dashboards:overview")).content.decode()
    for name in ("overview", "alignment", "team-list", "kpi-scorecard", "my-okrs"):
        assert f'href="{reverse(f"dashboards:{name}")}"' in content
    assert f'href="{reverse("api:docs")}"' in content
    assert f'href="{reverse("admin:index")}"' not in content
    client.force_login(admin_a.user)
    assert f'href="{reverse("admin:index")}"' in client.get(reverse("dashboards:overview")).content.decode()


# Overview -------------------------------------------------------------------------------------------


def test_overview_shows_the_stored_rollup_not_a_recomputed_one(client, world, viewer_a):
    # The stored figure differs from what a recomputation would give: the page must show the stored one.
    RollUp.objects.filter(priority=world.priority).update(
        progress=Decimal("0.8700"),
        expected_progress=Decimal("0.5000"),
        status=Status.ON_TRACK,
        status_counts={"on_track": 5, "at_risk": 2},
        objective_count=7,
    )
    client.force_login(viewer_a.user)
    response = client.get(reverse("dashboards:overview"))
    content = response.content.decode()
    assert "87 %" in content and "7 objectives" in content
    assert 'class="status status-on_track"' in content and "On track" in content
    figure = response.context["priority_figure"]
    assert figure["data"][0]["x"] == [87.0] and figure["data"][1]["x"] == [50.0]
    assert 'data-figure="priority-figure"' in content and 'id="priority-figure"' in content


def test_overview_lists_slipping_key_results_and_kpi_strip(client, world, viewer_a):
    client.force_login(viewer_a.user)
    response = client.get(reverse("dashboards:overview"))
    slipping = response.context["overview"].slipping
    margin = world.organization.on_track_margin
    assert slipping and all(
        kr.status in (Status.AT_RISK, Status.OFF_TRACK, Status.STALE)
        or (kr.status == Status.NOT_STARTED and kr.progress < kr.expected_progress - margin)
        for kr in slipping
    )
    gaps = [kr.progress - kr.expected_progress for kr in slipping]
    assert gaps == sorted(gaps)
    # The key results never checked in, at 0 % half-way through the cycle, are among them.
    assert {"Key result 0b", "Key result 1b"} <= {kr.title for kr in slipping}
    assert "no check-in yet" in response.content.decode()
    strip = response.context["kpi_strip"]
    assert strip.total == 2 and [kpi.latest.status for kpi in strip.kpis] == ["red", "red"]


def test_overview_without_a_cycle_explains_what_to_do(client, admin_a):
    # Once the guided start is done or skipped; before, the overview offers the guided start instead.
    Organization.objects.filter(pk=admin_a.organization.pk).update(setup_completed_at=timezone.now())
    client.force_login(admin_a.user)
    content = client.get(reverse("dashboards:overview")).content.decode()
    assert "There is no cycle yet." in content and reverse("admin:okrs_cycle_add") in content
    assert "No KPIs yet" in content


# Cycle selector -------------------------------------------------------------------------------------


def test_cycle_choice_is_remembered_in_the_session(client, world, viewer_a):
    older = CycleFactory(
        organization=world.organization,
        name="Last quarter",
        state=CycleState.CLOSED,
        start=world.cycle.start - timedelta(days=92),
        end=world.cycle.start - timedelta(days=1),
    )
    ObjectiveFactory(cycle=older, owner=viewer_a.user, title="An old objective")
    client.force_login(viewer_a.user)
    assert client.get(reverse("dashboards:alignment")).context["cycle"] == world.cycle
    response = client.get(reverse("dashboards:alignment"), {"cycle": older.pk})
    assert "An old objective" in response.content.decode()
    assert client.session[CYCLE_SESSION_KEY] == older.pk
    # Other pages follow the choice without the parameter.
    assert client.get(reverse("dashboards:overview")).context["cycle"] == older
    assert client.get(reverse("dashboards:my-okrs")).context["cycle"] == older


def test_cycle_of_another_organization_is_ignored(client, world, viewer_a, member_b):
    foreign = CycleFactory(organization=member_b.organization)
    client.force_login(viewer_a.user)
    response = client.get(reverse("dashboards:overview"), {"cycle": foreign.pk})
    assert response.context["cycle"] == world.cycle
    assert CYCLE_SESSION_KEY not in client.session


# Alignment ------------------------------------------------------------------------------------------


def test_alignment_nests_child_objectives_and_key_results(client, world, viewer_a):
    client.force_login(viewer_a.user)
    response = client.get(reverse("dashboards:alignment"))
    [node] = response.context["tree"]
    assert node.priority == world.priority
    [root] = node.objectives
    assert root.objective == world.objectives[0]
    assert [child.objective for child in root.children] == [world.objectives[1]]
    content = response.content.decode()
    assert "Key result 1b" in content and "Sales efficiency" in content


def test_alignment_filters_by_team_and_owner(client, world, viewer_a, editor_a):
    other = ObjectiveFactory(
        cycle=world.cycle, owner=editor_a.user, priority=world.priority, title="Editor's"
    )
    client.force_login(viewer_a.user)
    by_owner = client.get(reverse("dashboards:alignment"), {"owner": editor_a.user.pk}).content.decode()
    assert "Editor&#x27;s" in by_owner and "Objective 0" not in by_owner
    by_team = client.get(reverse("dashboards:alignment"), {"team": world.team.pk}).content.decode()
    assert "Objective 0" in by_team and "Editor&#x27;s" not in by_team
    assert other.pk


def test_alignment_filter_without_match_says_so(client, world, viewer_a):
    client.force_login(viewer_a.user)
    content = client.get(reverse("dashboards:alignment"), {"owner": viewer_a.user.pk}).content.decode()
    assert "No objective matches these filters." in content


# Team, objective, KPI pages -------------------------------------------------------------------------


def test_team_page_shows_its_objectives_rollup_and_kpis(client, world, viewer_a):
    client.force_login(viewer_a.user)
    response = client.get(_pages(world)["team"])
    content = response.content.decode()
    assert response.context["rollup"].team == world.team
    assert "Objective 0" in content and "Win rate 0" in content


def test_objective_page_has_so_what_key_results_history_and_chart(client, world, viewer_a):
    client.force_login(viewer_a.user)
    response = client.get(_pages(world)["objective"])
    content = response.content.decode()
    objective = world.objectives[0]
    assert objective.so_what in content
    assert "Key result 0a" in content and "Key result 0b" in content
    assert len(response.context["check_ins"]) == 1 and "40 → " not in content
    figure = response.context["figure"]
    assert [trace["name"] for trace in figure["data"][:2]] == ["Objective progress", "Expected progress"]
    assert 'id="objective-figure" type="application/json"' in content
    assert "plotly.min.js" in content


def test_kpi_scorecard_groups_by_family_with_latest_value_change_and_sparkline(client, world, viewer_a):
    kpi_build(world.organization, code="churn", name="Churn", family="customer_success")
    client.force_login(viewer_a.user)
    response = client.get(reverse("dashboards:kpi-scorecard"))
    groups = response.context["groups"]
    assert [group.family for group in groups] == ["sales", "customer_success"]
    kpi = groups[0].kpis[0]
    assert kpi.latest.value == Decimal(18) and kpi.latest.status == "red"
    content = response.content.decode()
    assert "▼ −6 %" in content and "(worse)" in content
    assert "<polyline points=" in content


def test_kpi_page_shows_series_objectives_measurements_and_runs(client, world, viewer_a):
    client.force_login(viewer_a.user)
    response = client.get(_pages(world)["kpi"])
    detail = response.context["detail"]
    assert [v.value for v in detail.values] == [Decimal(20), Decimal(24), Decimal(18)]
    assert list(response.context["kpi"].objectives.all()) == [world.objectives[0]]
    assert len(detail.measurements) == 1 and len(detail.runs) == 1
    figure = response.context["figure"]
    assert [trace["name"] for trace in figure["data"]] == ["Actual", "Target", "Benchmark"]
    assert figure["layout"]["yaxis"]["title"]["text"] == "Value (%)"


def test_empty_scorecard_explains_what_to_do(client, admin_a):
    client.force_login(admin_a.user)
    assert "Define the KPIs" in client.get(reverse("dashboards:kpi-scorecard")).content.decode()


# My OKRs --------------------------------------------------------------------------------------------


def test_my_okrs_lists_overdue_check_ins_first(client, world, editor_a):
    now = timezone.now()
    objective = world.objectives[0]
    recent = KeyResultFactory(
        objective=objective, owner=editor_a.user, title="Recent", last_check_in_at=now - timedelta(days=1)
    )
    old = KeyResultFactory(
        objective=objective, owner=editor_a.user, title="Old", last_check_in_at=now - timedelta(days=30)
    )
    never = KeyResultFactory(objective=objective, owner=editor_a.user, title="Never")
    KeyResultFactory(objective=objective, title="Someone else's")
    client.force_login(editor_a.user)
    response = client.get(reverse("dashboards:my-okrs"))
    assert [kr.pk for kr in response.context["key_results"]] == [never.pk, old.pk, recent.pk]
    assert response.context["overdue_count"] == 2
    content = response.content.decode()
    assert "2 check-ins are overdue." in content and "Someone else" not in content


def test_my_okrs_cadence_is_the_organizations(client, world, editor_a):
    world.organization.check_in_cadence_days = 40
    world.organization.save()
    KeyResultFactory(
        objective=world.objectives[0],
        owner=editor_a.user,
        last_check_in_at=timezone.now() - timedelta(days=30),
    )
    client.force_login(editor_a.user)
    assert client.get(reverse("dashboards:my-okrs")).context["overdue_count"] == 0


def test_my_okrs_empty_state(client, world, viewer_a):
    client.force_login(viewer_a.user)
    assert "You own no key result" in client.get(reverse("dashboards:my-okrs")).content.decode()


# Query counts ---------------------------------------------------------------------------------------

# session, user, membership, unread notifications (menu), then each page's own queries (listed per page).
QUERIES = {
    # cycles, priorities, roll-ups, their biggest movers, slipping KRs, unaligned count, KPIs improving and
    # worsening, breached guardrails; KPIs, their priorities, objectives, values
    "overview": 4 + 14,
    "alignment": 4 + 7,  # cycles, teams, owners, objectives, key results, priorities, their roll-ups
    "teams": 4 + 3,  # cycles, teams, roll-ups
    # team, cycles, objectives, key results, roll-up and its movers, members; KPIs, priorities, objectives,
    # values
    "team": 4 + 11,
    # objective, key results and their guardrails, snapshots, key result snapshots, children, check-ins
    "objective": 4 + 7,
    "scorecard": 4 + 4,  # KPIs, their priorities, objectives, values
    # KPI, priorities, objectives; values, key results, measurements, runs, initiatives
    "kpi": 4 + 8,
    "mine": 4 + 3,  # cycles, key results, their guardrails
    "help": 4,
}


@pytest.mark.parametrize("size", [1, 6])
def test_each_page_runs_a_fixed_number_of_queries(client, admin_a, size, django_assert_num_queries):
    world = world_build(admin_a.organization, admin_a.user, size=size)
    client.force_login(admin_a.user)
    for name, url in _pages(world).items():
        with django_assert_num_queries(QUERIES[name]):
            response = client.get(url)
        assert response.status_code == 200, name


def test_objective_count_does_not_change_alignment_queries(client, admin_a, django_assert_num_queries):
    world = world_build(admin_a.organization, admin_a.user, size=1)
    ObjectiveFactory.create_batch(15, cycle=world.cycle, owner=admin_a.user, priority=world.priority)
    assert Objective.objects.count() == 16
    client.force_login(admin_a.user)
    with django_assert_num_queries(QUERIES["alignment"]):
        client.get(reverse("dashboards:alignment"))


# When figures were computed -------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["overview", "alignment", "teams", "team", "objective", "mine"])
def test_pages_with_okr_figures_say_when_they_were_computed(client, world, viewer_a, page):
    computed_at = timezone.now() - timedelta(minutes=3)
    Cycle.objects.filter(pk=world.cycle.pk).update(figures_updated_at=computed_at)
    client.force_login(viewer_a.user)
    content = client.get(_pages(world)[page]).content.decode()
    iso = timezone.localtime(computed_at).isoformat()
    assert f'<time class="updated-at muted" datetime="{iso}"' in content
    assert "updated 3\xa0minutes ago</time>" in content


def test_figures_never_computed_say_so(client, world, viewer_a):
    Cycle.objects.filter(pk=world.cycle.pk).update(figures_updated_at=None)
    client.force_login(viewer_a.user)
    assert "not computed yet" in client.get(reverse("dashboards:overview")).content.decode()


def test_check_in_moves_the_objectives_updated_time(client, world, editor_a):
    Cycle.objects.filter(pk=world.cycle.pk).update(figures_updated_at=timezone.now() - timedelta(days=2))
    before = timezone.now().replace(microsecond=0)
    key_result = world.objectives[0].key_results.order_by("pk").last()
    client.force_login(editor_a.user)
    response = client.post(
        reverse("okrs:check-in-create", args=[key_result.pk]),
        {"value": "12", "confidence": "6"},
        HTTP_HX_REQUEST="true",
    )
    content = response.content.decode()
    assert 'id="objective-summary"' in content
    [shown] = re.findall(r'<time class="updated-at muted" datetime="([^"]+)"', content)
    assert datetime.fromisoformat(shown) >= before


def test_help_page_tells_the_real_schedule(client, viewer_a):
    client.force_login(viewer_a.user)
    content = client.get(reverse("dashboards:help")).content.decode()
    assert "night" not in content and "daily" not in content
    assert "recomputed at once on every change" in content
    intervals = {
        task.task: task.interval.every
        for task in PeriodicTask.objects.select_related("interval").filter(
            task__in=["okrs.recompute_all", "kpis.recompute_all"]
        )
    }
    assert intervals == {"okrs.recompute_all": 15, "kpis.recompute_all": 5}
    assert "checked every 15 minutes" in content and "checked every 5 minutes" in content


def test_objective_without_history_does_not_promise_a_nightly_run(client, world, viewer_a):
    ObjectiveSnapshot.objects.filter(objective=world.objectives[0]).delete()
    client.force_login(viewer_a.user)
    content = client.get(_pages(world)["objective"]).content.decode()
    assert "No history yet" in content and "daily recomputation" not in content


def test_objective_page_and_alignment_show_each_key_results_weight_and_share(client, world, viewer_a):
    objective = world.objectives[0]
    first, second = objective.key_results.order_by("pk")
    KeyResult.objects.filter(pk=first.pk).update(weight=Decimal(3))
    KeyResult.objects.filter(pk=second.pk).update(weight=Decimal(2))
    client.force_login(viewer_a.user)
    content = client.get(_pages(world)["objective"]).content.decode()
    assert f'data-key-result="{first.pk}">Key result 0a · weight 3 (60 %)' in content
    assert f'data-key-result="{second.pk}">Key result 0b · weight 2 (40 %)' in content
    tree = client.get(_pages(world)["alignment"]).content.decode()
    assert "weight 3 (60 %)" in tree and "weight 2 (40 %)" in tree
