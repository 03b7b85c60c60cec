"""The single router of the REST API, mounted at /api/v1/."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from common.api import api_not_found
from kpis.api import views as kpis_api
from okrs.api import views as okrs_api

router = DefaultRouter()
router.register("teams", okrs_api.TeamViewSet, basename="team")
router.register("cycles", okrs_api.CycleViewSet, basename="cycle")
router.register("priorities", okrs_api.PriorityViewSet, basename="priority")
router.register("objectives", okrs_api.ObjectiveViewSet, basename="objective")
router.register("key-results", okrs_api.KeyResultViewSet, basename="key-result")
router.register("check-ins", okrs_api.CheckInViewSet, basename="check-in")
router.register("alignment", okrs_api.AlignmentViewSet, basename="alignment")
router.register("kpis", kpis_api.KpiViewSet, basename="kpi")
router.register("kpi-values", kpis_api.KpiValueViewSet, basename="kpi-value")
router.register("measurements", kpis_api.MeasurementViewSet, basename="measurement")

urlpatterns = [
    path("", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    # Last: every other URL under /api/v1/ is a JSON 404 in the one error shape.
    re_path(r"^", api_not_found),
]
