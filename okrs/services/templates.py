"""Objectives from the OKR guide's templates (okrs.okr_templates), written in the organization's language."""

from decimal import Decimal

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Organization, Team
from common.exceptions import ApplicationError
from okrs import okr_templates
from okrs.choices import KpiWindow, ObjectiveState
from okrs.models import Cycle, Objective, Priority
from okrs.services.objectives import key_result_create, objective_create
from okrs.services.progress import refresh_once


@transaction.atomic
def objective_from_template(
    *,
    organization: Organization,
    user,
    cycle: Cycle,
    template_key: str,
    priority: Priority | None = None,
    team: Team | None = None,
    owner=None,
    title: str | None = None,
    key_results: list[dict] | None = None,
) -> Objective:
    """Create the template's objective and key results in `cycle`, or return the one already created.

    Texts are rendered in the organization's language. Without a team or priority, the organization's
    team of the template's kind and the suggested priority (matched by its title) are used when they
    exist. `key_results` adapts the template's key results by key: {"key", "include", "title", "start",
    "target"}; a key result left out of the list is kept as the template has it. A key result whose
    template follows a catalog KPI the organization has (same unit) follows it at once.
    """
    if cycle.organization_id != organization.pk:
        raise ApplicationError(_("The cycle belongs to another organization."), field="cycle")
    template = okr_templates.BY_KEY.get(template_key)
    if template is None:
        message = _("There is no OKR template “%(key)s”.") % {"key": template_key}
        raise ApplicationError(message, field="template")
    existing = Objective.objects.filter(cycle=cycle, template_key=template_key).first()
    if existing is not None:
        return existing
    owner = owner or user
    with translation.override(organization.language):
        specs = _key_result_specs(template, key_results or [])
        with refresh_once():
            objective = objective_create(
                user=user,
                cycle=cycle,
                title=(title or "").strip() or str(template.title),
                so_what=str(template.so_what),
                outcome_kind=template.outcome_kind,
                owner=owner,
                team=team or _team_of_kind(organization, template.team_kind),
                priority=priority or _suggested_priority(organization, template.priority_key),
                state=ObjectiveState.DRAFT if organization.review_required else ObjectiveState.ACTIVE,
                position=okr_templates.TEMPLATE_KEYS.index(template_key),
                template_key=template_key,
            )
            kpis = _kpis_by_code(organization, [spec["kpi_code"] for spec in specs])
            for position, spec in enumerate(specs):
                kpi = kpis.get(spec.pop("kpi_code"))
                if kpi is not None and kpi.unit == spec["unit"]:
                    spec.update(kpi=kpi, kpi_window=KpiWindow.LATEST_PERIOD)
                key_result_create(objective=objective, user=user, owner=owner, position=position, **spec)
    objective.refresh_from_db()
    return objective


def _key_result_specs(template: okr_templates.ObjectiveTemplate, overrides: list[dict]) -> list[dict]:
    """The key results to create: the template's, adapted by the overrides, without excluded ones."""
    by_key = {override["key"]: override for override in overrides if "key" in override}
    unknown = set(by_key) - {kr.key for kr in template.key_results}
    if unknown:
        raise ApplicationError(
            _("Unknown key results for this template: %(keys)s.") % {"keys": ", ".join(sorted(unknown))},
            field="key_results",
        )
    specs = []
    for kr in template.key_results:
        override = by_key.get(kr.key, {})
        if not override.get("include", True):
            continue
        specs.append(
            {
                "title": (override.get("title") or "").strip() or str(kr.title),
                "kind": kr.kind,
                "unit": kr.unit,
                "start_value": Decimal(_given(override.get("start"), kr.start)),
                "target_value": Decimal(_given(override.get("target"), kr.target)),
                "kpi_code": kr.kpi_code,
            }
        )
    if not specs:
        raise ApplicationError(_("Keep at least one key result."), field="key_results")
    return specs


def _given(value, default):
    return default if value is None or value == "" else value


def _team_of_kind(organization: Organization, kind: str) -> Team | None:
    return Team.objects.filter(organization=organization, kind=kind).order_by("pk").first()


def _suggested_priority(organization: Organization, key: str) -> Priority | None:
    """The organization's priority titled as the suggestion (in its language), if it kept that title."""
    suggestion = okr_templates.priority_suggestion_get(key)
    return (
        Priority.objects.for_organization(organization)
        .filter(title__iexact=str(suggestion.title), active=True)
        .order_by("order", "pk")
        .first()
    )


def _kpis_by_code(organization: Organization, codes: list[str]) -> dict:
    # okrs sits below kpis: the organization's KPIs are reached through its reverse relation.
    wanted = [code for code in codes if code]
    return {kpi.code: kpi for kpi in organization.kpis.filter(code__in=wanted)} if wanted else {}
