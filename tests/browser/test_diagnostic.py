"""The RevOps diagnostic in a real Chromium: a member takes it, reads the radar and adds a recommendation
in one click; a prospect takes the public one and starts an organization."""

import pytest
from playwright.sync_api import expect

from accounts import services as account_services
from accounts.models import Organization
from diagnostics.models import Diagnostic
from diagnostics.questions import QUESTIONS
from kpis.models import Kpi
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _answer_all(page, weak_area: str):
    for question in QUESTIONS:
        option = "0" if question.area == weak_area else "3"
        page.locator(f'[data-question="{question.key}"] input[value="{option}"]').check()


def test_a_member_takes_the_diagnostic_and_adds_a_recommended_kpi(
    live_server, sign_in, console_errors, editor_a
):
    page = sign_in(editor_a.user)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Diagnostic").click()
    page.get_by_role("button", name="Take the diagnostic").click()
    expect(page.get_by_role("heading", name="The 10-minute RevOps diagnostic")).to_be_visible()
    expect(page.locator("fieldset.diagnostic-question")).to_have_count(25)
    # Left one out: the page says which, and keeps the others.
    _answer_all(page, "data_quality")
    page.locator('[data-question="so_what"] input').first.evaluate("e => e.form.reset()")
    page.get_by_role("button", name="See my result").click()
    expect(page.locator('[data-question="so_what"] .field-error')).to_be_visible()
    _answer_all(page, "data_quality")
    page.get_by_role("button", name="See my result").click()

    expect(page.get_by_role("heading", name="RevOps diagnostic")).to_be_visible()
    expect(page.locator('[data-figure="diagnostic-radar"] .main-svg').first).to_be_visible()
    expect(page.locator('.diagnostic-areas [data-area="data_quality"] [data-role="score"]')).to_have_text("0")
    first = page.locator(".diagnostic-recommendation").first
    expect(first).to_have_attribute("data-area", "data_quality")
    first.locator('[data-add="kpi-data_accuracy"]').click()
    expect(page.locator(".flash-success")).to_be_visible()
    assert Kpi.objects.filter(organization=editor_a.organization, code="data_accuracy").count() == 1
    screenshot(page, "diagnostic-result")
    # The one 400 is the page answering the incomplete questionnaire; nothing else went wrong.
    assert [e for e in console_errors if "status of 400" not in e] == []


def test_a_prospect_takes_the_public_diagnostic_and_starts_an_organization(live_server, page, org_a):
    account_services.organization_update(organization=org_a, public_diagnostic=True)
    page.goto(f"{live_server.url}/diagnostic/?via=org-a")
    expect(page.get_by_text("Offered by Organization A.")).to_be_visible()
    _answer_all(page, "tooling")
    page.get_by_role("button", name="See my result").click()
    expect(page.locator('[data-figure="diagnostic-radar"] .main-svg').first).to_be_visible()
    with page.expect_download() as download:
        page.locator("#diagnostic-download").click()
    assert download.value.suggested_filename == "revops-diagnostic.html"
    assert not Diagnostic.objects.exists() and Organization.objects.count() == 1

    page.get_by_label("Organization name").fill("Prospect Co")
    page.get_by_label("Email").fill("pia@prospect.test")
    page.get_by_label("Password").fill("a-long-enough-passphrase-42")
    page.get_by_role("button", name="Start my organization").click()
    expect(page.get_by_role("heading", name="Set up your organization")).to_be_visible()
    diagnostic = Diagnostic.objects.get()
    assert diagnostic.organization.name == "Prospect Co" and diagnostic.area_scores["tooling"] == 0
