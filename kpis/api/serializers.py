"""Shapes of the KPI resources in the API. Computed fields are read-only; writes go through services."""

from rest_framework import serializers

from accounts.api import ScopedPrimaryKeyRelatedField
from kpis.models import Kpi, KpiValue, Measurement
from kpis.services import definitions
from okrs.api.serializers import StrictSerializerMixin, members, objectives, priorities, teams

TIMESTAMPS = ["created_at", "updated_at"]


class KpiSerializer(StrictSerializerMixin, serializers.ModelSerializer):
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
        ]


class MeasurementSerializer(serializers.ModelSerializer):
    kpi = serializers.CharField(source="kpi.code", read_only=True)

    class Meta:
        model = Measurement
        fields = ["id", "kpi", "timestamp", "value", "source", "idempotency_key", "note", "received_at"]


class MeasurementInputSerializer(serializers.Serializer):
    """One measurement as sent (documentation only: rows are validated in bulk by the service)."""

    kpi = serializers.CharField(help_text="The KPI's code in your organization.")
    timestamp = serializers.CharField(
        help_text="ISO 8601. Without a time zone it is read in the organization's time zone."
    )
    value = serializers.DecimalField(max_digits=20, decimal_places=6)
    idempotency_key = serializers.CharField(required=False, allow_null=True, max_length=128)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class MeasurementBatchSerializer(serializers.Serializer):
    measurements = MeasurementInputSerializer(many=True)


class IngestAnswerSerializer(serializers.Serializer):
    received = serializers.IntegerField(help_text="How many measurements the request carried.")
