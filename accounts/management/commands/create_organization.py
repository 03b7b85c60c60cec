"""Create an organization and its first admin, and print a one-time link to choose a password."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts import emails, selectors, services
from common.exceptions import ApplicationError

# What to do next, for each field a refusal can name.
HINTS = {
    "slug": "Choose another with --slug (lower-case letters, digits and hyphens).",
    "time_zone": "Give an IANA name with --time-zone, e.g. Europe/Madrid or America/New_York.",
    "language": "Use --language en or --language es.",
    "name": "Give a name of at most 200 characters with --name.",
    "admin_email": "Give the first admin's address with --admin-email, e.g. --admin-email ana@example.com.",
}


class Command(BaseCommand):
    help = (
        "Create an organization and its first admin (whose username is their email address). "
        "Prints a one-time link where the admin chooses a password; the link is also mailed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="The organization's name, e.g. 'Acme Inc.'.")
        parser.add_argument("--slug", required=True, help="A short unique id for URLs, e.g. acme.")
        parser.add_argument("--admin-email", required=True, help="The first admin's email address.")
        parser.add_argument("--time-zone", default="UTC", help="An IANA time zone name (default UTC).")
        parser.add_argument(
            "--language", default=settings.LANGUAGE_CODE, help="en or es: pages and mail (default en)."
        )

    def handle(self, *args, name, slug, admin_email, time_zone, language, **options):
        try:
            organization = services.organization_create(
                slug=slug, name=name, admin_email=admin_email, time_zone=time_zone, language=language
            )
        except ApplicationError as error:
            raise CommandError(self._with_hint(error.message, error.field)) from error
        except ValidationError as error:
            raise CommandError(self._describe(error)) from error
        admin = selectors.user_for_email(email=services.normalized_email(admin_email))
        self.stdout.write(f"Created the organization {organization.name} ({organization.slug}).")
        self.stdout.write(f"Its first admin signs in as {admin.get_username()}.")
        self.stdout.write("Link to choose the password (works once; it was also mailed to the admin):")
        self.stdout.write(emails.password_set_url(admin))

    def _with_hint(self, message: str, field: str | None) -> str:
        hint = HINTS.get(field or "")
        return f"{message} {hint}" if hint else message

    def _describe(self, error: ValidationError) -> str:
        if not hasattr(error, "error_dict"):
            return " ".join(error.messages)
        return " ".join(
            self._with_hint(" ".join(messages), field) for field, messages in error.message_dict.items()
        )
