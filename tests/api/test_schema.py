"""The OpenAPI schema documents every operation's errors; the docs pages use local files only."""

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
    assert "cdn." not in page and "unpkg" not in page and "jsdelivr" not in page


def test_unknown_api_urls_are_json_404(as_viewer):
    response = as_viewer.post("/api/v1/nothing-here/", {}, format="json")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "No such API endpoint or object."}
