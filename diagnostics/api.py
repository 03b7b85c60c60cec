"""/api/v1/diagnostics/: the organization's RevOps diagnostics. Everyone reads; editors and admins
create one by sending every answer, and get its scores back."""

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from accounts.api import OrganizationViewSet
from common.api import StrictSerializerMixin
from diagnostics import selectors, services
from diagnostics.models import Diagnostic
from diagnostics.questions import AREA_KEYS, OPTIONS_BY_KEY, QUESTIONS


class RecommendationSerializer(serializers.Serializer):
    area = serializers.ChoiceField(choices=AREA_KEYS)
    score = serializers.IntegerField(min_value=0, max_value=100)
    templates = serializers.ListField(child=serializers.CharField(), help_text="OKR template keys.")
    kpis = serializers.ListField(child=serializers.CharField(), help_text="KPI catalog codes.")


class AreaScoresSerializer(serializers.Serializer):
    """Maturity of each area, 0 to 100."""

    def get_fields(self):
        return {key: serializers.IntegerField(min_value=0, max_value=100) for key in AREA_KEYS}


class AnswersSerializer(StrictSerializerMixin, serializers.Serializer):
    """Every question's answer: 0 (not at all), 1 (rarely), 2 (partly), 3 (mostly), 4 (fully, reviewed)."""

    def get_fields(self):
        most = max(int(key) for key in OPTIONS_BY_KEY)
        fields = {}
        for question in QUESTIONS:
            fields[question.key] = serializers.IntegerField(
                min_value=0, max_value=most, help_text=str(question.text)
            )
        return fields


class DiagnosticSerializer(serializers.ModelSerializer):
    author = serializers.IntegerField(source="author_id", read_only=True, allow_null=True)
    answers = AnswersSerializer(read_only=True)
    area_scores = AreaScoresSerializer(read_only=True)
    overall_score = serializers.IntegerField(read_only=True, min_value=0, max_value=100)
    weakest_areas = serializers.SerializerMethodField()
    recommendations = serializers.SerializerMethodField()

    class Meta:
        model = Diagnostic
        fields = [
            "id",
            "created_at",
            "author",
            "answers",
            "area_scores",
            "overall_score",
            "weakest_areas",
            "recommendations",
        ]
        read_only_fields = ["id", "created_at", "answers"]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=AREA_KEYS)))
    def get_weakest_areas(self, diagnostic) -> list[str]:
        return selectors.scores_of(diagnostic).weakest

    @extend_schema_field(RecommendationSerializer(many=True))
    def get_recommendations(self, diagnostic) -> list[dict]:
        return RecommendationSerializer(
            [
                {
                    "area": rec.area.key,
                    "score": rec.score,
                    "templates": [t.key for t in rec.templates],
                    "kpis": [k.code for k in rec.kpis],
                }
                for rec in selectors.recommendations(selectors.scores_of(diagnostic))
            ],
            many=True,
        ).data


class DiagnosticCreateSerializer(StrictSerializerMixin, serializers.Serializer):
    answers = AnswersSerializer()


class DiagnosticViewSet(
    OrganizationViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin
):
    """The organization's RevOps diagnostics, newest first."""

    serializer_class = DiagnosticSerializer
    filter_backends = [OrderingFilter]
    ordering_fields = ["created_at", "overall_score"]

    def get_queryset(self):
        return selectors.diagnostic_list(organization=self.organization)

    @extend_schema(request=DiagnosticCreateSerializer, responses={201: DiagnosticSerializer})
    def create(self, request, *args, **kwargs):
        body = DiagnosticCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        answers = {key: str(value) for key, value in body.validated_data["answers"].items()}
        diagnostic = services.diagnostic_create(
            organization=self.organization, author=request.user, answers=answers
        )
        return Response(self.get_serializer(diagnostic).data, status=status.HTTP_201_CREATED)
