"""Page timings: the overview, the alignment tree, the KPI scorecard and a trivial page.

`run(results, scale)` builds an organization of 20 priorities, 400 objectives, 1,600 key results and
200 KPIs (times `scale`), then records under `results["pages_ms"]` the median server time of 20
in-process requests to each page and under `results["pages_queries"]` each page's query count, and
under `results["page_weight_kb"]` the overview's first load over the wire (HTML, scripts, stylesheets,
compressed).
The organization and its people are deleted afterwards.
"""

import random
import statistics
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection, reset_queries, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from tqdm import tqdm

from accounts.choices import Role, TeamKind
from accounts.models import Membership, Organization, Team
from kpis.choices import Cadence, Direction, Family, KpiUnit, MeasurementSource, RunState
from kpis.models import Kpi, KpiRun, KpiValue, Measurement
from kpis.rules import kpi_status
from okrs import services
from okrs.choices import CycleState, KeyResultKind, ObjectiveState, OutcomeKind, Unit
from okrs.demo import current_quarter
from okrs.models import Cycle, KeyResult, Objective, Priority

REQUESTS = 20
PAGES = {
    "overview": "dashboards:overview",
    "alignment": "dashboards:alignment",
    "scorecard": "dashboards:kpi-scorecard",
    "trivial": "dashboards:help",
}
SIZES = {"priorities": 20, "objectives": 400, "key_results_per_objective": 4, "kpis": 200}
KPI_PERIODS = 12


@dataclass
class BenchOrganization:
    organization: Organization
    viewer: object
    people: list

    def delete(self) -> None:
        self.organization.delete()
        get_user_model().objects.filter(pk__in=[person.pk for person in self.people]).delete()


def run(results: dict, scale: float = 1.0) -> None:
    """Build the organization, time each page, record the figures, delete the organization."""
    bench = organization_build(scale=scale)
    try:
        client = Client(HTTP_HOST="localhost")
        client.force_login(bench.viewer)
        timings, queries = {}, {}
        for name, url_name in tqdm(PAGES.items(), desc="pages", unit="page"):
            timings[name], queries[name] = _measure(client, reverse(url_name))
        results["pages_ms"] = timings
        results["pages_queries"] = queries
        results["page_weight_kb"] = page_weight_kb(client, reverse(PAGES["overview"]))
    finally:
        bench.delete()


def page_weight_kb(client: Client, url: str) -> float:
    """What a first load of the page costs over the wire, in KB: its HTML and every script and stylesheet
    it references, each gzip-compressed as whitenoise serves them (images and fonts are not counted)."""
    import gzip
    import re

    from django.contrib.staticfiles import finders

    html = client.get(url).content
    total = len(gzip.compress(html))
    for path in set(re.findall(rb'(?:src|href)="/static/([^"?#]+\.(?:js|css))', html)):
        found = finders.find(path.decode())
        if found:
            with open(found, "rb") as asset:
                total += len(gzip.compress(asset.read()))
    return round(total / 1024, 1)


def _measure(client: Client, url: str) -> tuple[float, int]:
    response = client.get(url)  # warm-up: template loading and the first connection are not timed
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}; the benchmark needs a working page.")
    reset_queries()  # with DEBUG on, a full query log would make the count read 0
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    # Read now: the next requests reset the query log that `captured` slices.
    query_count = len(captured)
    durations = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        client.get(url)
        durations.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(durations), 1), query_count


@transaction.atomic
def organization_build(*, scale: float = 1.0, seed: int = 7) -> BenchOrganization:
    """An organization of the benchmark's size, with stored progress, roll-ups and KPI values."""
    rng = random.Random(seed)
    sizes = {key: max(1, round(value * scale)) for key, value in SIZES.items()}
    sizes["key_results_per_objective"] = SIZES["key_results_per_objective"]
    suffix = uuid.uuid4().hex[:8]
    organization = Organization.objects.create(name=f"Bench {suffix}", slug=f"bench-{suffix}")
    people = _people(organization, suffix, count=20)
    teams = Team.objects.bulk_create(
        Team(organization=organization, name=f"Team {i + 1}", kind=rng.choice(TeamKind.values))
        for i in range(10)
    )
    name, start, end = current_quarter(timezone.localdate())
    cycle = Cycle.objects.create(
        organization=organization, name=name, start=start, end=end, state=CycleState.ACTIVE
    )
    priorities = Priority.objects.bulk_create(
        Priority(organization=organization, title=f"Priority {i + 1}", order=i)
        for i in range(sizes["priorities"])
    )
    objectives = _objectives(rng, cycle, priorities, teams, people, count=sizes["objectives"])
    _key_results(rng, objectives, people, per_objective=sizes["key_results_per_objective"])
    _kpis(rng, organization, teams, people, objectives, priorities, count=sizes["kpis"])
    services.progress_recompute(organization_id=organization.pk)
    viewer = people[0]
    Membership.objects.filter(organization=organization, user=viewer).update(role=Role.VIEWER)
    return BenchOrganization(organization=organization, viewer=viewer, people=people)


def _people(organization, suffix: str, *, count: int) -> list:
    User = get_user_model()
    users = User.objects.bulk_create(
        User(username=f"bench-{suffix}-{i}", first_name=f"Person {i}", last_name="Bench")
        for i in range(count)
    )
    Membership.objects.bulk_create(
        Membership(user=u, organization=organization, role=Role.EDITOR) for u in users
    )
    return users


def _objectives(rng, cycle, priorities, teams, people, *, count: int) -> list[Objective]:
    """A quarter of the objectives align to a priority directly; the others cascade from one of them."""

    def build(i, priority, parent=None):
        return Objective(
            cycle=cycle,
            title=f"Objective {i + 1}",
            so_what="More revenue from the same pipeline.",
            outcome_kind=rng.choice(OutcomeKind.values),
            owner=rng.choice(people),
            team=rng.choice(teams),
            state=ObjectiveState.ACTIVE,
            priority=priority,
            parent=parent,
            position=i,
        )

    root_count = max(1, count // 4)
    roots = Objective.objects.bulk_create(
        build(i, priorities[i % len(priorities)]) for i in range(root_count)
    )
    children = Objective.objects.bulk_create(
        build(i, parent.priority, parent)
        for i, parent in ((i, rng.choice(roots)) for i in range(root_count, count))
    )
    return roots + children


def _key_results(rng, objectives, people, *, per_objective: int) -> None:
    now = timezone.now()
    rows = []
    for objective in objectives:
        for position in range(per_objective):
            checked = rng.random() > 0.1
            rows.append(
                KeyResult(
                    objective=objective,
                    title=f"{objective.title}: key result {position + 1}",
                    owner=rng.choice(people),
                    kind=KeyResultKind.INCREASE,
                    unit=rng.choice(Unit.values),
                    start_value=Decimal(0),
                    target_value=Decimal(100),
                    current_value=Decimal(rng.randint(0, 100)) if checked else Decimal(0),
                    due_date=objective.cycle.end,
                    position=position,
                    last_check_in_at=now - timedelta(days=rng.randint(0, 25)) if checked else None,
                )
            )
    KeyResult.objects.bulk_create(rows, batch_size=500)


def _kpis(rng, organization, teams, people, objectives, priorities, *, count: int) -> None:
    today = timezone.localdate()
    kpis = Kpi.objects.bulk_create(
        Kpi(
            organization=organization,
            code=f"kpi_{i + 1}",
            name=f"KPI {i + 1}",
            family=Family.values[i % len(Family.values)],
            unit=rng.choice(KpiUnit.values),
            direction=Direction.HIGHER_IS_BETTER if i % 3 else Direction.LOWER_IS_BETTER,
            cadence=Cadence.MONTHLY,
            target=Decimal(100),
            warning_threshold=Decimal(90) if i % 3 else Decimal(110),
            critical_threshold=Decimal(75) if i % 3 else Decimal(125),
            benchmark=Decimal(95),
            owner=rng.choice(people),
            team=rng.choice(teams),
        )
        for i in range(count)
    )
    values, measurements = [], []
    for kpi in kpis:
        kpi_values, kpi_measurements = _kpi_history(rng, organization, kpi, today)
        values += kpi_values
        measurements += kpi_measurements
    KpiValue.objects.bulk_create(values, batch_size=1000)
    Measurement.objects.bulk_create(measurements, batch_size=1000)
    KpiRun.objects.create(
        organization=organization,
        state=RunState.SUCCEEDED,
        full=True,
        finished_at=timezone.now(),
        kpis_recomputed=len(kpis),
        periods_recomputed=len(values),
    )
    links = Kpi.objectives.through
    links.objects.bulk_create(
        links(kpi_id=kpi.pk, objective_id=rng.choice(objectives).pk) for kpi in kpis[: len(kpis) // 2]
    )
    priority_links = Kpi.priorities.through
    priority_links.objects.bulk_create(
        priority_links(kpi_id=kpi.pk, priority_id=rng.choice(priorities).pk) for kpi in kpis[: len(kpis) // 4]
    )


def _kpi_history(rng, organization, kpi, today) -> tuple[list, list]:
    """KPI_PERIODS monthly values (with status and change) and five recent measurements of one KPI."""
    values, previous = [], None
    for month in range(KPI_PERIODS - 1, -1, -1):
        value = Decimal(rng.randint(60, 130))
        status = kpi_status(
            value=value,
            direction=kpi.direction,
            target=kpi.target,
            warning=kpi.warning_threshold,
            critical=kpi.critical_threshold,
        )
        values.append(
            KpiValue(
                kpi=kpi,
                period_start=_month_start(today, months_back=month),
                value=value,
                measurement_count=1,
                status=status,
                previous_value=previous,
                change=None if previous is None else value - previous,
            )
        )
        previous = value
    measurements = [
        Measurement(
            organization=organization,
            kpi=kpi,
            timestamp=timezone.now() - timedelta(days=d),
            value=Decimal(rng.randint(60, 130)),
            source=MeasurementSource.API,
        )
        for d in range(5)
    ]
    return values, measurements


def _month_start(today, *, months_back: int):
    index = today.year * 12 + today.month - 1 - months_back
    return today.replace(year=index // 12, month=index % 12 + 1, day=1)
