"""The test suite: only what makes it faster or hermetic."""

from config.env import VAR_DIR, env

env.ENVIRON.setdefault("SECRET_KEY", "test-only-secret-key-with-enough-length-to-be-fine-0123456789")
# Tests never share a filesystem broker with a running `make run` worker.
env.ENVIRON.setdefault("CELERY_FILESYSTEM_FOLDER", "celery-test")

from .base import *  # noqa: E402,F403
from .base import DATABASES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# A file-backed SQLite test database, so that a worker process started by a test sees it.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / env("TEST_DB_FILE", default="test_rumbo.sqlite3"))}
