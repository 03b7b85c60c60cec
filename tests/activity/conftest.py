"""Helpers of the activity history tests."""

from activity import selectors, tracking
from activity.models import ActivityEntry
from tests.api.conftest import api_client, as_admin, as_viewer  # noqa: F401 (fixtures)


def entries_of(obj, action: str | None = None) -> list[ActivityEntry]:
    """The history entries of one object, oldest first, described as the API and pages show them."""
    tracked = tracking.for_model(type(obj))
    app_label, model = tracked.model_label.lower().split(".")
    found = ActivityEntry.objects.filter(
        content_type__app_label=app_label, content_type__model=model, object_id=obj.pk
    ).order_by("pk")
    if action is not None:
        found = found.filter(action={"create": 0, "update": 1, "delete": 2}[action])
    return selectors.entries_describe(entries=list(found))


def changes(entry) -> dict:
    return {change.field: [change.old, change.new] for change in entry.described}
