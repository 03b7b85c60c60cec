"""Reading the activity history: one organization's entries, filtered, and made readable.

Entries store values as they were (ids, choice keys, numbers as text); `entries_describe` turns them
into what a person reads (names, labels) in one query per kind of related object on the page, however
many entries it shows.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q, QuerySet

from accounts.models import Organization
from activity import tracking
from activity.choices import ACTION_NAMES
from activity.models import ActivityEntry
from common.people import person_name
from kpis.models import Kpi
from okrs.models import Objective

TIMELINE_LENGTH = 100


def type_filter(object_types) -> Q:
    query = Q(pk__in=[])
    for object_type in object_types:
        app_label, model = tracking.for_type(object_type).model_label.lower().split(".")
        query |= Q(content_type__app_label=app_label, content_type__model=model)
    return query


def entry_list(
    *,
    organization: Organization | None,
    is_admin: bool = False,
    object_type: str | None = None,
    object_id: int | None = None,
) -> QuerySet[ActivityEntry]:
    """An organization's history, newest first; webhook endpoints' entries for its admins only."""
    if organization is None:
        return ActivityEntry.objects.none()
    visible = [t for t in tracking.OBJECT_TYPES if is_admin or t not in tracking.ADMIN_ONLY_TYPES]
    types = [object_type] if object_type else visible
    entries = (
        ActivityEntry.objects.filter(organization=organization, action__in=list(ACTION_NAMES))
        .filter(type_filter(t for t in types if t in visible))
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")
    )
    if object_id is not None:
        entries = entries.filter(object_id=object_id)
    return entries


def objective_timeline(*, organization: Organization, objective_id: int) -> list:
    """The latest changes of an objective and of its key results (deleted ones too), described."""
    entries = entry_list(organization=organization).filter(objective_id=objective_id)
    return entries_describe(entries=list(entries[:TIMELINE_LENGTH]))


def kpi_timeline(*, organization: Organization, kpi_id: int) -> list:
    """The latest changes of a KPI's definition, described."""
    entries = entry_list(organization=organization, object_type="kpi", object_id=kpi_id)
    return entries_describe(entries=list(entries[:TIMELINE_LENGTH]))


def subject_get(*, organization: Organization, target: str, pk: int):
    """The objective or KPI of a timeline in the organization, or None (deleted, or another's)."""
    if target == "objective":
        return Objective.objects.for_organization(organization).filter(pk=pk).first()
    return Kpi.objects.filter(organization=organization, pk=pk).first()


@dataclass
class Change:
    """One field of an entry: its name, its label, and its values before and after, readable."""

    field: str
    label: str
    old: object
    new: object
    many: bool = False  # a many-to-many field: `old` lists what was removed, `new` what was added


def entries_describe(*, entries: list[ActivityEntry]) -> list[ActivityEntry]:
    """Give each entry `object_type`, `action_name` and `described` (a list of Change), naming related
    objects with one query per related model."""
    wanted = defaultdict(set)
    for entry in entries:
        model = entry.content_type.model_class()
        for name, values in (entry.changes or {}).items():
            field = _field(model, name)
            if field is not None and field.many_to_one:
                wanted[field.related_model].update(v for v in values if isinstance(v, int))
    names = {model: _names(model, ids) for model, ids in wanted.items()}
    for entry in entries:
        model = entry.content_type.model_class()
        tracked = tracking.for_model(model) if model else None
        entry.object_type = tracked.object_type if tracked else entry.content_type.model
        entry.action_name = ACTION_NAMES.get(entry.action, "update")
        entry.object_label = model._meta.verbose_name if model else entry.content_type.model
        # In the model's field order: PostgreSQL's jsonb keeps no order of its own.
        ordered = sorted((entry.changes or {}).items(), key=lambda item: _position(model, item[0]))
        entry.described = [_change(model, name, values, names) for name, values in ordered]
    return entries


def _position(model, name: str) -> int:
    names = [field.name for field in model._meta.get_fields()] if model else []
    return names.index(name) if name in names else len(names)


def _names(model, ids) -> dict:
    if model is get_user_model():
        return {user.pk: person_name(user) for user in model.objects.filter(pk__in=ids)}
    return {obj.pk: str(obj) for obj in model._base_manager.filter(pk__in=ids)}


def _field(model, name):
    try:
        return model._meta.get_field(name) if model else None
    except FieldDoesNotExist:
        return None


def _change(model, name, values, names) -> Change:
    field = _field(model, name)
    label = str(getattr(field, "verbose_name", name)) if field is not None else name
    if isinstance(values, dict):  # many-to-many: django-auditlog records what was added or removed
        objects = values.get("objects", [])
        added = values.get("operation") == "add"
        return Change(name, label, [] if added else objects, objects if added else [], many=True)
    old, new = (values + [None, None])[:2] if isinstance(values, list) else (None, values)
    return Change(name, label, _readable(field, old, names), _readable(field, new, names))


def _readable(field, value, names):
    if value is None or field is None:
        return value
    if field.many_to_one:
        return names.get(field.related_model, {}).get(value, f"#{value}")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    internal = field.get_internal_type()
    if internal == "DecimalField":
        return _plain_number(value)
    if internal == "DateTimeField":
        try:
            return datetime.fromisoformat(str(value)).isoformat(timespec="seconds")
        except ValueError:
            return value
    return value


def _plain_number(value) -> str:
    """ "12.5000" → "12.5", "20.0000" → "20"."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = f"{number.normalize():f}"
    return text
