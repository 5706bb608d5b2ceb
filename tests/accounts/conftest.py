"""Helpers for the sign-in and navigator tests."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import time

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User
from care.models import Service
from tests import factories
from tests.factories import PASSWORD


def totp_code(secret: str, at: float | None = None) -> str:
    """The 6-digit RFC 6238 code an authenticator app would show, computed here with hmac so
    the test does not trust the code under test."""
    key = base64.b32decode(secret)
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{value:06d}"


def password_sign_in(client: Client, login: str, password: str = PASSWORD, ip: str = "10.0.0.1"):
    return client.post("/accounts/login/", {"login": login, "password": password}, REMOTE_ADDR=ip)


def link_from_last_email() -> str:
    body = str(mail.outbox[-1].body)
    match = re.search(r"https?://[^\s]+/accounts/sign-in-link/[^\s/]+/", body)
    assert match, body
    return match.group(0)


@pytest.fixture
def other_service(db: None) -> Service:
    return factories.ServiceFactory.create()


@pytest.fixture
def outside_patient(other_service: Service) -> User:
    """A patient in treatment in another service: never in this navigator's reach."""
    patient = factories.PatientFactory.create(username="patient-outside", service=other_service)
    outside_pwp = factories.PwpFactory.create(username="pwp-outside", service=other_service)
    factories.make_episode(patient=patient, pwp=outside_pwp, service=other_service)
    return patient
