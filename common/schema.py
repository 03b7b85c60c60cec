"""The OpenAPI schema class: documents the one error shape of common.api on every operation."""

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse

from common.api import ErrorSerializer

ERROR_DESCRIPTIONS = {
    "400": "Invalid input: `fields` names each bad field (or query parameter) and the reason.",
    "401": "No credentials, or an invalid, revoked or expired token.",
    "403": "Signed in, but the role does not allow this (viewers read only; admins manage teams, "
    "priorities and cycles).",
    "404": "No such object in your organization.",
    "415": "The request body is not JSON, form data or multipart.",
    "429": "Too many requests for this token; the Retry-After header says how many seconds to wait.",
}


class AutoSchema(openapi.AutoSchema):
    """Documents the one error shape for every status an operation can answer with."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ["400", "401", "403", "404", "429"]
        if self.method in ("POST", "PUT", "PATCH"):
            codes.append("415")
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
