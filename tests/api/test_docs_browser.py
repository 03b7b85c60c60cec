"""The API docs pages in a real Chromium: they render the schema and load nothing from another site."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def console_errors(page):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def screenshot(page, name: str) -> None:
    """The first screen only: the full pages are tens of thousands of pixels tall."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def _outside(live_server, urls: list[str]) -> list[str]:
    return [url for url in urls if not url.startswith((live_server.url, "data:", "blob:"))]


def _other_errors(errors: list[str]) -> list[str]:
    """Console errors, less the browser's note that the page's policy refused an outside address."""
    return [error for error in errors if "Content Security Policy" not in error]


def test_swagger_ui_renders_every_resource_from_local_files(live_server, page, console_errors):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.get_by_role("heading", name="Rumbo API")).to_be_visible()
    expect(page.get_by_text("/api/v1/measurements/", exact=True).first).to_be_visible()
    page.get_by_text("/api/v1/key-results/{id}/", exact=True).first.scroll_into_view_if_needed()
    screenshot(page, "api-docs-swagger")
    assert _outside(live_server, requests) == []
    assert f"{live_server.url}/api/v1/schema/" in requests
    assert console_errors == []


def test_redoc_renders_from_local_files(live_server, page, console_errors):
    requests, answered = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("response", lambda response: answered.append(response.url))
    page.goto(f"{live_server.url}/api/v1/redoc/")
    # Redoc lays out the whole schema (over a hundred operations) before it shows the title.
    expect(page.get_by_role("heading", name="Rumbo API (1.0.0)")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("measurements_create").first).to_be_attached()
    page.wait_for_load_state("networkidle")
    screenshot(page, "api-docs-redoc")
    # Redoc's bundle asks for its makers' logo; the page's policy refuses it inside the browser.
    refused = " ".join(error for error in console_errors if "Content Security Policy" in error)
    assert all(url in refused for url in _outside(live_server, requests)), (requests, console_errors)
    assert _outside(live_server, answered) == []
    assert _other_errors(console_errors) == []
