from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from accounts.models import Organization
from kpis import services
from kpis.choices import MeasurementSource

SHOWN_ERRORS = 50


class Command(BaseCommand):
    help = (
        "Import measurements from a CSV file with the header kpi,timestamp,value[,idempotency_key,note]. "
        "All lines or none: a file with any bad line stores nothing, and every bad line is listed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The CSV file (UTF-8).")
        parser.add_argument("--organization", required=True, help="The organization's slug.")
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(self, *args, file: Path, organization: str, no_progress: bool, **options):
        found = Organization.objects.filter(slug=organization).first()
        if found is None:
            raise CommandError(f"No organization with slug “{organization}”; check the slug in the admin.")
        if not file.is_file():
            raise CommandError(f"{file} is not a file.")
        with (
            file.open("rb") as handle,
            tqdm(desc="Validating", unit=" lines", disable=no_progress, file=self.stderr) as progress,
        ):
            try:
                result = services.measurements_import_csv(
                    organization=found, file=handle, source=MeasurementSource.COMMAND, progress=progress
                )
            except services.IdempotencyConflict as error:
                raise CommandError(self._describe(error, "Nothing was stored")) from error
            except services.MeasurementsInvalid as error:
                raise CommandError(self._describe(error, "Nothing was stored; fix these lines")) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.created} measurements stored, {result.replayed} already present "
                f"(same idempotency key and content). KPI values and the key results that follow them "
                "update within seconds while a worker runs (else at the next periodic run)."
            )
        )

    def _describe(self, error, lead: str) -> str:
        lines = [f"{error.message} {lead}:"]
        lines += [f"  line {e.row}, {e.field}: {e.message}" for e in error.errors[:SHOWN_ERRORS]]
        if len(error.errors) > SHOWN_ERRORS:
            lines.append(f"  … and {len(error.errors) - SHOWN_ERRORS} more.")
        return "\n".join(lines)
