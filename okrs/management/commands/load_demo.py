from django.core.management.base import BaseCommand

from okrs.demo import DEMO_USERS, demo_load


class Command(BaseCommand):
    help = (
        "Create (or complete) the demo organization Acme RevOps with its users and OKRs. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help="Password of the demo users (default: a random one for new users, printed once).",
        )

    def handle(self, *args, password=None, **options):
        self.stdout.write("Loading the demo organization…")
        result = demo_load(password=password)
        verb = "Created" if result.created else "Updated"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} {result.organization.name} ({result.organization.slug}).")
        )
        for username, role, *_ in DEMO_USERS:
            if username in result.passwords:
                self.stdout.write(f"  {username:<12} {role:<7} password: {result.passwords[username]}")
            else:
                self.stdout.write(f"  {username:<12} {role:<7} (password unchanged; reset with --password)")
