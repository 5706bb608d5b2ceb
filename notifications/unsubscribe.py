"""The signed "stop these" link in every message: one patient, one kind, no sign-in needed.

The token is signed with the secret key (django.core.signing) and names only a user id and a
kind, so it cannot be altered to stop another person's or another kind of notification. It does
not expire: a link in an old email must still work.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from notifications.models import PATIENT_KINDS

SALT = "notifications.unsubscribe"


class InvalidStopLink(Exception):
    pass


@dataclass(frozen=True)
class StopRequest:
    patient_id: int
    kind: str


def unsubscribe_token(*, patient_id: int, kind: str) -> str:
    if kind not in PATIENT_KINDS:
        raise ValueError(f"{kind} notifications cannot be stopped by a link")
    return signing.dumps({"p": patient_id, "k": kind}, salt=SALT)


def unsubscribe_token_read(token: str) -> StopRequest:
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature as error:
        raise InvalidStopLink("The link is not one we made or it has been changed.") from error
    if (
        not isinstance(payload, dict)
        or not isinstance(payload.get("p"), int)
        or payload.get("k") not in PATIENT_KINDS
    ):
        raise InvalidStopLink("The link is not one we made.")
    return StopRequest(patient_id=payload["p"], kind=payload["k"])


def absolute_url(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return settings.BCBT_BASE_URL.rstrip("/") + path


def unsubscribe_url(*, patient_id: int, kind: str) -> str:
    token = unsubscribe_token(patient_id=patient_id, kind=kind)
    return absolute_url(reverse("notifications-unsubscribe", args=[token]))
