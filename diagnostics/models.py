from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.models import BaseModel


class Diagnostic(BaseModel):
    """One completed RevOps diagnostic of an organization: its answers and the scores they gave."""

    organization = models.ForeignKey(
        "accounts.Organization", models.CASCADE, related_name="diagnostics", verbose_name=_("organization")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    answers = models.JSONField(_("answers"), default=dict)  # {question key: option key}
    area_scores = models.JSONField(_("area scores"), default=dict)  # {area key: 0..100}
    overall_score = models.PositiveSmallIntegerField(_("overall score"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("diagnostic")
        verbose_name_plural = _("diagnostics")
        indexes = [models.Index(fields=["organization", "created_at"])]

    def __str__(self):
        return f"{self.organization} · {self.created_at:%Y-%m-%d}"
