from auditlog.diff import get_field_value, is_primitive
from auditlog.models import AbstractLogEntry, LogEntryManager
from django.db import models
from django.utils.encoding import smart_str
from django.utils.translation import gettext_lazy as _

from activity import context, tracking
from activity.choices import Source


def _full_state(instance, tracked: tracking.Tracked) -> dict:
    """Every recorded field of an object with a value, as stored in an entry's changes."""
    state = {}
    for field in instance._meta.concrete_fields:
        if field.primary_key or field.name in tracked.excluded:
            continue
        value = get_field_value(instance, field, use_json_for_changes=True)
        if value is None or value == "" or value == []:
            continue
        if field.name in tracked.mask:
            value = tracking.hide(value)
        state[field.name] = value if is_primitive(value) else smart_str(value)
    return state


class ActivityEntryManager(LogEntryManager):
    """django-auditlog's manager, stamping each entry with its organization, objective, source and actor.

    A creation records every field given a value, and a deletion every field's last value (django-auditlog
    alone leaves out the fields that hold their default), so a deleted object's history shows what it was.
    """

    def _stamp(self, instance, kwargs: dict) -> dict:
        tracked = tracking.for_model(type(instance))
        source, actor = context.source_and_actor()
        kwargs.setdefault("source", source)
        if actor is not None:
            kwargs.setdefault("actor", actor)
            kwargs.setdefault("actor_email", actor.email or None)
        if tracked is not None:
            kwargs.setdefault("organization_id", tracking.lookup(instance, tracked.organization))
            kwargs.setdefault("objective_id", tracking.lookup(instance, tracked.objective))
        return kwargs

    def log_create(self, instance, force_log: bool = False, **kwargs):
        tracked = tracking.for_model(type(instance))
        action = kwargs.get("action")
        if tracked is not None and kwargs.get("changes") and action == self.model.Action.CREATE:
            kwargs["changes"] = {
                name: [None, value] for name, value in _full_state(instance, tracked).items()
            }
        elif tracked is not None and kwargs.get("changes") is not None and action == self.model.Action.DELETE:
            kwargs["changes"] = {
                name: [value, None] for name, value in _full_state(instance, tracked).items()
            }
        return super().log_create(instance, force_log=force_log, **self._stamp(instance, kwargs))

    def log_m2m_changes(self, changed_queryset, instance, operation, field_name, **kwargs):
        kwargs = self._stamp(instance, kwargs)
        return super().log_m2m_changes(changed_queryset, instance, operation, field_name, **kwargs)


class ActivityEntry(AbstractLogEntry):
    """One change of a followed object (django-auditlog's log entry), in one organization's history."""

    # Plain columns rather than constraints, so that entries outlive what they describe.
    organization = models.ForeignKey(
        "accounts.Organization",
        models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organization"),
    )
    # The objective an objective's or key result's entry belongs to: the objective page's timeline.
    objective_id = models.BigIntegerField(_("objective"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.COMMAND)

    objects = ActivityEntryManager()

    class Meta(AbstractLogEntry.Meta):
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        indexes = [
            models.Index(fields=["organization", "timestamp"], name="activity_org_time"),
            models.Index(fields=["organization", "objective_id"], name="activity_org_objective"),
            models.Index(fields=["organization", "content_type", "object_id"], name="activity_org_object"),
        ]
