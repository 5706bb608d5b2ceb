"""Fixtures for the mood tests: API clients that sign in with a device token, per persona."""

from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tokens import device_token_issue
from care.models import Episode


def token_client(user: User) -> APIClient:
    _, key = device_token_issue(user=user, device_name="test phone")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def patient_api(patient: User, episode: Episode) -> APIClient:
    return token_client(patient)


@pytest.fixture
def other_patient_api(other_patient: User, other_episode: Episode) -> APIClient:
    return token_client(other_patient)


@pytest.fixture
def pwp_api(pwp: User) -> APIClient:
    return token_client(pwp)


@pytest.fixture
def other_pwp_api(other_pwp: User) -> APIClient:
    return token_client(other_pwp)


@pytest.fixture
def navigator_api(navigator: User) -> APIClient:
    return token_client(navigator)


@pytest.fixture
def service_admin_api(service_admin: User) -> APIClient:
    return token_client(service_admin)


@pytest.fixture
def anonymous_api() -> APIClient:
    return APIClient()


@pytest.fixture
def today(patient: User) -> datetime.date:
    return patient.local_today()
