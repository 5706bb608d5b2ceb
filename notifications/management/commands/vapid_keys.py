"""``python manage.py vapid_keys``: print a new VAPID key pair for Web Push.

Put the two lines in the environment (``.env``) with ``BCBT_VAPID_SUBJECT``. Changing the pair
later makes every phone's subscription useless (push services refuse it): patients then turn
notifications on again.
"""

from __future__ import annotations

import base64
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management.base import BaseCommand


def _base64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def vapid_key_pair() -> tuple[str, str]:
    """(public, private), base64url: the public key as the browser's applicationServerKey
    wants it (an uncompressed P-256 point) and the private key as its 32 raw bytes."""
    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    raw = private.private_numbers().private_value.to_bytes(32, "big")
    return _base64url(public), _base64url(raw)


class Command(BaseCommand):
    help = (
        "Print a new VAPID key pair for Web Push (BCBT_VAPID_PUBLIC_KEY, BCBT_VAPID_PRIVATE_KEY)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        public, private = vapid_key_pair()
        self.stdout.write(f"BCBT_VAPID_PUBLIC_KEY={public}")
        self.stdout.write(f"BCBT_VAPID_PRIVATE_KEY={private}")
        self.stdout.write(
            "# Also set BCBT_VAPID_SUBJECT=mailto:<a contact address>. Keep the private key secret."
        )
