"""Every page in Spanish, in a real Chromium: no English navigation, heading, button, label or column
title is left, numbers and dates are Spanish, and the language switcher and a Spanish check-in work."""

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from accounts import services as account_services
from diagnostics import services as diagnostic_services
from insights import services as insight_services
from okrs.models import KeyResult
from tests.accounts.factories import TeamFactory
from tests.diagnostics.test_diagnostics import answers_with
from tests.kpis.factories import KpiFactory
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory, PriorityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CATALOG = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"
# Words that are the same in both languages (brand names, acronyms) are not English leftovers.
SAME_IN_BOTH = {"KPI", "KPIs", "OKRs", "API", "CSV", "URL", "Rumbo", "RevOps", "Marketing", "Email", "%"}
VISIBLE_TEXT = "nav a, h1, h2, h3, button, label, th, legend, [role=button]"


def _english_texts() -> set[str]:
    """English msgids whose Spanish translation differs: seeing one on a Spanish page is a leftover."""
    texts = set()
    for entry in polib.pofile(str(CATALOG)):
        if entry.msgstr and entry.msgstr.strip() != entry.msgid.strip() and "%" not in entry.msgid:
            texts.add(" ".join(entry.msgid.split()))
    return texts - SAME_IN_BOTH


@pytest.fixture
def spanish_organization(admin_a):
    organization = admin_a.organization
    account_services.organization_update(organization=organization, language="es", currency="EUR")
    team = TeamFactory(organization=organization, name="Ventas")
    cycle = CycleFactory(organization=organization, name="T4 2026")
    priority = PriorityFactory(organization=organization, title="Eficiencia de ventas")
    objective = ObjectiveFactory(
        cycle=cycle, priority=priority, team=team, owner=admin_a.user, title="Mejorar la eficiencia"
    )
    key_result = KeyResultFactory(
        objective=objective, owner=admin_a.user, title="Tasa de cierre", target_value=Decimal("1234.5")
    )
    kpi = KpiFactory(organization=organization, name="Tasa de cierre", code="win_rate", team=team)
    diagnostic = diagnostic_services.diagnostic_create(
        organization=organization, author=admin_a.user, answers=answers_with("2")
    )
    initiative = insight_services.initiative_create(
        organization=organization,
        title="Mesa de descuentos",
        owner=admin_a.user,
        start=date(2026, 10, 1),
        end=date(2026, 12, 31),
        kpis=[kpi],
        key_results=[key_result],
    )
    review = insight_services.review_create(organization=organization, user=admin_a.user)
    insight_services.action_item_create(review=review, title="Llamar a los cinco mayores clientes")
    return {
        "initiative": initiative,
        "review": review,
        "cycle": cycle,
        "team": team,
        "objective": objective,
        "key_result": key_result,
        "kpi": kpi,
        "diagnostic": diagnostic,
    }


def _pages(objects) -> list[str]:
    o = objects
    return [
        reverse("dashboards:overview"),
        reverse("dashboards:alignment"),
        reverse("dashboards:team-list"),
        reverse("dashboards:team-detail", args=[o["team"].pk]),
        reverse("dashboards:objective-detail", args=[o["objective"].pk]),
        reverse("dashboards:kpi-scorecard"),
        reverse("dashboards:kpi-detail", args=[o["kpi"].pk]),
        reverse("dashboards:my-okrs"),
        reverse("dashboards:help"),
        reverse("okrs:objective-create"),
        reverse("okrs:objective-update", args=[o["objective"].pk]),
        reverse("okrs:key-result-create", args=[o["objective"].pk]),
        reverse("okrs:key-result-update", args=[o["key_result"].pk]),
        reverse("okrs:objective-lifecycle", args=[o["objective"].pk]),
        reverse("okrs:objective-review", args=[o["objective"].pk]),
        reverse("okrs:cycle-summary", args=[o["cycle"].pk]),
        reverse("okrs:cycle-close", args=[o["cycle"].pk]),
        reverse("kpis:kpi-create"),
        reverse("kpis:kpi-update", args=[o["kpi"].pk]),
        reverse("kpis:measurement-import"),
        reverse("notifications:inbox"),
        reverse("notifications:preferences"),
        reverse("notifications:notification-settings"),
        reverse("activity:timeline", args=["objective", o["objective"].pk]),
        reverse("comments:thread", args=["objective", o["objective"].pk]),
        reverse("accounts:token-list"),
        reverse("accounts:member-list"),
        reverse("accounts:organization-settings"),
        reverse("onboarding:start"),
        reverse("onboarding:basics"),
        reverse("onboarding:cycle"),
        reverse("onboarding:priorities"),
        reverse("onboarding:okr-templates"),
        reverse("onboarding:kpi-catalog"),
        reverse("diagnostics:list"),
        reverse("diagnostics:take"),
        reverse("diagnostics:detail", args=[o["diagnostic"].pk]),
        reverse("insights:data-quality"),
        reverse("insights:initiative-list"),
        reverse("insights:initiative-create"),
        reverse("insights:initiative-detail", args=[o["initiative"].pk]),
        reverse("insights:initiative-update", args=[o["initiative"].pk]),
        reverse("insights:review-list"),
        reverse("insights:review-detail", args=[o["review"].pk]),
        reverse("kpis:guardrail-create", args=[o["key_result"].pk]),
    ]


def _leftovers(page, english: set[str]) -> list[str]:
    texts = page.locator(VISIBLE_TEXT).evaluate_all(
        # The language switcher names each language in that language ("English"): not a leftover.
        "els => els.filter(e => (e.offsetParent !== null || e.closest('nav'))"
        " && !e.closest('[lang]:not(html)')).map(e => e.innerText)"
    )
    found = []
    for text in texts:
        normal = " ".join(text.replace("*", "").split())
        if normal in english:
            found.append(normal)
    return found


def test_every_page_in_spanish_has_no_english_left(live_server, sign_in, admin_a, spanish_organization):
    english = _english_texts()
    assert "Overview" in english and "Save" in english  # the check would catch a leftover
    page = sign_in(admin_a.user)
    problems = {}
    for path in _pages(spanish_organization):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert page.locator("html").get_attribute("lang") == "es", path
        leftovers = _leftovers(page, english)
        if leftovers:
            problems[path] = leftovers
    assert not problems, f"English left on Spanish pages: {problems}"


def test_anonymous_pages_follow_the_browser_language(live_server, browser, admin_a):
    account_services.organization_update(organization=admin_a.organization, public_diagnostic=True)
    context = browser.new_context(locale="es-ES")
    page = context.new_page()
    english = _english_texts()
    for path in [reverse("accounts:login"), reverse("accounts:password-reset"), "/diagnostic/"]:
        page.goto(f"{live_server.url}{path}")
        assert page.locator("html").get_attribute("lang") == "es", path
        assert not _leftovers(page, english), (path, _leftovers(page, english))
    context.close()


def test_spanish_numbers_and_dates_on_the_overview(live_server, sign_in, admin_a, spanish_organization):
    page = sign_in(admin_a.user)
    page.goto(f"{live_server.url}/")
    head = page.locator(".page-head").first.inner_text()
    assert re.search(r"1 oct – 31 dic 2026", head), head
    page.goto(live_server.url + spanish_organization["objective"].get_absolute_url())
    expect(page.locator("main")).to_contain_text("1.234,5")


def test_the_menu_switches_language_and_a_spanish_check_in_reads_a_decimal_comma(
    live_server, sign_in, editor_a
):
    key_result = KeyResultFactory(
        objective__cycle__organization=editor_a.organization,
        owner=editor_a.user,
        start_value=Decimal(0),
        target_value=Decimal(100),
    )
    page = sign_in(editor_a.user)
    page.goto(live_server.url + key_result.objective.get_absolute_url())
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator('[data-role="language-es"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    row = page.locator(f"#kr-{key_result.pk}")
    row.get_by_text("Actualizar", exact=True).click()
    row.get_by_label("Valor nuevo").fill("21,5")
    row.get_by_role("button", name="Guardar actualización").click()
    expect(page.locator(f"#kr-{key_result.pk} [data-role='value']")).to_have_text("21,5")
    assert KeyResult.objects.get(pk=key_result.pk).current_value == Decimal("21.5")
    page.locator('[data-role="language-en"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(f"#kr-{key_result.pk} [data-role='value']")).to_have_text("21.5")
