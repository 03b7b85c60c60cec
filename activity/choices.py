from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    """Where a change was made."""

    PAGE = "page", _("page")
    API = "api", _("API")
    ADMIN = "admin", _("admin site")
    COMMAND = "command", _("command")
    TASK = "task", _("background task")


# django-auditlog's action numbers and their names in the API.
ACTION_NAMES = {0: "create", 1: "update", 2: "delete"}
ACTION_NUMBERS = {name: number for number, name in ACTION_NAMES.items()}
