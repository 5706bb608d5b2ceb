"""export_fhir: a whole service's answers and scores as one streamed FHIR Bundle (issue 14)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from accounts.models import User
from care.models import AuditEvent, Episode, Service
from measures.services import questionnaire_response_record
from tests import factories


@pytest.fixture
def elsewhere_answer(db: None) -> None:
    service = factories.ServiceFactory.create()
    patient = factories.PatientFactory.create(service=service)
    pwp = factories.PwpFactory.create(service=service)
    factories.make_episode(patient=patient, pwp=pwp, service=service)
    questionnaire_response_record(patient=patient, instrument_code="phq9", answers=[3] * 9)


def test_the_service_export_is_one_valid_bundle_of_its_own_patients(
    tmp_path: Path,
    service: Service,
    patient: User,
    episode: Episode,
    other_patient: User,
    other_episode: Episode,
    elsewhere_answer: None,
) -> None:
    earlier = timezone.now() - datetime.timedelta(days=3)
    stored = [
        questionnaire_response_record(
            patient=patient, instrument_code="phq9", answers=[1] * 9, now=earlier
        ),
        questionnaire_response_record(patient=patient, instrument_code="gad7", answers=[2] * 7),
        questionnaire_response_record(
            patient=other_patient, instrument_code="phq9", answers=[0] * 9
        ),
    ]
    out = tmp_path / "bundle.json"
    call_command("export_fhir", "--service", service.slug, "--out", str(out))
    bundle = Bundle.model_validate(json.loads(out.read_text()))
    resources: list[Any] = [entry.resource for entry in bundle.entry or []]
    observations = [r for r in resources if r.get_resource_type() == "Observation"]
    patients = [r for r in resources if r.get_resource_type() == "Patient"]
    assert bundle.total == 2 * len(stored)
    assert [o.valueInteger for o in observations] == [r.total for r in stored]
    assert sorted(p.id for p in patients) == sorted([str(patient.pk), str(other_patient.pk)])
    event = AuditEvent.objects.get(action="export.fhir.service")
    assert event.detail["questionnaire_responses"] == len(stored)
    assert not (tmp_path / "bundle.json.partial").exists()


def test_since_leaves_out_earlier_answers(
    tmp_path: Path, service: Service, patient: User, episode: Episode
) -> None:
    questionnaire_response_record(
        patient=patient,
        instrument_code="phq9",
        answers=[1] * 9,
        now=timezone.now() - datetime.timedelta(days=30),
    )
    recent = questionnaire_response_record(patient=patient, instrument_code="phq9", answers=[2] * 9)
    out = tmp_path / "bundle.json"
    since = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    call_command("export_fhir", "--service", service.slug, "--since", since, "--out", str(out))
    bundle = Bundle.model_validate(json.loads(out.read_text()))
    resources: list[Any] = [entry.resource for entry in bundle.entry or []]
    ids = {r.id for r in resources if r.get_resource_type() != "Patient"}
    assert ids == {str(recent.pk)}


def test_an_unknown_service_is_refused_and_writes_nothing(tmp_path: Path, db: None) -> None:
    out = tmp_path / "bundle.json"
    with pytest.raises(CommandError, match="No service"):
        call_command("export_fhir", "--service", "nowhere", "--out", str(out))
    assert not out.exists()
