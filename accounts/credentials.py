"""Writes that change how someone proves who they are: a new password, or the account being
switched off (``accounts.account_removal.account_deactivate`` calls in here). Each ends every
device token of the account (ASVS 3.3.3): a phone that was
signed in with the old password, or by someone who should no longer get in, must sign in again.

Browser sessions end by themselves: Django ties a session to the password hash, and an
inactive account cannot use a session. Tokens have no such tie, so these services revoke them.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import DeviceToken, User
from care.services import audit_event_record


def device_tokens_revoke_all(
    *, user: User, by: User | None, reason: str, request: HttpRequest | None = None
) -> int:
    """Sign every app of ``user`` out. Returns how many tokens were still working."""
    revoked = DeviceToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if revoked:
        audit_event_record(
            actor=by,
            action="device_token.revoke_all",
            patient=user if user.is_patient else None,
            target=user,
            request=request,
            detail={"reason": reason, "tokens": revoked},
        )
    return revoked


@transaction.atomic
def user_password_set(
    *,
    user: User,
    password: str | None,
    by: User | None,
    request: HttpRequest | None = None,
    reason: str = "password_change",
) -> None:
    """Give ``user`` a new password (None: no usable password) and sign every app out."""
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save(update_fields=["password"])
    device_tokens_revoke_all(user=user, by=by, reason=reason, request=request)
