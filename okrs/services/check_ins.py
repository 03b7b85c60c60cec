"""Check-ins: the only way a key result's current value changes."""

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.exceptions import ApplicationError
from okrs import lifecycle, rules, signals
from okrs.choices import CheckInSource
from okrs.models import CheckIn, KeyResult
from okrs.services.guards import cycle_lock, ensure_cycle_open
from okrs.services.progress import progress_refresh


@transaction.atomic
def check_in_create(
    *,
    key_result: KeyResult,
    value: Decimal,
    confidence: int,
    author=None,
    note: str = "",
    source: str = CheckInSource.MANUAL,
    checked_in_at: datetime | None = None,
) -> CheckIn:
    """Record a check-in; the latest one sets the key result's current value and confidence.

    The key result, its objective and the team and priority roll-ups of its cycle are right when
    this returns.
    """
    cycle_id = KeyResult.objects.filter(pk=key_result.pk).values_list("objective__cycle_id", flat=True).get()
    cycle = cycle_lock(cycle_id)
    key_result = KeyResult.objects.select_for_update().select_related("objective").get(pk=key_result.pk)
    ensure_cycle_open(cycle)
    objective = key_result.objective
    if objective.state not in lifecycle.CHECK_IN_STATES:
        raise ApplicationError(
            _("Check-ins are taken on active objectives; “%(objective)s” is %(state)s.")
            % {"objective": objective.title, "state": objective.get_state_display().lower()}
        )
    if key_result.kpi_id and source != CheckInSource.KPI_SYNC:
        raise ApplicationError(
            _("This key result follows a KPI; its value comes from the KPI."), field="value"
        )
    error = rules.check_in_value_error(kind=key_result.kind, value=Decimal(value))
    if error:
        raise ApplicationError(_(error), field="value")
    check_in = CheckIn(
        key_result=key_result,
        value=value,
        confidence=confidence,
        note=note,
        author=author,
        source=source,
        checked_in_at=checked_in_at or timezone.now(),
        previous_value=key_result.current_value,
    )
    check_in.full_clean()
    check_in.save()
    if key_result.last_check_in_at is None or check_in.checked_in_at >= key_result.last_check_in_at:
        key_result.current_value = check_in.value
        key_result.confidence = check_in.confidence
        key_result.last_check_in_at = check_in.checked_in_at
        key_result.save(update_fields=["current_value", "confidence", "last_check_in_at", "updated_at"])
    progress_refresh(cycle_ids=[cycle.pk])
    check_in.key_result.refresh_from_db()
    signals.check_in_created.send(sender=CheckIn, check_in=check_in, organization_id=cycle.organization_id)
    return check_in
