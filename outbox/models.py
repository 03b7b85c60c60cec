"""Work for the worker, written in the transaction of the write that asks for it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxMessageQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(sent_at__isnull=True)


class OutboxMessage(models.Model):
    """One Celery task to send once its transaction has committed; pending until the broker took it."""

    task = models.CharField(max_length=200, verbose_name=_("task"))
    args = models.JSONField(default=list, verbose_name=_("args"))
    queue = models.CharField(max_length=200, blank=True, verbose_name=_("queue"))
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the broker accepted the message; pending rows have none.
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))
    # A sender claims a row until this time (compare-and-set), so that two senders never both send it.
    claimed_until = models.DateTimeField(null=True, blank=True, verbose_name=_("claimed until"))
    attempts = models.PositiveIntegerField(default=0, verbose_name=_("attempts"))
    last_error = models.TextField(blank=True, verbose_name=_("last error"))

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [models.Index(fields=["sent_at", "created_at"], name="outbox_pending_idx")]

    def __str__(self):
        return f"{self.task} #{self.pk}"


class Heartbeat(models.Model):
    """When a process last proved it was alive: one row per name ("worker")."""

    name = models.CharField(max_length=50, unique=True, verbose_name=_("name"))
    beat_at = models.DateTimeField(verbose_name=_("beat at"))

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self):
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
