"""Shapes of the KPI resources in the API. Computed fields are read-only; writes go through services."""

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from accounts.api import ScopedPrimaryKeyRelatedField
from common.api import StrictSerializerMixin
from kpis.models import Kpi, KpiValue, Measurement
from kpis.services import MAX_ROWS, definitions
from okrs.api.serializers import members, objectives, priorities, teams

TIMESTAMPS = ["created_at", "updated_at"]


class KpiSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    """A KPI definition: measured from measurements, or computed by a formula over other KPIs."""

    owner = ScopedPrimaryKeyRelatedField(scope=members, allow_null=True, required=False)
    team = ScopedPrimaryKeyRelatedField(scope=teams, allow_null=True, required=False)
    priorities = ScopedPrimaryKeyRelatedField(scope=priorities, many=True, required=False)
    objectives = ScopedPrimaryKeyRelatedField(scope=objectives, many=True, required=False)

    class Meta:
        model = Kpi
        fields = [
            "id",
            *definitions.EDITABLE,
            "priorities",
            "objectives",
            *TIMESTAMPS,
        ]
        read_only_fields = TIMESTAMPS
        # Uniqueness per organization is checked by the service, which knows the organization.
        validators = []


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
