"""The caseload and the service admin's whole-service view come a page at a time, in the need
order across pages, compressed, in a number of queries that does not grow with the service."""

from __future__ import annotations

import datetime
import gzip

import pytest
from django.test import Client
from django.utils import timezone

from care.models import Episode
from clinician.caseload import caseload_build
from clinician.caseload_page import CASELOAD_PAGE_SIZE
from moodlog.services import MoodRatingEntry, mood_ratings_import
from safety.services import risk_flag_close, risk_flag_raise
from tests.factories import PatientFactory, make_episode


def _episodes(service, pwp, count: int, prefix: str = "p") -> list[Episode]:
    return [
        make_episode(
            patient=PatientFactory.create(username=f"{prefix}{number:04d}", service=service),
            pwp=pwp,
            service=service,
        )
        for number in range(count)
    ]


def _names_on(client: Client, url: str) -> list[str]:
    body = client.get(url).content.decode()
    return [
        line.split('data-patient="')[1].split('"')[0]
        for line in body.split("\n")
        if 'data-patient="' in line
    ]


def test_service_view_paginates(service, pwp, service_admin_client) -> None:
    episodes = _episodes(service, pwp, CASELOAD_PAGE_SIZE + 5)
    first = service_admin_client.get("/clinician/")
    assert first.status_code == 200
    first_names = _names_on(service_admin_client, "/clinician/")
    second_names = _names_on(service_admin_client, "/clinician/?page=2")
    assert len(first_names) == CASELOAD_PAGE_SIZE
    assert len(second_names) == 5
    assert not set(first_names) & set(second_names)
    assert f"{len(episodes)} patients" in first.content.decode()
    assert 'href="?show=all&amp;page=2"' in first.content.decode()


def test_needs_attention_comes_first_across_pages(service, pwp, pwp_client) -> None:
    episodes = _episodes(service, pwp, CASELOAD_PAGE_SIZE + 5)
    flagged = episodes[-1]
    risk_flag_raise(
        patient=flagged.patient,
        episode=flagged,
        service=service,
        source_response=None,
        review_due_at=timezone.now(),
    )
    assert _names_on(pwp_client, "/clinician/")[0] == flagged.patient.username
    assert flagged.patient.username not in _names_on(pwp_client, "/clinician/?page=2")


def test_pages_of_the_caseload_follow_the_whole_need_order(service, pwp, pwp_client) -> None:
    """Pages are cut from the order of everyone, and only their own rows are built: page 1 then
    page 2 read the same as the whole caseload in need order."""
    episodes = _episodes(service, pwp, CASELOAD_PAGE_SIZE + 5)
    today = timezone.localdate()
    for number, episode in enumerate(episodes):
        if number % 3 == 0:
            # Recent activity for some: they leave the "no activity" block.
            mood_ratings_import(
                patient=episode.patient,
                entries=[MoodRatingEntry(day=today, score=1 + number % 10)],
            )
    whole = [row.patient.username for row in caseload_build(staff=pwp, now=timezone.now())]
    paged = _names_on(pwp_client, "/clinician/") + _names_on(pwp_client, "/clinician/?page=2")
    assert paged == whole
    assert len(set(paged)) == len(episodes)


def test_a_page_past_the_end_shows_the_last_page(service, pwp, pwp_client) -> None:
    _episodes(service, pwp, 3)
    assert len(_names_on(pwp_client, "/clinician/?page=99")) == 3
    assert pwp_client.get("/clinician/?page=nonsense").status_code == 200


@pytest.mark.parametrize("size", [10, 80])
def test_service_view_queries_do_not_grow(
    service, pwp, service_admin_client, size, django_assert_max_num_queries
) -> None:
    _episodes(service, pwp, size)
    service_admin_client.get("/clinician/")
    with django_assert_max_num_queries(14):
        assert service_admin_client.get("/clinician/?page=2").status_code == 200


def test_pages_are_sent_compressed(service, pwp, pwp_client) -> None:
    _episodes(service, pwp, 30)
    response = pwp_client.get("/clinician/", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert b"Your caseload" in gzip.decompress(response.content)


def test_api_answers_are_not_compressed(patient, episode) -> None:
    today = patient.local_today()
    mood_ratings_import(
        patient=patient,
        entries=[
            MoodRatingEntry(day=today - datetime.timedelta(days=back), score=5)
            for back in range(10)
        ],
    )
    client = Client()
    client.force_login(patient)
    response = client.get("/api/v1/mood/", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    # Long enough that GZipMiddleware would compress it (200 bytes and more).
    assert len(response.content) > 1000
    assert "Content-Encoding" not in response


def test_service_view_puts_a_new_risk_flag_first_at_once(
    service, pwp, service_admin_client
) -> None:
    """The service's need order is kept for a minute, but open flags are read on every page."""
    episodes = _episodes(service, pwp, CASELOAD_PAGE_SIZE + 5)
    first_page = _names_on(service_admin_client, "/clinician/")
    flagged = next(item for item in episodes if item.patient.username not in first_page)
    flag = risk_flag_raise(
        patient=flagged.patient,
        episode=flagged,
        service=service,
        source_response=None,
        review_due_at=timezone.now(),
    )
    assert _names_on(service_admin_client, "/clinician/")[0] == flagged.patient.username
    assert _names_on(service_admin_client, "/clinician/?show=flags") == [flagged.patient.username]
    risk_flag_close(flag=flag, by=pwp, note="Called the patient; safety plan reviewed.")
    assert _names_on(service_admin_client, "/clinician/?show=flags") == []


def test_service_view_builds_only_the_rows_of_its_page(
    service, pwp, service_admin_client, monkeypatch
) -> None:
    from clinician import service_view

    _episodes(service, pwp, CASELOAD_PAGE_SIZE + 5)
    service_admin_client.get("/clinician/")
    built: list[int] = []
    real_build = service_view.caseload_build

    def counting_build(**kwargs):
        rows = real_build(**kwargs)
        built.append(len(rows))
        return rows

    monkeypatch.setattr(service_view, "caseload_build", counting_build)
    assert len(_names_on(service_admin_client, "/clinician/?page=2")) == 5
    assert built == [5]


def test_beat_keeps_a_looked_at_service_order_fresh(service, pwp, service_admin_client) -> None:
    from clinician.service_view import service_orders_refresh

    _episodes(service, pwp, 3)
    assert "3 patients" in service_admin_client.get("/clinician/").content.decode()
    _episodes(service, pwp, 2, prefix="late")
    # The kept order does not know the two new patients until beat rebuilds it.
    assert "3 patients" in service_admin_client.get("/clinician/").content.decode()
    assert service_orders_refresh(now=timezone.now()) == 1
    assert "5 patients" in service_admin_client.get("/clinician/").content.decode()


def test_an_order_nobody_looks_at_is_not_rebuilt(service, pwp) -> None:
    from clinician.service_view import service_orders_refresh

    _episodes(service, pwp, 3)
    assert service_orders_refresh(now=timezone.now()) == 0
