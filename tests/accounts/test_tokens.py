from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.test import APIRequestFactory

from accounts.authentication import DeviceTokenAuthentication
from accounts.models import DeviceToken
from accounts.tokens import device_token_issue, device_token_revoke


def _authenticate(key: str):
    request = APIRequestFactory().get("/api/v1/mood/", HTTP_AUTHORIZATION=f"Token {key}")
    from rest_framework.request import Request

    return DeviceTokenAuthentication().authenticate(Request(request))


def test_only_a_hash_of_the_key_is_stored(patient) -> None:
    token, key = device_token_issue(user=patient, device_name="Pixel")
    assert key not in token.key_hash
    assert not DeviceToken.objects.filter(key_hash=key).exists()
    user, _ = _authenticate(key)
    assert user == patient


def test_a_revoked_token_is_refused(patient) -> None:
    token, key = device_token_issue(user=patient)
    device_token_revoke(by=patient, token=token)
    with pytest.raises(AuthenticationFailed, match="sign in again"):
        _authenticate(key)


def test_an_expired_token_is_refused(patient) -> None:
    _, key = device_token_issue(user=patient)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
        try:
            _authenticate(key)
        except AuthenticationFailed:
            return
    raise AssertionError("an expired token was accepted")
