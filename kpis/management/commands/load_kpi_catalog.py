from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organization
from kpis.catalog import CATALOG
from kpis.services import catalog_load


class Command(BaseCommand):
    help = "Load the RevOps KPI catalog into an organization (KPIs it already has, by code, are kept)."

    def add_arguments(self, parser):
        parser.add_argument("organization", help="The organization's slug, e.g. acme-revops.")

    def handle(self, *args, organization, **options):
        found = Organization.objects.filter(slug=organization).first()
        if found is None:
            slugs = ", ".join(Organization.objects.values_list("slug", flat=True)[:20]) or "none yet"
            raise CommandError(f"No organization with slug “{organization}”. Existing slugs: {slugs}.")
        created = catalog_load(organization=found)
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(created)} KPIs created in {found.name}; {len(CATALOG) - len(created)} already there."
            )
        )
