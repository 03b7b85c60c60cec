"""The OpenAPI schema class: documents the one error shape of common.api on every operation, and what the
API enforces on bodies (unknown and read-only fields refused; every response field always present)."""

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from common.api import ErrorSerializer

ERROR_DESCRIPTIONS = {
    "400": "Invalid input: `fields` names each bad field (or query parameter) and the reason.",
    "401": "No credentials, or an invalid, revoked or expired token.",
    "403": "Signed in, but the role does not allow this (viewers read only; admins manage teams, "
    "priorities and cycles).",
    "404": "No such object in your organization.",
    "413": "The request body is too large; send it in smaller parts.",
    "415": "The request body is not JSON (send `Content-Type: application/json`).",
    "429": "Too many requests for this token; the Retry-After header says how many seconds to wait.",
}


class AutoSchema(openapi.AutoSchema):
    """Documents the one error shape for every status an operation can answer with."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ["400", "401", "403", "404", "429"]
        if self.method in ("POST", "PUT", "PATCH"):
            codes += ["413", "415"]
        for code in codes:
            if code not in responses:
                response = OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code])
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses

    def _get_response_headers_for_code(self, status_code, direction="response"):
        headers = super()._get_response_headers_for_code(status_code, direction)
        if status_code == "429":
            headers["Retry-After"] = {
                "schema": {"type": "integer"},
                "description": "Seconds to wait before the next request.",
            }
        return headers

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and getattr(serializer, "refuses_unknown_fields", False):
            schema["additionalProperties"] = False
        if direction == "response":
            # A serializer writes every readable field of every object, so each is always present,
            # except the few a serializer declares optional (the error body's `fields` and `rows`).
            optional = set(getattr(serializer, "optional_response_fields", ()))
            required = [name for name in schema["properties"] if name not in optional]
            if required:
                schema["required"] = required
        return schema

    def _unwrap_list_serializer(self, serializer, direction):
        schema = super()._unwrap_list_serializer(serializer, direction)
        # A list serializer checks its own length (not through validators, which drf-spectacular reads).
        if schema and isinstance(serializer, serializers.ListSerializer):
            if serializer.min_length is not None:
                schema["minItems"] = serializer.min_length
            if serializer.max_length is not None:
                schema["maxItems"] = serializer.max_length
        return schema

    def _get_request_body(self, direction="request"):
        body = super()._get_request_body(direction)
        # Every body the API reads is a JSON document; even an empty PATCH is `{}`.
        if body is not None:
            body["required"] = True
        return body
