"""Writes of KPI definitions: validation of formulas, thresholds and ownership within one organization."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization
from kpis import formulas, rules
from kpis.models import Kpi
from kpis.services.scheduling import kpi_refresh_after_commit

# The fields a KPI definition can be given, in the order the API shows them.
EDITABLE = [
    "code",
    "name",
    "family",
    "description",
    "unit",
    "direction",
    "cadence",
    "aggregation",
    "formula",
    "target",
    "warning_threshold",
    "critical_threshold",
    "baseline",
    "benchmark",
    "owner",
    "team",
    "active",
]
RELATIONS = {"priorities", "objectives"}
# Changing one of these changes what the KPI's history means (kpis.quality reports it).
DEFINITION_FIELDS = {"formula", "aggregation", "cadence"}


def kpi_formula_errors(*, organization: Organization, kpi: Kpi) -> dict:
    """Problems of this KPI's formula against the organization's other KPIs (empty when fine).

    Checks the syntax, that every code exists, that inputs share the formula's cadence, that no
    cycle appears among the organization's formulas, and that a renamed code is not used elsewhere.
    """
    others = {
        other.code: other
        for other in Kpi.objects.for_organization(organization).only("pk", "code", "formula", "cadence")
        if other.pk != kpi.pk
    }
    errors = {}
    if kpi.pk is not None:
        old_code = Kpi.objects.filter(pk=kpi.pk).values_list("code", flat=True).first()
        users = sorted(code for code, other in others.items() if other.formula and old_code in _refs(other))
        if old_code != kpi.code and users:
            errors["code"] = _("The code “%(code)s” is used in the formulas of: %(users)s.") % {
                "code": old_code,
                "users": ", ".join(users),
            }
    if not kpi.formula:
        return errors
    try:
        references = formulas.references(formulas.parse(kpi.formula))
    except formulas.FormulaError as error:
        return {**errors, "formula": str(error)}
    if kpi.code in references:
        return {**errors, "formula": _("A formula cannot use its own KPI (%(code)s).") % {"code": kpi.code}}
    unknown = sorted(references - set(others))
    if unknown:
        return {**errors, "formula": _("Unknown KPI codes: %(codes)s.") % {"codes": ", ".join(unknown)}}
    mismatched = sorted(code for code in references if others[code].cadence != kpi.cadence)
    if mismatched:
        return {
            **errors,
            "formula": _("Inputs must have the formula's cadence (%(cadence)s): %(codes)s differ.")
            % {"cadence": kpi.cadence, "codes": ", ".join(mismatched)},
        }
    graph = {code: _refs(other) for code, other in others.items() if other.formula}
    graph[kpi.code] = references
    try:
        formulas.dependency_order(graph)
    except formulas.FormulaError as error:
        errors["formula"] = str(error)
    return errors


def _refs(kpi: Kpi) -> set[str]:
    try:
        return formulas.references(formulas.parse(kpi.formula))
    except formulas.FormulaError:
        return set()


def kpi_validate(*, kpi: Kpi) -> None:
    """Field validation plus the rules that need other rows; raises ValidationError naming the fields."""
    errors = {}
    try:
        kpi.full_clean(validate_constraints=False)
    except ValidationError as error:
        errors.update(error.message_dict)
    organization = kpi.organization
    if (
        "code" not in errors
        and Kpi.objects.filter(organization=organization, code=kpi.code).exclude(pk=kpi.pk).exists()
    ):
        errors["code"] = _("Another KPI of this organization already has the code “%(code)s”.") % {
            "code": kpi.code
        }
    errors.update(
        rules.threshold_errors(
            direction=kpi.direction, warning=kpi.warning_threshold, critical=kpi.critical_threshold
        )
    )
    if kpi.team_id and kpi.team.organization_id != organization.pk:
        errors["team"] = _("The team belongs to another organization.")
    if kpi.owner_id and not kpi.owner.memberships.filter(organization=organization).exists():
        errors["owner"] = _("The owner is not a member of this organization.")
    if "code" not in errors and "formula" not in errors:
        errors.update(kpi_formula_errors(organization=organization, kpi=kpi))
    if errors:
        raise ValidationError(errors)


def _set_relations(kpi: Kpi, relations: dict) -> None:
    errors = {}
    for name, items in relations.items():
        items = list(items)
        organization_ids = {
            item.organization_id if name == "priorities" else item.cycle.organization_id for item in items
        }
        if organization_ids - {kpi.organization_id}:
            errors[name] = _("Every item must belong to the KPI's organization.")
            continue
        getattr(kpi, name).set(items)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def kpi_create(*, organization: Organization, **fields) -> Kpi:
    """Create a KPI; a recomputation of its organization starts seconds after the commit."""
    relations = {name: fields.pop(name) for name in RELATIONS & set(fields)}
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"Not editable fields of a KPI: {', '.join(sorted(unknown))}")
    kpi = Kpi(organization=organization, **fields)
    kpi_validate(kpi=kpi)
    kpi.recompute_requested_at = timezone.now()
    kpi.save()
    _set_relations(kpi, relations)
    kpi_refresh_after_commit(kpi.organization_id)
    return kpi


@transaction.atomic
def kpi_update(*, kpi: Kpi, **fields) -> Kpi:
    """Change a KPI's definition; its periods are all recomputed seconds after the commit (history kept)."""
    relations = {name: fields.pop(name) for name in RELATIONS & set(fields)}
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"Not editable fields of a KPI: {', '.join(sorted(unknown))}")
    redefined = any(
        name in DEFINITION_FIELDS and getattr(kpi, name) != value for name, value in fields.items()
    )
    for name, value in fields.items():
        setattr(kpi, name, value)
    kpi_validate(kpi=kpi)
    kpi.recompute_requested_at = timezone.now()
    if redefined:
        kpi.definition_changed_at = kpi.recompute_requested_at
    kpi.save()
    _set_relations(kpi, relations)
    kpi_refresh_after_commit(kpi.organization_id)
    return kpi
