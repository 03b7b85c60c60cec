"""KPIs from the catalog (kpis.catalog), written in the organization's language."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Organization
from common.exceptions import ApplicationError
from kpis import catalog
from kpis.models import Kpi
from kpis.services.definitions import kpi_create


@transaction.atomic
def kpis_from_catalog(
    *, organization: Organization, user, codes: list[str], objectives: list | None = None
) -> list[Kpi]:
    """The organization's KPIs of these catalog codes, created where missing, linked to `objectives`.

    A KPI the organization already has (by code) is reused and never overwritten. A formula KPI also
    brings the KPIs its formula reads. Names and definitions are written in the organization's language.
    Returns the KPIs of `codes`, in their order.
    """
    _kpis_create(organization=organization, user=user, codes=codes)
    by_code = {kpi.code: kpi for kpi in Kpi.objects.for_organization(organization).filter(code__in=codes)}
    kpis = [by_code[code] for code in dict.fromkeys(codes)]
    if objectives:
        for kpi in kpis:
            kpi_objectives_add(kpi=kpi, objectives=objectives)
    return kpis


def catalog_load(*, organization: Organization) -> list[Kpi]:
    """Create every catalog KPI the organization does not have yet (by code); returns the new ones."""
    return _kpis_create(organization=organization, user=None, codes=[entry.code for entry in catalog.CATALOG])


def kpi_objectives_add(*, kpi: Kpi, objectives: list) -> None:
    """Mark the KPI as serving these objectives too (it keeps the ones it served)."""
    if any(objective.cycle.organization_id != kpi.organization_id for objective in objectives):
        raise ValidationError({"objectives": _("Every item must belong to the KPI's organization.")})
    kpi.objectives.add(*objectives)


@transaction.atomic
def _kpis_create(*, organization: Organization, user, codes: list[str]) -> list[Kpi]:
    unknown = sorted(set(codes) - set(catalog.BY_CODE))
    if unknown:
        raise ApplicationError(
            _("Unknown catalog KPIs: %(codes)s.") % {"codes": ", ".join(unknown)}, field="codes"
        )
    existing = set(Kpi.objects.for_organization(organization).values_list("code", flat=True))
    created = []
    with translation.override(organization.language):
        # Measured KPIs come first: formulas are validated against the KPIs they read (catalog formulas
        # read measured KPIs only).
        for entry in sorted(catalog.catalog_entries(codes), key=lambda entry: bool(entry.formula)):
            if entry.code in existing:
                continue
            created.append(
                kpi_create(
                    organization=organization,
                    code=entry.code,
                    name=str(entry.name),
                    family=entry.family,
                    unit=entry.unit,
                    direction=entry.direction,
                    cadence=entry.cadence,
                    aggregation=entry.aggregation,
                    description=str(entry.description),
                    formula=entry.formula,
                    benchmark=Decimal(entry.benchmark) if entry.benchmark else None,
                    owner=user,
                )
            )
    return created
