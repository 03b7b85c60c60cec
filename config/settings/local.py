"""Development on one machine: `make run`."""

from config.env import env

env.ENVIRON.setdefault("SECRET_KEY", "insecure-local-development-key-not-for-production")
env.ENVIRON.setdefault("DEBUG", "1")

from .base import *  # noqa: E402,F403

STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
