"""The CSV import page: files within what one request imports, rows already stored skipped (or stored
again on purpose, with a warning), and a form sent twice imported once."""

import os
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from kpis import forms as kpi_forms
from kpis.choices import MeasurementSource
from kpis.models import Measurement
from kpis.services import measurements_import_csv
from tests.kpis.factories import KpiFactory
from tests.kpis.test_import_browser import signed_in

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the browser test's live server
pytestmark = pytest.mark.django_db
URL = "/kpis/measurements/import/"
CSV = "kpi,timestamp,value\ndeals_won,2026-01-02,3\ndeals_won,2026-01-03,4\ndeals_won,2026-01-04,5\n"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def kpi(org_a):
    return KpiFactory(organization=org_a, code="deals_won")


def upload(text: str):
    return SimpleUploadedFile("m.csv", text.encode(), content_type="text/csv")


def import_page(client, text: str, *, skip: bool = True, token: str | None = None):
    data = {"file": upload(text), **({"skip_existing": "on"} if skip else {})}
    if token:
        data["form_token"] = token
    return client.post(URL, data, follow=True)


def shown(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


def test_service_counts_and_skips_rows_already_stored(org_a, kpi):
    first = measurements_import_csv(organization=org_a, file=upload(CSV), source=MeasurementSource.CSV)
    assert (first.created, first.already_stored, first.skipped) == (3, 0, 0)
    again = measurements_import_csv(
        organization=org_a, file=upload(CSV + "deals_won,2026-01-05,6\n"), source="csv", skip_existing=True
    )
    assert (again.created, again.already_stored, again.skipped) == (1, 3, 3)
    assert Measurement.objects.count() == 4
    # Without the option the service stores as before, and says how many rows repeat stored ones.
    twice = measurements_import_csv(organization=org_a, file=upload(CSV), source=MeasurementSource.CSV)
    assert (twice.created, twice.already_stored, twice.skipped) == (3, 3, 0)
    assert Measurement.objects.count() == 7


def test_a_different_value_at_the_same_time_is_not_a_duplicate(org_a, kpi):
    measurements_import_csv(organization=org_a, file=upload(CSV), source=MeasurementSource.CSV)
    changed = CSV.replace("2026-01-03,4", "2026-01-03,4.5")
    result = measurements_import_csv(
        organization=org_a, file=upload(changed), source="csv", skip_existing=True
    )
    assert (result.created, result.skipped) == (1, 2)
    assert Measurement.objects.get(timestamp__day=3, value=Decimal("4.5"))


def test_page_offers_skipping_checked_and_skips_a_file_imported_twice(client, admin_a, kpi):
    client.force_login(admin_a.user)
    page = client.get(URL)
    assert page.context["form"]["skip_existing"].value() is True
    assert "Skip rows already stored" in page.content.decode()
    import_page(client, CSV)
    response = import_page(client, CSV)
    assert "3 of the 3 rows were already stored" in shown(response)
    assert Measurement.objects.count() == 3


def test_page_stores_repeated_rows_on_purpose_with_a_warning(client, admin_a, kpi):
    client.force_login(admin_a.user)
    import_page(client, CSV)
    response = import_page(client, CSV, skip=False)
    assert "3 of the 3 rows repeat measurements already stored" in shown(response)
    assert Measurement.objects.count() == 6


def test_the_import_form_sent_twice_imports_once(client, admin_a, kpi):
    client.force_login(admin_a.user)
    token = client.get(URL).context["form"]["form_token"].value()
    import_page(client, CSV, skip=False, token=token)
    response = import_page(client, CSV, skip=False, token=token)
    assert "This file was already imported." in shown(response)
    assert Measurement.objects.count() == 3


def test_a_refused_file_can_be_fixed_and_sent_with_the_same_token(client, admin_a, kpi):
    client.force_login(admin_a.user)
    token = client.get(URL).context["form"]["form_token"].value()
    bad = import_page(client, CSV + "deals_won,2026-01-05,abc\n", token=token)
    assert bad.status_code == 400 and not Measurement.objects.exists()
    import_page(client, CSV, token=token)
    assert Measurement.objects.count() == 3


def test_a_file_over_the_size_limit_is_a_clear_form_error(client, admin_a, kpi, monkeypatch):
    monkeypatch.setattr(kpi_forms, "MAX_UPLOAD_BYTES", len(CSV) - 1)
    client.force_login(admin_a.user)
    response = client.post(URL, {"file": upload(CSV), "skip_existing": "on"})
    assert response.status_code == 400
    assert "larger than the page imports" in response.context["form"].errors["file"][0]
    assert "import_measurements" in response.content.decode()
    assert not Measurement.objects.exists()


def test_a_file_just_over_5_mb_is_refused_on_the_page_not_as_a_server_error(client, admin_a, kpi):
    client.force_login(admin_a.user)
    big = CSV + "x" * (5 * 1024 * 1024 + 1 - len(CSV))
    response = client.post(URL, {"file": upload(big)})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "(5 MB, 100,000 rows)" in response.context["form"].errors["file"][0]


def test_a_file_over_the_row_limit_is_a_clear_form_error(client, admin_a, kpi, monkeypatch):
    monkeypatch.setattr(kpi_forms, "MAX_UPLOAD_ROWS", 2)
    client.force_login(admin_a.user)
    response = client.post(URL, {"file": upload(CSV)})
    assert response.status_code == 400
    assert "2 rows" in response.context["form"].errors["file"][0]
    assert not Measurement.objects.exists()
    # The limit counts rows, not the header, and a last line without a line break counts.
    monkeypatch.setattr(kpi_forms, "MAX_UPLOAD_ROWS", 3)
    assert client.post(URL, {"file": upload(CSV.rstrip("\n"))}).status_code == 302
    assert Measurement.objects.count() == 3


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_importing_a_file_twice_in_chromium_skips_the_stored_rows(page, live_server, editor_a, tmp_path):
    KpiFactory(organization=editor_a.organization, code="deals_won")
    signed_in(page, live_server, editor_a.user)
    path = tmp_path / "m.csv"
    path.write_text(CSV)
    page.goto(f"{live_server.url}{URL}")
    for _ in range(2):
        page.get_by_label("CSV file").set_input_files(str(path))
        assert page.get_by_label("Skip rows already stored").is_checked()
        page.get_by_role("button", name="Import").click()
        page.wait_for_load_state()
    page.get_by_text("3 of the 3 rows were already stored").wait_for()
    assert Measurement.objects.count() == 3
