import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.exceptions import ApplicationError
from kpis import services
from kpis.choices import MeasurementSource
from kpis.models import Measurement
from kpis.services.ingestion import validation as ingestion
from tests.kpis.factories import KpiFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def ingest(org, rows):
    return services.measurements_ingest(organization=org, rows=rows, source=MeasurementSource.API, now=NOW)


def errors_of(org, rows):
    with pytest.raises(services.MeasurementsInvalid) as caught:
        ingest(org, rows)
    return [(e.row, e.field) for e in caught.value.errors], caught.value.errors


@pytest.fixture
def kpi(org_a):
    return KpiFactory(organization=org_a, code="deals_won")


GOOD = {"kpi": "deals_won", "timestamp": "2026-03-02T10:00:00Z", "value": "3"}


@pytest.mark.parametrize(
    ("field", "raw", "message"),
    [
        ("value", "NaN", "NaN and infinity"),
        ("value", "nan", "NaN and infinity"),
        ("value", "Infinity", "NaN and infinity"),
        ("value", "-inf", "NaN and infinity"),
        ("value", float("nan"), "NaN and infinity"),
        ("value", float("-inf"), "NaN and infinity"),
        ("value", "1e14", "Too large"),
        ("value", "-123456789012345", "Too large"),
        ("value", "+.6E+10875071770", "Too large"),  # an exponent past what decimal arithmetic holds
        ("value", "", "required"),
        ("value", None, "required"),
        ("value", "three", "not a number"),
        ("value", True, "Must be a number"),
        ("value", [1], "Must be a number"),
        ("value", "1\x00", "NUL"),
        ("kpi", "", "required"),
        ("kpi", "no_such_kpi", "Unknown KPI code"),
        ("kpi", "deals\x00won", "NUL"),
        ("kpi", 7, "Must be text"),
        ("timestamp", "", "required"),
        ("timestamp", "yesterday", "not a date and time"),
        ("timestamp", "2026-13-01T00:00:00", "not a date and time"),
        ("timestamp", "2027-12-01T00:00:00Z", "More than a year in the future"),
        ("timestamp", "2026-03-02\x00", "NUL"),
        ("note", "bad\x00note", "NUL"),
        ("note", "x" * 501, "At most 500"),
        ("idempotency_key", "k\x00", "NUL"),
        ("idempotency_key", "k" * 129, "At most 128"),
    ],
)
def test_bad_values_are_refused_with_index_and_field(org_a, kpi, field, raw, message):
    rows = [GOOD, {**GOOD, field: raw}]
    found, errors = errors_of(org_a, rows)
    assert found == [(1, field)]
    assert message in errors[0].message
    assert not Measurement.objects.exists()


def test_every_bad_row_is_listed_and_nothing_is_stored(org_a, kpi):
    rows = [
        GOOD,
        {**GOOD, "value": "x"},
        GOOD,
        {"kpi": "nope", "timestamp": "x", "value": "1", "colour": "red"},
    ]
    found, _ = errors_of(org_a, rows)
    assert sorted(found) == [(1, "value"), (3, "colour"), (3, "kpi"), (3, "timestamp")]
    assert Measurement.objects.count() == 0


def test_a_kpi_of_another_organization_is_unknown(org_a, org_b, kpi):
    KpiFactory(organization=org_b, code="other_org_kpi")
    found, errors = errors_of(org_a, [{**GOOD, "kpi": "other_org_kpi"}])
    assert found == [(0, "kpi")]
    assert "Unknown KPI code" in errors[0].message


def test_formula_and_archived_kpis_take_no_measurements(org_a, kpi):
    KpiFactory(organization=org_a, code="rate", formula="deals_won * 2")
    KpiFactory(organization=org_a, code="old", active=False)
    found, errors = errors_of(org_a, [{**GOOD, "kpi": "rate"}, {**GOOD, "kpi": "old"}])
    assert found == [(0, "kpi"), (1, "kpi")]
    assert "formula" in errors[0].message and "archived" in errors[1].message


def test_naive_timestamps_are_read_in_the_organization_time_zone(org_a, kpi):
    org_a.time_zone = "America/New_York"
    org_a.save()
    ingest(org_a, [{**GOOD, "timestamp": "2026-07-01T09:00:00"}, {**GOOD, "timestamp": "2026-01-15"}])
    stamps = sorted(Measurement.objects.values_list("timestamp", flat=True))
    assert stamps == [datetime(2026, 1, 15, 5, 0, tzinfo=UTC), datetime(2026, 7, 1, 13, 0, tzinfo=UTC)]


def test_values_are_stored_exactly_and_rounded_to_six_places(org_a, kpi):
    ingest(
        org_a,
        [
            {**GOOD, "value": Decimal("0.1")},
            {**GOOD, "value": "1234567.1234567"},
            {**GOOD, "value": 2},
        ],
    )
    assert sorted(Measurement.objects.values_list("value", flat=True)) == [
        Decimal("0.1"),
        Decimal(2),
        Decimal("1234567.123457"),
    ]


def test_more_than_ten_thousand_rows_are_refused(org_a, kpi):
    with pytest.raises(ApplicationError, match="At most 10000"):
        ingest(org_a, [GOOD] * 10_001)


def test_same_key_same_content_stores_nothing_new(org_a, kpi):
    rows = [{**GOOD, "idempotency_key": "crm-1"}, {**GOOD, "idempotency_key": "crm-2", "value": "4"}]
    first = ingest(org_a, rows)
    # The same instant written another way and the same number written another way are the same content.
    again = ingest(org_a, [{**rows[0], "timestamp": "2026-03-02T11:00:00+01:00", "value": "3.000"}, rows[1]])
    assert (first.created, again.created, again.replayed) == (2, 0, 2)
    assert Measurement.objects.count() == 2


def test_same_key_different_content_is_a_conflict_and_changes_nothing(org_a, kpi):
    ingest(org_a, [{**GOOD, "idempotency_key": "crm-1"}])
    with pytest.raises(services.IdempotencyConflict) as caught:
        ingest(
            org_a, [{**GOOD, "idempotency_key": "crm-9"}, {**GOOD, "idempotency_key": "crm-1", "value": "5"}]
        )
    assert [(e.row, e.field) for e in caught.value.errors] == [(1, "idempotency_key")]
    assert list(Measurement.objects.values_list("idempotency_key", "value")) == [("crm-1", Decimal(3))]


def test_a_key_twice_in_one_request_is_refused(org_a, kpi):
    found, _ = errors_of(org_a, [{**GOOD, "idempotency_key": "k"}, {**GOOD, "idempotency_key": "k"}])
    assert found == [(1, "idempotency_key")]


def test_keys_are_unique_per_organization_only(org_a, org_b, kpi):
    KpiFactory(organization=org_b, code="deals_won")
    ingest(org_a, [{**GOOD, "idempotency_key": "k"}])
    ingest(org_b, [{**GOOD, "idempotency_key": "k", "value": "9"}])
    assert Measurement.objects.count() == 2


def csv_import(org, text):
    return services.measurements_import_csv(
        organization=org, file=io.BytesIO(text.encode()), source=MeasurementSource.CSV, now=NOW
    )


def test_csv_errors_are_reported_by_line_and_nothing_is_written(org_a, kpi):
    text = (
        "kpi,timestamp,value,note\n"
        "deals_won,2026-03-02T10:00:00Z,3,\n"
        'deals_won,2026-03-02T10:00:00Z,"multi\nline note value",\n'
        "deals_won,2026-03-03,NaN,\n"
        "unknown,2026-03-03,1,\n"
    )
    with pytest.raises(services.MeasurementsInvalid) as caught:
        csv_import(org_a, text)
    # The quoted field spans lines 3-4, so the next rows are lines 5 and 6; the header is line 1.
    assert [(e.row, e.field) for e in caught.value.errors] == [(4, "value"), (5, "value"), (6, "kpi")]
    assert not Measurement.objects.exists()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "empty"),
        ("kpi,value\n", "Missing column"),
        ("kpi,timestamp,value,colour\n", "Unknown column"),
        ("kpi,timestamp,value\n", "no measurements"),
        ("kpi,timestamp,value\ndeals_won,2026-03-02,1,extra\n", "Unknown field"),
    ],
)
def test_csv_structure_problems(org_a, kpi, text, problem):
    with pytest.raises(services.MeasurementsInvalid) as caught:
        csv_import(org_a, text)
    assert problem in " ".join(e.message for e in caught.value.errors)


def test_csv_that_is_not_utf8_is_refused(org_a, kpi):
    with pytest.raises(services.MeasurementsInvalid) as caught:
        services.measurements_import_csv(
            organization=org_a,
            file=io.BytesIO("kpi,timestamp,value\ndeals_won,2026-03-02,1,\xe9\n".encode("latin-1")),
            source=MeasurementSource.CSV,
        )
    assert "UTF-8" in caught.value.errors[0].message


def test_csv_import_stores_every_line(org_a, kpi):
    result = csv_import(
        org_a,
        "\ufeffkpi,timestamp,value,idempotency_key\ndeals_won,2026-03-02,1,a\ndeals_won,2026-03-03,2,\n",
    )
    assert (result.lines, result.created) == (2, 2)
    assert Measurement.objects.filter(source=MeasurementSource.CSV).count() == 2


@time_machine.travel(NOW, tick=False)
def test_import_command_reports_lines_and_stores_nothing_on_error(org_a, kpi, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("kpi,timestamp,value\ndeals_won,2026-03-02,1\ndeals_won,2026-03-02,inf\n")
    with pytest.raises(CommandError, match="line 3, value"):
        call_command("import_measurements", str(bad), organization=org_a.slug, no_progress=True)
    assert not Measurement.objects.exists()
    good = tmp_path / "good.csv"
    good.write_text("kpi,timestamp,value\ndeals_won,2026-03-02,1\ndeals_won,2026-03-03,2\n")
    out = io.StringIO()
    call_command("import_measurements", str(good), organization=org_a.slug, stdout=out, stderr=io.StringIO())
    assert "2 measurements stored" in out.getvalue()
    assert Measurement.objects.filter(source=MeasurementSource.COMMAND).count() == 2


def test_import_command_names_a_wrong_organization(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("kpi,timestamp,value\n")
    with pytest.raises(CommandError, match="No organization"):
        call_command("import_measurements", str(path), organization="nope", no_progress=True)


def test_future_limit_is_one_year_from_now(org_a, kpi):
    ingest(org_a, [{**GOOD, "timestamp": (NOW + timedelta(days=364)).isoformat()}])
    assert Measurement.objects.count() == 1


row_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.decimals(allow_nan=True, allow_infinity=True, places=8),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        ["", " ", "3", " 3 ", "1e3", "nan", "-Infinity", "1,5", "x\x00", "99999999999999", "1e14"]
    ),
)
stamps = st.one_of(
    st.none(),
    st.integers(),
    st.sampled_from(
        [
            "",
            "2026-03-02",
            "2026-03-02T10:00:00Z",
            " 2026-03-02T10:00:00+05:30 ",
            "2026-03-02 10:00",
            "20260302",
            "2026-W10-1",
            "2026-02-30",
            "2027-12-31T00:00:00Z",
            "1899-12-31",
            "0001-01-01T00:00:00+14:00",
            "x",
            "2026-03-02\x00",
        ]
    ),
)
texts = st.one_of(
    st.none(),
    st.integers(),
    st.sampled_from(["", " ", "k", " k ", "k\x00", "n" * 501, "deals_won", " deals_won"]),
)
rows = st.one_of(
    st.fixed_dictionaries(
        {
            "kpi": st.sampled_from(["deals_won", " deals_won", "rate", "old", "nope", "", 5]),
            "timestamp": stamps,
            "value": row_values,
        },
        optional={"idempotency_key": texts, "note": texts, "colour": st.just("red")},
    ),
    st.just([1, 2]),
)


@pytest.fixture
def other_kpis(org_a):
    KpiFactory(organization=org_a, code="rate", formula="deals_won * 2")
    KpiFactory(organization=org_a, code="old", active=False)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(rows, max_size=6))
def test_fast_and_detailed_checks_agree(org_a, kpi, other_kpis, batch, monkeypatch):
    """Every row accepted by the fast path is accepted the same by the detailed checks, and vice versa."""
    fast = services.measurements_validate(organization=org_a, rows=batch, now=NOW)
    with monkeypatch.context() as patch:
        patch.setattr(ingestion, "_fast_row", lambda *args: None)
        detailed = services.measurements_validate(organization=org_a, rows=batch, now=NOW)
    assert fast[0] == detailed[0]
    assert sorted((e.row, e.field) for e in fast[1]) == sorted((e.row, e.field) for e in detailed[1])


def test_notes_and_keys_keep_tabs_newlines_and_backslashes(org_a, kpi):
    note, key = "line one\n\tline two \\ end", "a\\b\tc"
    ingest(org_a, [{**GOOD, "note": note, "idempotency_key": key}])
    stored = Measurement.objects.get()
    assert (stored.note, stored.idempotency_key) == (note, key)


def test_a_long_file_is_stored_in_batches_exactly_once(org_a, kpi):
    # Every other line has an idempotency key.
    lines = [f"deals_won,2026-03-02T10:00:00Z,{i},{f'key-{i}' if i % 2 else ''}" for i in range(12_345)]
    result = csv_import(org_a, "kpi,timestamp,value,idempotency_key\n" + "\n".join(lines) + "\n")
    assert (result.lines, result.created) == (12_345, 12_345)
    assert Measurement.objects.count() == 12_345
    assert sum(Measurement.objects.values_list("value", flat=True)) == sum(range(12_345))


def test_ambiguous_and_skipped_local_times_follow_the_documented_rule(org_a, kpi):
    org_a.time_zone = "Europe/Madrid"
    org_a.save()
    # 02:30 on 25 Oct 2026 happens twice (clocks go back at 03:00): the first, summer-time one counts.
    # 02:30 on 29 Mar 2026 never happens (clocks jump to 03:00): read with the offset before the change.
    ingest(
        org_a, [{**GOOD, "timestamp": "2026-10-25T02:30:00"}, {**GOOD, "timestamp": "2026-03-29T02:30:00"}]
    )
    assert sorted(Measurement.objects.values_list("timestamp", flat=True)) == [
        datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
    ]
