"""On PostgreSQL, the (kpi, timestamp) index of measurements also carries value and id.

An incremental recomputation then reads a KPI's measurements from the index alone (an index-only
scan) instead of visiting heap pages scattered over the whole table. SQLite has no covering indexes
and keeps the plain index; the model declares the plain one for every database.
"""

from django.db import migrations

COVERING = 'CREATE INDEX measurement_kpi_time ON kpis_measurement (kpi_id, "timestamp") INCLUDE (value, id)'
PLAIN = 'CREATE INDEX measurement_kpi_time ON kpis_measurement (kpi_id, "timestamp")'


def _replace(schema_editor, sql):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS measurement_kpi_time")
    schema_editor.execute(sql)


def forwards(apps, schema_editor):
    _replace(schema_editor, COVERING)


def backwards(apps, schema_editor):
    _replace(schema_editor, PLAIN)


class Migration(migrations.Migration):
    dependencies = [("kpis", "0002_default_schedule")]

    operations = [migrations.RunPython(forwards, backwards)]
