"""Shared fixtures: the cast of three (an admin and a viewer of organization A, a member of B)."""

import os
from dataclasses import dataclass

import pytest

from accounts.choices import Role
from accounts.models import Membership, Organization
from tests.accounts.factories import MembershipFactory, OrganizationFactory, UserFactory

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


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


@pytest.fixture
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
