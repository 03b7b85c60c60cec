"""Pages, the admin and their behaviours under the Content-Security-Policy, in a real Chromium.

Chromium reports every refused script or style as a console error, which `console_errors` collects.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.okrs.factories import CycleFactory, KeyResultFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _refused(errors: list[str]) -> list[str]:
    return [error for error in errors if "Content Security Policy" in error or "Refused to" in error]


def test_choosing_a_cycle_shows_it_without_inline_handlers(live_server, sign_in, console_errors, admin_a):
    organization = admin_a.organization
    CycleFactory(organization=organization, name="Q3 2026")
    older = CycleFactory(organization=organization, name="Q2 2026")
    page = sign_in(admin_a.user)
    page.goto(f"{live_server.url}{reverse('dashboards:overview')}")
    page.locator("#cycle-select").select_option(str(older.pk))
    page.wait_for_url(f"**/?cycle={older.pk}")
    expect(page.locator("#cycle-select")).to_have_value(str(older.pk))
    assert console_errors == []


def test_a_new_token_is_selected_for_copying_when_focused(live_server, sign_in, console_errors, editor_a):
    page = sign_in(editor_a.user)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("Name").fill("CRM sync")
    page.get_by_role("button", name="Create token").click()
    field = page.get_by_test_id("new-token")
    field.focus()
    selected = field.evaluate("el => el.value.substring(el.selectionStart, el.selectionEnd)")
    assert selected.startswith("rumbo_") and selected == field.input_value()
    assert console_errors == []


def test_admin_forms_and_autocomplete_work_under_the_policy(live_server, sign_in, console_errors, admin_a):
    admin_a.user.is_staff = True
    admin_a.user.save()
    key_result = KeyResultFactory(objective__cycle__organization=admin_a.organization)
    page = sign_in(admin_a.user)
    page.goto(f"{live_server.url}{reverse('admin:okrs_objective_change', args=[key_result.objective_id])}")
    expect(page.locator("#content h1")).to_be_visible()
    page.goto(f"{live_server.url}{reverse('admin:accounts_team_add')}")
    page.locator(".field-lead .select2-selection").click()
    expect(page.locator(".select2-results__option").first).to_contain_text(admin_a.user.username)
    page.keyboard.press("Escape")
    page.goto(f"{live_server.url}{reverse('admin:okrs_keyresult_changelist')}")
    expect(page.locator("#result_list")).to_contain_text(key_result.title)
    assert _refused(console_errors) == [] and console_errors == []
