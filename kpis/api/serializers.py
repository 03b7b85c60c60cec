"""Shapes of the KPI resources in the API. Computed fields are read-only; writes go through services."""

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from accounts.api import ScopedPrimaryKeyRelatedField
from common.api import StrictSerializerMixin
from kpis.choices import QualityIssueKind
from kpis.models import Guardrail, Kpi, KpiValue, Measurement
from kpis.services import MAX_ROWS, definitions
from okrs.api.serializers import key_results, kpis, members, objectives, priorities, teams

TIMESTAMPS = ["created_at", "updated_at"]


KPI_COMPUTED = ["forecast", "quality", "trend", "trend_period_start", "contributions"]
PERIOD = {"max_digits": 30, "decimal_places": 6}


class KpiForecastSerializer(serializers.Serializer):
    """Where the KPI is expected to be in a later period, with its 80 % interval."""

    period_start = serializers.DateField(help_text="The period projected.")
    value = serializers.DecimalField(**PERIOD)
    low = serializers.DecimalField(**PERIOD, help_text="Low end of the 80 % interval.")
    high = serializers.DecimalField(**PERIOD, help_text="High end of the 80 % interval.")
    probability = serializers.DecimalField(
        max_digits=5,
        decimal_places=4,
        allow_null=True,
        help_text="Probability (0–1) of being on or better than the target then; null without a target.",
    )


class QualityIssueSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=QualityIssueKind.choices)
    count = serializers.IntegerField()
    cost = serializers.DecimalField(
        max_digits=5, decimal_places=2, help_text="What it takes off the score (0–1)."
    )
    periods = serializers.ListField(child=serializers.DateField(), required=False)
    since = serializers.CharField(required=False, allow_null=True)
    due = serializers.DateField(required=False)
    value = serializers.CharField(required=False)
    median = serializers.CharField(required=False)
    example = serializers.CharField(required=False, allow_null=True)


class QualitySerializer(serializers.Serializer):
    score = serializers.DecimalField(
        max_digits=5, decimal_places=4, allow_null=True, help_text="0–1; null until first checked."
    )
    issues = QualityIssueSerializer(many=True, help_text="Costliest first.")
    checked_at = serializers.DateTimeField(allow_null=True)


class ContributionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    before = serializers.DecimalField(**PERIOD)
    after = serializers.DecimalField(**PERIOD)
    contribution = serializers.DecimalField(**PERIOD, help_text="Its share of the KPI's change.")


class ContributionsSerializer(serializers.Serializer):
    period_start = serializers.DateField()
    previous_period_start = serializers.DateField()
    before = serializers.DecimalField(**PERIOD)
    after = serializers.DecimalField(**PERIOD)
    change = serializers.DecimalField(**PERIOD)
    inputs = ContributionSerializer(many=True)


class GuardrailSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    """A KPI a key result must keep within a limit (a counter-metric); evaluated on every write and run."""

    key_result = ScopedPrimaryKeyRelatedField(scope=key_results)
    kpi = ScopedPrimaryKeyRelatedField(scope=kpis)

    class Meta:
        model = Guardrail
        fields = [
            "id",
            "key_result",
            "kpi",
            "comparison",
            "limit",
            "value",
            "breached",
            "evaluated_at",
            *TIMESTAMPS,
        ]
        read_only_fields = ["value", "breached", "evaluated_at", *TIMESTAMPS]
        validators = []

    read_only_reasons = dict.fromkeys(
        ["value", "breached", "evaluated_at"], "evaluated from the KPI's values"
    )

    def validate_key_result(self, key_result):
        if self.instance is not None and key_result.pk != self.instance.key_result_id:
            raise serializers.ValidationError("A guardrail cannot move to another key result.")
        return key_result


class KpiSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    """A KPI definition: measured from measurements, or computed by a formula over other KPIs."""

    owner = ScopedPrimaryKeyRelatedField(scope=members, allow_null=True, required=False)
    team = ScopedPrimaryKeyRelatedField(scope=teams, allow_null=True, required=False)
    priorities = ScopedPrimaryKeyRelatedField(scope=priorities, many=True, required=False)
    objectives = ScopedPrimaryKeyRelatedField(scope=objectives, many=True, required=False)

    forecast = serializers.SerializerMethodField(
        help_text="The value projected for the period that holds the horizon (the active cycle's end, else "
        "the quarter's), from the complete periods; null with fewer than three."
    )
    quality = serializers.SerializerMethodField(help_text="The data-quality check of the last recomputation.")
    trend = serializers.DecimalField(
        max_digits=14,
        decimal_places=4,
        read_only=True,
        allow_null=True,
        help_text="The last complete period against the complete one before it, as a fraction of the earlier "
        "value, signed so that positive is better.",
    )
    trend_period_start = serializers.DateField(read_only=True, allow_null=True)
    contributions = serializers.SerializerMethodField(
        help_text="For a formula KPI, its latest change split between its inputs (they add up to the change)."
    )

    class Meta:
        model = Kpi
        fields = [
            "id",
            *definitions.EDITABLE,
            "priorities",
            "objectives",
            *KPI_COMPUTED,
            *TIMESTAMPS,
        ]
        read_only_fields = [*KPI_COMPUTED, *TIMESTAMPS]
        # Uniqueness per organization is checked by the service, which knows the organization.
        validators = []

    read_only_reasons = dict.fromkeys(
        ["forecast", "quality", "trend", "trend_period_start", "contributions"],
        "computed by the KPI recomputation",
    )

    @extend_schema_field(KpiForecastSerializer(allow_null=True))
    def get_forecast(self, kpi):
        if kpi.forecast_value is None:
            return None
        return KpiForecastSerializer(
            {
                "period_start": kpi.forecast_period_start,
                "value": kpi.forecast_value,
                "low": kpi.forecast_low,
                "high": kpi.forecast_high,
                "probability": kpi.forecast_probability,
            }
        ).data

    @extend_schema_field(QualitySerializer)
    def get_quality(self, kpi):
        return QualitySerializer(
            {"score": kpi.quality_score, "issues": kpi.quality_issues, "checked_at": kpi.quality_checked_at}
        ).data

    @extend_schema_field(ContributionsSerializer(allow_null=True))
    def get_contributions(self, kpi):
        return ContributionsSerializer(kpi.contributions).data if kpi.contributions else None


class KpiValueSerializer(serializers.ModelSerializer):
    """A KPI's value for one period, with its status and the change from the previous value."""

    kpi = serializers.CharField(source="kpi.code", read_only=True)

    class Meta:
        model = KpiValue
        fields = [
            "kpi",
            "period_start",
            "value",
            "measurement_count",
            "status",
            "previous_value",
            "change",
            "computed_at",
            "on_target",
            "status_label",
            "in_progress",
            "comparison",
            "previous_period_start",
            "compared_until",
        ]


class MeasurementSerializer(serializers.ModelSerializer):
    """A stored measurement."""

    kpi = serializers.CharField(source="kpi.code", read_only=True)

    class Meta:
        model = Measurement
        fields = ["id", "kpi", "timestamp", "value", "source", "idempotency_key", "note", "received_at"]


@extend_schema_field(
    {
        "oneOf": [
            {"type": "number"},
            {"type": "string", "pattern": r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$"},
        ],
        "description": 'A number, as a JSON number or as text ("41250.50"), smaller than 10^14 in '
        "magnitude; stored rounded to 6 decimal places.",
    }
)
class MeasurementValueField(serializers.Field):
    """A measurement's value: a JSON number or a numeric string (documentation only)."""


class MeasurementInputSerializer(serializers.Serializer):
    """One measurement as sent (documentation only: rows are validated in bulk by the service)."""

    refuses_unknown_fields = True  # the service refuses fields it does not know, row by row

    kpi = serializers.CharField(max_length=60, help_text="The KPI's code in your organization.")
    timestamp = serializers.CharField(
        help_text="ISO 8601. Without a time zone (or a bare date) it is read in the organization's time zone."
    )
    value = MeasurementValueField()
    idempotency_key = serializers.CharField(
        required=False, allow_null=True, max_length=128, help_text="Unique in your organization."
    )
    note = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=500)


class MeasurementBatchSerializer(serializers.Serializer):
    """Measurements wrapped in an object: `{"measurements": [...]}`."""

    refuses_unknown_fields = True

    measurements = MeasurementInputSerializer(many=True, min_length=1, max_length=MAX_ROWS)


MeasurementUploadSerializer = PolymorphicProxySerializer(
    component_name="MeasurementUpload",
    serializers=[
        MeasurementInputSerializer,
        MeasurementInputSerializer(many=True, min_length=1, max_length=MAX_ROWS),
        MeasurementBatchSerializer,
    ],
    resource_type_field_name=None,
    many=False,
)


class IngestAnswerSerializer(serializers.Serializer):
    """The answer to an accepted upload."""

    received = serializers.IntegerField(help_text="How many measurements the request carried.")
