"""A rating's day is the patient's own calendar day: across midnight, the clock changes and
other time zones."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from accounts.models import User
from moodlog.models import MoodRating
from tests import factories
from tests.conftest import client_for
from tests.moodlog.conftest import token_client

UTC = datetime.UTC


def at(year: int, month: int, day: int, hour: int, minute: int) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=UTC)


def rate_today(client: APIClient) -> str:
    response = client.post("/api/v1/mood/", {"score": 5}, format="json")
    assert response.status_code == 201, response.json()
    return str(response.json()["date"])


@pytest.fixture(autouse=True)
def _tokens_outlast_the_year(settings) -> None:
    # These tests sign in at the suite's instant (BCBT_TEST_NOW) and then travel across 2026;
    # token expiry has its own tests (tests/accounts/test_tokens.py).
    settings.BCBT_TOKEN_LIFETIME_DAYS = 3 * 365
    settings.BCBT_ACCESS_TOKEN_LIFETIME_MINUTES = 3 * 365 * 24 * 60


@pytest.fixture
def london_api(patient: User, episode) -> APIClient:
    assert patient.time_zone == "Europe/London"
    return token_client(patient)


def patient_in(zone: str, service) -> APIClient:
    return token_client(factories.PatientFactory.create(time_zone=zone, service=service))


def test_half_past_midnight_bst_is_the_new_day_in_london(london_api: APIClient) -> None:
    # 23:30 UTC on 15 June is 00:30 British Summer Time on 16 June.
    with time_machine.travel(at(2026, 6, 15, 23, 30), tick=False):
        assert rate_today(london_api) == "2026-06-16"


def test_just_before_midnight_bst_is_still_the_old_day(london_api: APIClient) -> None:
    with time_machine.travel(at(2026, 6, 15, 22, 59), tick=False):
        assert rate_today(london_api) == "2026-06-15"


def test_the_new_london_day_is_not_in_the_future(london_api: APIClient, patient: User) -> None:
    with time_machine.travel(at(2026, 6, 15, 23, 30), tick=False):
        ok = london_api.put("/api/v1/mood/2026-06-16/", {"score": 6}, format="json")
        future = london_api.put("/api/v1/mood/2026-06-17/", {"score": 6}, format="json")
    assert ok.status_code == 201
    assert future.status_code == 400
    assert list(MoodRating.objects.filter(patient=patient).values_list("day", flat=True)) == [
        datetime.date(2026, 6, 16)
    ]


def test_the_14_day_window_counts_local_days(london_api: APIClient) -> None:
    with time_machine.travel(at(2026, 6, 15, 23, 30), tick=False):
        inside = london_api.put("/api/v1/mood/2026-06-02/", {"score": 6}, format="json")
        outside = london_api.put("/api/v1/mood/2026-06-01/", {"score": 6}, format="json")
    assert inside.status_code == 201
    assert outside.status_code == 400


def test_the_night_the_clocks_go_forward(london_api: APIClient) -> None:
    # Sunday 29 March 2026: at 01:00 GMT the clocks go forward to 02:00 BST.
    with time_machine.travel(at(2026, 3, 29, 0, 30), tick=False):  # 00:30 GMT
        assert rate_today(london_api) == "2026-03-29"
    with time_machine.travel(at(2026, 3, 29, 22, 59), tick=False):  # 23:59 BST
        london_api.put("/api/v1/mood/2026-03-29/", {"score": 7}, format="json")
        assert london_api.get("/api/v1/mood/2026-03-29/").json()["score"] == 7
    with time_machine.travel(at(2026, 3, 29, 23, 30), tick=False):  # 00:30 BST on Monday
        assert rate_today(london_api) == "2026-03-30"


def test_the_night_the_clocks_go_back(london_api: APIClient) -> None:
    # Sunday 25 October 2026: at 02:00 BST the clocks go back to 01:00 GMT.
    with time_machine.travel(at(2026, 10, 24, 23, 30), tick=False):  # 00:30 BST on Sunday
        assert rate_today(london_api) == "2026-10-25"
    with time_machine.travel(at(2026, 10, 25, 1, 30), tick=False):  # 01:30 GMT, the second time
        assert london_api.post("/api/v1/mood/", {"score": 6}, format="json").status_code == 200
    with time_machine.travel(at(2026, 10, 25, 23, 30), tick=False):  # 23:30 GMT, still Sunday
        assert london_api.post("/api/v1/mood/", {"score": 4}, format="json").json()["date"] == (
            "2026-10-25"
        )
    with time_machine.travel(at(2026, 10, 26, 0, 30), tick=False):  # 00:30 GMT on Monday
        assert rate_today(london_api) == "2026-10-26"


def test_a_patient_in_new_york_is_still_on_the_day_before(service) -> None:
    client = patient_in("America/New_York", service)
    # 02:00 UTC on 16 June is 22:00 on 15 June in New York.
    with time_machine.travel(at(2026, 6, 16, 2, 0), tick=False):
        assert rate_today(client) == "2026-06-15"
        future = client.put("/api/v1/mood/2026-06-16/", {"score": 5}, format="json")
    assert future.status_code == 400


def test_a_patient_in_sydney_is_already_on_the_next_day(service) -> None:
    client = patient_in("Australia/Sydney", service)
    # 15:00 UTC on 15 June is 01:00 on 16 June in Sydney.
    with time_machine.travel(at(2026, 6, 15, 15, 0), tick=False):
        assert rate_today(client) == "2026-06-16"


def test_two_patients_at_the_same_instant_rate_different_days(
    london_api: APIClient, service
) -> None:
    new_york = patient_in("America/New_York", service)
    with time_machine.travel(at(2026, 6, 15, 23, 30), tick=False):
        assert rate_today(london_api) == "2026-06-16"
        assert rate_today(new_york) == "2026-06-15"


def test_the_web_page_rates_the_local_day(patient: User, episode) -> None:
    with time_machine.travel(at(2026, 6, 15, 23, 30), tick=False):
        # Signed in that night: a session ends 12 hours after sign-in.
        patient_client = client_for(patient)
        page = patient_client.get("/mood/")
        assert 'value="2026-06-16"' in page.content.decode()
        response = patient_client.post("/mood/", {"day": "2026-06-16", "score": "4", "note": ""})
    assert response.status_code == 302
    assert MoodRating.objects.get(patient=patient).day == datetime.date(2026, 6, 16)
