"""Pure rules of notifications: damping of statuses, and when a person's weekly digest is due."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from kpis.choices import KpiStatus
from okrs.choices import Status

# One evaluation per window: the interval of the periodic OKR recomputation (okrs.recompute_all), so
# each periodic run counts once, and every refresh by a write within the same window counts with it.
EVALUATION_WINDOW = timedelta(minutes=15)

ALERT = "alert"
CELEBRATION = "celebration"

# How bad a status is; an alert goes out when a settled status is worse than the one last told.
OKR_SEVERITY = {Status.AT_RISK: 1, Status.OFF_TRACK: 2}
KPI_SEVERITY = {KpiStatus.RED: 2}


def evaluation_window(now: datetime) -> datetime:
    """The start of the evaluation window `now` falls in (windows are aligned on the clock, in UTC)."""
    seconds = int(EVALUATION_WINDOW.total_seconds())
    stamp = int(now.timestamp())
    return datetime.fromtimestamp(stamp - stamp % seconds, tz=now.tzinfo or ZoneInfo("UTC"))


@dataclass(frozen=True)
class Damped:
    """A tracker's new fields after one observation, and the event to send (None, ALERT, CELEBRATION)."""

    notified_status: str
    candidate_status: str
    evaluations: int
    window_start: datetime
    alerted: bool
    event: str | None = None


def damp(
    *,
    notified_status: str | None,
    candidate_status: str | None,
    evaluations: int,
    window_start: datetime | None,
    alerted: bool,
    status: str,
    window: datetime,
    required: int,
    kpi: bool = False,
) -> Damped:
    """Observe `status` in evaluation window `window`.

    - The first observation of an object is its baseline: nothing is sent for what it already was.
    - A status different from the candidate becomes the candidate, seen once.
    - The same status seen in a later window counts one more evaluation; seen again in the same
      window, it counts nothing (a write and the periodic run of one window are one evaluation).
    - Once the candidate was seen in `required` consecutive evaluations (one for an achieved key result
      or objective) and differs from the status
      last told, it is told (if it is worth telling) and becomes the status last told: it is never
      told again until the status changes and settles again.
    """
    if notified_status is None:
        return Damped(status, status, required, window, alerted=kpi and status == KpiStatus.RED)
    if status != candidate_status:
        candidate_status, evaluations, window_start = status, 1, window
    elif window_start is None or window > window_start:
        evaluations, window_start = evaluations + 1, window
    # An achievement is not noise: it is celebrated at the first evaluation that sees it.
    needed = 1 if not kpi and candidate_status == Status.ACHIEVED else required
    if evaluations < needed or candidate_status == notified_status:
        return Damped(notified_status, candidate_status, evaluations, window_start, alerted)
    event = settled_event(previous=notified_status, status=candidate_status, alerted=alerted, kpi=kpi)
    if kpi:
        alerted = (alerted or event == ALERT) and candidate_status != KpiStatus.GREEN
    return Damped(candidate_status, candidate_status, evaluations, window_start, alerted, event)


def settled_event(*, previous: str, status: str, alerted: bool, kpi: bool) -> str | None:
    """What a change of settled status from `previous` to `status` is worth telling."""
    if kpi:
        if KPI_SEVERITY.get(status, 0) > KPI_SEVERITY.get(previous, 0):
            return ALERT
        if status == KpiStatus.GREEN and alerted:
            return CELEBRATION
        return None
    if status == Status.ACHIEVED:
        return CELEBRATION
    if OKR_SEVERITY.get(status, 0) > OKR_SEVERITY.get(previous, 0):
        return ALERT
    return None


def local_now(now: datetime, time_zone: str) -> datetime:
    try:
        zone = ZoneInfo(time_zone)
    except (ValueError, KeyError, OSError):
        zone = ZoneInfo("UTC")
    return now.astimezone(zone)


def digest_due(*, now: datetime, time_zone: str, weekday: int, hour: int) -> bool:
    """Whether the person's digest is due: their chosen day where they are, from their chosen hour on.

    The hourly run sends it in the chosen hour; later runs of the same day catch up on a missed run
    (the digest's key, one per local week, keeps it to one).
    """
    local = local_now(now, time_zone)
    return local.weekday() == weekday and local.hour >= hour


def digest_week(*, now: datetime, time_zone: str) -> str:
    """The person's local ISO week, e.g. "2026-W43": one digest per week, whatever runs twice."""
    year, week, _ = local_now(now, time_zone).isocalendar()
    return f"{year}-W{week:02d}"
