from __future__ import annotations

import pytest


def test_anonymous_home_redirects_to_sign_in(client, db) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("persona", "home"),
    [
        ("patient_client", "/me/"),
        ("pwp_client", "/clinician/"),
        ("navigator_client", "/navigator/"),
        ("service_admin_client", "/service/"),
    ],
)
def test_home_sends_each_role_to_its_page(request, persona, home) -> None:
    client = request.getfixturevalue(persona)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == home
    assert client.get(home).status_code == 200


@pytest.mark.parametrize("path", ["/clinician/", "/navigator/", "/admin/"])
def test_patient_cannot_open_staff_pages(patient_client, path) -> None:
    response = patient_client.get(path)
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "/admin/login/" in response["Location"]


def test_navigator_cannot_open_the_clinical_caseload(navigator_client) -> None:
    assert navigator_client.get("/clinician/").status_code == 403


def test_pwp_cannot_open_the_navigator_queue(pwp_client) -> None:
    assert pwp_client.get("/navigator/").status_code == 403


def test_pwp_caseload_lists_only_their_own_patients(pwp_client, episode, other_episode) -> None:
    page = pwp_client.get("/clinician/").content.decode()
    assert episode.patient.display_name in page
    assert other_episode.patient.display_name not in page


def test_pages_show_urgent_help_in_the_footer(patient_client) -> None:
    page = patient_client.get("/me/").content.decode()
    assert "not monitored in real time" in page
    assert "116 123" in page
    assert "NHS 111" in page
    assert "999" in page
    assert 'href="#maincontent"' in page


def test_a_forbidden_page_explains_itself_with_the_usual_layout(patient_client) -> None:
    response = patient_client.get("/clinician/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "You cannot open this page" in page
    assert "not monitored in real time" in page


def test_crisis_numbers_can_be_tapped_on_a_phone(client, db) -> None:
    page = client.get("/help/").content.decode()
    for number in ("tel:999", "tel:111", "tel:116123"):
        assert number in page
