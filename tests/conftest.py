"""Shared fixtures: the cast of three (an admin and a viewer of organization A, a member of B)."""

import os
from dataclasses import dataclass

import pytest

from accounts.choices import Role
from accounts.models import Membership, Organization
from tests.accounts.factories import MembershipFactory, OrganizationFactory, UserFactory

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def pytest_sessionstart(session):
    """With REQUIRE_SERVICES=1 (CI), a missing PostgreSQL or Redis fails the run instead of skipping tests."""
    if not REQUIRE_SERVICES:
        return
    import psycopg2
    import redis
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        pytest.exit(
            "REQUIRE_SERVICES=1 but DATABASE_URL is not PostgreSQL; set DATABASE_URL=postgres://...", 3
        )
    if not settings.REDIS_URL:
        pytest.exit("REQUIRE_SERVICES=1 but REDIS_URL is not set; set REDIS_URL=redis://...", 3)
    try:
        psycopg2.connect(
            dbname="postgres",
            user=database["USER"],
            password=database["PASSWORD"],
            host=database["HOST"] or "127.0.0.1",
            port=database["PORT"] or 5432,
            connect_timeout=5,
        ).close()
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=5).ping()
    except (psycopg2.OperationalError, redis.RedisError) as error:
        pytest.exit(f"REQUIRE_SERVICES=1 but a service is unreachable: {error}. Start it and run again.", 3)


@dataclass
class Member:
    user: object
    organization: Organization
    membership: Membership


def _member(organization, role, username) -> Member:
    membership = MembershipFactory(user=UserFactory(username=username), organization=organization, role=role)
    return Member(user=membership.user, organization=organization, membership=membership)


@pytest.fixture
def org_a(db):
    return OrganizationFactory(name="Organization A", slug="org-a")


@pytest.fixture
def org_b(db):
    return OrganizationFactory(name="Organization B", slug="org-b")


@pytest.fixture
def admin_a(org_a) -> Member:
    return _member(org_a, Role.ADMIN, "admin-a")


@pytest.fixture
def editor_a(org_a) -> Member:
    return _member(org_a, Role.EDITOR, "editor-a")


@pytest.fixture
def viewer_a(org_a) -> Member:
    return _member(org_a, Role.VIEWER, "viewer-a")


@pytest.fixture
def member_b(org_b) -> Member:
    return _member(org_b, Role.ADMIN, "member-b")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, never a downloaded browser; the flags keep it off the closed network."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    return bool(marker and marker.kwargs.get("transaction")) or bool(
        {"live_server", "transactional_db"} & set(fixtures)
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run tests that flush the database (transactional, live server) after the others.

    A flush also empties the rows data migrations created (the default periodic tasks), so no
    ordinary database test may run after one. pytest-django orders tests this way too, but browser
    tests parametrized by pytest-playwright can slip between ordinary ones.
    """
    items.sort(key=_is_transactional)
