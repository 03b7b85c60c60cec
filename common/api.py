"""API conventions shared by every app: strict input, pagination and the one error shape.

Every error answer has the same body::

    {"code": "validation_error", "detail": "Invalid input.", "fields": {"target_value": ["..."]}}

`fields` is present for validation errors only; its keys are the request's field names or query
parameters (for bulk requests, `rows` also lists the index, field and reason of every bad row).
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, pagination, serializers, status
from rest_framework.views import exception_handler as drf_exception_handler

from common.exceptions import ApplicationError

# Why common read-only fields cannot be written; a serializer adds its own in `read_only_reasons`.
READ_ONLY_REASONS = {
    "id": gettext_lazy("the server assigns it"),
    "created_at": gettext_lazy("the server sets it"),
    "updated_at": gettext_lazy("the server sets it"),
}


class StrictSerializerMixin:
    """Refuse fields the resource does not have, and fields it has but computes itself.

    A misspelt field, or a computed one such as `progress`, is a 400 naming it rather than silently
    ignored. `read_only_reasons` maps a read-only field to why it cannot be written. The schema marks
    request bodies of these serializers with `additionalProperties: false` (`common.schema`).
    """

    refuses_unknown_fields = True
    read_only_reasons: dict[str, str] = {}

    def to_internal_value(self, data):
        if isinstance(data, dict):
            errors = {}
            for key in sorted(map(str, data)):
                field = self.fields.get(key)
                if field is None:
                    errors[key] = [gettext("Unknown field.")]
                elif field.read_only:
                    errors[key] = [self.read_only_message(key)]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)

    def read_only_message(self, name: str) -> str:
        reason = self.read_only_reasons.get(name) or READ_ONLY_REASONS.get(name)
        if reason:
            return gettext("%(name)s is read-only: %(reason)s.") % {"name": name, "reason": reason}
        return gettext("%(name)s is read-only.") % {"name": name}


class Pagination(pagination.PageNumberPagination):
    """Page numbers; a page size that is not a whole number from 1 to 500 is a 400, never ignored."""

    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 6 and 1 <= int(raw) <= self.max_page_size):
            message = f"A whole number from 1 to {self.max_page_size}."
            raise exceptions.ValidationError({self.page_size_query_param: [message]})
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        # `next` and `previous` are always present (null on the last and first page).
        answer["required"] = ["count", "next", "previous", "results"]
        return answer


class ErrorRowSerializer(serializers.Serializer):
    """One bad row of a bulk request."""

    index = serializers.IntegerField(help_text="The row's position in the request, from 0.")
    field = serializers.CharField()
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer."""

    # Present in validation errors only (`fields`), and in bulk requests' row errors only (`rows`).
    optional_response_fields = ("fields", "rows")

    code = serializers.CharField()
    detail = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Each bad field or query parameter and its reasons (validation errors only).",
    )
    rows = ErrorRowSerializer(
        many=True, required=False, help_text="Every bad row of a bulk request (measurements)."
    )


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"

    def __init__(self):
        megabytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024
        super().__init__(
            f"The request body is larger than {megabytes:g} MB. Send it in smaller parts; "
            "measurements, for instance, in several smaller batches."
        )


def _flatten(detail) -> dict:
    """Field errors as {field: [reasons]}; a nested object's reasons name their place in it
    ("so_what: Ensure this value is less than or equal to 4.")."""
    if isinstance(detail, dict):
        return {key: _reasons(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return {"non_field_errors": [str(item) for item in detail]}
    return {"non_field_errors": [str(detail)]}


def _reasons(value, path: str = "") -> list[str]:
    if isinstance(value, dict):
        return [
            reason
            for key, inner in value.items()
            for reason in _reasons(inner, f"{path}.{key}" if path else str(key))
        ]
    items = value if isinstance(value, list) else [value]
    if any(isinstance(item, dict) for item in items):
        return [reason for item in items for reason in _reasons(item, path)]
    return [f"{path}: {item}" if path else str(item) for item in items]


def _django_validation_fields(error: DjangoValidationError) -> dict:
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if key == "__all__" else key): [str(m) for m in messages]
            for key, messages in error.message_dict.items()
        }
    return {"non_field_errors": [str(m) for m in error.messages]}


def exception_handler(exc, context):
    """Map domain and Django errors to DRF ones, then give every error the one shape."""
    if isinstance(exc, ApplicationError):
        fields = {exc.field or "non_field_errors": [exc.message]}
        exc = exceptions.ValidationError(fields)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_validation_fields(exc))
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "code": "validation_error",
            "detail": str(exceptions.ValidationError.default_detail),  # "Invalid input.", translated
            "fields": _flatten(exc.detail),
        }
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        response.data = {"code": code if isinstance(code, str) else "error", "detail": str(detail)}
    return response


@csrf_exempt
def api_not_found(request, *args, **kwargs):
    """Any unmatched URL under the API answers in the one error shape, not with an HTML page."""
    return JsonResponse({"code": "not_found", "detail": "No such API endpoint or object."}, status=404)
