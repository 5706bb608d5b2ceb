"""Fixtures for the export tests: token API clients per persona and a patient with answers."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from care.models import Episode
from measures.models import QuestionnaireResponse
from measures.services import questionnaire_response_record
from tests.moodlog.conftest import token_client

# A valid NHS number from NHS Digital's test range (Modulus 11 check digit 9).
NHS_NUMBER = "9434765919"


@pytest.fixture
def pwp_api(pwp: User) -> APIClient:
    return token_client(pwp)


@pytest.fixture
def other_pwp_api(other_pwp: User) -> APIClient:
    return token_client(other_pwp)


@pytest.fixture
def service_admin_api(service_admin: User) -> APIClient:
    return token_client(service_admin)


@pytest.fixture
def navigator_api(navigator: User) -> APIClient:
    return token_client(navigator)


@pytest.fixture
def patient_api(patient: User, episode: Episode) -> APIClient:
    return token_client(patient)


@pytest.fixture
def answered(patient: User, episode: Episode) -> list[QuestionnaireResponse]:
    """PHQ-9, GAD-7 and WSAS answers ten days ago and PHQ-9 and GAD-7 again today."""
    patient.nhs_number = NHS_NUMBER
    patient.save(update_fields=["nhs_number"])
    earlier = timezone.now() - datetime.timedelta(days=10)
    return [
        questionnaire_response_record(
            patient=patient, instrument_code="phq9", answers=[2] * 8 + [0], now=earlier
        ),
        questionnaire_response_record(
            patient=patient, instrument_code="gad7", answers=[3] * 7, now=earlier
        ),
        questionnaire_response_record(
            patient=patient, instrument_code="wsas", answers=[4, 4, 4, 4, 5], now=earlier
        ),
        questionnaire_response_record(
            patient=patient, instrument_code="phq9", answers=[1] * 8 + [0]
        ),
        questionnaire_response_record(patient=patient, instrument_code="gad7", answers=[0] * 7),
    ]
