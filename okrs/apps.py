from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OkrsConfig(AppConfig):
    name = "okrs"
    verbose_name = _("OKRs")

    def ready(self):
        from accounts.signals import organization_rules_changed

        organization_rules_changed.connect(_refresh_organization, dispatch_uid="okrs.refresh_organization")


def _refresh_organization(sender, *, organization, **kwargs):
    """New status rules or a new time zone change statuses and expected progress in every cycle, now."""
    from okrs import services

    services.progress_refresh(cycle_ids=organization.cycles.values_list("pk", flat=True))
