"""The patient's own copy (issue 14, UK GDPR Article 15): a ZIP with a readable page and JSON."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.test import Client

from accounts.models import User
from care.models import AuditEvent, Episode
from clinician.models import Message
from exports.subject_access import NOT_IN_THE_COPY, SECTIONS
from measures.services import questionnaire_response_record
from moodlog.services import mood_rating_record
from tests import factories
from tests.conftest import client_for

OWN_COPY = "/account/my-data/"


def admin_copy_url(patient: User) -> str:
    return f"/service/patients/{patient.pk}/data/"


def unzip(response: Any) -> tuple[str, dict[str, Any]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return archive.read("index.html").decode(), json.loads(archive.read("data.json"))


@pytest.fixture
def records(patient: User, episode: Episode, other_patient: User, other_episode: Episode) -> None:
    mood_rating_record(patient=patient, day=patient.local_today(), score=7, note="walked far")
    mood_rating_record(
        patient=other_patient, day=other_patient.local_today(), score=2, note="not mine"
    )
    questionnaire_response_record(patient=patient, instrument_code="phq9", answers=[1] * 9)
    Message.objects.create(episode=episode, sender=patient, body="See you on Tuesday")


def test_a_patient_downloads_a_zip_with_a_page_and_the_same_data_as_json(
    patient_client: Client, records: None
) -> None:
    page, data = unzip(patient_client.get(OWN_COPY))
    sections = data["sections"]
    assert [row["score"] for row in sections["mood"]] == [7]
    assert sections["questionnaires"][0]["total"] == 9
    assert sections["messages"][0]["body"] == "See you on Tuesday"
    assert "walked far" in page
    assert "See you on Tuesday" in page
    assert "not mine" not in page
    assert "not mine" not in json.dumps(data)


def test_the_account_page_links_to_the_download(patient_client: Client) -> None:
    assert OWN_COPY in patient_client.get("/account/").content.decode()


def test_the_patients_download_is_audited(
    patient_client: Client, patient: User, records: None
) -> None:
    patient_client.get(OWN_COPY)
    event = AuditEvent.objects.get(action="export.patient_copy")
    assert (event.actor, event.patient) == (patient, patient)


def test_staff_cannot_use_the_patients_own_download(pwp_client: Client) -> None:
    assert pwp_client.get(OWN_COPY).status_code == 403


def test_anonymous_is_sent_to_sign_in(db: None) -> None:
    response = Client().get(OWN_COPY)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_service_admin_produces_a_patients_copy_and_it_is_audited(
    service_admin_client: Client, service_admin: User, patient: User, records: None
) -> None:
    _, data = unzip(service_admin_client.get(admin_copy_url(patient)))
    assert [row["score"] for row in data["sections"]["mood"]] == [7]
    event = AuditEvent.objects.get(action="export.patient_copy")
    assert (event.actor, event.patient) == (service_admin, patient)


@pytest.mark.parametrize(
    "caller", ["pwp_client", "other_pwp_client", "navigator_client", "patient_client"]
)
def test_other_roles_get_403_for_a_patients_copy_in_the_service_area(
    request: pytest.FixtureRequest, caller: str, patient: User, records: None
) -> None:
    client: Client = request.getfixturevalue(caller)
    assert client.get(admin_copy_url(patient)).status_code == 403
    assert not AuditEvent.objects.filter(action="export.patient_copy").exists()


def test_another_services_admin_gets_404(patient: User, records: None) -> None:
    elsewhere = factories.ServiceAdminFactory.create(service=factories.ServiceFactory.create())
    assert client_for(elsewhere).get(admin_copy_url(patient)).status_code == 404


def _linked_to_patients() -> set[str]:
    """Every model with a foreign key to a user or an episode, or to a row that has one."""
    user_model = apps.get_model("accounts.User")
    linked = {user_model, apps.get_model("care.Episode")}
    grew = True
    while grew:
        grew = False
        for model in apps.get_models():
            if model in linked:
                continue
            targets = {
                field.related_model
                for field in model._meta.concrete_fields
                if isinstance(field, models.ForeignKey)
            }
            if targets & linked:
                linked.add(model)
                grew = True
    return {model._meta.label for model in linked}


def test_every_model_linked_to_a_patient_is_in_the_copy_or_left_out_with_a_reason() -> None:
    covered = {label for section in SECTIONS for label in section.covers}
    missing = _linked_to_patients() - covered - set(NOT_IN_THE_COPY)
    assert not missing, f"Add these to a section of exports/subject_access.py: {sorted(missing)}"
    assert all(reason.strip() for reason in NOT_IN_THE_COPY.values())
    stale = (covered | set(NOT_IN_THE_COPY)) - _linked_to_patients()
    assert not stale, f"No longer linked to patients: {sorted(stale)}"
