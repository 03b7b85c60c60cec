"""The lifecycle pages: closing a cycle from its preview, moving and reopening objectives, adjusting a
score, the quarter summary; and the selectors behind them, with their query counts."""

import json
import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Team
from okrs import selectors, services
from okrs.choices import CycleState, ObjectiveState, ObjectiveType
from okrs.models import Cycle, KeyResult, Objective, ObjectiveStateChange
from tests.accounts.factories import TeamFactory
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db

D = Decimal
HUNDRED = D(100)


@dataclass
class Quarter:
    cycle: Cycle
    sales: Team
    marketing: Team
    lagging: Objective  # Sales, committed: key results at 12.5 % (weight 3) and 90 % (weight 1)
    stretch: Objective  # Sales, aspirational: 55 %
    landed: Objective  # Marketing, committed: 100 %
    teamless: Objective  # no team, aspirational: 80 %
    draft: Objective  # Sales, committed, still a draft
    lagging_krs: list[KeyResult]


def quarter_build(organization, owner) -> Quarter:
    """A cycle under way with objectives of two teams and none, both types, and one draft."""
    today = timezone.localdate()
    cycle = CycleFactory(
        organization=organization,
        name="Q4 2026",
        start=today - timedelta(days=45),
        end=today + timedelta(days=45),
    )
    sales = TeamFactory(organization=organization, name="Sales")
    marketing = TeamFactory(organization=organization, name="Marketing")

    def objective(title, team, kind, values, state=ObjectiveState.ACTIVE, target=HUNDRED):
        made = ObjectiveFactory(cycle=cycle, title=title, team=team, type=kind, owner=owner, state=state)
        krs = [
            KeyResultFactory(
                objective=made,
                owner=owner,
                title=f"{title} KR {i}",
                target_value=target,
                current_value=value,
                weight=weight,
            )
            for i, (value, weight) in enumerate(values, start=1)
        ]
        return made, krs

    lagging, lagging_krs = objective(
        "Win more deals", sales, ObjectiveType.COMMITTED, [(D(25), D(3)), (D(180), D(1))], target=D(200)
    )
    stretch, _ = objective("Open a new segment", sales, ObjectiveType.ASPIRATIONAL, [(D(55), D(1))])
    landed, _ = objective("Pipeline coverage", marketing, ObjectiveType.COMMITTED, [(D(100), D(1))])
    teamless, _ = objective("Pricing page", None, ObjectiveType.ASPIRATIONAL, [(D(80), D(1))])
    draft, _ = objective(
        "Partner channel", sales, ObjectiveType.COMMITTED, [(D(10), D(1))], state=ObjectiveState.DRAFT
    )
    services.progress_refresh(cycle_ids=[cycle.pk])
    return Quarter(cycle, sales, marketing, lagging, stretch, landed, teamless, draft, lagging_krs)


@pytest.fixture
def quarter(admin_a, editor_a):
    return quarter_build(admin_a.organization, editor_a.user)


def _closed(quarter, admin):
    services.cycle_close(cycle=quarter.cycle, user=admin.user)
    quarter.cycle.refresh_from_db()
    for objective in (quarter.lagging, quarter.stretch, quarter.landed, quarter.teamless, quarter.draft):
        objective.refresh_from_db()
    return quarter


# Selectors ------------------------------------------------------------------------------------------


def test_close_preview_gives_the_scores_closing_then_gives(quarter, admin_a):
    preview = {o.pk: o for o in selectors.cycle_close_preview(cycle=quarter.cycle)}
    lagging = preview[quarter.lagging.pk]
    # 25 of 200 is 0.125, rounded half up to 0.13; 180 of 200 is 0.90; (0.13 × 3 + 0.90) / 4 = 0.3225 → 0.32.
    assert [kr.preview_score for kr in lagging.key_results.all()] == [D("0.13"), D("0.90")]
    assert (lagging.preview_score, lagging.preview_colour, lagging.closes) == (D("0.32"), "red", True)
    assert (preview[quarter.stretch.pk].preview_score, preview[quarter.stretch.pk].preview_colour) == (
        D("0.55"),
        "yellow",
    )
    assert preview[quarter.landed.pk].preview_colour == "green"
    draft = preview[quarter.draft.pk]
    assert (draft.closes, draft.preview_score, draft.key_results.all()[0].preview_score) == (
        False,
        None,
        None,
    )

    _closed(quarter, admin_a)
    for objective in Objective.objects.filter(cycle=quarter.cycle).prefetch_related("key_results"):
        assert objective.score == preview[objective.pk].preview_score, objective.title
        expected = [kr.preview_score for kr in preview[objective.pk].key_results.all()]
        assert [kr.score for kr in objective.key_results.all()] == expected, objective.title


def test_close_preview_of_a_closed_cycle_shows_the_kept_scores(quarter, admin_a, editor_a):
    _closed(quarter, admin_a)
    adjusted = quarter.lagging_krs[0]
    services.key_result_score_set(
        key_result=adjusted, score=D("0.50"), reason="Late deal", user=editor_a.user
    )
    preview = {o.pk: o for o in selectors.cycle_close_preview(cycle=quarter.cycle)}
    lagging = preview[quarter.lagging.pk]
    assert not lagging.closes
    assert [kr.preview_score for kr in lagging.key_results.all()] == [D("0.50"), D("0.90")]
    assert lagging.preview_score == D("0.60")  # (0.50 × 3 + 0.90) / 4


@pytest.mark.parametrize("extra", [0, 10])
def test_close_preview_runs_two_queries(admin_a, editor_a, extra, django_assert_num_queries):
    quarter = quarter_build(admin_a.organization, editor_a.user)
    for _ in range(extra):
        KeyResultFactory(objective=ObjectiveFactory(cycle=quarter.cycle, team=quarter.sales))
    with django_assert_num_queries(2):  # objectives with owner and team, key results with owner
        objectives = selectors.cycle_close_preview(cycle=quarter.cycle)
    assert len(objectives) == 5 + extra


def test_quarter_summary_of_a_closed_cycle(quarter, admin_a):
    summary = selectors.quarter_summary(cycle=_closed(quarter, admin_a).cycle)
    assert not summary.provisional
    assert summary.unscored == 1  # the draft
    rows = {row.team.name if row.team else None: row for row in summary.teams}
    assert list(rows) == ["Marketing", "Sales", None]
    sales = rows["Sales"]
    assert (sales.committed.count, sales.committed.red, sales.committed.mean) == (1, 1, D("0.32"))
    assert (sales.aspirational.yellow, sales.aspirational.mean) == (1, D("0.55"))
    assert (sales.overall.mean, sales.overall.mean_colour) == (D("0.44"), "yellow")  # 0.435 rounds up
    assert (sales.committed.expected, sales.aspirational.expected) == (D(1), D("0.7"))
    assert (rows[None].aspirational.green, rows[None].committed.count) == (1, 0)
    total = summary.total
    assert (total.committed.red, total.committed.yellow, total.committed.green) == (1, 0, 1)
    assert (total.committed.mean, total.aspirational.mean, total.overall.mean) == (
        D("0.66"),
        D("0.68"),  # (0.55 + 0.80) / 2 = 0.675
        D("0.67"),  # 2.67 / 4 = 0.6675
    )


def test_quarter_summary_of_an_open_cycle_is_provisional_from_progress(quarter):
    summary = selectors.quarter_summary(cycle=quarter.cycle)
    assert summary.provisional
    sales = next(row for row in summary.teams if row.team == quarter.sales)
    # Progress (25/200 × 3 + 180/200) / 4 = 0.31875, stored 0.3188, provisionally 0.32.
    assert sales.committed.mean == D("0.32")
    assert summary.total.overall.count == 4 and summary.unscored == 1


@pytest.mark.parametrize("extra", [0, 10])
def test_quarter_summary_runs_one_query(admin_a, editor_a, extra, django_assert_num_queries):
    quarter = quarter_build(admin_a.organization, editor_a.user)
    for i in range(extra):
        ObjectiveFactory(
            cycle=quarter.cycle, team=TeamFactory(organization=admin_a.organization, name=f"T{i}")
        )
    with django_assert_num_queries(1):
        summary = selectors.quarter_summary(cycle=quarter.cycle)
    assert summary.total.overall.count == 4 + extra


# Closing a cycle in the app ---------------------------------------------------------------------------


def test_admin_sees_the_close_preview_with_coloured_scores(client, quarter, admin_a):
    client.force_login(admin_a.user)
    response = client.get(reverse("okrs:cycle-close", args=[quarter.cycle.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Win more deals" in html and "Close Q4 2026 and score it" in html
    assert re.search(r'status-red score" data-score-colour="red">.*?0\.32 Red', html)
    assert re.search(r'data-score-colour="yellow">.*?0\.55 Yellow', html)
    assert re.search(r'data-score-colour="green">.*?1\.00 Green', html)
    assert "Draft: not scored" in html
    assert Cycle.objects.get(pk=quarter.cycle.pk).state == CycleState.ACTIVE


def test_admin_closes_the_cycle_from_the_preview(client, quarter, admin_a):
    client.force_login(admin_a.user)
    response = client.post(reverse("okrs:cycle-close", args=[quarter.cycle.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("okrs:cycle-summary", args=[quarter.cycle.pk])
    cycle = Cycle.objects.get(pk=quarter.cycle.pk)
    assert cycle.state == CycleState.CLOSED and cycle.closed_at is not None
    assert Objective.objects.get(pk=quarter.lagging.pk).score == D("0.32")
    change = ObjectiveStateChange.objects.get(objective=quarter.lagging)
    assert (change.from_state, change.to_state, change.user) == ("active", "closed", admin_a.user)


def test_closing_a_closed_cycle_is_refused_with_a_message(client, quarter, admin_a):
    _closed(quarter, admin_a)
    client.force_login(admin_a.user)
    page = client.get(reverse("okrs:cycle-close", args=[quarter.cycle.pk])).content.decode()
    assert "This cycle was closed on" in page and "and score it" not in page
    response = client.post(reverse("okrs:cycle-close", args=[quarter.cycle.pk]))
    assert response.status_code == 400
    assert "This cycle is already closed." in response.content.decode()


@pytest.mark.parametrize("who", ["editor_a", "viewer_a"])
def test_only_admins_close_a_cycle(client, quarter, who, request):
    client.force_login(request.getfixturevalue(who).user)
    url = reverse("okrs:cycle-close", args=[quarter.cycle.pk])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert Cycle.objects.get(pk=quarter.cycle.pk).state == CycleState.ACTIVE


def test_another_organizations_cycle_is_not_found(client, quarter, member_b):
    client.force_login(member_b.user)
    assert client.get(reverse("okrs:cycle-close", args=[quarter.cycle.pk])).status_code == 404
    assert client.post(reverse("okrs:cycle-close", args=[quarter.cycle.pk])).status_code == 404
    assert client.get(reverse("okrs:cycle-summary", args=[quarter.cycle.pk])).status_code == 404
    assert Cycle.objects.get(pk=quarter.cycle.pk).state == CycleState.ACTIVE


def test_overview_and_alignment_link_admins_to_closing(client, quarter, admin_a, editor_a):
    close_url = reverse("okrs:cycle-close", args=[quarter.cycle.pk])
    summary_url = reverse("okrs:cycle-summary", args=[quarter.cycle.pk])
    for page in ("dashboards:overview", "dashboards:alignment"):
        client.force_login(admin_a.user)
        html = client.get(reverse(page), {"cycle": quarter.cycle.pk}).content.decode()
        assert close_url in html and summary_url in html, page
        client.force_login(editor_a.user)
        html = client.get(reverse(page), {"cycle": quarter.cycle.pk}).content.decode()
        assert close_url not in html and summary_url in html, page


@pytest.mark.parametrize("extra", [0, 8])
def test_close_page_runs_a_fixed_number_of_queries(
    client, admin_a, editor_a, extra, django_assert_num_queries
):
    quarter = quarter_build(admin_a.organization, editor_a.user)
    for _ in range(extra):
        KeyResultFactory(objective=ObjectiveFactory(cycle=quarter.cycle, team=quarter.sales))
    client.force_login(admin_a.user)
    # session, user, membership, cycle, objectives, key results, unread notifications (menu)
    with django_assert_num_queries(7):
        assert client.get(reverse("okrs:cycle-close", args=[quarter.cycle.pk])).status_code == 200


# Quarter summary --------------------------------------------------------------------------------------


def test_summary_of_a_closed_cycle_shows_each_teams_distribution_and_chart(
    client, quarter, admin_a, viewer_a
):
    _closed(quarter, admin_a)
    client.force_login(viewer_a.user)
    response = client.get(reverse("okrs:cycle-summary", args=[quarter.cycle.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Final scores" in html and "Provisional." not in html
    sales_row = re.search(rf'<tr data-team="{quarter.sales.pk}">(.*?)</tr>', html, re.S).group(1)
    assert "1 red" in sales_row and "0.32 Red" in sales_row and "0.55 Yellow" in sales_row
    assert "0.44 Yellow" in sales_row
    total_row = re.search(r'<tr data-team="total">(.*?)</tr>', html, re.S).group(1)
    assert "0.66 Yellow" in total_row and "0.68 Yellow" in total_row
    assert "expected</small>" not in html and "(expected 1.0)" in html and "(expected 0.7)" in html
    figure = json.loads(
        re.search(r'<script id="summary-figure" type="application/json">(.*?)</script>', html, re.S).group(1)
    )
    bars = [trace for trace in figure["data"] if trace["type"] == "bar"]
    assert bars[0]["x"] == ["Marketing", "Sales", "No team"]
    assert bars[0]["y"] == [1.0, 0.32, None] and bars[1]["y"] == [None, 0.55, 0.8]
    assert "Close Q4 2026" not in html


def test_summary_of_an_open_cycle_is_labelled_provisional(client, quarter, admin_a):
    client.force_login(admin_a.user)
    html = client.get(reverse("okrs:cycle-summary", args=[quarter.cycle.pk])).content.decode()
    assert "Provisional." in html and "(provisional)" in html
    assert reverse("okrs:cycle-close", args=[quarter.cycle.pk]) in html


@pytest.mark.parametrize("extra", [0, 8])
def test_summary_page_runs_a_fixed_number_of_queries(
    client, admin_a, editor_a, extra, django_assert_num_queries
):
    quarter = quarter_build(admin_a.organization, editor_a.user)
    for i in range(extra):
        ObjectiveFactory(
            cycle=quarter.cycle, team=TeamFactory(organization=admin_a.organization, name=f"T{i}")
        )
    client.force_login(admin_a.user)
    # session, user, membership, cycle, objectives with teams, unread notifications (menu)
    with django_assert_num_queries(6):
        assert client.get(reverse("okrs:cycle-summary", args=[quarter.cycle.pk])).status_code == 200


# Objective lifecycle ----------------------------------------------------------------------------------


def _panel(client, objective, **headers):
    return client.get(reverse("okrs:objective-lifecycle", args=[objective.pk]), headers=headers)


def test_objective_page_has_the_lifecycle_section(client, quarter, editor_a):
    client.force_login(editor_a.user)
    html = client.get(quarter.draft.get_absolute_url()).content.decode()
    assert 'id="objective-lifecycle"' in html
    assert f'hx-get="{reverse("okrs:objective-lifecycle", args=[quarter.draft.pk])}"' in html
    assert "Committed objectives are expected to score 1.0" in html


@pytest.mark.parametrize("extra", [0, 6])
def test_panel_runs_a_fixed_number_of_queries(
    client, quarter, admin_a, editor_a, extra, django_assert_num_queries
):
    for _ in range(extra):
        KeyResultFactory(objective=quarter.lagging, owner=editor_a.user)
    services.objective_update(objective=quarter.lagging, user=editor_a.user, state=ObjectiveState.CLOSED)
    for _ in range(extra // 2):
        services.objective_reopen(objective=quarter.lagging, user=admin_a.user, reason="Again")
        services.objective_update(objective=quarter.lagging, user=editor_a.user, state=ObjectiveState.CLOSED)
    client.force_login(editor_a.user)
    # session, user, membership, objective, key results, state changes, unread notifications (menu)
    with django_assert_num_queries(7):
        html = _panel(client, quarter.lagging).content.decode()
    assert html.count("Adjust score") == 2 + extra
    assert html.count("Active → Closed") == 1 + extra // 2


def test_panel_offers_the_allowed_next_states(client, quarter, editor_a):
    client.force_login(editor_a.user)
    response = _panel(client, quarter.draft, **{"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "Submit for review" in html and "Activate" not in html and "Close objective" not in html
    html = _panel(client, quarter.lagging).content.decode()
    assert "<html" in html and "Close objective" in html and "Submit for review" not in html
    in_review = ObjectiveFactory(cycle=quarter.cycle, state=ObjectiveState.IN_REVIEW)
    html = _panel(client, in_review).content.decode()
    assert "Activate" in html and "Back to draft" in html


def test_viewer_reads_the_history_without_buttons(client, quarter, editor_a, viewer_a):
    services.objective_update(objective=quarter.draft, user=editor_a.user, state=ObjectiveState.IN_REVIEW)
    client.force_login(viewer_a.user)
    html = _panel(client, quarter.draft).content.decode()
    assert "Draft → In review" in html
    assert "Activate" not in html and 'name="state"' not in html


def test_editor_submits_a_draft_for_review(client, quarter, editor_a):
    client.force_login(editor_a.user)
    url = reverse("okrs:objective-transition", args=[quarter.draft.pk])
    response = client.post(url, {"state": "in_review"})
    assert response.status_code == 302 and response["Location"] == quarter.draft.get_absolute_url()
    assert Objective.objects.get(pk=quarter.draft.pk).state == ObjectiveState.IN_REVIEW
    change = ObjectiveStateChange.objects.get(objective=quarter.draft)
    assert (change.from_state, change.to_state, change.user) == ("draft", "in_review", editor_a.user)
    html = client.get(quarter.draft.get_absolute_url()).content.decode()
    assert "moved from Draft to In review" in html


def test_a_move_the_lifecycle_forbids_is_refused_with_its_reason(client, quarter, editor_a):
    client.force_login(editor_a.user)
    response = client.post(reverse("okrs:objective-transition", args=[quarter.draft.pk]), {"state": "closed"})
    assert response.status_code == 400
    assert "cannot move from Draft to Closed" in response.content.decode()
    assert Objective.objects.get(pk=quarter.draft.pk).state == ObjectiveState.DRAFT
    response = client.post(reverse("okrs:objective-transition", args=[quarter.draft.pk]), {"state": "bogus"})
    assert response.status_code == 400


def test_closing_an_objective_scores_it(client, quarter, editor_a):
    client.force_login(editor_a.user)
    client.post(reverse("okrs:objective-transition", args=[quarter.stretch.pk]), {"state": "closed"})
    objective = Objective.objects.get(pk=quarter.stretch.pk)
    assert (objective.state, objective.score) == (ObjectiveState.CLOSED, D("0.55"))
    html = client.get(objective.get_absolute_url()).content.decode()
    assert re.search(r'data-score-colour="yellow">.*?0\.55 Yellow', html)


def test_viewer_cannot_move_an_objective(client, quarter, viewer_a):
    client.force_login(viewer_a.user)
    response = client.post(
        reverse("okrs:objective-transition", args=[quarter.draft.pk]), {"state": "in_review"}
    )
    assert response.status_code == 403
    assert Objective.objects.get(pk=quarter.draft.pk).state == ObjectiveState.DRAFT


def test_another_organizations_objective_is_not_found(client, quarter, member_b):
    client.force_login(member_b.user)
    assert _panel(client, quarter.draft).status_code == 404
    url = reverse("okrs:objective-transition", args=[quarter.draft.pk])
    assert client.post(url, {"state": "in_review"}).status_code == 404
    url = reverse("okrs:objective-reopen", args=[quarter.draft.pk])
    assert client.post(url, {"reason": "x"}).status_code == 404
    assert Objective.objects.get(pk=quarter.draft.pk).state == ObjectiveState.DRAFT


def _close_objective(objective, user):
    return services.objective_update(objective=objective, user=user, state=ObjectiveState.CLOSED)


def test_admin_reopens_a_closed_objective_with_a_reason(client, quarter, admin_a, editor_a):
    _close_objective(quarter.lagging, editor_a.user)
    client.force_login(admin_a.user)
    assert "Reopen objective" in _panel(client, quarter.lagging).content.decode()
    url = reverse("okrs:objective-reopen", args=[quarter.lagging.pk])
    response = client.post(url, {"reason": "Closed by mistake"})
    assert response.status_code == 302
    objective = Objective.objects.get(pk=quarter.lagging.pk)
    assert (objective.state, objective.score, objective.closed_at) == (ObjectiveState.ACTIVE, None, None)
    change = objective.state_changes.first()
    assert (change.from_state, change.to_state, change.reason, change.user) == (
        "closed",
        "active",
        "Closed by mistake",
        admin_a.user,
    )
    assert "Closed by mistake" in _panel(client, objective).content.decode()


def test_reopening_needs_a_reason(client, quarter, admin_a, editor_a):
    _close_objective(quarter.lagging, editor_a.user)
    client.force_login(admin_a.user)
    response = client.post(reverse("okrs:objective-reopen", args=[quarter.lagging.pk]), {"reason": "  "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert Objective.objects.get(pk=quarter.lagging.pk).state == ObjectiveState.CLOSED


@pytest.mark.parametrize("who", ["editor_a", "viewer_a"])
def test_only_admins_reopen(client, quarter, editor_a, who, request):
    _close_objective(quarter.lagging, editor_a.user)
    client.force_login(request.getfixturevalue(who).user)
    assert "Reopen objective" not in _panel(client, quarter.lagging).content.decode()
    response = client.post(reverse("okrs:objective-reopen", args=[quarter.lagging.pk]), {"reason": "Please"})
    assert response.status_code == 403
    assert Objective.objects.get(pk=quarter.lagging.pk).state == ObjectiveState.CLOSED


def test_a_closed_cycle_offers_no_moves(client, quarter, admin_a):
    _closed(quarter, admin_a)
    client.force_login(admin_a.user)
    html = _panel(client, quarter.lagging).content.decode()
    assert "is closed: this objective and its key results are read-only" in html
    assert 'name="state"' not in html and "Reopen objective" not in html
    response = client.post(reverse("okrs:objective-reopen", args=[quarter.lagging.pk]), {"reason": "Again"})
    assert response.status_code == 400 and "is closed" in response.content.decode()


# Adjusting a score ------------------------------------------------------------------------------------


def test_owner_adjusts_a_closed_key_results_score(client, quarter, admin_a, editor_a):
    _closed(quarter, admin_a)
    key_result = quarter.lagging_krs[0]
    client.force_login(editor_a.user)
    assert "Adjust score" in _panel(client, quarter.lagging).content.decode()
    url = reverse("okrs:key-result-score", args=[key_result.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"score": "0.5", "reason": "The big deal signed a day late"})
    assert response.status_code == 302 and response["Location"] == quarter.lagging.get_absolute_url()
    key_result.refresh_from_db()
    assert (key_result.score, key_result.score_reason) == (D("0.50"), "The big deal signed a day late")
    assert Objective.objects.get(pk=quarter.lagging.pk).score == D("0.60")
    html = client.get(quarter.lagging.get_absolute_url()).content.decode()
    assert re.search(r'data-score-colour="yellow">.*?0\.50 Yellow', html)


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"score": "1.5", "reason": "Too good"}, "less than or equal to 1"),
        ({"score": "0.5", "reason": ""}, "This field is required."),
        ({"score": "abc", "reason": "x"}, "Enter a number."),
    ],
)
def test_a_bad_score_is_refused_next_to_the_field(client, quarter, admin_a, editor_a, data, field_error):
    _closed(quarter, admin_a)
    key_result = quarter.lagging_krs[0]
    client.force_login(editor_a.user)
    response = client.post(reverse("okrs:key-result-score", args=[key_result.pk]), data)
    assert response.status_code == 400 and field_error in response.content.decode()
    key_result.refresh_from_db()
    assert key_result.score == D("0.13")


def test_an_open_key_result_has_no_score_to_adjust(client, quarter, editor_a):
    client.force_login(editor_a.user)
    key_result = quarter.lagging_krs[0]
    response = client.post(
        reverse("okrs:key-result-score", args=[key_result.pk]), {"score": "1", "reason": "x"}
    )
    assert response.status_code == 400
    assert "scored when their objective or cycle closes" in response.content.decode()
    assert KeyResult.objects.get(pk=key_result.pk).score is None


@pytest.mark.parametrize(("who", "status"), [("admin_a", 403), ("viewer_a", 403), ("member_b", 404)])
def test_only_the_owner_adjusts_a_score(client, quarter, admin_a, who, status, request):
    _closed(quarter, admin_a)
    key_result = quarter.lagging_krs[0]
    client.force_login(request.getfixturevalue(who).user)
    url = reverse("okrs:key-result-score", args=[key_result.pk])
    assert client.get(url).status_code == status
    assert client.post(url, {"score": "1", "reason": "Mine now"}).status_code == status
    assert KeyResult.objects.get(pk=key_result.pk).score == D("0.13")


# The summary chart (pure) -----------------------------------------------------------------------------


def test_quarter_scores_chart_draws_means_beside_their_expectations():
    from okrs.charts import quarter_scores

    figure = quarter_scores(
        title="Mean objective score by team, Q4 (final)",
        teams=["Marketing", "Sales"],
        committed=[D("1.00"), D("0.32")],
        aspirational=[None, D("0.55")],
        committed_expected=D(1),
        aspirational_expected=D("0.7"),
    )
    bars = [trace for trace in figure["data"] if trace["type"] == "bar"]
    lines = [trace for trace in figure["data"] if trace["type"] == "scatter"]
    assert [bar["name"] for bar in bars] == ["Committed: mean score", "Aspirational: mean score"]
    assert bars[0]["y"] == [1.0, 0.32] and bars[1]["y"] == [None, 0.55]
    assert bars[1]["text"] == [None, "0.55"]
    assert [(line["name"], line["y"]) for line in lines] == [
        ("Committed: expected 1.0", [1.0, 1.0]),
        ("Aspirational: expected 0.7", [0.7, 0.7]),
    ]
    assert [(band["y0"], band["y1"]) for band in figure["layout"]["shapes"]] == [
        (0.0, 0.4),
        (0.4, 0.7),
        (0.7, 1.0),
    ]
    assert figure["layout"]["title"]["text"] == "Mean objective score by team, Q4 (final)"
    assert figure["layout"]["yaxis"]["title"]["text"] == "Mean score (0.0–1.0)"
    json.dumps(figure)  # embeddable with json_script: plain numbers and strings only


def test_panel_offers_no_activate_button_when_reviewers_must_approve(client, quarter, editor_a):
    organization = quarter.cycle.organization
    organization.review_required = True
    organization.save()
    in_review = ObjectiveFactory(cycle=quarter.cycle, state=ObjectiveState.IN_REVIEW)
    client.force_login(editor_a.user)
    html = _panel(client, in_review).content.decode()
    assert "Activate" not in html and "Back to draft" in html
