"""The patient's modules in the app: /api/v1/modules/{slug}/, its pages and an exercise's final
answers, with every denial (PRODUCT.md, "REST API"; issue 20)."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tokens import device_token_issue
from modules.models import ExerciseResponse
from modules.services import assignment_start, assignment_step_complete
from safety.models import RiskFlag
from tests.modules.conftest import assignment_for

SLEEP = "/api/v1/modules/better-sleep/"
ANSWERS = f"{SLEEP}exercises/sleep_plan/answers/"
GOOD_ANSWERS: dict[str, Any] = {
    "usual_bedtime": "23:30",
    "usual_wake_time": "07:00",
    "sleep_quality": 4,
    "problems": ["worry", "screens"],
    "planned_wake_time": "07:00",
    "changes": "Phone charges in the kitchen.",
}


def token_client(user: User) -> APIClient:
    _, key = device_token_issue(user=user, device_name="phone")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def api(patient: User, episode) -> APIClient:
    return token_client(patient)


def read_all_pages(episode) -> None:
    sleep = assignment_for(episode, "better-sleep")
    assignment_start(assignment=sleep)
    for step in (1, 2, 3):
        assignment_step_complete(assignment=sleep, step=step)


def test_a_module_comes_with_its_pages_as_sanitised_html(api: APIClient) -> None:
    response = api.get(SLEEP)
    assert response.status_code == 200
    body = response.json()
    assert (body["slug"], body["status"], body["step_count"]) == ("better-sleep", "not_started", 4)
    assert [page["title"] for page in body["pages"]] == [
        "Sleep and mood",
        "Habits that help",
        "Wind down",
    ]
    assert body["pages"][0]["body_html"].startswith("<p>")
    assert "<script" not in " ".join(page["body_html"] for page in body["pages"])
    exercise = body["exercises"][0]
    assert (exercise["key"], exercise["number"], exercise["answers"]) == ("sleep_plan", 4, None)
    assert [question["name"] for question in exercise["questions"]][:2] == [
        "usual_bedtime",
        "usual_wake_time",
    ]


def test_a_locked_module_shows_why_and_no_content(api: APIClient) -> None:
    body = api.get("/api/v1/modules/activity-diary/").json()
    assert body["status"] == "locked"
    assert body["locked_reason"]
    assert body["pages"] == []
    assert body["exercises"] == []
    response = api.post("/api/v1/modules/activity-diary/pages/1/done/")
    assert response.status_code == 409
    assert response.json()["code"] == "module_locked"


def test_reading_pages_in_order_moves_the_progress_on(api: APIClient, episode) -> None:
    first = api.post(f"{SLEEP}pages/1/done/")
    assert first.status_code == 200
    assert (first.json()["status"], first.json()["progress"]) == ("in_progress", 25)
    assert first.json()["pages"][0]["done"] is True
    skipped = api.post(f"{SLEEP}pages/3/done/")
    assert skipped.status_code == 409
    assert skipped.json()["code"] == "read_in_order"
    assert api.post(f"{SLEEP}pages/9/done/").status_code == 404


def test_final_answers_are_stored_by_the_same_service_and_finish_the_module(
    api: APIClient, episode
) -> None:
    read_all_pages(episode)
    response = api.post(ANSWERS, {"answers": GOOD_ANSWERS}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["answers"]["problems"] == ["worry", "screens"]
    assert body["completed_at"] is not None
    assert "signposting" not in body
    stored = ExerciseResponse.objects.get(exercise_key="sleep_plan")
    assert stored.answers["changes"] == "Phone charges in the kitchen."
    assert api.get(SLEEP).json()["status"] == "completed"
    assert api.get(ANSWERS).json()["answers"] == stored.answers


def test_a_missing_required_answer_is_400_and_nothing_is_stored(api: APIClient, episode) -> None:
    read_all_pages(episode)
    answers = {**GOOD_ANSWERS, "changes": ""}
    response = api.post(ANSWERS, {"answers": answers}, format="json")
    assert response.status_code == 400
    assert "changes" in response.json()
    assert not ExerciseResponse.objects.exists()


def test_a_wrong_kind_of_answer_is_400(api: APIClient, episode) -> None:
    read_all_pages(episode)
    response = api.post(ANSWERS, {"answers": {**GOOD_ANSWERS, "sleep_quality": 40}}, format="json")
    assert response.status_code == 400
    assert "sleep_quality" in response.json()
    assert api.post(ANSWERS, {"answers": "all good"}, format="json").status_code == 400


def test_an_exercise_before_its_pages_are_read_is_409(api: APIClient) -> None:
    response = api.post(ANSWERS, {"answers": GOOD_ANSWERS}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "read_in_order"


def test_words_of_risk_raise_a_flag_and_bring_signposting(api: APIClient, episode) -> None:
    read_all_pages(episode)
    answers = {**GOOD_ANSWERS, "changes": "Some days I want to end it all."}
    response = api.post(ANSWERS, {"answers": answers}, format="json")
    assert response.status_code == 200
    assert response.json()["signposting"]["monitored_in_real_time"] is False
    assert RiskFlag.objects.filter(patient=episode.patient).count() == 1


def test_a_retried_submission_with_the_same_key_is_stored_once(api: APIClient, episode) -> None:
    read_all_pages(episode)
    answers = {**GOOD_ANSWERS, "changes": "Some days I want to end it all."}
    headers = {"Idempotency-Key": "answers-1"}
    first = api.post(ANSWERS, {"answers": answers}, format="json", headers=headers)
    retry = api.post(ANSWERS, {"answers": answers}, format="json", headers=headers)
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert RiskFlag.objects.count() == 1
    other = api.post(ANSWERS, {"answers": GOOD_ANSWERS}, format="json", headers=headers)
    assert other.status_code == 422


# --- denials ----------------------------------------------------------------------------------

PATHS = [
    ("get", SLEEP),
    ("post", f"{SLEEP}pages/1/done/"),
    ("get", ANSWERS),
    ("post", ANSWERS),
]


@pytest.mark.parametrize(("method", "path"), PATHS)
def test_anonymous_gets_401(db: None, method: str, path: str) -> None:
    assert getattr(APIClient(), method)(path, {}, format="json").status_code == 401


@pytest.mark.parametrize("persona", ["pwp", "navigator", "service_admin"])
@pytest.mark.parametrize(("method", "path"), PATHS)
def test_staff_get_403(request, persona: str, method: str, path: str) -> None:
    user = request.getfixturevalue(persona)
    response = getattr(token_client(user), method)(path, {}, format="json")
    assert response.status_code == 403


def test_a_module_not_in_my_programme_is_404(api: APIClient) -> None:
    assert api.get("/api/v1/modules/no-such-module/").status_code == 404
    assert api.get(f"{SLEEP}exercises/no_such_exercise/answers/").status_code == 404


def test_another_patients_answers_are_never_mine(
    api: APIClient, episode, other_patient: User, other_episode
) -> None:
    read_all_pages(other_episode)
    other = token_client(other_patient)
    assert other.post(ANSWERS, {"answers": GOOD_ANSWERS}, format="json").status_code == 200
    # My own exercise has no answers: their answers are not reachable from my account.
    assert api.get(ANSWERS).status_code == 404
    assert api.get(SLEEP).json()["exercises"][0]["answers"] is None


def test_a_patient_not_in_treatment_gets_404(service) -> None:
    from tests import factories

    client = token_client(factories.PatientFactory.create(service=service))
    assert client.get(SLEEP).status_code == 404
