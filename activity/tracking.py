"""What the activity history records: the models it follows, their names in the API, the organization
(and objective) each entry belongs to, and the fields it leaves out.

Figures the recomputation writes (progress, status, attainment, scores of objectives…) are left out, so
that a refresh never adds to the history; so are a key result's current value and confidence, which
check-ins set and which the check-in history already records with their author and note.
"""

from dataclasses import dataclass

from django.apps import apps
from django.db import models

TIMESTAMPS = ("created_at", "updated_at")
HIDDEN = "********"


@dataclass(frozen=True)
class Tracked:
    """One followed model. `organization` and `objective` are lookups from an instance ("" for none)."""

    object_type: str
    model_label: str
    organization: str
    objective: str = ""
    exclude: tuple[str, ...] = ()
    m2m: tuple[str, ...] = ()
    mask: tuple[str, ...] = ()

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.model_label)

    @property
    def excluded(self) -> list[str]:
        return [*TIMESTAMPS, *self.exclude]


# Figures the recomputation derives (forecasts, data quality, trends): not edits anybody made.
OBJECTIVE_FORECAST = ("forecast_progress", "forecast_low", "forecast_high", "forecast_probability")
KEY_RESULT_FORECAST = ("forecast_value", "forecast_low", "forecast_high", "forecast_probability")
KPI_DERIVED = (
    "forecast_period_start",
    *KEY_RESULT_FORECAST,
    "quality_score",
    "quality_issues",
    "quality_checked_at",
    "trend",
    "trend_period_start",
    "contributions",
)

TRACKED = [
    Tracked(
        "objective",
        "okrs.Objective",
        organization="cycle__organization_id",
        objective="pk",
        exclude=(
            "position",
            "progress",
            "expected_progress",
            "status",
            "last_check_in_at",
            "closed_at",
            "score",
            *OBJECTIVE_FORECAST,
            "guardrail_breached",
            "movers",
        ),
    ),
    Tracked(
        "key_result",
        "okrs.KeyResult",
        organization="objective__cycle__organization_id",
        objective="objective_id",
        exclude=(
            "objective",
            "position",
            "current_value",
            "confidence",
            "attainment",
            "progress",
            "expected_progress",
            "status",
            "last_check_in_at",
            *KEY_RESULT_FORECAST,
            "guardrail_breached",
        ),
    ),
    Tracked(
        "kpi",
        "kpis.Kpi",
        organization="organization_id",
        exclude=("organization", "recompute_requested_at", "definition_changed_at", *KPI_DERIVED),
        m2m=("priorities", "objectives"),
    ),
    Tracked("priority", "okrs.Priority", organization="organization_id", exclude=("organization",)),
    Tracked(
        "cycle",
        "okrs.Cycle",
        organization="organization_id",
        exclude=("organization", "closed_at", "figures_updated_at"),
    ),
    Tracked("team", "accounts.Team", organization="organization_id", exclude=("organization",)),
    Tracked(
        "membership",
        "accounts.Membership",
        organization="organization_id",
        exclude=("organization",),
        m2m=("teams",),
    ),
    Tracked("organization", "accounts.Organization", organization="pk"),
    Tracked(
        "webhook_endpoint",
        "webhooks.WebhookEndpoint",
        organization="organization_id",
        exclude=("organization",),
        mask=("secret",),
    ),
]
OBJECT_TYPES = [tracked.object_type for tracked in TRACKED]
# Entries of these types are shown to organization admins only, as the objects themselves are.
ADMIN_ONLY_TYPES = {"webhook_endpoint"}


def hide(value: str) -> str:
    """A masked field (a webhook secret) is recorded as changed, never with its value."""
    return HIDDEN


def register_all() -> None:
    """Register every followed model with django-auditlog (called once, from ActivityConfig.ready)."""
    from auditlog.registry import auditlog

    for tracked in TRACKED:
        auditlog.register(
            tracked.model,
            exclude_fields=tracked.excluded,
            m2m_fields=set(tracked.m2m),
            mask_fields=list(tracked.mask),
            mask_callable="activity.tracking.hide" if tracked.mask else None,
        )


def for_model(model: type[models.Model]) -> Tracked | None:
    label = model._meta.label
    return next((tracked for tracked in TRACKED if tracked.model_label == label), None)


def for_type(object_type: str) -> Tracked:
    return next(tracked for tracked in TRACKED if tracked.object_type == object_type)


def lookup(instance: models.Model, path: str):
    """The value at `path` ("objective__cycle__organization_id") from an instance: read through related
    objects already loaded, and in one query from the first one that is not."""
    if not path:
        return None
    parts = path.split("__")
    obj = instance
    for index, name in enumerate(parts[:-1]):
        field = obj._meta.get_field(name)
        if not field.is_cached(obj):
            key = getattr(obj, field.attname)
            if key is None:
                return None
            rest = "__".join(parts[index + 1 :])
            manager = field.related_model._base_manager
            return manager.filter(pk=key).values_list(rest, flat=True).first()
        obj = getattr(obj, name)
        if obj is None:
            return None
    return getattr(obj, parts[-1])
