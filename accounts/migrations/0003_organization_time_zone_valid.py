"""Organization.time_zone accepts IANA zone names only. A stored name that is not one (a typo made
before this check existed) made every date computed for that organization fail; it becomes UTC, and the
migration says so, so that an admin can set the intended zone."""

import zoneinfo

from django.db import migrations, models

import accounts.models


def unknown_zones_to_utc(apps, schema_editor):
    Organization = apps.get_model("accounts", "Organization")
    zones = zoneinfo.available_timezones()
    for organization in Organization.objects.exclude(time_zone__in=zones).only("slug", "time_zone"):
        print(
            f"\n  Organization {organization.slug}: unknown time zone {organization.time_zone!r} is now UTC"
        )
        organization.time_zone = "UTC"
        organization.save(update_fields=["time_zone"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_apitoken"),
    ]

    operations = [
        migrations.AlterField(
            model_name="organization",
            name="time_zone",
            field=models.CharField(
                default="UTC",
                help_text="An IANA time zone name, e.g. Europe/Madrid.",
                max_length=64,
                validators=[accounts.models.validate_time_zone],
                verbose_name="time zone",
            ),
        ),
        migrations.RunPython(unknown_zones_to_utc, migrations.RunPython.noop),
    ]
