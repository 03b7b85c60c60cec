"""A client generated from /api/v1/schema/ with openapi-python-client imports and works as generated.

This is what an integrator does: generate a client from the schema and call the API with it. The
generator runs offline (no post hooks, so no formatter is needed); the calls go to a real server
(pytest-django's live_server) with a Bearer token.
"""

import importlib
import pkgutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from accounts import services as account_services
from kpis.models import Measurement
from okrs.models import CheckIn, KeyResult
from tests.kpis.factories import KpiFactory

PACKAGE = "rumbo_api_client"
CONFIG = f"project_name_override: rumbo-api-client\npackage_name_override: {PACKAGE}\npost_hooks: []\n"


def generate(schema: bytes, folder: Path) -> Path:
    (folder / "schema.yaml").write_bytes(schema)
    (folder / "config.yaml").write_text(CONFIG)
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("openapi-python-client")),
            "generate",
            "--path",
            str(folder / "schema.yaml"),
            "--config",
            str(folder / "config.yaml"),
            "--meta",
            "none",
            "--output-path",
            str(folder / PACKAGE),
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # The generator reports what it could not translate as warnings; a faithful schema has none.
    assert "Warning" not in output and "Error" not in output, output
    return folder


@pytest.fixture
def client_package(client, tmp_path):
    """The generated package, importable; removed from sys.modules afterwards."""
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    folder = generate(response.content, tmp_path)
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


@pytest.mark.django_db
def test_every_generated_module_imports(client_package):
    names = [module.name for module in pkgutil.walk_packages(client_package.__path__, f"{PACKAGE}.")]
    assert f"{PACKAGE}.api.key_results.key_results_partial_update" in names
    assert f"{PACKAGE}.models.measurement_input_request" in names
    failures = {}
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as error:  # noqa: BLE001 - every failure is reported, not just the first
            failures[name] = repr(error)
    assert failures == {}
    assert len(names) > 80


@pytest.mark.django_db(transaction=True)
def test_generated_client_reads_and_writes_against_a_live_server(
    client_package, live_server, tree_a, admin_a, editor_a
):
    from config.celery import app

    api = importlib.import_module(f"{PACKAGE}.api")
    models = importlib.import_module(f"{PACKAGE}.models")
    for resource in ("objectives", "check_ins", "key_results", "measurements", "alignment"):
        importlib.import_module(f"{PACKAGE}.api.{resource}")
    _token, raw = account_services.api_token_create(user=editor_a.user, name="generated client")
    client = client_package.AuthenticatedClient(
        base_url=live_server.url, token=raw, raise_on_unexpected_status=True
    )
    key_result = tree_a["key_result"]
    KpiFactory(organization=admin_a.organization, code="deals_won")
    app.conf.task_always_eager = True
    try:
        with client as http:
            objectives = _module(api, "objectives.objectives_list").sync(client=http, ordering="title")
            assert isinstance(objectives, models.PaginatedObjectiveList)
            assert objectives.count == 2
            assert {o.id for o in objectives.results} == {tree_a["objective"].pk, tree_a["child"].pk}

            check_in = _module(api, "check_ins.check_ins_create").sync(
                client=http,
                body=models.CheckInRequest(
                    key_result=key_result.pk, value="42.5", confidence=7, note="Two deals"
                ),
            )
            assert isinstance(check_in, models.CheckIn), check_in
            assert check_in.value == "42.5000" and check_in.source == models.CheckInSourceEnum.API

            patched = _module(api, "key_results.key_results_partial_update").sync(
                client=http,
                id=key_result.pk,
                body=models.PatchedKeyResultRequest(title="Renamed by a script"),
            )
            assert isinstance(patched, models.KeyResult), patched
            assert patched.title == "Renamed by a script" and patched.current_value == "42.5000"

            refused = _module(api, "check_ins.check_ins_create").sync(
                client=http, body=models.CheckInRequest(key_result=key_result.pk, value="1", confidence=11)
            )
            assert isinstance(refused, models.Error)
            assert refused.code == "validation_error" and "confidence" in refused.fields.additional_properties

            rows = [
                models.MeasurementInputRequest(kpi="deals_won", timestamp="2026-01-02T10:00:00Z", value=3),
                models.MeasurementInputRequest(kpi="deals_won", timestamp="2026-01-03", value="4.25"),
            ]
            answer = _module(api, "measurements.measurements_create").sync(client=http, body=rows)
            assert isinstance(answer, models.IngestAnswer), answer
            assert answer.received == 2

            tree = _module(api, "alignment.alignment_list").sync(client=http, cycle=tree_a["cycle"].pk)
            assert isinstance(tree, models.AlignmentResponse), tree
            objective = tree.priorities[0].objectives[0]
            assert isinstance(objective.children[0], models.AlignmentObjective)
            assert objective.children[0].id == tree_a["child"].pk
    finally:
        app.conf.task_always_eager = False

    assert CheckIn.objects.get().value == Decimal("42.5")
    assert KeyResult.objects.get(pk=key_result.pk).title == "Renamed by a script"
    assert sorted(Measurement.objects.values_list("value", flat=True)) == [Decimal(3), Decimal("4.25")]


def _module(api, name: str):
    return importlib.import_module(f"{api.__name__}.{name}")
