import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.http import HttpRequest

from accounts.models import Membership, Organization, Team
from okrs.models import CheckIn, Cycle, KeyResult, Objective, Priority

pytestmark = pytest.mark.django_db


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (Organization, Team, Membership, Priority, Cycle, Objective, KeyResult, CheckIn)
    }


def test_load_demo_builds_acme_revops_and_is_idempotent(capsys):
    call_command("load_demo", "--password", "demo-pass-123")
    output = capsys.readouterr().out
    assert "demo-admin" in output and "demo-pass-123" in output
    counts = _counts()
    assert counts["Organization"] == 1 and counts["Team"] == 5 and counts["Priority"] == 5
    assert counts["Objective"] == 5 and counts["KeyResult"] == 15
    organization = Organization.objects.get(slug="acme-revops")
    assert organization.name == "Acme RevOps"
    assert {t.name for t in organization.teams.all()} == {
        "Sales",
        "Marketing",
        "Customer Success",
        "Finance",
        "RevOps",
    }
    statuses = set(KeyResult.objects.values_list("status", flat=True))
    assert {"on_track", "at_risk", "off_track", "not_started"} <= statuses
    assert all(kr.check_ins.exists() or kr.status == "not_started" for kr in KeyResult.objects.all())

    call_command("load_demo")
    assert _counts() == counts
    assert "password unchanged" in capsys.readouterr().out


def test_demo_users_have_their_roles_and_the_given_password(client):
    call_command("load_demo", "--password", "demo-pass-123")
    roles = dict(Membership.objects.values_list("user__username", "role"))
    assert roles == {"demo-admin": "admin", "demo-editor": "editor", "demo-viewer": "viewer"}
    admin = get_user_model().objects.get(username="demo-admin")
    assert admin.is_staff and not admin.is_superuser
    # The login throttle (django-axes) needs the request authentication is for.
    assert client.login(request=HttpRequest(), username="demo-viewer", password="demo-pass-123")


def test_load_demo_without_password_prints_a_random_one_once(capsys):
    call_command("load_demo")
    first = capsys.readouterr().out
    assert first.count("password:") == 3
    call_command("load_demo")
    assert "password:" not in capsys.readouterr().out


def test_recompute_progress_command_reports_each_organization(capsys):
    call_command("load_demo", "--password", "demo-pass-123")
    call_command("recompute_progress")
    assert "Recomputed 1 organization(s)." in capsys.readouterr().out
    with pytest.raises(SystemExit):
        call_command("recompute_progress", "--organization", "nope")


def test_demo_has_a_daily_progress_history_for_trend_charts():
    import time_machine

    from okrs.models import ObjectiveSnapshot

    with time_machine.travel("2026-11-15 12:00Z", tick=False):
        call_command("load_demo", "--password", "demo-pass-123")
    days = ObjectiveSnapshot.objects.values_list("date", flat=True).distinct()
    assert len(days) == 46  # 1 October to 15 November
    first_day = ObjectiveSnapshot.objects.filter(date="2026-10-01")
    assert all(snapshot.progress <= 0.05 for snapshot in first_day)
