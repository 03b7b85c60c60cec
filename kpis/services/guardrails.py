"""Guardrails (counter-metrics) of key results: each write evaluates them at once."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kpis.models import Guardrail
from kpis.services.insights import guardrails_evaluate

EDITABLE = ["kpi", "comparison", "limit"]


def _validate(guardrail: Guardrail) -> None:
    organization_id = guardrail.key_result.objective.cycle.organization_id
    if guardrail.kpi_id and guardrail.kpi.organization_id != organization_id:
        raise ValidationError({"kpi": _("The KPI belongs to another organization.")})
    if guardrail.kpi_id and guardrail.key_result.kpi_id == guardrail.kpi_id:
        raise ValidationError(
            {"kpi": _("A guardrail watches another KPI than the one the key result follows.")}
        )
    guardrail.full_clean(exclude=["key_result"])


@transaction.atomic
def guardrail_create(*, key_result, **fields) -> Guardrail:
    """Pair a key result with a guardrail KPI and its limit; evaluated before this returns."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"Not editable fields of a guardrail: {', '.join(sorted(unknown))}")
    guardrail = Guardrail(key_result=key_result, **fields)
    _validate(guardrail)
    guardrail.save()
    guardrails_evaluate(organization=key_result.objective.cycle.organization)
    guardrail.refresh_from_db()
    return guardrail


@transaction.atomic
def guardrail_update(*, guardrail: Guardrail, **fields) -> Guardrail:
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"Not editable fields of a guardrail: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(guardrail, name, value)
    _validate(guardrail)
    guardrail.save()
    guardrails_evaluate(organization=guardrail.key_result.objective.cycle.organization)
    guardrail.refresh_from_db()
    return guardrail


@transaction.atomic
def guardrail_delete(*, guardrail: Guardrail) -> None:
    organization = guardrail.key_result.objective.cycle.organization
    guardrail.delete()
    guardrails_evaluate(organization=organization)
