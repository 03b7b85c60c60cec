import sys

from django.core.management.base import BaseCommand, CommandError

from common.exceptions import ApplicationError
from portability import services


class Command(BaseCommand):
    help = "Create an organization from a file written by export_organization (use - for standard input)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--slug", help="The new organization's slug, if the exported one is taken.")

    def handle(self, *args, path, slug=None, **options):
        try:
            stream = sys.stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from error
        try:
            result = services.organization_import(lines=stream, slug=slug, progress=self._progress)
        except ApplicationError as error:
            raise CommandError(str(error)) from error
        finally:
            if stream is not sys.stdin:
                stream.close()
        if result.users_created:
            names = ", ".join(result.users_created)
            self.stderr.write(f"Created {len(result.users_created)} users without passwords: {names}")
        self.stdout.write(f"Imported {result.organization.slug}: {result.rows} rows.")

    def _progress(self, message: str) -> None:
        self.stderr.write(f"Imported {message}")
