"""The flags page (a PWP's flags; a service admin's duty queue) comes a page at a time, oldest
first across pages, in a number of queries that does not grow with the flags."""

from __future__ import annotations

import pytest
from django.utils import timezone

from safety.services import risk_flag_raise
from safety.views import FLAGS_PER_PAGE
from tests.factories import PatientFactory, make_episode

pytestmark = pytest.mark.django_db


def _flags(service, pwp, count: int) -> list[str]:
    names = []
    for number in range(count):
        patient = PatientFactory.create(username=f"flagged{number:04d}", service=service)
        episode = make_episode(patient=patient, pwp=pwp, service=service)
        risk_flag_raise(
            patient=patient,
            episode=episode,
            service=service,
            source_response=None,
            review_due_at=timezone.now(),
        )
        names.append(patient.display_name)
    return names


def _rows(body: str) -> int:
    return body.count(": review this flag</span>")


def test_the_flags_page_paginates_oldest_first(service, pwp, pwp_client) -> None:
    names = _flags(service, pwp, FLAGS_PER_PAGE + 3)
    first = pwp_client.get("/clinician/flags/").content.decode()
    second = pwp_client.get("/clinician/flags/?page=2").content.decode()
    assert _rows(first) == FLAGS_PER_PAGE
    assert _rows(second) == 3
    assert f"{FLAGS_PER_PAGE + 3} open flags" in first
    assert 'href="?page=2"' in first
    assert names[-1] in second
    assert names[-1] not in first


@pytest.mark.parametrize("count", [3, 60])
def test_the_duty_queue_queries_do_not_grow(
    service, pwp, service_admin_client, count, django_assert_max_num_queries
) -> None:
    from safety.models import RiskFlag

    _flags(service, pwp, count)
    # The duty queue: flags of patients with no PWP.
    RiskFlag.objects.update(route="duty_queue", pwp=None)
    service_admin_client.get("/clinician/flags/")
    with django_assert_max_num_queries(12):
        response = service_admin_client.get("/clinician/flags/")
    assert response.status_code == 200
    assert _rows(response.content.decode()) == min(count, FLAGS_PER_PAGE)
