"""The demo organization in the browser, and the README's screenshots taken from it.

Screenshots go to test-output/screenshots/; with UPDATE_DOCS_SCREENSHOTS=1 they also replace the
README's copies in docs/screenshots/.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from kpis.models import Kpi
from okrs.models import KeyResult
from onboarding.demo import demo_load
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DOCS = Path(settings.BASE_DIR) / "docs" / "screenshots"


def test_demo_pages_render_and_make_the_readme_screenshots(live_server, sign_in, console_errors):
    organization = demo_load(password="a-long-demo-password").organization
    page = sign_in(get_user_model().objects.get(username="demo-admin"))
    win_rate = Kpi.objects.get(organization=organization, code="win_rate")
    guarded = KeyResult.objects.get(objective__cycle__organization=organization, kpi=win_rate)
    review = organization.business_reviews.get()
    shots = {
        "overview": reverse("dashboards:overview"),
        "alignment": reverse("dashboards:alignment"),
        "kpi": reverse("dashboards:kpi-detail", args=[win_rate.pk]),
        "objective": guarded.objective.get_absolute_url(),
        "data-quality": reverse("insights:data-quality"),
        "review": review.get_absolute_url(),
    }
    paths = []
    for name, url in shots.items():
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
        if name in ("overview", "kpi", "objective"):
            expect(page.locator("svg.main-svg").first).to_be_attached()
        paths.append(screenshot(page, f"demo-{name}"))
    page.goto(live_server.url + shots["objective"])
    expect(page.locator(f"#kr-{guarded.pk} [data-role='guardrail-breach']")).to_be_visible()
    expect(page.locator(f"#kr-{guarded.pk} [data-role='forecast']")).to_contain_text("Forecast")
    page.goto(live_server.url + shots["kpi"])
    expect(page.get_by_role("heading", name="Win rate")).to_be_visible()
    assert console_errors == []
    if os.environ.get("UPDATE_DOCS_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        for path in paths:
            shutil.copyfile(path, DOCS / path.name)
