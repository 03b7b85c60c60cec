"""Validation of measurements: one path for the API, the CSV page, the admin and the command."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from accounts.models import Organization
from common.exceptions import ApplicationError
from common.timezones import zone_or_utc
from kpis.models import Kpi

MAX_ROWS = 10_000
FIELDS = ("kpi", "timestamp", "value", "idempotency_key", "note")
FIELD_SET = frozenset(FIELDS)
REQUIRED = ("kpi", "timestamp", "value")
MAX_ABS = Decimal(10) ** 14
QUANTUM = Decimal("0.000001")
MAX_FUTURE = timedelta(days=365)
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
MAX_KEY_LENGTH = 128
MAX_NOTE_LENGTH = 500


@dataclass(frozen=True)
class RowError:
    """One problem of one row: `row` is the index in a request, or the line number of a CSV file."""

    row: int
    field: str
    message: str

    def as_dict(self, key: str = "index") -> dict:
        return {key: self.row, "field": self.field, "message": self.message}


@dataclass(frozen=True)
class CleanRow:
    row: int
    kpi_id: int
    timestamp: datetime
    value: Decimal
    idempotency_key: str | None
    note: str

    def content(self) -> tuple:
        return (self.kpi_id, self.timestamp, self.value, self.note)


class MeasurementsInvalid(ApplicationError):
    """Some rows are invalid; `errors` lists every one of them. Nothing was stored."""

    def __init__(self, errors: list[RowError], message: str | None = None):
        super().__init__(message or _("Some measurements are invalid; nothing was stored."), field="rows")
        self.errors = errors


def _text(raw, *, required: bool, max_length: int) -> tuple[str | None, str | None]:
    """A cleaned string (or None when absent), or an error message."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None, (_("This field is required.") if required else None)
    if not isinstance(raw, str):
        return None, _("Must be text.")
    if "\x00" in raw:
        return None, _("Contains a NUL character, which cannot be stored.")
    raw = raw.strip()
    if len(raw) > max_length:
        return None, _("At most %(n)d characters.") % {"n": max_length}
    return raw, None


def clean_value(raw) -> tuple[Decimal | None, str | None]:
    """A decimal with at most 14 digits before the point, rounded to 6 after; or an error message."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None, _("This field is required.")
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal | str):
        return None, _("Must be a number.")
    if isinstance(raw, str) and "\x00" in raw:
        return None, _("Contains a NUL character, which cannot be stored.")
    if isinstance(raw, float) and not math.isfinite(raw):
        return None, _("NaN and infinity are not numbers that can be stored.")
    try:
        value = (
            Decimal(repr(raw))
            if isinstance(raw, float)
            else Decimal(raw.strip() if isinstance(raw, str) else raw)
        )
    except (InvalidOperation, ValueError):
        return None, _("“%(value)s” is not a number.") % {"value": str(raw)[:40]}
    if not value.is_finite():
        return None, _("NaN and infinity are not numbers that can be stored.")
    if value.copy_abs() >= MAX_ABS:  # copy_abs: abs() would round, and overflow on 1E+999999999
        return None, _("Too large: values must be smaller than 10^14 in magnitude.")
    return value.quantize(QUANTUM, rounding=ROUND_HALF_EVEN), None


def clean_timestamp(raw, *, zone: ZoneInfo, now: datetime) -> tuple[datetime | None, str | None]:
    """An aware UTC datetime. A timestamp without a time zone (or a bare date) is read in `zone`."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None, _("This field is required.")
    if isinstance(raw, str):
        if "\x00" in raw:
            return None, _("Contains a NUL character, which cannot be stored.")
        text = raw.strip()
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            parsed = None
        try:
            if parsed is None:
                parsed = parse_datetime(text)
            if parsed is None and (day := parse_date(text)) is not None:
                parsed = datetime.combine(day, time.min)
        except ValueError:
            parsed = None
        if parsed is None:
            return None, _(
                "“%(value)s” is not a date and time; use ISO 8601, e.g. 2026-03-31T17:00:00+02:00."
            ) % {"value": text[:40]}
    elif isinstance(raw, datetime):
        parsed = raw
    elif isinstance(raw, date):
        parsed = datetime.combine(raw, time.min)
    else:
        return None, _("Must be a date and time in ISO 8601 text.")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    try:
        moment = parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None, _("Out of range.")
    if moment > now + MAX_FUTURE:
        return None, _("More than a year in the future.")
    if moment < EARLIEST:
        return None, _("Before 1900; check the date.")
    return moment, None


def measurements_validate(
    *,
    organization: Organization,
    rows: Sequence,
    now: datetime | None = None,
    seen_keys: dict | None = None,
    row_number=lambda index: index,
) -> tuple[list[CleanRow], list[RowError]]:
    """Validate a batch of measurement rows (dicts); return the clean rows and every error.

    A KPI is looked up by code within the organization only: another organization's code is unknown.
    `row_number` turns a position in `rows` into what errors report (an index, a CSV line number).
    """
    now = now or timezone.now()
    zone = zone_or_utc(organization.time_zone)
    kpis = _kpis_by_code(organization, rows)
    usable = {code: pk for code, (pk, active, is_formula) in kpis.items() if active and not is_formula}
    latest = now + MAX_FUTURE
    seen_keys = {} if seen_keys is None else seen_keys
    clean, errors = [], []
    for index, row in enumerate(rows):
        number = row_number(index)
        fast = _fast_row(row, usable, zone, latest)
        if fast is not None and (fast[3] is None or fast[3] not in seen_keys):
            if fast[3] is not None:
                seen_keys[fast[3]] = number
            clean.append(CleanRow(number, *fast))
            continue
        row_clean, row_errors = _detailed_row(row, number, kpis=kpis, zone=zone, now=now, seen_keys=seen_keys)
        errors.extend(row_errors)
        if row_clean is not None:
            clean.append(row_clean)
    return clean, errors


def _detailed_row(row, number, *, kpis, zone, now, seen_keys) -> tuple[CleanRow | None, list[RowError]]:
    """Check every field of one row and say what is wrong with each: the path of rows the fast one refused."""
    if not isinstance(row, dict):
        return None, [RowError(number, "non_field_errors", _("Each measurement must be an object."))]
    errors = [
        RowError(
            number,
            str(name)[:50],
            _("Unknown field; expected one of: %(fields)s.") % {"fields": ", ".join(FIELDS)},
        )
        for name in row
        if name not in FIELDS
    ]
    kpi_id, message = _kpi_id(row.get("kpi"), kpis)
    if message:
        errors.append(RowError(number, "kpi", message))
    moment, message = clean_timestamp(row.get("timestamp"), zone=zone, now=now)
    if message:
        errors.append(RowError(number, "timestamp", message))
    value, message = clean_value(row.get("value"))
    if message:
        errors.append(RowError(number, "value", message))
    key, message = _text(row.get("idempotency_key"), required=False, max_length=MAX_KEY_LENGTH)
    if message:
        errors.append(RowError(number, "idempotency_key", message))
    elif key is not None:
        if key in seen_keys:
            message = _("This idempotency key is used twice in the same upload (first at %(at)s).")
            errors.append(RowError(number, "idempotency_key", message % {"at": seen_keys[key]}))
        else:
            seen_keys[key] = number
    note, message = _text(row.get("note"), required=False, max_length=MAX_NOTE_LENGTH)
    if message:
        errors.append(RowError(number, "note", message))
    if errors:
        return None, errors
    return CleanRow(number, kpi_id, moment, value, key, note or ""), []


def _fast_row(row, usable: dict, zone, latest: datetime) -> tuple | None:
    """The common well-formed row, checked without building messages (a large share of the time of a
    big batch). It accepts exactly what the detailed checks accept; anything else returns None and
    goes through them, which say what is wrong."""
    if type(row) is not dict or not row.keys() <= FIELD_SET:
        return None
    code, stamp, value = row.get("kpi"), row.get("timestamp"), row.get("value")
    key, note = row.get("idempotency_key"), row.get("note")
    if type(code) is not str or type(stamp) is not str or "\x00" in stamp:
        return None
    kpi_id = usable.get(code)
    if kpi_id is None:
        return None
    try:
        moment = datetime.fromisoformat(stamp)
        moment = (moment if moment.tzinfo else moment.replace(tzinfo=zone)).astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    if not EARLIEST <= moment <= latest:
        return None
    kind = type(value)
    if kind is str and "\x00" not in value or kind is int or kind is Decimal:
        try:
            number = Decimal(value)
        except (InvalidOperation, ValueError):
            return None
    else:
        return None
    if not number.is_finite() or number.copy_abs() >= MAX_ABS:
        return None
    if key is not None:
        if type(key) is not str or "\x00" in key:
            return None
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            return None
    if note is not None:
        if type(note) is not str or "\x00" in note:
            return None
        note = note.strip()
        if len(note) > MAX_NOTE_LENGTH:
            return None
    return kpi_id, moment, number.quantize(QUANTUM, rounding=ROUND_HALF_EVEN), key, note or ""


def _kpis_by_code(organization, rows) -> dict[str, tuple[int, bool, bool]]:
    raw = [row.get("kpi") for row in rows if type(row) is dict]  # a list: a code may be an unhashable {}
    codes = {code.strip() for code in raw if type(code) is str and "\x00" not in code and len(code) <= 60}
    if not codes:
        return {}
    found = Kpi.objects.for_organization(organization).filter(code__in=codes)
    return {
        code: (pk, active, bool(formula))
        for code, pk, active, formula in found.values_list("code", "pk", "active", "formula")
    }


def _kpi_id(raw, kpis) -> tuple[int | None, str | None]:
    code, message = _text(raw, required=True, max_length=60)
    if message:
        return None, message
    if code not in kpis:
        return None, _("Unknown KPI code “%(code)s”.") % {"code": code}
    pk, active, is_formula = kpis[code]
    if is_formula:
        return None, _("“%(code)s” is computed from a formula; send measurements of its inputs.") % {
            "code": code
        }
    if not active:
        return None, _("“%(code)s” is archived; reactivate it to record new measurements.") % {"code": code}
    return pk, None
