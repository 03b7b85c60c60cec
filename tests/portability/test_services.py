import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Membership
from kpis.models import Kpi
from okrs.models import CheckIn, Objective
from onboarding.demo import demo_load
from portability import history, services
from tests.accounts.factories import MembershipFactory, TeamFactory
from tests.comments.factories import CommentFactory
from tests.kpis.factories import KpiFactory, MeasurementFactory
from tests.okrs.factories import CheckInFactory, KeyResultFactory

pytestmark = pytest.mark.django_db

# Values that differ between the source and the copy by design.
CHANGES = {"accounts.organization": {"slug", "name"}}


def _export(organization) -> list[dict]:
    return [json.loads(line) for line in services.organization_export(organization=organization)]


def _canonical(rows: list[dict]) -> dict[str, list[dict]]:
    """Rows per model with every id replaced by the row's position in its model's list."""
    positions: dict[str, dict[int, int]] = {}
    for row in rows:
        if "pk" in row:
            table = positions.setdefault(row["model"], {})
            table[row["pk"]] = len(table)
    canonical: dict[str, list[dict]] = {}
    for row in rows:
        if "pk" not in row or row["model"] == history.LABEL:  # the history has its own test
            continue
        model = services._model(row["model"])
        fields = {}
        for name, value in row["fields"].items():
            if name in CHANGES.get(row["model"], set()):
                continue
            f = model._meta.get_field(name)
            target = f.related_model._meta.label_lower if f.is_relation else None
            if target in positions and value is not None:
                value = (
                    sorted(positions[target][v] for v in value)
                    if f.many_to_many
                    else positions[target][value]
                )
            fields[name] = value
        canonical.setdefault(row["model"], []).append(fields)
    return canonical


@pytest.fixture
def demo():
    organization = demo_load().organization
    objective = Objective.objects.filter(cycle__organization=organization).first()
    member = Membership.objects.filter(organization=organization).first()
    member.teams.add(*organization.teams.all()[:2])
    kpi = Kpi.objects.filter(organization=organization).first()
    kpi.objectives.add(objective)
    CommentFactory(organization=organization, objective=objective, author=member.user, body="Looks good")
    return organization


@pytest.fixture
def other():
    membership = MembershipFactory(organization__slug="other-co", organization__name="Other Co")
    organization = membership.organization
    key_result = KeyResultFactory(
        objective__cycle__organization=organization, objective__title="Secret objective of Other Co"
    )
    CheckInFactory(key_result=key_result, note="Secret check-in of Other Co")
    kpi = KpiFactory(organization=organization, name="Secret KPI of Other Co")
    MeasurementFactory(kpi=kpi, organization=organization)
    TeamFactory(organization=organization, name="Secret team of Other Co")
    return organization


def test_import_under_a_new_slug_copies_every_exported_row(demo):
    rows = _export(demo)

    result = services.organization_import(lines=(json.dumps(row) for row in rows), slug="acme-copy")

    copy = result.organization
    assert copy.slug == "acme-copy" and copy.pk != demo.pk
    copied = _export(copy)
    assert _canonical(copied) == _canonical(rows)
    # The demo fills every part a user relies on, so the comparison above covers them.
    for label in (
        "okrs.checkin",
        "okrs.keyresultsnapshot",
        "kpis.measurement",
        "kpis.kpivalue",
        "comments.comment",
    ):
        assert _canonical(rows)[label], label
    assert (
        Objective.objects.filter(cycle__organization=copy).count()
        == Objective.objects.filter(cycle__organization=demo).count()
    )
    assert result.users_created == []


def test_export_holds_nothing_of_another_organization(demo, other):
    text = "".join(services.organization_export(organization=demo))

    assert "Other Co" not in text and "other-co" not in text
    other_objectives = set(Objective.objects.filter(cycle__organization=other).values_list("pk", flat=True))
    exported = {json.loads(line)["pk"] for line in text.splitlines() if '"okrs.objective"' in line}
    assert exported and not exported & other_objectives
    other_users = set(Membership.objects.filter(organization=other).values_list("user__username", flat=True))
    users = {json.loads(line)["username"] for line in text.splitlines() if '"auth.user"' in line}
    assert users and not users & other_users


def test_import_into_another_installation_creates_missing_users_without_passwords(demo):
    rows = _export(demo)
    usernames = [row["username"] for row in rows if row.get("model") == "auth.user"]
    # Rename the users in the file, as if the other installation had never seen them.
    text = "\n".join(json.dumps(row) for row in rows)
    for name in usernames:
        text = text.replace(f'"{name}"', f'"new-{name}"')

    result = services.organization_import(lines=io.StringIO(text), slug="acme-elsewhere")

    assert sorted(result.users_created) == sorted(f"new-{name}" for name in usernames)
    user = get_user_model().objects.get(username=f"new-{usernames[0]}")
    assert not user.has_usable_password()
    assert Membership.objects.filter(organization=result.organization).count() == len(usernames)


def test_commands_round_trip_through_a_file(demo, tmp_path):
    path = tmp_path / "org.jsonl"
    err = io.StringIO()
    call_command("export_organization", demo.slug, output=str(path), stderr=err)
    assert "Exported okrs.objective:" in err.getvalue()

    out = io.StringIO()
    call_command("import_organization", str(path), slug="acme-restored", stdout=out, stderr=io.StringIO())

    assert "Imported acme-restored" in out.getvalue()
    copy = Membership.objects.filter(organization__slug="acme-restored").first().organization
    assert _canonical(_export(copy)) == _canonical(_export(demo))


def test_import_refuses_a_taken_slug_and_leaves_nothing_behind(demo, tmp_path):
    path = tmp_path / "org.jsonl"
    call_command("export_organization", demo.slug, output=str(path), stderr=io.StringIO())
    objectives = Objective.objects.count()

    with pytest.raises(CommandError, match="slug"):
        call_command("import_organization", str(path), stderr=io.StringIO())

    assert Objective.objects.count() == objectives


def test_import_refuses_a_cut_short_file_and_leaves_nothing_behind(demo):
    lines = list(services.organization_export(organization=demo))
    objectives = Objective.objects.count()

    with pytest.raises(services.ApplicationError, match="cut short"):
        services.organization_import(lines=lines[: len(lines) // 2], slug="half")

    assert Objective.objects.count() == objectives
    assert not Membership.objects.filter(organization__slug="half").exists()


def test_times_are_kept_to_the_microsecond(demo):
    check_in = CheckIn.objects.filter(key_result__objective__cycle__organization=demo).order_by("pk").first()
    rows = _export(demo)

    copy = services.organization_import(
        lines=(json.dumps(row) for row in rows), slug="acme-copy"
    ).organization

    copied = CheckIn.objects.filter(key_result__objective__cycle__organization=copy).order_by("pk").first()
    assert (copied.checked_in_at, copied.created_at) == (check_in.checked_in_at, check_in.created_at)


def test_import_keeps_no_id_map_of_measurements():
    # Nothing refers to a measurement, so a year of them passes through the import without a map.
    assert "kpis.measurement" not in services._referenced_models()
    assert "okrs.objective" in services._referenced_models()


def test_import_reads_standard_input_with_a_dash(demo, monkeypatch):
    text = "".join(services.organization_export(organization=demo))
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    out = io.StringIO()

    call_command("import_organization", "-", slug="acme-piped", stdout=out, stderr=io.StringIO())

    assert "Imported acme-piped" in out.getvalue()
    assert Objective.objects.filter(cycle__organization__slug="acme-piped").count() == (
        Objective.objects.filter(cycle__organization=demo).count()
    )


def test_import_refuses_a_malformed_row_and_leaves_nothing_behind(demo):
    lines = list(services.organization_export(organization=demo))
    lines.insert(len(lines) - 1, '{"model": "okrs.checkin"}\n')

    with pytest.raises(services.ApplicationError, match=f"Line {len(lines) - 1} is not a row"):
        services.organization_import(lines=lines, slug="broken")

    assert not Membership.objects.filter(organization__slug="broken").exists()
