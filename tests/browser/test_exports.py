"""CSV downloads in a real Chromium: the links on the scorecard and objective pages give the files."""

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from kpis.choices import KpiStatus
from kpis.models import KpiValue
from tests.kpis.factories import KpiFactory
from tests.okrs.factories import CheckInFactory, KeyResultFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _download(page, link) -> list[list[str]]:
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    return list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))


def test_download_csv_from_the_kpi_scorecard(live_server, sign_in, console_errors, viewer_a):
    kpi = KpiFactory(organization=viewer_a.organization, name="=Win rate", target=Decimal(30))
    KpiValue.objects.create(kpi=kpi, period_start=date(2026, 10, 1), value=Decimal(25), status=KpiStatus.RED)
    page = sign_in(viewer_a.user)
    page.goto(live_server.url + reverse("dashboards:kpi-scorecard"))

    header, *rows = _download(page, page.get_by_role("button", name="Download CSV"))

    row = dict(zip(header, rows[0], strict=True))
    assert (row["KPI"], row["Latest"], row["Target"]) == ("'=Win rate", "25", "30")
    assert console_errors == []


def test_download_csv_of_an_objectives_check_ins(live_server, sign_in, console_errors, viewer_a):
    key_result = KeyResultFactory(objective__cycle__organization=viewer_a.organization, title="Pipeline")
    CheckInFactory(key_result=key_result, value=Decimal(12), note="+1 from the partner channel")
    page = sign_in(viewer_a.user)
    page.goto(live_server.url + reverse("dashboards:objective-detail", args=[key_result.objective_id]))

    header, *rows = _download(page, page.get_by_role("link", name="Download CSV"))

    row = dict(zip(header, rows[0], strict=True))
    assert (row["Key result"], row["Value"], row["Note"]) == (
        "Pipeline",
        "12",
        "'+1 from the partner channel",
    )
    assert console_errors == []
