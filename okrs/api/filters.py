"""Query-string filters of the OKR resources (django-filter). Ids are bounded integers, so a huge or
malformed id is a 400 naming the parameter, never a database error."""

from datetime import UTC, timedelta

import django_filters
from django import forms
from django_filters.fields import IsoDateTimeField
from drf_spectacular.utils import extend_schema_field

from accounts.models import Team
from okrs.choices import CheckInSource, CycleState, KeyResultKind, ObjectiveState, Status
from okrs.models import CheckIn, Cycle, KeyResult, Objective, Priority

MAX_ID = 2**63 - 1


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


# The UTC offsets of the world's time zones; ISO 8601 allows up to ±23:59, which no place uses.
MIN_OFFSET = timedelta(hours=-12)
MAX_OFFSET = timedelta(hours=14)


def _offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


class BoundedIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 time with a real UTC offset that must also exist in UTC (year 9999 at -12:00 does
    not), given in UTC."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        offset = value.utcoffset()
        if offset is not None and not MIN_OFFSET <= offset <= MAX_OFFSET:
            raise forms.ValidationError(
                "The UTC offset %(offset)s is out of range: offsets go from -12:00 to +14:00.",
                code="offset",
                params={"offset": _offset_text(offset)},
            )
        # In UTC, because PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 allows.
        try:
            return value.astimezone(UTC)
        except OverflowError as error:
            raise forms.ValidationError("The time is out of range.", code="overflow") from error


class TimeFilter(django_filters.IsoDateTimeFilter):
    field_class = BoundedIsoDateTimeField


class UpdatedSinceFilterSet(django_filters.FilterSet):
    updated_since = TimeFilter(
        field_name="updated_at", lookup_expr="gte", label="Changed at or after this time (ISO 8601)"
    )


class TeamFilter(UpdatedSinceFilterSet):
    kind = django_filters.ChoiceFilter(choices=Team._meta.get_field("kind").choices)
    parent = IdFilter(field_name="parent_id")

    class Meta:
        model = Team
        fields = ["kind", "parent", "updated_since"]


class CycleFilter(UpdatedSinceFilterSet):
    state = django_filters.ChoiceFilter(choices=CycleState.choices)

    class Meta:
        model = Cycle
        fields = ["state", "updated_since"]


class PriorityFilter(UpdatedSinceFilterSet):
    owner = IdFilter(field_name="owner_id")
    active = django_filters.BooleanFilter()

    class Meta:
        model = Priority
        fields = ["owner", "active", "updated_since"]


class ObjectiveFilter(UpdatedSinceFilterSet):
    cycle = IdFilter(field_name="cycle_id")
    team = IdFilter(field_name="team_id")
    owner = IdFilter(field_name="owner_id")
    priority = IdFilter(field_name="priority_id")
    parent = IdFilter(field_name="parent_id")
    status = django_filters.ChoiceFilter(choices=Status.choices)
    state = django_filters.ChoiceFilter(choices=ObjectiveState.choices)

    class Meta:
        model = Objective
        fields = ["cycle", "team", "owner", "priority", "parent", "status", "state", "updated_since"]


class KeyResultFilter(UpdatedSinceFilterSet):
    cycle = IdFilter(field_name="objective__cycle_id")
    objective = IdFilter(field_name="objective_id")
    team = IdFilter(field_name="objective__team_id")
    priority = IdFilter(field_name="objective__priority_id")
    owner = IdFilter(field_name="owner_id")
    status = django_filters.ChoiceFilter(choices=Status.choices)
    kind = django_filters.ChoiceFilter(choices=KeyResultKind.choices)

    class Meta:
        model = KeyResult
        fields = ["cycle", "objective", "team", "priority", "owner", "status", "kind", "updated_since"]


class CheckInFilter(UpdatedSinceFilterSet):
    key_result = IdFilter(field_name="key_result_id")
    objective = IdFilter(field_name="key_result__objective_id")
    cycle = IdFilter(field_name="key_result__objective__cycle_id")
    team = IdFilter(field_name="key_result__objective__team_id")
    author = IdFilter(field_name="author_id")
    source = django_filters.ChoiceFilter(choices=CheckInSource.choices)
    checked_in_since = TimeFilter(field_name="checked_in_at", lookup_expr="gte")

    class Meta:
        model = CheckIn
        fields = ["key_result", "objective", "cycle", "team", "author", "source", "checked_in_since"]
