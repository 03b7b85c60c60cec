from django.contrib import admin
from django.urls import include, path

from dashboards.views import favicon
from diagnostics.urls import public_urlpatterns as public_diagnostic_urls
from outbox.health import healthz, readyz

admin.site.site_header = "Rumbo administration"
admin.site.site_title = "Rumbo"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("api/v1/", include(("config.api_urls", "api"), namespace="api")),
    path("", include("onboarding.urls")),
    path("okrs/", include("okrs.urls")),
    path("kpis/", include("kpis.urls")),
    path("notifications/", include("notifications.urls")),
    path("comments/", include("comments.urls")),
    path("activity/", include("activity.urls")),
    path("exports/", include("portability.urls")),
    path("diagnostics/", include("diagnostics.urls")),
    path("diagnostic/", include(public_diagnostic_urls)),
    path("", include("insights.urls")),
    path("", include("dashboards.urls")),
]
