"""The RevOps diagnostic: scoring, recommendations, pages, API and the public diagnostic."""

import pytest
from django.apps import apps
from django.urls import reverse
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.models import Membership, Organization
from diagnostics import rules, selectors, services
from diagnostics.models import Diagnostic
from diagnostics.questions import AREAS, QUESTIONS, questions_of
from kpis.models import Kpi
from okrs.models import Objective
from tests.api.conftest import bearer
from tests.okrs.factories import CycleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_client():
    return APIClient()


def answers_with(default: str = "2", **by_area: str) -> dict[str, str]:
    """Every question answered `default`, except the areas given (area key -> option key)."""
    return {q.key: by_area.get(q.area, default) for q in QUESTIONS}


# Scoring --------------------------------------------------------------------------------------------


def test_there_are_25_questions_over_six_areas():
    assert len(QUESTIONS) == 25
    assert [len(questions_of(a.key)) for a in AREAS] == [5, 4, 4, 4, 4, 4]


def test_area_scores_are_points_over_the_most_possible_rounded_half_up():
    answers = answers_with("4", alignment="0")
    # alignment: 5 questions; answers 1, 2, 3, 0, 0 → 6 of 20 points → 30.
    for key, option in zip(
        [q.key for q in questions_of("alignment")], ["1", "2", "3", "0", "0"], strict=True
    ):
        answers[key] = option
    # kpi_selection: 4 questions; 1, 1, 1, 2 → 5 of 16 → 31.25 → 31.
    for key, option in zip([q.key for q in questions_of("kpi_selection")], ["1", "1", "1", "2"], strict=True):
        answers[key] = option
    # data_quality: 3, 3, 3, 2 → 11 of 16 → 68.75 → 69.
    for key, option in zip([q.key for q in questions_of("data_quality")], ["3", "3", "3", "2"], strict=True):
        answers[key] = option
    # tooling: 0, 0, 0, 2 → 2 of 16 → 12.5 → 13 (half up, not to even).
    for key, option in zip([q.key for q in questions_of("tooling")], ["0", "0", "0", "2"], strict=True):
        answers[key] = option
    scores = rules.scores_compute(answers)
    assert scores.areas == {
        "alignment": 30,
        "kpi_selection": 31,
        "data_quality": 69,
        "review_cadence": 100,
        "tooling": 13,
        "collaboration": 100,
    }
    # Overall: 6 + 5 + 11 + 16 + 2 + 16 = 56 of 100 points.
    assert scores.overall == 56
    assert scores.weakest == ["tooling", "alignment", "kpi_selection"]


def test_ties_among_the_weakest_follow_the_questionnaire_order():
    scores = rules.scores_compute(answers_with("2"))
    assert set(scores.areas.values()) == {50}
    assert scores.weakest == ["alignment", "kpi_selection", "data_quality"]


def test_recommendations_follow_the_weakest_areas():
    scores = rules.scores_compute(answers_with("4", data_quality="0", tooling="1", collaboration="2"))
    recommended = selectors.recommendations(scores)
    assert [r.area.key for r in recommended] == ["data_quality", "tooling", "collaboration"]
    assert [k.code for k in recommended[0].kpis] == ["data_accuracy"]
    assert [t.key for t in recommended[1].templates] == ["revops_processes"]
    assert "nps" in [k.code for k in recommended[2].kpis]


# Service --------------------------------------------------------------------------------------------


def test_a_diagnostic_needs_every_answer(org_a, editor_a):
    answers = answers_with()
    del answers["so_what"]
    with pytest.raises(Exception) as error:
        services.diagnostic_create(organization=org_a, author=editor_a.user, answers=answers)
    assert error.value.field == "so_what"
    answers["so_what"] = "7"
    with pytest.raises(Exception) as error:
        services.diagnostic_create(organization=org_a, author=editor_a.user, answers=answers)
    assert error.value.field == "so_what"
    assert not Diagnostic.objects.exists()


def test_a_recommendation_is_added_once(org_a, editor_a):
    CycleFactory(organization=org_a, state="active")
    for _ in range(2):
        services.recommendation_add(
            organization=org_a, user=editor_a.user, kind="template", key="data_driven"
        )
        services.recommendation_add(organization=org_a, user=editor_a.user, kind="kpi", key="data_accuracy")
    assert Objective.objects.filter(cycle__organization=org_a, template_key="data_driven").count() == 1
    assert Kpi.objects.filter(organization=org_a, code="data_accuracy").count() == 1


# Pages ----------------------------------------------------------------------------------------------


def _post_answers(client, url, answers):
    return client.post(url, answers)


def test_an_editor_takes_the_diagnostic_and_reads_the_result(client, editor_a):
    client.force_login(editor_a.user)
    response = _post_answers(client, reverse("diagnostics:take"), answers_with("3", tooling="0"))
    diagnostic = Diagnostic.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "diagnostics:detail", args=[diagnostic.pk]
    )
    assert (diagnostic.organization, diagnostic.author) == (editor_a.organization, editor_a.user)
    assert diagnostic.area_scores["tooling"] == 0 and diagnostic.area_scores["alignment"] == 75
    page = client.get(response["Location"]).content.decode()
    assert 'data-figure="diagnostic-radar"' in page and "scatterpolar" in page
    assert 'data-add="template-revops_processes"' in page


def test_a_missing_answer_is_shown_next_to_its_question(client, editor_a):
    client.force_login(editor_a.user)
    answers = answers_with()
    del answers["kpis_owned"]
    response = _post_answers(client, reverse("diagnostics:take"), answers)
    assert response.status_code == 400
    assert 'data-question="kpis_owned"' in response.content.decode()
    assert "Choose an answer to this statement." in response.content.decode()
    assert not Diagnostic.objects.exists()


def test_viewers_read_results_but_cannot_take_it(client, viewer_a, editor_a):
    diagnostic = services.diagnostic_create(
        organization=editor_a.organization, author=editor_a.user, answers=answers_with()
    )
    client.force_login(viewer_a.user)
    assert client.get(reverse("diagnostics:take")).status_code == 403
    assert client.get(reverse("diagnostics:detail", args=[diagnostic.pk])).status_code == 200
    response = client.post(
        reverse("diagnostics:recommendation-add", args=[diagnostic.pk]), {"kind": "kpi", "key": "nps"}
    )
    assert response.status_code == 403


def test_another_organizations_diagnostic_is_not_found(client, member_b, editor_a):
    diagnostic = services.diagnostic_create(
        organization=editor_a.organization, author=editor_a.user, answers=answers_with()
    )
    client.force_login(member_b.user)
    assert client.get(reverse("diagnostics:detail", args=[diagnostic.pk])).status_code == 404


def test_one_click_adds_a_recommended_kpi(client, editor_a):
    diagnostic = services.diagnostic_create(
        organization=editor_a.organization, author=editor_a.user, answers=answers_with("4", data_quality="0")
    )
    client.force_login(editor_a.user)
    url = reverse("diagnostics:recommendation-add", args=[diagnostic.pk])
    client.post(url, {"kind": "kpi", "key": "data_accuracy"})
    client.post(url, {"kind": "kpi", "key": "data_accuracy"})
    assert Kpi.objects.filter(organization=editor_a.organization, code="data_accuracy").count() == 1


@pytest.mark.parametrize("count", [1, 6])
def test_the_history_page_runs_a_fixed_number_of_queries(client, editor_a, django_assert_num_queries, count):
    for n in range(count):
        services.diagnostic_create(
            organization=editor_a.organization, author=editor_a.user, answers=answers_with(str(n % 5))
        )
    client.force_login(editor_a.user)
    client.get(reverse("diagnostics:list"))  # warm the session
    with django_assert_num_queries(5):  # the same whatever the number of diagnostics
        page = client.get(reverse("diagnostics:list")).content.decode()
    assert page.count("/diagnostics/") >= count
    assert ('data-figure="diagnostic-trend"' in page) == (count > 1)


# API ------------------------------------------------------------------------------------------------


def test_api_creates_lists_and_retrieves_diagnostics(api_client, editor_a):
    headers = bearer(editor_a.user)
    body = {"answers": {key: int(value) for key, value in answers_with("1", collaboration="4").items()}}
    response = api_client.post("/api/v1/diagnostics/", body, format="json", **headers)
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["area_scores"]["collaboration"] == 100 and created["area_scores"]["alignment"] == 25
    assert created["overall_score"] == round((16 + 21 * 1) / 100 * 100)
    assert created["weakest_areas"] == ["alignment", "kpi_selection", "data_quality"]
    assert created["recommendations"][0]["area"] == "alignment"
    assert created["answers"]["so_what"] == 1
    listed = api_client.get("/api/v1/diagnostics/", **headers).json()
    assert [d["id"] for d in listed["results"]] == [created["id"]]
    assert api_client.get(f"/api/v1/diagnostics/{created['id']}/", **headers).json()["overall_score"] == 37


def test_api_refuses_a_missing_or_out_of_range_answer(api_client, editor_a):
    headers = bearer(editor_a.user)
    answers = {key: 2 for key in answers_with()}
    answers["so_what"] = 9
    del answers["kpis_owned"]
    response = api_client.post("/api/v1/diagnostics/", {"answers": answers}, format="json", **headers)
    assert response.status_code == 400
    reasons = " ".join(response.json()["fields"]["answers"])
    assert "so_what: " in reasons and "kpis_owned: " in reasons
    assert not Diagnostic.objects.exists()


def test_api_needs_a_token_and_an_editor_to_create(api_client, viewer_a):
    assert api_client.get("/api/v1/diagnostics/").status_code == 401
    body = {"answers": {key: 2 for key in answers_with()}}
    response = api_client.post("/api/v1/diagnostics/", body, format="json", **bearer(viewer_a.user))
    assert response.status_code == 403


def test_api_hides_another_organizations_diagnostics(api_client, editor_a, member_b):
    diagnostic = services.diagnostic_create(
        organization=editor_a.organization, author=editor_a.user, answers=answers_with()
    )
    headers = bearer(member_b.user)
    assert api_client.get(f"/api/v1/diagnostics/{diagnostic.pk}/", **headers).status_code == 404
    assert api_client.get("/api/v1/diagnostics/", **headers).json()["results"] == []


# The public diagnostic ------------------------------------------------------------------------------


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()
            if model._meta.app_label in {"accounts", "okrs", "kpis", "diagnostics", "auth"}}  # fmt: skip


def test_the_public_diagnostic_is_closed_unless_an_organization_opens_it(client, org_a):
    assert client.get("/diagnostic/").status_code == 404
    account_services.organization_update(organization=org_a, public_diagnostic=True)
    page = client.get("/diagnostic/?via=org-a").content.decode()
    assert "Offered by Organization A." in page and 'data-question="so_what"' in page


def test_the_anonymous_diagnostic_creates_nothing_until_someone_signs_up(client, org_a):
    account_services.organization_update(organization=org_a, public_diagnostic=True)
    before = _row_counts()
    response = client.post("/diagnostic/", answers_with("3", tooling="1"))
    assert response.status_code == 302 and response["Location"] == "/diagnostic/result/"
    result = client.get("/diagnostic/result/").content.decode()
    assert 'data-figure="diagnostic-radar"' in result and 'data-area="tooling"' in result
    summary = client.get("/diagnostic/summary/")
    assert summary["Content-Disposition"].startswith("attachment")
    assert "Tooling and automation" in summary.content.decode()  # the weakest area, named
    assert "25 / 100" in summary.content.decode()  # tooling: four answers of 1 → 4 of 16
    assert _row_counts() == before

    response = client.post(
        "/diagnostic/result/",
        {
            "organization_name": "Prospect Co",
            "first_name": "Pia",
            "last_name": "Prospect",
            "email": "pia@prospect.test",
            "password": "a-long-enough-passphrase-42",
            "language": "es",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("onboarding:start")
    organization = Organization.objects.get(name="Prospect Co")
    assert organization.language == "es"
    membership = Membership.objects.get(organization=organization)
    assert membership.role == "admin" and membership.user.email == "pia@prospect.test"
    diagnostic = Diagnostic.objects.get()
    assert (diagnostic.organization, diagnostic.author) == (organization, membership.user)
    assert diagnostic.area_scores["tooling"] == 25
    assert Diagnostic.objects.filter(organization=org_a).count() == 0
    assert client.get(reverse("onboarding:start")).status_code == 200  # signed in


def test_sign_up_refuses_a_weak_password_and_creates_nothing(client, org_a):
    account_services.organization_update(organization=org_a, public_diagnostic=True)
    client.post("/diagnostic/", answers_with())
    before = _row_counts()
    response = client.post(
        "/diagnostic/result/",
        {"organization_name": "X", "email": "x@x.test", "password": "123", "language": "en"},
    )
    assert response.status_code == 400
    assert _row_counts() == before
