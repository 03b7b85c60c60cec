from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = _("KPIs")

    def ready(self):
        from kpis.services.sync import key_results_follow
        from okrs import services as okr_services

        if key_results_follow not in okr_services.key_result_followers:
            okr_services.key_result_followers.append(key_results_follow)
