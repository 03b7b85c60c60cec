import sys

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organization
from portability import services


class Command(BaseCommand):
    help = "Write one organization as JSON Lines to standard output (or --output); progress goes to stderr."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--output", "-o", help="A file to write instead of standard output.")

    def handle(self, *args, slug, output=None, **options):
        organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            raise CommandError(f"No organization has the slug {slug!r}.")
        stream = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
        try:
            for line in services.organization_export(organization=organization, progress=self._progress):
                stream.write(line)
        finally:
            if output:
                stream.close()
            else:
                stream.flush()

    def _progress(self, message: str) -> None:
        self.stderr.write(f"Exported {message}")
