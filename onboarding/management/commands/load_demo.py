from django.conf import settings
from django.core.management.base import BaseCommand

from onboarding.demo import DEMO_LANGUAGES, DEMO_USERS, demo_load


class Command(BaseCommand):
    help = (
        "Create (or complete) the demo organization Acme RevOps with its users and OKRs. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help="Password of the demo users (default: a random one for new users, printed once).",
        )
        parser.add_argument(
            "--language",
            default="en",
            choices=[code for code, _name in settings.LANGUAGES],
            help="Language of the demo's content; other than English, a separate organization and users.",
        )

    def handle(self, *args, password=None, language="en", **options):
        self.stdout.write("Loading the demo organization…")
        result = demo_load(password=password, language=language)
        suffix = DEMO_LANGUAGES[language]["suffix"]
        verb = "Created" if result.created else "Updated"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} {result.organization.name} ({result.organization.slug}).")
        )
        for base_username, role, *_ in DEMO_USERS:
            username = base_username + suffix
            if username in result.passwords:
                self.stdout.write(f"  {username:<12} {role:<7} password: {result.passwords[username]}")
            else:
                self.stdout.write(f"  {username:<12} {role:<7} (password unchanged; reset with --password)")
