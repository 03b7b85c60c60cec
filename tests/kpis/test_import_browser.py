"""The CSV upload page in a real Chromium (Playwright) against the live server."""

import os

import pytest
from django.conf import settings
from django.test import Client

from kpis.models import Measurement
from tests.kpis.factories import KpiFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )
    return page


def test_upload_lists_bad_lines_then_imports_the_fixed_file(page, live_server, editor_a, tmp_path):
    KpiFactory(organization=editor_a.organization, code="deals_won")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    signed_in(page, live_server, editor_a.user)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Import").click()
    page.get_by_role("heading", name="Import measurements").wait_for()

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "kpi,timestamp,value\ndeals_won,2026-03-02,3\ndeals_won,2026-03-03,NaN\nghost,2026-03-03,1\n"
    )
    page.get_by_label("CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Import").click()
    table = page.locator("#import-errors")
    table.wait_for()
    rows = table.locator("tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).inner_text().split("\t")[:2] == ["3", "value"]
    assert "Unknown KPI code “ghost”" in rows.nth(1).inner_text()
    assert Measurement.objects.count() == 0

    good = tmp_path / "good.csv"
    good.write_text("kpi,timestamp,value\ndeals_won,2026-03-02,3\ndeals_won,2026-03-03,4\n")
    page.get_by_label("CSV file").set_input_files(str(good))
    page.get_by_role("button", name="Import").click()
    page.get_by_text("2 measurements stored").wait_for()
    assert Measurement.objects.count() == 2
    assert errors == []
