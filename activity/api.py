"""`/api/v1/activity/`: the organization's history of changes, read-only, newest first.

Every member reads it (webhook endpoints' entries are for organization admins only). An id of another
organization's object, like one that never existed, simply matches nothing: the list is empty.
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, serializers

from accounts.api import OrganizationViewSet
from activity import selectors, tracking
from activity.choices import ACTION_NUMBERS, Source
from activity.models import ActivityEntry
from common.people import person_name
from okrs.api.filters import IdFilter, TimeFilter


class ActorSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return person_name(user)


class ActivityEntrySerializer(serializers.Serializer):
    """One change: who (null for commands and background tasks), when, from where, and each field's
    value before and after. Foreign keys are given by the related object's name ("#id" once it is gone),
    choices by their label, decimals as text; a many-to-many field gives [removed, added]."""

    id = serializers.IntegerField(read_only=True)
    time = serializers.DateTimeField(source="timestamp", read_only=True)
    actor = ActorSerializer(read_only=True, allow_null=True)
    source = serializers.ChoiceField(choices=Source.choices, read_only=True)
    action = serializers.ChoiceField(choices=list(ACTION_NUMBERS), source="action_name", read_only=True)
    object_type = serializers.ChoiceField(choices=tracking.OBJECT_TYPES, read_only=True)
    object_id = serializers.IntegerField(read_only=True)
    object_repr = serializers.CharField(read_only=True, help_text="The object's name at the time.")
    changes = serializers.SerializerMethodField(
        help_text="Each changed field and its [old, new] values (null where there was none)."
    )

    def get_changes(self, entry) -> dict[str, list]:
        return {change.field: [change.old, change.new] for change in entry.described}


class ActivityFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        if cleaned.get("object_id") is not None and not cleaned.get("object_type"):
            self.add_error("object_id", _("Give object_type too: ids are unique within one type."))
        return cleaned


class ActivityFilter(django_filters.FilterSet):
    object_type = django_filters.ChoiceFilter(
        choices=[(name, name) for name in tracking.OBJECT_TYPES], method="filter_object_type"
    )
    object_id = IdFilter(field_name="object_id", label="With object_type: that object's entries.")
    objective = IdFilter(field_name="objective_id", label="An objective's entries and its key results'.")
    actor = IdFilter(field_name="actor_id", label="Changes made by this person (user id).")
    action = django_filters.ChoiceFilter(
        choices=[(name, name) for name in ACTION_NUMBERS], method="filter_action"
    )
    source = django_filters.ChoiceFilter(choices=Source.choices)
    since = TimeFilter(field_name="timestamp", lookup_expr="gte", label="At or after this time (ISO 8601)")
    until = TimeFilter(field_name="timestamp", lookup_expr="lt", label="Before this time (ISO 8601)")

    class Meta:
        model = ActivityEntry
        form = ActivityFilterForm
        fields = ["object_type", "object_id", "objective", "actor", "action", "source", "since", "until"]

    def filter_object_type(self, queryset, name, value):
        return queryset.filter(selectors.type_filter([value]))

    def filter_action(self, queryset, name, value):
        return queryset.filter(action=ACTION_NUMBERS[value])


class ActivityViewSet(OrganizationViewSet, mixins.ListModelMixin):
    """The history of changes to objectives, key results, KPIs, priorities, cycles, teams, memberships,
    the organization's settings and (for admins) webhook endpoints, from pages, API, admin and commands."""

    serializer_class = ActivityEntrySerializer
    filterset_class = ActivityFilter
    filter_backends = [DjangoFilterBackend]

    def get_queryset(self):
        membership = self.membership
        return selectors.entry_list(
            organization=self.organization, is_admin=bool(membership and membership.is_admin)
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else selectors.entries_describe(entries=list(page))
