"""The navigator's support queue comes a page at a time, in its priority order across pages, and
its forms bring the navigator back to the page they were on."""

from __future__ import annotations

import gzip
import re

from django.test import Client

from accounts.models import SupportKind, SupportRequest, SupportStatus, User
from accounts.selectors import support_queue_for_navigator
from accounts.services import support_request_note
from accounts.support_queue_page import QUEUE_PAGE_SIZE
from tests import factories


def _patients_not_started(service, pwp, count: int) -> list[User]:
    """Patients in treatment who never signed in: one "getting started" item each."""
    patients = []
    for number in range(count):
        patient = factories.PatientFactory.create(
            service=service, first_name="Starter", last_name=f"{number:03d}"
        )
        factories.make_episode(patient=patient, pwp=pwp, service=service)
        patients.append(patient)
    return patients


def _item_targets(page: str) -> list[str]:
    """Who each item on the page is about (its patient id, or its stored request), in order."""
    items = page.split('class="nhsuk-card bcbt-queue-item"')[1:]
    targets = []
    for item in items:
        found = re.search(r'name="(patient|support_request)" value="(\d+)"', item)
        assert found is not None
        targets.append(f"{found.group(1)}:{found.group(2)}")
    return targets


def test_the_queue_is_cut_into_pages_in_its_priority_order(
    navigator, navigator_client, service, pwp
) -> None:
    patients = _patients_not_started(service, pwp, QUEUE_PAGE_SIZE + 3)
    # Help asked for comes first, whatever page the rest is on.
    asked = SupportRequest.objects.create(
        kind=SupportKind.SIGN_IN_HELP, patient=patients[-1], service=service, contact="x"
    )
    queue = support_queue_for_navigator(navigator=navigator)
    whole = [
        f"support_request:{entry.support_request.pk}"
        if entry.support_request
        else f"patient:{entry.patient.pk}"
        for _, _, entries in queue.sections
        for entry in entries
        if entry.patient is not None
    ]
    first = navigator_client.get("/navigator/").content.decode()
    second = navigator_client.get("/navigator/?page=2").content.decode()
    assert len(_item_targets(first)) == QUEUE_PAGE_SIZE
    assert len(_item_targets(second)) == 4
    assert _item_targets(first) + _item_targets(second) == whole
    assert _item_targets(first)[0] == f"support_request:{asked.pk}"
    assert "page 1 of 2" in first.lower()
    # The section running over the page boundary carries on, and the contents say where.
    assert "Not finished getting started (28), continued" in second
    assert 'href="?page=2"' in first
    # Past the end: the last page.
    assert _item_targets(navigator_client.get("/navigator/?page=9").content.decode()) == (
        _item_targets(second)
    )
    assert navigator_client.get("/navigator/?page=nonsense").status_code == 200


def test_alerts_to_staff_and_empty_sections_are_still_shown(navigator_client, service, pwp) -> None:
    _patients_not_started(service, pwp, QUEUE_PAGE_SIZE + 1)
    first = navigator_client.get("/navigator/").content.decode()
    # Empty sections before the first item are on page 1, as are alerts to staff.
    assert "Asked for help signing in (0)" in first
    assert 'id="staff-alerts"' in first
    second = navigator_client.get("/navigator/?page=2").content.decode()
    assert 'id="staff-alerts"' not in second
    assert 'href="?page=1#staff-alerts"' in second


def test_an_action_on_page_two_comes_back_to_page_two(
    navigator, navigator_client, service, pwp
) -> None:
    patients = _patients_not_started(service, pwp, QUEUE_PAGE_SIZE + 3)
    second = navigator_client.get("/navigator/?page=2").content.decode()
    assert 'name="next" value="/navigator/?page=2"' in second
    target = _item_targets(second)[0]
    patient = User.objects.get(pk=int(target.split(":")[1]))
    assert patient in patients
    response = navigator_client.post(
        "/navigator/items/",
        {
            "patient": patient.pk,
            "kind": SupportKind.GETTING_STARTED,
            "action": "pick_up",
            "next": "/navigator/?page=2",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/navigator/?page=2"
    item = SupportRequest.objects.get(patient=patient, kind=SupportKind.GETTING_STARTED)
    assert item.status == SupportStatus.PICKED_UP
    assert item.assignee == navigator
    again = navigator_client.get(response["Location"]).content.decode()
    assert "You have picked up this item." in again
    # A picked-up item leads its section (stored items first, oldest first): here, page 1.
    assert f"support_request:{item.pk}" not in _item_targets(again)
    first = navigator_client.get("/navigator/").content.decode()
    assert f"support_request:{item.pk}" in _item_targets(first)


def _asked_for_help(navigator: User, patients: list[User], service) -> None:
    for patient in patients:
        asked = SupportRequest.objects.create(
            kind=SupportKind.SIGN_IN_HELP, patient=patient, service=service, contact="x"
        )
        support_request_note(by=navigator, support_request=asked, text="Rang, no answer.")


def test_a_page_of_the_queue_reads_a_fixed_number_of_queries(
    navigator, navigator_client, service, pwp, django_assert_max_num_queries
) -> None:
    _asked_for_help(navigator, _patients_not_started(service, pwp, 3), service)
    navigator_client.get("/navigator/")
    with django_assert_max_num_queries(14) as small:
        navigator_client.get("/navigator/")
    _asked_for_help(navigator, _patients_not_started(service, pwp, 2 * QUEUE_PAGE_SIZE), service)
    for number in (1, 3):
        with django_assert_max_num_queries(len(small.captured_queries)):
            page = navigator_client.get(f"/navigator/?page={number}").content.decode()
        assert len(_item_targets(page)) <= QUEUE_PAGE_SIZE


def test_the_queue_page_is_only_for_navigators(pwp_client) -> None:
    assert pwp_client.get("/navigator/?page=2").status_code == 403
    assert Client().get("/navigator/?page=2").status_code == 302


def test_the_queue_is_sent_compressed(navigator_client, service, pwp) -> None:
    _patients_not_started(service, pwp, 5)
    response = navigator_client.get("/navigator/", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert b"Support queue" in gzip.decompress(response.content)
