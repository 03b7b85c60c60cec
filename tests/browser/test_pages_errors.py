"""Error pages and the favicon in a real Chromium: styled, with the navigation, nothing missing."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Chromium reports the page's own error status on the console; anything else logged is a defect.
DOCUMENT_STATUS = ("status of 403", "status of 404")


def _unexpected(errors: list[str]) -> list[str]:
    return [error for error in errors if not any(status in error for status in DOCUMENT_STATUS)]


def test_not_found_page_is_styled_with_the_navigation(live_server, sign_in, console_errors, viewer_a):
    page = sign_in(viewer_a.user)
    response = page.goto(live_server.url + reverse("dashboards:objective-detail", args=[999999]))
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.locator(".main-nav").get_by_role("link", name="Alignment")).to_be_visible()
    # Pico's stylesheet applied: the page is not drawn in the browser's default serif.
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "system-ui" in font or "sans-serif" in font
    page.get_by_role("button", name="Go to the overview").click()
    expect(page.get_by_role("heading", name="Company overview")).to_be_visible()
    screenshot(page, "error-404")
    assert _unexpected(console_errors) == []


def test_forbidden_page_is_styled_with_the_navigation(live_server, sign_in, console_errors, viewer_a):
    page = sign_in(viewer_a.user)
    response = page.goto(live_server.url + reverse("okrs:objective-create"))
    assert response.status == 403
    expect(page.get_by_role("heading", name="You are not allowed to do this")).to_be_visible()
    expect(page.get_by_text("Viewers cannot change data.")).to_be_visible()
    expect(page.locator(".main-nav").get_by_role("link", name="My OKRs")).to_be_visible()
    screenshot(page, "error-403")
    assert _unexpected(console_errors) == []


def test_favicon_loads_on_pages_and_in_the_admin(live_server, sign_in, console_errors, admin_a):
    admin_a.user.is_staff = True
    admin_a.user.save()
    page = sign_in(admin_a.user)
    for url in (reverse("dashboards:help"), reverse("admin:index")):
        response = page.goto(live_server.url + url)
        assert response.status == 200, url
        page.wait_for_load_state("networkidle")
        for href in page.eval_on_selector_all("link[rel=icon]", "links => links.map(l => l.href)"):
            assert page.request.get(href).status == 200, href
        assert console_errors == [], f"{url}: {console_errors}"
    # Browsers and tools that ask for /favicon.ico without reading the page get the icon too.
    icon = page.request.get(live_server.url + "/favicon.ico")
    assert icon.status == 200 and icon.headers["content-type"] in ("image/x-icon", "image/vnd.microsoft.icon")
