"""The single router of the REST API, mounted at /api/v1/."""

from django.template import engines
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.renderers import TemplateHTMLRenderer
from rest_framework.routers import DefaultRouter

from accounts import api_people
from activity import api as activity_api
from comments import api as comments_api
from common.api import api_not_found
from diagnostics import api as diagnostics_api
from insights import api as insights_api
from kpis.api import views as kpis_api
from notifications import api as notifications_api
from okrs.api import views as okrs_api

# The docs pages may load only this server's files. drf-spectacular's Redoc page links web fonts from
# Google, so this one keeps its script (drf-spectacular-sidecar's static files) and uses the browser's
# fonts; Redoc's bundle also shows a logo from its makers' site, which the policy below blocks (the
# page then shows the text link alone). The policy holds both pages to this server whatever a future
# bundle adds.
DOCS_CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",  # Swagger UI's start script is served as a file (the split view)
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "worker-src 'self' blob:",
        "connect-src 'self'",
    ]
)
REDOC_PAGE = """{% extends "drf_spectacular/redoc.html" %}
{% block head %}
<title>{{ title|default:"Redoc" }}</title>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body { margin: 0; padding: 0; }</style>
{% endblock head %}"""


class LocalRedocRenderer(TemplateHTMLRenderer):
    def resolve_template(self, template_names):
        return engines["django"].from_string(REDOC_PAGE)


class LocalDocsMixin:
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Security-Policy"] = DOCS_CONTENT_SECURITY_POLICY
        return response


class LocalRedocView(LocalDocsMixin, SpectacularRedocView):
    renderer_classes = [LocalRedocRenderer]


class LocalSwaggerView(LocalDocsMixin, SpectacularSwaggerSplitView):
    pass


router = DefaultRouter()
router.register("teams", okrs_api.TeamViewSet, basename="team")
router.register("cycles", okrs_api.CycleViewSet, basename="cycle")
router.register("priorities", okrs_api.PriorityViewSet, basename="priority")
router.register("objectives", okrs_api.ObjectiveViewSet, basename="objective")
router.register("key-results", okrs_api.KeyResultViewSet, basename="key-result")
router.register("check-ins", okrs_api.CheckInViewSet, basename="check-in")
router.register("alignment", okrs_api.AlignmentViewSet, basename="alignment")
router.register("kpis", kpis_api.KpiViewSet, basename="kpi")
router.register("guardrails", kpis_api.GuardrailViewSet, basename="guardrail")
router.register("kpi-values", kpis_api.KpiValueViewSet, basename="kpi-value")
router.register("measurements", kpis_api.MeasurementViewSet, basename="measurement")
router.register("notifications", notifications_api.NotificationViewSet, basename="notification")
router.register("members", api_people.MemberViewSet, basename="member")
router.register("invitations", api_people.InvitationViewSet, basename="invitation")
router.register("comments", comments_api.CommentViewSet, basename="comment")
router.register("activity", activity_api.ActivityViewSet, basename="activity")
router.register("diagnostics", diagnostics_api.DiagnosticViewSet, basename="diagnostic")
router.register("data-quality", insights_api.DataQualityViewSet, basename="data-quality")
router.register("initiatives", insights_api.InitiativeViewSet, basename="initiative")
router.register("reviews", insights_api.ReviewViewSet, basename="review")
router.register("action-items", insights_api.ActionItemViewSet, basename="action-item")

urlpatterns = [
    path("", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", LocalSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", LocalRedocView.as_view(url_name="api:schema"), name="redoc"),
    # Last: every other URL under /api/v1/ is a JSON 404 in the one error shape.
    re_path(r"^", api_not_found),
]
