"""The organization's activity history in an export, and back in an import with every id remapped.

History rows come last in the file, after every row they may point at:

    {"model": "activity.activityentry", "fields": {"content_type": "okrs.objective", "object_id": 12,
     "action": 1, "changes": {"owner": ["ana", "eli"], "team": ["3", "4"]}, "actor": "ana", ...}}

On import an entry keeps its time, action, text and author; its object, objective and the ids inside
its changes (foreign keys: team, parent, priority, cycle, KPI…) point at the new rows. An entry about an
object that no longer exists (deleted before the export) keeps its text with no object link. A foreign
key to a person is recorded by auditlog as the user's id: it is exported as the username and mapped back.
"""

from collections.abc import Callable, Iterator

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from activity.models import ActivityEntry
from activity.tracking import TRACKED

LABEL = "activity.activityentry"
TRACKED_LABELS = {tracked.model_label.lower() for tracked in TRACKED}
FIELDS = [
    "object_repr",
    "action",
    "changes_text",
    "actor_email",
    "cid",
    "remote_addr",
    "remote_port",
    "timestamp",
    "additional_data",
    "source",
]


def history_rows(organization, username: Callable[[int], str]) -> Iterator[dict]:
    """The organization's entries, oldest first, with ids as in this installation."""
    entries = (
        ActivityEntry.objects.filter(organization_id=organization.pk)
        .select_related("content_type")
        .order_by("timestamp", "pk")
    )
    for entry in entries.iterator(chunk_size=2000):
        label = f"{entry.content_type.app_label}.{entry.content_type.model}"
        fields = {name: getattr(entry, name) for name in FIELDS}
        fields.update(
            content_type=label,
            object_id=entry.object_id,
            objective_id=entry.objective_id,
            actor=username(entry.actor_id) if entry.actor_id else None,
            changes=_changes_out(label, entry.changes, username),
        )
        yield {"model": LABEL, "pk": entry.pk, "fields": fields}


def history_entry(row: dict, *, organization, pks: dict[str, dict[int, int]], user_pk: Callable[[str], int]):
    """An unsaved entry of the imported organization, its ids mapped through `pks` (label → old → new)."""
    values = row["fields"]
    label = values["content_type"]
    app_label, model_name = label.split(".")
    content_type = ContentType.objects.get_by_natural_key(app_label, model_name)
    object_id = pks.get(label, {}).get(values.get("object_id"))
    entry = ActivityEntry(
        organization_id=organization.pk,
        content_type=content_type,
        object_id=object_id,
        object_pk=str(object_id) if object_id is not None else "",
        objective_id=pks.get("okrs.objective", {}).get(values.get("objective_id")),
        actor_id=user_pk(values["actor"]) if values.get("actor") else None,
        changes=_changes_in(label, values.get("changes"), pks, user_pk),
        **{name: values.get(name) for name in FIELDS},
    )
    if isinstance(entry.timestamp, str):
        entry.timestamp = ActivityEntry._meta.get_field("timestamp").to_python(entry.timestamp)
    return entry


def _foreign_keys(label: str) -> dict:
    """The model's foreign keys by name: the field, to read what its values in `changes` point at."""
    try:
        model = apps.get_model(label)
    except LookupError:
        return {}
    return {f.name: f for f in model._meta.concrete_fields if f.is_relation and f.many_to_one}


def _changes_out(label: str, changes, username: Callable[[int], str]):
    if not isinstance(changes, dict):
        return changes
    users = {name for name, f in _foreign_keys(label).items() if f.related_model is get_user_model()}
    out = {}
    for name, pair in changes.items():
        people = name in users and isinstance(pair, list)
        out[name] = [_user_out(value, username) for value in pair] if people else pair
    return out


def _changes_in(label: str, changes, pks, user_pk):
    if not isinstance(changes, dict):
        return changes
    keys = _foreign_keys(label)
    mapped = {}
    for name, pair in changes.items():
        f = keys.get(name)
        if f is None or not isinstance(pair, list):
            mapped[name] = pair
        elif f.related_model is get_user_model():
            mapped[name] = [_user_in(value, user_pk) for value in pair]
        else:
            target = pks.get(f.related_model._meta.label_lower, {})
            mapped[name] = [_id_in(value, target) for value in pair]
    return mapped


def _id_in(value, target: dict[int, int]):
    """An id recorded as text or number, mapped to the new row's id (unchanged if that row is gone)."""
    if value is None or not str(value).isdigit() or int(value) not in target:
        return value
    new = target[int(value)]
    return str(new) if isinstance(value, str) else new


def _user_out(value, username):
    if value is None or not str(value).isdigit():
        return value
    try:
        return {"username": username(int(value))}
    except get_user_model().DoesNotExist:
        return value


def _user_in(value, user_pk):
    if isinstance(value, dict) and "username" in value:
        return str(user_pk(value["username"]))
    return value
