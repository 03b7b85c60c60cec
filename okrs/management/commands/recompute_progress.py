from django.core.management.base import BaseCommand
from tqdm import tqdm

from accounts.models import Organization
from okrs import services
from okrs.models import Objective


class Command(BaseCommand):
    help = "Recompute progress, status, snapshots and roll-ups in this process (what the periodic task does)."

    def add_arguments(self, parser):
        parser.add_argument("--organization", help="Slug of one organization (default: all).")

    def handle(self, *args, organization=None, **options):
        organizations = Organization.objects.order_by("pk")
        if organization:
            organizations = organizations.filter(slug=organization)
            if not organizations.exists():
                self.stderr.write(f"No organization with slug {organization!r}; list them in the admin.")
                raise SystemExit(1)
        total = Objective.objects.filter(cycle__organization__in=organizations).count()
        with tqdm(total=total, unit="objective", file=self.stderr, disable=None) as bar:
            for org in organizations:
                bar.set_description(org.slug)
                result = services.progress_recompute(organization_id=org.pk, progress_bar=bar)
                if result.skipped:
                    self.stderr.write(f"{org.slug}: another recomputation is running; try again in a minute.")
        self.stdout.write(self.style.SUCCESS(f"Recomputed {organizations.count()} organization(s)."))
