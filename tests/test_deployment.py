"""The production path: deploy checks, the compose file, and the embedded defaults."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _environment(**overrides) -> dict:
    # Browser tests allow the ORM under Playwright's event loop in this process; a deployment never would.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {**inherited, **overrides}


def _run(args, **env):
    return subprocess.run(
        args, cwd=ROOT, env=_environment(**env), capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DEBUG="0",
        SECRET_KEY="a-real-secret-of-plenty-of-random-characters-Zq8r4N1kV0xPpL2m9sT",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings.production"},
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_docker_compose_file_is_valid():
    import compose

    binary = Path(compose.__file__).parent / "docker-compose"
    result = _run([str(binary), "config", "--format", "json"], SECRET_KEY="compose-validation-secret")
    assert result.returncode == 0, result.stderr
    for service in ("db", "redis", "web", "worker", "beat"):
        assert f'"{service}"' in result.stdout
    assert '"postgres:16"' in result.stdout and '"redis:7"' in result.stdout


@pytest.mark.django_db
def test_healthz(client):
    response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok")
