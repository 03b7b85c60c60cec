"""The restore drill of the README: pg_dump the database, pg_restore it into a scratch one, compare rows."""

import os
import shutil
import subprocess

import psycopg2
import pytest
from django.db import connection
from psycopg2 import sql

from tests.comments.factories import CommentFactory
from tests.conftest import REQUIRE_SERVICES
from tests.kpis.factories import KpiFactory, MeasurementFactory
from tests.okrs.factories import CheckInFactory, KeyResultFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]


def _unavailable(reason: str):
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture
def database():
    if connection.vendor != "postgresql":
        _unavailable(
            "the restore drill uses pg_dump and pg_restore, so it runs on PostgreSQL (set DATABASE_URL)"
        )
    missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
    if missing:
        _unavailable(f"{' and '.join(missing)} not installed (apt-get install postgresql-client)")
    return connection.settings_dict


def _libpq(database) -> tuple[list[str], dict]:
    options = ["--host", database["HOST"] or "127.0.0.1", "--port", str(database["PORT"] or 5432)]
    options += ["--username", database["USER"]]
    return options, {**os.environ, "PGPASSWORD": database["PASSWORD"] or ""}


def _connect(database, name: str):
    return psycopg2.connect(
        dbname=name,
        user=database["USER"],
        password=database["PASSWORD"],
        host=database["HOST"] or "127.0.0.1",
        port=database["PORT"] or 5432,
    )


def _counts(cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        counts[table] = cursor.fetchone()[0]
    return counts


@pytest.fixture
def scratch(database):
    name = f"{database['NAME']}_restore_drill"
    admin = _connect(database, "postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    admin.close()


def test_a_dump_restores_into_a_scratch_database_with_every_row(database, scratch, admin_a, tmp_path):
    organization = admin_a.organization
    key_result = KeyResultFactory(objective__cycle__organization=organization, title="Pipeline covered 3x")
    CheckInFactory.create_batch(3, key_result=key_result)
    kpi = KpiFactory(organization=organization)
    MeasurementFactory.create_batch(5, kpi=kpi, organization=organization)
    CommentFactory(objective=key_result.objective, body="Restored, I hope")
    options, environment = _libpq(database)
    dump = tmp_path / "rumbo.dump"

    subprocess.run(
        ["pg_dump", *options, "--format=custom", "--no-owner", "--file", str(dump), database["NAME"]],
        env=environment,
        check=True,
        timeout=60,
    )
    subprocess.run(
        ["pg_restore", *options, "--no-owner", "--exit-on-error", "--dbname", scratch, str(dump)],
        env=environment,
        check=True,
        timeout=60,
    )

    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        expected = _counts(cursor, tables)
    restored = _connect(database, scratch)
    try:
        with restored.cursor() as cursor:
            assert _counts(cursor, tables) == expected
            cursor.execute("SELECT title FROM okrs_keyresult WHERE id = %s", [key_result.pk])
            assert cursor.fetchone() == ("Pipeline covered 3x",)
    finally:
        restored.close()
    assert expected["okrs_checkin"] == 3 and expected["kpis_measurement"] == 5
