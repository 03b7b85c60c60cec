"""The demo organization: Acme RevOps, its teams, people, priorities and this quarter's OKRs.

Idempotent: every row is looked up by its natural key before it is created, and the check-in
history is written only for key results that have none.
"""

import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_FLOOR, Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role, TeamKind
from accounts.models import Membership, Organization, Team
from okrs import okr_templates, services
from okrs.choices import CheckInSource, CycleState, KeyResultKind, ObjectiveState, Unit
from okrs.models import Cycle, KeyResult, KeyResultSnapshot, Objective, ObjectiveSnapshot, Priority
from okrs.services.progress import figures_apply, snapshot_rows

DEMO_SLUG = "acme-revops"
# The demo in another language is another organization, with its own people, next to the English one.
DEMO_LANGUAGES = {
    "en": {"slug": DEMO_SLUG, "name": "Acme RevOps", "currency": "USD", "time_zone": "UTC", "suffix": ""},
    "es": {
        "slug": "acme-revops-es",
        "name": "Acme RevOps (ES)",
        "currency": "EUR",
        "time_zone": "Europe/Madrid",
        "suffix": "-es",
    },
}
DEMO_USERS = [
    ("demo-admin", Role.ADMIN, "Ana", "Admin"),
    ("demo-editor", Role.EDITOR, "Eli", "Editor"),
    ("demo-viewer", Role.VIEWER, "Vic", "Viewer"),
]
TEAMS = [
    (_("Sales"), TeamKind.SALES),
    (_("Marketing"), TeamKind.MARKETING),
    (_("Customer Success"), TeamKind.CUSTOMER_SUCCESS),
    (_("Finance"), TeamKind.FINANCE),
    (_("RevOps"), TeamKind.REVOPS),
]
PRIORITIES = [
    (_("Sales efficiency"), _("Win more of the pipeline we already have, faster.")),
    (_("Customer retention and expansion"), _("Keep the customers we win and grow what they buy.")),
    (_("Operational excellence"), _("Run revenue processes with less manual work and lower cost.")),
    (_("Data-driven decisions"), _("Decide from trusted numbers, not anecdotes.")),
    (_("Market expansion"), _("Open new products, regions and partners as sources of revenue.")),
]
NOTES = [_("Weekly update."), _("Pipeline review."), _("Numbers from the CRM."), "", _("On plan.")]


@dataclass(frozen=True)
class DemoKeyResult:
    title: str
    kind: str
    unit: str
    start: str
    target: str
    pace: float  # how far along the expected line the history runs: >1 ahead, <1 behind
    last_check_in_days_ago: int = 2


# How the history of each template key result runs in the demo: (pace, days since the last check-in).
PACES = {
    "sales_efficiency": [(1.05, 2), (0.75, 2), (1.1, 2)],
    "retention_expansion": [(0.9, 2), (0.45, 2), (0.6, 20)],
    "revops_processes": [(1.2, 2), (0.85, 2), (1.0, 2)],
    "data_driven": [(0.95, 2), (0.3, 2), (1.0, 2)],
    "market_expansion": [(0.5, 2), (0.0, -1), (0.7, 2)],
}
# The demo team (by kind) and priority (by position in PRIORITIES) of each template.
PLACES = {
    "sales_efficiency": (TeamKind.SALES, 0),
    "retention_expansion": (TeamKind.CUSTOMER_SUCCESS, 1),
    "revops_processes": (TeamKind.REVOPS, 2),
    "data_driven": (TeamKind.FINANCE, 3),
    "market_expansion": (TeamKind.MARKETING, 4),
}


def demo_objectives() -> list[tuple]:
    """The five example objectives of the OKR guide (okrs.okr_templates) with the demo's history pace,
    rendered in the active language: (template key, title, team kind, priority index, outcome, so what,
    key results)."""
    objectives = []
    for template in okr_templates.TEMPLATES:
        key_results = [
            DemoKeyResult(str(kr.title), kr.kind, kr.unit, kr.start, kr.target, pace, days_ago)
            for kr, (pace, days_ago) in zip(template.key_results, PACES[template.key], strict=True)
        ]
        team_kind, priority = PLACES[template.key]
        objectives.append(
            (template.key, str(template.title), team_kind, priority, template.outcome_kind,
             str(template.so_what), key_results)
        )  # fmt: skip
    return objectives


@dataclass
class DemoResult:
    organization: Organization
    passwords: dict[str, str]
    created: bool


def current_quarter(today: date) -> tuple[str, date, date]:
    """The quarter of `today`: its name in the active language ("Q4 2026"), first and last day."""
    return okr_templates.quarter_of(today)


def demo_usernames(language: str = "en") -> list[str]:
    return [username + DEMO_LANGUAGES[language]["suffix"] for username, *_rest in DEMO_USERS]


@transaction.atomic
def demo_load(*, password: str | None = None, language: str = "en", extras: Sequence = ()) -> DemoResult:
    """Create or complete the demo organization's people and OKRs in `language` (its content written in that
    language); `extras(organization)` from the apps above (the KPIs) run before the figures are computed.

    Passwords are set for new users, or for all when given. The whole demo is onboarding.demo.demo_load.
    """
    spec = DEMO_LANGUAGES[language]
    defaults = {"name": spec["name"], "currency": spec["currency"], "fiscal_year_start_month": 1}
    if language != "en":
        defaults.update(language=language, time_zone=spec["time_zone"])
    organization, created = Organization.objects.get_or_create(slug=spec["slug"], defaults=defaults)
    with translation.override(organization.language):
        passwords = _users(organization, password, suffix=spec["suffix"])
        users = {m.user.username: m.user for m in organization.memberships.select_related("user")}
        admin, editor = users["demo-admin" + spec["suffix"]], users["demo-editor" + spec["suffix"]]
        cycle = _structure(organization, admin=admin, editor=editor, extras=extras)
    services.progress_recompute(organization_id=organization.pk)
    _backfill_snapshots(cycle)
    return DemoResult(organization=organization, passwords=passwords, created=created)


def _structure(organization: Organization, *, admin, editor, extras: Sequence = ()) -> Cycle:
    """Teams, priorities, the current quarter and its objectives, in the active language."""
    teams = {
        kind: Team.objects.get_or_create(organization=organization, name=str(name), defaults={"kind": kind})[
            0
        ]
        for name, kind in TEAMS
    }
    priorities = [
        Priority.objects.get_or_create(
            organization=organization,
            title=str(title),
            defaults={"description": str(text), "order": index, "owner": admin},
        )[0]
        for index, (title, text) in enumerate(PRIORITIES)
    ]
    name, start, end = current_quarter(timezone.localdate())
    cycle, _created = Cycle.objects.get_or_create(
        organization=organization,
        name=name,
        defaults={"start": start, "end": end, "state": CycleState.ACTIVE},
    )
    with services.refresh_once():
        for position, (key, title, team, priority, outcome, so_what, key_results) in enumerate(
            demo_objectives()
        ):
            objective = Objective.objects.filter(
                cycle=cycle, title=title
            ).first() or services.objective_create(
                cycle=cycle,
                title=title,
                so_what=so_what,
                outcome_kind=outcome,
                owner=admin,
                team=teams[team],
                priority=priorities[priority],
                state=ObjectiveState.ACTIVE,
                position=position,
                template_key=key,
            )
            for kr_position, spec in enumerate(key_results):
                _key_result(objective, spec, kr_position, owner=editor)
        for extra in extras:
            extra(organization)
    return cycle


def _users(organization: Organization, password: str | None, *, suffix: str = "") -> dict[str, str]:
    User = get_user_model()
    passwords = {}
    for base_username, role, first, last in DEMO_USERS:
        username = base_username + suffix
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@acme.example",
                "is_staff": role == Role.ADMIN,
            },
        )
        if created or password:
            passwords[username] = password or secrets.token_urlsafe(12)
            user.set_password(passwords[username])
            user.save()
        Membership.objects.get_or_create(user=user, organization=organization, defaults={"role": role})
    return passwords


def _key_result(objective: Objective, spec: DemoKeyResult, position: int, *, owner) -> KeyResult:
    key_result = KeyResult.objects.filter(objective=objective, title=spec.title).first()
    if key_result is None:
        key_result = services.key_result_create(
            objective=objective,
            title=spec.title,
            owner=owner,
            kind=spec.kind,
            unit=spec.unit,
            start_value=Decimal(spec.start),
            target_value=Decimal(spec.target),
            position=position,
        )
    if not key_result.check_ins.exists():
        _history(key_result, spec, author=owner)
    return key_result


def _history(key_result: KeyResult, spec: DemoKeyResult, *, author) -> None:
    """Weekly check-ins from the cycle start that follow the spec's pace, with some noise."""
    if spec.last_check_in_days_ago < 0:
        return  # a key result nobody has checked in yet: "not started"
    cycle = key_result.objective.cycle
    today = timezone.localdate()
    last_day = today - timedelta(days=spec.last_check_in_days_ago)
    rng = random.Random(f"{key_result.title}")
    start, target = Decimal(spec.start), Decimal(spec.target)
    days = [cycle.start + timedelta(days=d) for d in range(6, (last_day - cycle.start).days + 1, 7)] + [
        last_day
    ]
    length = (cycle.end - cycle.start).days + 1
    for day in sorted(set(d for d in days if cycle.start <= d <= last_day)):
        if spec.kind == KeyResultKind.KEEP_ABOVE:
            value = target + Decimal(str(round(rng.uniform(0.1, 1.2), 2)))
        else:
            share = min(spec.pace * ((day - cycle.start).days + 1) / length * rng.uniform(0.92, 1.05), 1.05)
            # Counts (regions, partnerships) move in whole steps; rates and amounts in hundredths.
            step = Decimal(1) if spec.unit == Unit.NUMBER else Decimal("0.01")
            value = (start + (target - start) * Decimal(str(round(share, 4)))).quantize(step, ROUND_FLOOR)
        moment = timezone.make_aware(datetime.combine(day, time(9 + rng.randint(0, 8), rng.randint(0, 59))))
        moment = min(moment, timezone.now() - timedelta(minutes=1))
        services.check_in_create(
            key_result=key_result,
            value=value,
            confidence=max(1, min(10, round(5 + 4 * (spec.pace - 0.7)))),
            note=str(rng.choice(NOTES)),
            author=author,
            source=CheckInSource.MANUAL,
            checked_in_at=moment,
        )


def _backfill_snapshots(cycle: Cycle) -> None:
    """Daily snapshots from the cycle start to yesterday, replayed from the check-in history.

    The recomputation writes one snapshot a day from now on; the demo also needs the days before it
    existed so that trend charts have a history. Each day applies the recomputation's own rules to the
    values known at the end of that day; nothing is saved but the snapshots, and existing rows are kept.
    """
    objectives = list(cycle.objectives.prefetch_related("key_results__check_ins"))
    objective_rows, kr_rows = [], []
    day = cycle.start
    while day < min(timezone.localdate(), cycle.end + timedelta(days=1)):
        end_of_day = timezone.make_aware(datetime.combine(day, time.max))
        for objective in objectives:
            key_results = list(objective.key_results.all())
            for kr in key_results:
                done = [c for c in kr.check_ins.all() if c.checked_in_at <= end_of_day]
                last = max(done, key=lambda c: c.checked_in_at, default=None)
                kr.current_value = last.value if last else kr.start_value
                kr.last_check_in_at = last.checked_in_at if last else None
        figures_apply(cycle, objectives, now=end_of_day)
        day_objectives, day_key_results = snapshot_rows(objectives, day=day)
        objective_rows += day_objectives
        kr_rows += day_key_results
        day += timedelta(days=1)
    KeyResultSnapshot.objects.bulk_create(kr_rows, ignore_conflicts=True, batch_size=1000)
    ObjectiveSnapshot.objects.bulk_create(objective_rows, ignore_conflicts=True, batch_size=1000)
