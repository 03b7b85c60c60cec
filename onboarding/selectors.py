"""Reads of the guided start: the OKR templates and the KPI catalog against what an organization has."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from kpis import catalog
from kpis.choices import Family
from kpis.models import Kpi
from okrs import okr_templates
from okrs.models import Cycle, Objective

GROUPS = {"family": _("By family"), "objective": _("By objective"), "priority": _("By priority")}


@dataclass
class CatalogRow:
    entry: catalog.CatalogKpi
    kpi: Kpi | None  # the organization's KPI of this code, when it has one
    templates: list[okr_templates.ObjectiveTemplate]
    priorities: list[okr_templates.PrioritySuggestion]
    objectives: list[Objective]  # the cycle's objectives it would be linked to


@dataclass
class CatalogGroup:
    key: str
    title: str
    description: str = ""
    rows: list[CatalogRow] = field(default_factory=list)


def template_objectives(*, organization: Organization, cycle: Cycle | None) -> dict[str, Objective]:
    """Template key -> the objective created from it in `cycle` (one query)."""
    if cycle is None:
        return {}
    objectives = Objective.objects.for_organization(organization).filter(cycle=cycle).exclude(template_key="")
    return {objective.template_key: objective for objective in objectives.order_by("-pk")}


def catalog_rows(*, organization: Organization, cycle: Cycle | None) -> list[CatalogRow]:
    """Every catalog KPI with the organization's KPI of its code and the objectives it would serve."""
    kpis = {kpi.code: kpi for kpi in Kpi.objects.for_organization(organization).only("pk", "code", "name")}
    objectives = template_objectives(organization=organization, cycle=cycle)
    priorities = {priority.key: priority for priority in okr_templates.PRIORITIES}
    return [
        CatalogRow(
            entry=entry,
            kpi=kpis.get(entry.code),
            templates=[okr_templates.BY_KEY[key] for key in entry.templates],
            priorities=[priorities[key] for key in entry.priorities],
            objectives=[objectives[key] for key in entry.templates if key in objectives],
        )
        for entry in catalog.CATALOG
    ]


def catalog_groups(rows: list[CatalogRow], *, group: str) -> list[CatalogGroup]:
    """The rows in sections: by family (the KPI guide's four, operations last), by the OKR template
    they measure, or by the suggested priority they serve. A KPI appears in each section it serves."""
    if group == "objective":
        groups = [
            CatalogGroup(template.key, template.title, template.so_what)
            for template in okr_templates.TEMPLATES
        ]
        keys = lambda row: row.entry.templates  # noqa: E731
    elif group == "priority":
        groups = [
            CatalogGroup(priority.key, priority.title, priority.description)
            for priority in okr_templates.PRIORITIES
        ]
        keys = lambda row: row.entry.priorities  # noqa: E731
    else:
        groups = [CatalogGroup(family, Family(family).label) for family in catalog.FAMILIES]
        keys = lambda row: (row.entry.family,)  # noqa: E731
    by_key = {group.key: group for group in groups}
    for row in rows:
        for key in keys(row):
            by_key[key].rows.append(row)
    return [group for group in groups if group.rows]
