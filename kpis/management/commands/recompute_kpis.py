from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from accounts.models import Organization
from kpis import services


class Command(BaseCommand):
    help = (
        "Recompute KPI values now (what the periodic task does every 5 minutes), then KPI-linked key "
        "results and OKR progress. Incremental unless --full."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organization", help="One organization's slug (default: every organization).")
        parser.add_argument("--full", action="store_true", help="Recompute every period of every KPI.")

    def handle(self, *args, organization=None, full=False, **options):
        organizations = Organization.objects.order_by("pk")
        if organization:
            organizations = organizations.filter(slug=organization)
            if not organizations.exists():
                raise CommandError(f"No organization with slug “{organization}”.")
        for found in tqdm(list(organizations), desc="Recomputing", unit=" organization", file=self.stderr):
            run = services.kpi_refresh(organization_id=found.pk, full=full)
            self.stdout.write(
                f"{found.slug}: {run.state}, {run.kpis_recomputed} KPIs, {run.periods_recomputed} periods, "
                f"{run.key_results_synced} key results updated{': ' + run.error if run.error else ''}"
            )
