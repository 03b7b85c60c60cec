"""Create a personal API token for a user and print it, and nothing else, on standard output."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts import services
from common.exceptions import ApplicationError


class Command(BaseCommand):
    help = "Create an API token for USERNAME; the token is printed once on standard output."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="The username the token acts as.")
        parser.add_argument("--name", required=True, help="What uses the token, e.g. 'CRM sync'.")
        parser.add_argument("--expires-in-days", type=int, default=None, help="Optional lifetime in days.")

    def handle(self, *args, user, name, expires_in_days, **options):
        account = get_user_model().objects.filter(username=user).first()
        if account is None:
            raise CommandError(f"No user named {user!r}; create it first (manage.py createsuperuser).")
        if not account.is_active:
            raise CommandError(f"The user {user!r} is inactive; activate it in the admin first.")
        if not name.strip():
            raise CommandError("Give the token a name with --name, e.g. --name 'CRM sync'.")
        if expires_in_days is not None and expires_in_days < 1:
            raise CommandError("--expires-in-days must be at least 1.")
        expires_at = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
        try:
            _token, raw = services.api_token_create(user=account, name=name, expires_at=expires_at)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(raw)
