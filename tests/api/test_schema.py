"""The OpenAPI schema documents every operation's errors; the docs pages use local files only."""

import re

import pytest
import yaml

pytestmark = pytest.mark.django_db

ERRORS = {"400", "401", "403", "404", "429"}


@pytest.fixture
def schema(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_every_operation_documents_the_error_statuses(schema):
    operations = [(path, method, op) for path, item in schema["paths"].items() for method, op in item.items()]
    assert len(operations) >= 30
    for path, method, operation in operations:
        missing = ERRORS - set(operation["responses"])
        assert not missing, f"{method.upper()} {path} does not document {missing}"
        for status in ERRORS:
            content = operation["responses"][status]["content"]["application/json"]
            assert content["schema"] == {"$ref": "#/components/schemas/Error"}
        assert "Retry-After" in operation["responses"]["429"]["headers"]
        if method in ("post", "put", "patch") and "requestBody" in operation:
            assert "415" in operation["responses"]


def test_error_shape_is_documented(schema):
    error = schema["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"code", "detail", "fields", "rows"}
    assert error["required"] == ["code", "detail"]
    assert error["properties"]["rows"]["items"] == {"$ref": "#/components/schemas/ErrorRow"}
    assert schema["components"]["schemas"]["ErrorRow"]["required"] == ["index", "field", "message"]


def test_bearer_tokens_are_documented(schema):
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal API token.",
    }


def test_computed_fields_are_read_only_in_the_schema(schema):
    schemas = schema["components"]["schemas"]
    for field in ("progress", "expected_progress", "status", "last_check_in_at"):
        assert schemas["Objective"]["properties"][field].get("readOnly") is True
        assert field not in schemas["ObjectiveRequest"]["properties"]
    assert "current_value" not in schemas["KeyResultRequest"]["properties"]


@pytest.mark.parametrize("url", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_docs_are_served_from_local_static_files(client, url):
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in page
    # No address of another site: no fonts, scripts, styles or validator from outside.
    assert re.findall(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", page, flags=re.IGNORECASE) == []
    assert "cdn." not in page and "unpkg" not in page and "jsdelivr" not in page


def test_swagger_ui_does_not_ask_an_online_validator(client):
    page = client.get("/api/v1/docs/?script=").content.decode()  # the start script, served as a file
    assert '"validatorUrl": null' in page


def operations(schema):
    return [(path, method, op) for path, item in schema["paths"].items() for method, op in item.items()]


def test_request_bodies_are_json_only_and_required(schema):
    bodies = [
        (path, method, op["requestBody"]) for path, method, op in operations(schema) if "requestBody" in op
    ]
    assert len(bodies) >= 15
    for path, method, body in bodies:
        assert list(body["content"]) == ["application/json"], f"{method.upper()} {path}"
        assert body["required"] is True, f"{method.upper()} {path}"


def test_request_bodies_refuse_unknown_fields(schema):
    schemas = schema["components"]["schemas"]
    requests = [
        name for name in schemas if name.endswith("Request") and schemas[name].get("type") == "object"
    ]
    assert {"ObjectiveRequest", "PatchedKeyResultRequest", "KpiRequest", "MeasurementInputRequest"} <= set(
        requests
    )
    for name in requests:
        assert schemas[name]["additionalProperties"] is False, name


def test_every_field_of_a_response_is_required(schema):
    schemas = schema["components"]["schemas"]
    responses = [
        name
        for name, component in schemas.items()
        if component.get("type") == "object" and not name.endswith("Request") and name != "Error"
    ]
    assert {"Objective", "KeyResult", "PaginatedObjectiveList", "AlignmentObjective", "KpiValue"} <= set(
        responses
    )
    for name in responses:
        assert schemas[name]["required"] == list(schemas[name]["properties"]), name


def test_measurement_upload_documents_every_accepted_shape(schema):
    schemas = schema["components"]["schemas"]
    body = schema["paths"]["/api/v1/measurements/"]["post"]["requestBody"]["content"]["application/json"]
    upload = schemas[body["schema"]["$ref"].split("/")[-1]]
    one = {"$ref": "#/components/schemas/MeasurementInputRequest"}
    batch = {"type": "array", "items": one, "minItems": 1, "maxItems": 10_000}
    assert upload["oneOf"] == [one, batch, {"$ref": "#/components/schemas/MeasurementBatchRequest"}]
    assert schemas["MeasurementBatchRequest"]["properties"]["measurements"] == batch
    value = schemas["MeasurementInputRequest"]["properties"]["value"]
    assert [variant["type"] for variant in value["oneOf"]] == ["number", "string"]
    assert schemas["MeasurementInputRequest"]["required"] == ["kpi", "timestamp", "value"]


def test_alignment_children_are_typed_recursively(schema):
    children = schema["components"]["schemas"]["AlignmentObjective"]["properties"]["children"]
    assert children["type"] == "array"
    assert children["items"] == {"$ref": "#/components/schemas/AlignmentObjective"}


def test_search_is_documented_exactly_where_it_works(schema):
    from config.api_urls import router

    documented = {
        path
        for path, method, op in operations(schema)
        if method == "get" and any(p["name"] == "search" for p in op.get("parameters", []))
    }
    searchable = {
        f"/api/v1/{prefix}/"
        for prefix, viewset, _ in router.registry
        if getattr(viewset, "search_fields", None)
    }
    assert "/api/v1/kpi-values/" in documented and "/api/v1/measurements/" in documented
    assert {path for path in documented if "{" not in path} == searchable


def test_unknown_api_urls_are_json_404(as_viewer):
    response = as_viewer.post("/api/v1/nothing-here/", {}, format="json")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "No such API endpoint or object."}
