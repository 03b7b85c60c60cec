"""Export one organization to JSON Lines and import such a file into any installation, ids remapped.

The format, one JSON object per line:

    {"format": "rumbo-organization", "version": 1}
    {"model": "auth.user", "username": "ana", "email": "...", "first_name": "...", "last_name": "..."}
    {"model": "okrs.objective", "pk": 12, "fields": {"cycle": 3, "owner": "ana", "title": "...", ...}}
    {"end": true, "rows": 1234}

Models come in dependency order, so every reference points at a row already read. A foreign key to a
user holds the username; a foreign key to another exported row holds that row's id in the source
installation, which the import maps to the new id; many-to-many fields are lists of such values.
Both directions stream: the export reads in chunks with iterator(), the import inserts in batches and
keeps only the id maps of models that later rows refer to, so a year of measurements never sits in memory.
"""

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, time

from auditlog.context import disable_auditlog
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from accounts.models import Organization
from common.exceptions import ApplicationError
from portability import history

FORMAT = "rumbo-organization"
VERSION = 1
CHUNK = 2000

# (model label, lookup from the model to its organization), in dependency order.
MODELS: tuple[tuple[str, str], ...] = (
    ("accounts.organization", "pk"),
    ("accounts.team", "organization"),
    ("accounts.membership", "organization"),
    ("okrs.cycle", "organization"),
    ("okrs.priority", "organization"),
    ("okrs.objective", "cycle__organization"),
    ("kpis.kpi", "organization"),
    ("okrs.keyresult", "objective__cycle__organization"),
    ("okrs.checkin", "key_result__objective__cycle__organization"),
    ("okrs.objectivestatechange", "objective__cycle__organization"),
    ("okrs.objectivereviewer", "objective__cycle__organization"),
    ("okrs.reviewrequest", "objective__cycle__organization"),
    ("okrs.reviewdecision", "objective__cycle__organization"),
    ("okrs.keyresultsnapshot", "key_result__objective__cycle__organization"),
    ("okrs.objectivesnapshot", "objective__cycle__organization"),
    ("okrs.rollup", "cycle__organization"),
    ("kpis.measurement", "organization"),
    ("kpis.kpivalue", "kpi__organization"),
    ("comments.comment", "organization"),
)
EXPORTED = {label for label, _ in MODELS}


def _model(label: str) -> type[models.Model]:
    return apps.get_model(label)


def _user_model() -> type[models.Model]:
    return get_user_model()


def _is_user(related: type[models.Model]) -> bool:
    return related is _user_model()


def _relations(model: type[models.Model]) -> tuple[list[models.Field], list[models.Field]]:
    """The model's concrete fields (pk excluded) and its many-to-many fields."""
    concrete = [f for f in model._meta.concrete_fields if not f.primary_key]
    many = list(model._meta.many_to_many)
    for f in concrete + many:
        target = f.related_model
        if target is not None and not _is_user(target) and target._meta.label_lower not in EXPORTED:
            raise ImproperlyExportable(f"{model._meta.label}.{f.name} refers to an unexported model.")
    return concrete, many


class ImproperlyExportable(Exception):
    """A model refers to a model the export does not carry: the list above needs updating."""


# Export ---------------------------------------------------------------------------------------------


def organization_export(
    *, organization: Organization, progress: Callable[[str], None] | None = None
) -> Iterator[str]:
    """The organization as JSON lines (each ending with a newline), produced a chunk at a time."""
    yield _dump({"format": FORMAT, "version": VERSION})
    usernames = dict(
        _user_model().objects.filter(memberships__organization=organization).values_list("pk", "username")
    )
    users = _user_model().objects.filter(memberships__organization=organization).order_by("pk")
    for user in users.iterator(chunk_size=CHUNK):
        yield _dump(_user_row(user))
    rows = 0
    for label, lookup in MODELS:
        count = 0
        for row in _rows(label, lookup, organization, usernames):
            count += 1
            yield _dump(row)
        rows += count
        if progress:
            progress(f"{label}: {count}")
    count = 0
    for row in history.history_rows(organization, lambda pk: _username(pk, usernames)):
        count += 1
        yield _dump(row)
    rows += count
    if progress:
        progress(f"{history.LABEL}: {count}")
    yield _dump({"end": True, "rows": rows})


def _user_row(user) -> dict:
    return {
        "model": "auth.user",
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
    }


def _rows(label: str, lookup: str, organization: Organization, usernames: dict[int, str]) -> Iterator[dict]:
    model = _model(label)
    concrete, many = _relations(model)
    queryset = model._base_manager.filter(**{lookup: organization.pk}).order_by("pk")
    if many:
        queryset = queryset.prefetch_related(*(f.name for f in many))
    for obj in queryset.iterator(chunk_size=CHUNK):
        fields = {f.name: _value(f, obj, usernames) for f in concrete}
        for f in many:
            related = getattr(obj, f.name).all()
            if _is_user(f.related_model):
                fields[f.name] = sorted(_username(user.pk, usernames) for user in related)
            else:
                fields[f.name] = sorted(item.pk for item in related)
        yield {"model": label, "pk": obj.pk, "fields": fields}


def _value(f: models.Field, obj: models.Model, usernames: dict[int, str]):
    value = getattr(obj, f.attname)
    if f.is_relation and value is not None and _is_user(f.related_model):
        return _username(value, usernames)
    if f.is_relation:
        return value
    return f.value_from_object(obj)


def _username(pk: int, usernames: dict[int, str]) -> str:
    # Someone who left the organization may still own rows: look them up once.
    if pk not in usernames:
        usernames[pk] = _user_model().objects.values_list("username", flat=True).get(pk=pk)
    return usernames[pk]


class _Encoder(DjangoJSONEncoder):
    """Django's encoder, with times to the microsecond (it cuts them to milliseconds)."""

    def default(self, o):
        if isinstance(o, datetime | time):
            return o.isoformat()
        return super().default(o)


def _dump(row: dict) -> str:
    return json.dumps(row, cls=_Encoder, ensure_ascii=False, sort_keys=True) + "\n"


# Import ---------------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    organization: Organization
    rows: int = 0
    users_created: list[str] = field(default_factory=list)


@dataclass
class _Batch:
    label: str
    objects: list[models.Model] = field(default_factory=list)
    old_pks: list[int] = field(default_factory=list)
    many: list[dict] = field(default_factory=list)


@transaction.atomic
def organization_import(
    *, lines: Iterable[str], slug: str | None = None, progress: Callable[[str], None] | None = None
) -> ImportResult:
    """Create a new organization from an export; refused if its slug is taken. All or nothing."""
    importer = _Importer(slug=slug, progress=progress or (lambda message: None))
    # The history comes from the file: the import itself writes none (saving the organization and its
    # people would otherwise add entries dated today).
    with disable_auditlog():
        return importer.run(lines)


class _Importer:
    def __init__(self, *, slug: str | None, progress: Callable[[str], None]):
        self.slug = slug
        self.progress = progress
        self.users: dict[str, int] = {}
        self.pks: dict[str, dict[int, int]] = {}  # label -> old pk -> new pk, for referenced models only
        self.referenced = _referenced_models()
        self.deferred: list[tuple[type[models.Model], int, str, int]] = []  # self references
        self.batch: _Batch | None = None
        self.counts: dict[str, int] = {}
        self.result: ImportResult | None = None
        self.users_created: list[str] = []
        self.ended = False

    def run(self, lines: Iterable[str]) -> ImportResult:
        lines = iter(lines)
        header = json.loads(next(lines, "{}") or "{}")
        if header.get("format") != FORMAT or header.get("version") != VERSION:
            raise ApplicationError(f"This is not a {FORMAT} file of version {VERSION}.")
        for number, line in enumerate(lines, start=2):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise ApplicationError(f"Line {number} is not JSON: {error}.") from error
            try:
                self._row(row)
            except (KeyError, TypeError, AttributeError) as error:
                raise ApplicationError(f"Line {number} is not a row of this format ({error!r}).") from error
        if not self.ended:
            raise ApplicationError("The file ends early: it has no end line, so it was cut short.")
        self._flush()
        self._resolve_deferred()
        return self.result

    def _row(self, row: dict) -> None:
        if row.get("end"):
            self.ended = True
            return
        label = row["model"]
        if label == "auth.user":
            self._user(row)
            return
        if label == history.LABEL:
            self._history(row)
            return
        if label not in EXPORTED:
            raise ApplicationError(f"Unknown model {label!r} in the file.")
        if self.batch and (self.batch.label != label or len(self.batch.objects) >= CHUNK):
            self._flush()
        if label == "accounts.organization":
            self._organization(row)
            return
        if self.result is None:
            raise ApplicationError("The organization must come before its rows.")
        self.batch = self.batch or _Batch(label)
        model = _model(label)
        obj, many = self._build(model, row)
        self.batch.objects.append(obj)
        self.batch.old_pks.append(row["pk"])
        self.batch.many.append(many)

    def _history(self, row: dict) -> None:
        if self.result is None:
            raise ApplicationError("The organization must come before its history.")
        if self.batch and self.batch.label != history.LABEL:
            self._flush()
        if self.batch and len(self.batch.objects) >= CHUNK:
            self._flush()
        self.batch = self.batch or _Batch(history.LABEL)
        entry = history.history_entry(
            row, organization=self.result.organization, pks=self.pks, user_pk=self._user_pk
        )
        self.batch.objects.append(entry)
        self.batch.old_pks.append(row["pk"])
        self.batch.many.append({})

    def _user(self, row: dict) -> None:
        user_model = _user_model()
        user = user_model.objects.filter(username=row["username"]).first()
        if user is None:
            user = user_model(
                username=row["username"],
                email=row.get("email", ""),
                first_name=row.get("first_name", ""),
                last_name=row.get("last_name", ""),
            )
            user.set_unusable_password()
            user.save()
            self.users_created.append(user.username)
        self.users[user.username] = user.pk

    def _organization(self, row: dict) -> None:
        model = _model("accounts.organization")
        obj, _many = self._build(model, row)
        if self.slug:
            obj.slug = self.slug
        if model.objects.filter(slug=obj.slug).exists():
            raise ApplicationError(
                f"An organization with the slug {obj.slug!r} exists; choose another with --slug."
            )
        obj.full_clean()
        stamps = _stamps(model, [obj])
        obj.save()
        _restore_stamps(model, [obj], stamps)
        self.pks["accounts.organization"] = {row["pk"]: obj.pk}
        self.result = ImportResult(organization=obj, rows=1, users_created=self.users_created)

    def _build(self, model: type[models.Model], row: dict) -> tuple[models.Model, dict]:
        concrete, many = _relations(model)
        values = row["fields"]
        obj = model()
        for f in concrete:
            if f.name not in values:
                continue
            value = values[f.name]
            if f.is_relation:
                value = self._reference(model, f, value, row["pk"])
                setattr(obj, f.attname, value)
            else:
                setattr(obj, f.attname, f.to_python(value))
        return obj, {f.name: values.get(f.name, []) for f in many}

    def _reference(self, model, f, value, old_pk):
        if value is None:
            return None
        if _is_user(f.related_model):
            return self._user_pk(value)
        target = f.related_model._meta.label_lower
        if f.related_model is model:
            self.deferred.append((model, old_pk, f.attname, value))
            return None
        try:
            return self.pks[target][value]
        except KeyError as error:
            raise ApplicationError(
                f"{model._meta.label_lower} {old_pk} refers to a missing {target} {value}."
            ) from error

    def _user_pk(self, username: str) -> int:
        if username not in self.users:
            # Owners of rows who are no longer members are not listed as users: create them too.
            self._user({"username": username})
        return self.users[username]

    def _flush(self) -> None:
        batch, self.batch = self.batch, None
        if not batch:
            return
        model = _model(batch.label)
        stamps = _stamps(model, batch.objects)
        created = model._default_manager.bulk_create(batch.objects)
        _restore_stamps(model, created, stamps)
        if (
            batch.label in self.referenced
            or batch.label in history.TRACKED_LABELS
            or any(f.related_model is model for f in model._meta.concrete_fields)
        ):
            mapping = self.pks.setdefault(batch.label, {})
            mapping.update(zip(batch.old_pks, (obj.pk for obj in created), strict=True))
        self._set_many(model, created, batch.many)
        self.counts[batch.label] = self.counts.get(batch.label, 0) + len(created)
        self.result.rows += len(created)
        # Every batch, so a long import of measurements shows it is moving.
        self.progress(f"{batch.label}: {self.counts[batch.label]}")

    def _set_many(self, model, created, many_rows) -> None:
        for f in model._meta.many_to_many:
            through = f.remote_field.through
            source, target = f.m2m_field_name(), f.m2m_reverse_field_name()
            links = []
            for obj, many in zip(created, many_rows, strict=True):
                for value in many.get(f.name, []):
                    if _is_user(f.related_model):
                        target_pk = self._user_pk(value)
                    else:
                        target_pk = self.pks[f.related_model._meta.label_lower][value]
                    links.append(through(**{f"{source}_id": obj.pk, f"{target}_id": target_pk}))
            through.objects.bulk_create(links)

    def _resolve_deferred(self) -> None:
        for model, old_pk, attname, old_target in self.deferred:
            mapping = self.pks[model._meta.label_lower]
            model._default_manager.filter(pk=mapping[old_pk]).update(**{attname: mapping[old_target]})


def _stamped(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]


def _stamps(model: type[models.Model], objs: list[models.Model]) -> list[list]:
    return [[getattr(obj, f.attname) for f in _stamped(model)] for obj in objs]


def _restore_stamps(model: type[models.Model], objs: list[models.Model], stamps: list[list]) -> None:
    """Put the exported times back: auto_now and auto_now_add overwrite them on insert."""
    fields = _stamped(model)
    if not fields or not objs:
        return
    for obj, values in zip(objs, stamps, strict=True):
        for f, value in zip(fields, values, strict=True):
            setattr(obj, f.attname, value)
    model._default_manager.bulk_update(objs, [f.name for f in fields], batch_size=500)


def _referenced_models() -> set[str]:
    """Labels of exported models that other exported rows point at: only their id maps are kept."""
    referenced = set()
    for label, _lookup in MODELS:
        model = _model(label)
        for f in list(model._meta.concrete_fields) + list(model._meta.many_to_many):
            if f.is_relation and f.related_model is not None and not _is_user(f.related_model):
                referenced.add(f.related_model._meta.label_lower)
    return referenced
