"""API viewsets of the KPI resources: reads through kpis.selectors, writes through kpis.services."""

import json
from decimal import Decimal

import django_filters
from django.utils.translation import gettext
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, parsers, status
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from accounts.api import OrganizationViewSet
from common.api import ErrorSerializer
from kpis import selectors, services
from kpis.api.serializers import (
    GuardrailSerializer,
    IngestAnswerSerializer,
    KpiSerializer,
    KpiValueSerializer,
    MeasurementSerializer,
    MeasurementUploadSerializer,
)
from kpis.choices import Cadence, Family, MeasurementSource
from kpis.models import Guardrail, Kpi, KpiValue, Measurement
from okrs.api.filters import TimeFilter


class KpiFilter(django_filters.FilterSet):
    family = django_filters.ChoiceFilter(choices=Family.choices)
    cadence = django_filters.ChoiceFilter(choices=Cadence.choices)
    active = django_filters.BooleanFilter()
    code = django_filters.CharFilter()

    class Meta:
        model = Kpi
        fields = ["family", "cadence", "active", "code"]


class KpiValueFilter(django_filters.FilterSet):
    kpi = django_filters.CharFilter(field_name="kpi__code", help_text="A KPI code.")
    since = django_filters.DateFilter(
        field_name="period_start", lookup_expr="gte", label="Periods starting on or after this day"
    )
    until = django_filters.DateFilter(
        field_name="period_start", lookup_expr="lte", label="Periods starting on or before this day"
    )

    class Meta:
        model = KpiValue
        fields = ["kpi", "since", "until"]


class MeasurementFilter(django_filters.FilterSet):
    kpi = django_filters.CharFilter(field_name="kpi__code", help_text="A KPI code.")
    since = TimeFilter(field_name="timestamp", lookup_expr="gte", label="At or after this time (ISO 8601)")
    until = TimeFilter(field_name="timestamp", lookup_expr="lt", label="Before this time (ISO 8601)")

    class Meta:
        model = Measurement
        fields = ["kpi", "since", "until"]


class KpiViewSet(
    OrganizationViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
):
    """KPI definitions. Editors and admins create and change them; archive with `active: false`."""

    serializer_class = KpiSerializer
    filterset_class = KpiFilter
    ordering_fields = ["code", "name", "family", "updated_at"]
    search_fields = ["code", "name"]

    def get_queryset(self):
        return selectors.kpi_list(organization=self.organization)

    def perform_create(self, serializer):
        serializer.instance = services.kpi_create(organization=self.organization, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.kpi_update(kpi=serializer.instance, **serializer.validated_data)


class GuardrailFilter(django_filters.FilterSet):
    breached = django_filters.BooleanFilter()

    class Meta:
        model = Guardrail
        fields = ["key_result", "kpi", "breached"]


class GuardrailViewSet(
    OrganizationViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
):
    """Guardrails (counter-metrics) of key results: a KPI and a limit it must stay within. Each write
    evaluates it against the KPI's latest period value before it returns."""

    serializer_class = GuardrailSerializer
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = GuardrailFilter
    ordering_fields = ["id", "updated_at"]

    def get_queryset(self):
        return selectors.guardrail_list(organization=self.organization)

    def perform_create(self, serializer):
        serializer.instance = services.guardrail_create(**serializer.validated_data)

    def perform_update(self, serializer):
        fields = {k: v for k, v in serializer.validated_data.items() if k != "key_result"}
        serializer.instance = services.guardrail_update(guardrail=serializer.instance, **fields)

    def perform_destroy(self, instance):
        services.guardrail_delete(guardrail=instance)


class KpiValueViewSet(OrganizationViewSet, mixins.ListModelMixin):
    """KPI values per period, as the scheduled recomputation stored them (oldest first per KPI)."""

    serializer_class = KpiValueSerializer
    filterset_class = KpiValueFilter
    ordering_fields = ["period_start"]
    search_fields = ["kpi__code", "kpi__name"]

    def get_queryset(self):
        return selectors.kpi_value_list(organization=self.organization)


class DecimalJSONParser(parsers.JSONParser):
    """JSON whose numbers become exact decimals; NaN and Infinity stay strings that validation refuses."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return json.load(stream, parse_float=Decimal, parse_constant=str)
        except (ValueError, UnicodeDecodeError) as error:
            raise ParseError(f"JSON parse error - {error}") from error


def _row_errors(errors, code: str, detail: str, status_code: int) -> Response:
    """The one error shape; every bad row is in `fields` as "rows[<index>].<field>" and in `rows`."""
    fields = {}
    for error in errors:
        fields.setdefault(f"rows[{error.row}].{error.field}", []).append(error.message)
    body = {"code": code, "detail": detail, "fields": fields, "rows": [e.as_dict("index") for e in errors]}
    return Response(body, status=status_code)


class MeasurementViewSet(OrganizationViewSet, mixins.ListModelMixin):
    """Raw measurements: read them, or send one or many (up to 10,000) in one all-or-nothing request."""

    serializer_class = MeasurementSerializer
    filterset_class = MeasurementFilter
    ordering_fields = ["timestamp", "received_at"]
    search_fields = ["kpi__code", "idempotency_key", "note"]
    parser_classes = [DecimalJSONParser]

    def get_queryset(self):
        return selectors.measurement_list(organization=self.organization)

    @extend_schema(
        request=MeasurementUploadSerializer,
        responses={
            201: IngestAnswerSerializer,
            400: OpenApiResponse(
                ErrorSerializer, description="Bad rows: `fields` keys are rows[<index>].<field>"
            ),
            409: OpenApiResponse(
                ErrorSerializer, description="An idempotency key was reused with other content"
            ),
        },
    )
    def create(self, request, *args, **kwargs):
        """Send `{"measurements": [...]}`, a list, or one object. A replay answers as the first time."""
        rows = _rows(request.data)
        try:
            services.measurements_ingest(
                organization=self.organization, rows=rows, source=MeasurementSource.API
            )
        except services.IdempotencyConflict as error:
            return _row_errors(error.errors, "idempotency_conflict", error.message, status.HTTP_409_CONFLICT)
        except services.MeasurementsInvalid as error:
            return _row_errors(error.errors, "validation_error", error.message, status.HTTP_400_BAD_REQUEST)
        return Response({"received": len(rows)}, status=status.HTTP_201_CREATED)


def _rows(data) -> list:
    if isinstance(data, dict) and "measurements" in data:
        unknown = sorted(set(data) - {"measurements"})
        if unknown:
            raise ValidationError({key: [gettext("Unknown field.")] for key in unknown})
        data = data["measurements"]
    elif isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise ParseError('Send a JSON object, a list of them, or {"measurements": [...]}.')
    return data
