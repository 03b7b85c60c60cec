"""Edit pages in a real Chromium: each opens with what is stored, and saving it untouched changes nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.choices import TeamKind
from kpis.choices import Aggregation, Cadence, Direction, Family
from kpis.models import Kpi
from okrs import services
from okrs.choices import KeyResultKind, KpiWindow, ObjectiveState, ObjectiveType, OutcomeKind, Unit
from okrs.models import CheckIn, KeyResult, Objective
from tests.accounts.factories import TeamFactory
from tests.browser.conftest import screenshot
from tests.kpis.factories import KpiFactory
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory, PriorityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _stored(instance) -> dict:
    """Every stored field of a row, its many-to-many relations included."""
    instance = type(instance).objects.get(pk=instance.pk)
    values = {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}
    for field in instance._meta.many_to_many:
        values[field.name] = sorted(getattr(instance, field.name).values_list("pk", flat=True))
    return values


@pytest.fixture
def filled(editor_a):
    """An objective, a key result and a KPI whose every editable field holds a non-default value."""
    organization = editor_a.organization
    CycleFactory(organization=organization, name="Q3", start=date(2026, 7, 1), end=date(2026, 9, 30))
    cycle = CycleFactory(organization=organization, name="Q4")
    team = TeamFactory(organization=organization, name="Marketing", kind=TeamKind.MARKETING)
    TeamFactory(organization=organization, name="Sales")
    priority = PriorityFactory(organization=organization, title="Grow net revenue retention")
    PriorityFactory(organization=organization, title="Open the mid-market")
    parent = ObjectiveFactory(cycle=cycle, owner=editor_a.user, title="Grow revenue")
    objective = ObjectiveFactory(
        cycle=cycle,
        title="Win the mid-market",
        description="Two lines\nof description, with “quotes” & <angle brackets>",
        type=ObjectiveType.ASPIRATIONAL,
        so_what="Bigger deals from the same pipeline.",
        outcome_kind=OutcomeKind.EXPANSION,
        owner=editor_a.user,
        team=team,
        state=ObjectiveState.ACTIVE,
        priority=priority,
        parent=parent,
    )
    KpiFactory(organization=organization, code="deals_won", cadence=Cadence.WEEKLY)
    KpiFactory(organization=organization, code="deals_closed", cadence=Cadence.WEEKLY)
    kpi = KpiFactory(
        organization=organization,
        code="win_rate",
        name="Win rate",
        family=Family.MARKETING,
        description="Won deals\namong closed ones",
        unit=Unit.PERCENT,
        direction=Direction.LOWER_IS_BETTER,
        cadence=Cadence.WEEKLY,
        aggregation=Aggregation.AVERAGE,
        formula="100 * deals_won / deals_closed",
        target=Decimal("20.5"),
        warning_threshold=Decimal("25"),
        critical_threshold=Decimal("30.125"),
        baseline=Decimal("28"),
        benchmark=Decimal("22"),
        owner=editor_a.user,
        team=team,
        active=False,
    )
    kpi.priorities.set([priority])
    kpi.objectives.set([objective, parent])
    key_result = KeyResultFactory(
        objective=objective,
        title="Cut the sales cycle",
        owner=editor_a.user,
        kind=KeyResultKind.DECREASE,
        unit=Unit.DAYS,
        start_value=Decimal("80.5"),
        target_value=Decimal("45.25"),
        current_value=Decimal("61.125"),
        due_date=date(2026, 11, 30),
        weight=Decimal("2.5"),
        confidence=8,
        kpi=kpi,
        kpi_window=KpiWindow.CYCLE_TO_DATE,
    )
    services.progress_refresh(cycle_ids=[cycle.pk])  # the figures are right before the page opens
    return {"objective": objective, "key_result": key_result, "kpi": kpi}


EDIT_PAGES = {
    "objective": ("okrs:objective-update", "Save objective"),
    "key_result": ("okrs:key-result-update", "Save key result"),
    "kpi": ("kpis:kpi-update", "Save KPI"),
}


@pytest.mark.parametrize("name", EDIT_PAGES)
def test_edit_page_saved_untouched_changes_nothing(
    live_server, sign_in, console_errors, filled, editor_a, name
):
    instance = filled[name]
    url_name, button = EDIT_PAGES[name]
    before = _stored(instance)
    page = sign_in(editor_a.user)
    page.goto(live_server.url + reverse(url_name, args=[instance.pk]))
    screenshot(page, f"edit-{name}")
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state("networkidle")
    assert "/edit/" not in page.url, page.locator(".field-error").all_inner_texts()
    assert _stored(instance) == before
    assert console_errors == []


def test_edit_pages_show_the_stored_values(live_server, sign_in, filled, editor_a):
    page = sign_in(editor_a.user)
    objective = filled["objective"]
    page.goto(live_server.url + reverse("okrs:objective-update", args=[objective.pk]))
    expect(page.get_by_label("Title")).to_have_value("Win the mid-market")
    expect(page.get_by_label("State")).to_have_value(ObjectiveState.ACTIVE)
    expect(page.get_by_label("Type")).to_have_value(ObjectiveType.ASPIRATIONAL)
    expect(page.get_by_label("Priority")).to_have_value(str(objective.priority_id))
    expect(page.get_by_label("Parent objective")).to_have_value(str(objective.parent_id))
    expect(page.get_by_label("Team")).to_have_value(str(objective.team_id))
    expect(page.get_by_label("Description")).to_have_value(objective.description)
    key_result = filled["key_result"]
    page.goto(live_server.url + reverse("okrs:key-result-update", args=[key_result.pk]))
    expect(page.get_by_label("Kind")).to_have_value(KeyResultKind.DECREASE)
    expect(page.get_by_label("Due date")).to_have_value("2026-11-30")
    expect(page.get_by_label("Weight")).to_have_value("2.5")
    expect(page.get_by_label("KPI", exact=True)).to_have_value(str(key_result.kpi_id))
    page.goto(live_server.url + reverse("kpis:kpi-update", args=[filled["kpi"].pk]))
    expect(page.get_by_label("Formula")).to_have_value("100 * deals_won / deals_closed")
    expect(page.get_by_label("Active")).not_to_be_checked()
    expect(page.get_by_label("Direction")).to_have_value(Direction.LOWER_IS_BETTER)


def test_a_changed_field_is_saved_and_the_others_kept(live_server, sign_in, filled, editor_a):
    objective = filled["objective"]
    before = _stored(objective)
    page = sign_in(editor_a.user)
    page.goto(live_server.url + reverse("okrs:objective-update", args=[objective.pk]))
    page.get_by_label("Title").fill("Win the mid-market, profitably")
    page.get_by_role("button", name="Save objective").click()
    expect(page.get_by_text("Objective saved.")).to_be_visible()
    after = _stored(objective)
    assert after.pop("title") == "Win the mid-market, profitably"
    assert after.pop("updated_at") > before.pop("updated_at")
    assert after == {k: v for k, v in before.items() if k != "title"}


def test_new_kpi_page_creates_a_kpi(live_server, sign_in, console_errors, editor_a):
    page = sign_in(editor_a.user)
    page.goto(live_server.url + reverse("dashboards:kpi-scorecard"))
    page.get_by_role("button", name="New KPI").first.click()
    page.get_by_label("Name").fill("Pipeline coverage")
    page.get_by_label("Code").fill("pipeline_coverage")
    page.get_by_label("Family").select_option(Family.SALES)
    page.get_by_label("Target").fill("3.5")
    page.get_by_role("button", name="Create KPI").click()
    expect(page.get_by_role("heading", name="Pipeline coverage")).to_be_visible()
    kpi = Kpi.objects.get(code="pipeline_coverage")
    assert (kpi.organization, kpi.target) == (editor_a.organization, Decimal("3.5"))
    page.get_by_role("button", name="Edit KPI").click()
    expect(page.get_by_label("Target")).to_have_value("3.5")
    assert console_errors == []


def test_check_in_in_english_reads_a_point_and_refuses_a_decimal_comma(live_server, sign_in, editor_a):
    key_result = KeyResultFactory(
        objective__cycle__organization=editor_a.organization,
        owner=editor_a.user,
        start_value=Decimal(0),
        target_value=Decimal(100),
    )
    page = sign_in(editor_a.user)
    page.goto(live_server.url + key_result.objective.get_absolute_url())
    row = page.locator(f"#kr-{key_result.pk}")
    row.get_by_text("Check in", exact=True).click()
    row.get_by_label("New value").fill("21.5")
    row.get_by_role("button", name="Save check-in").click()
    expect(page.locator(f"#kr-{key_result.pk} [data-role='value']")).to_have_text("21.5")
    assert CheckIn.objects.get(key_result=key_result).value == Decimal("21.5")
    assert KeyResult.objects.get(pk=key_result.pk).progress == Decimal("0.215")
    row = page.locator(f"#kr-{key_result.pk}")
    row.get_by_text("Check in", exact=True).click()
    row.get_by_label("New value").fill("21,5")
    row.get_by_role("button", name="Save check-in").click()
    expect(page.locator(f"#id_kr{key_result.pk}_value_error")).to_contain_text("the decimal separator is “.”")
    assert CheckIn.objects.filter(key_result=key_result).count() == 1
    assert Objective.objects.filter(pk=key_result.objective_id).exists()
