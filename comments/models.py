from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.models import BaseModel

USER = settings.AUTH_USER_MODEL
BODY_MAX_LENGTH = 5000


class CommentQuerySet(models.QuerySet):
    def for_organization(self, organization):
        return self.filter(organization=organization)


class Comment(BaseModel):
    """A message in the thread of an objective (or one of its key results) or of a KPI, with @mentions."""

    organization = models.ForeignKey(
        "accounts.Organization", models.CASCADE, related_name="comments", verbose_name=_("organization")
    )
    # A key result's comment also names its objective, so that the objective's thread covers its key
    # results in one indexed query.
    objective = models.ForeignKey(
        "okrs.Objective",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("objective"),
    )
    key_result = models.ForeignKey(
        "okrs.KeyResult",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("key result"),
    )
    kpi = models.ForeignKey(
        "kpis.Kpi", models.CASCADE, null=True, blank=True, related_name="comments", verbose_name=_("kpi")
    )
    # Members leave by deactivation, so the author is kept; SET_NULL only if an account is deleted.
    author = models.ForeignKey(
        USER, models.SET_NULL, null=True, related_name="comments", verbose_name=_("author")
    )
    body = models.TextField(_("comment"), max_length=BODY_MAX_LENGTH)
    mentions = models.ManyToManyField(
        USER, blank=True, related_name="comment_mentions", verbose_name=_("mentions")
    )
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    # Soft delete by the author: the row stays so that the thread keeps its shape; the text is not shown.
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    # Hidden by an organization admin: shown to nobody but admins, until an admin shows it again.
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        USER, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("hidden by")
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(objective__isnull=False, kpi__isnull=True)
                | Q(objective__isnull=True, key_result__isnull=True, kpi__isnull=False),
                name="comment_on_an_objective_or_a_kpi",
            ),
        ]
        indexes = [
            models.Index(fields=["objective", "created_at"], name="comment_objective_thread"),
            models.Index(fields=["kpi", "created_at"], name="comment_kpi_thread"),
        ]

    def __str__(self):
        return f"Comment {self.pk} by {self.author_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None
