"""Ending an account: staff who acted in the audit trail are deactivated, never deleted.

The audit trail must keep saying who did what. Each event copies the actor's username and role,
but a deleted staff account would still leave rows pointing at nobody, so a member of staff with
audit events is only ever deactivated. Every deletion that does happen is itself audited.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from accounts.credentials import device_tokens_revoke_all
from accounts.models import Role, User
from care.models import AuditEvent
from care.services import audit_event_record


class AccountHasAuditTrail(Exception):
    """This member of staff acted in the audit trail: deactivate the account instead."""

    def __init__(self, user: User, events: int) -> None:
        self.user = user
        self.events = events
        super().__init__(
            f"{user.get_username()} cannot be deleted: they acted in {events} audit "
            "event(s), which must keep saying who did what. Deactivate the account instead "
            "(untick 'Active', or use the action 'Deactivate the selected accounts')."
        )


def account_audit_event_count(*, user: User) -> int:
    return AuditEvent.objects.filter(actor=user).count()


def account_may_be_deleted(*, user: User) -> bool:
    return user.role == Role.PATIENT or account_audit_event_count(user=user) == 0


@transaction.atomic
def account_deactivate(*, by: User, user: User, request: HttpRequest | None = None) -> User:
    """Stop the account signing in while keeping everything it did attributable."""
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit_event_record(
            actor=by,
            action="account.deactivate",
            patient=user if user.is_patient else None,
            target=user,
            request=request,
            detail={"username": user.get_username(), "role": user.role},
        )
    # Someone who should no longer get in is signed out of every app too (ASVS 3.3.3).
    device_tokens_revoke_all(user=user, by=by, reason="deactivated", request=request)
    return user


@transaction.atomic
def account_delete(*, by: User, user: User, request: HttpRequest | None = None) -> None:
    """Delete an account, refusing staff with audit events; the deletion is audited."""
    events = account_audit_event_count(user=user)
    if user.role != Role.PATIENT and events:
        raise AccountHasAuditTrail(user, events)
    # Written before the delete: the row keeps the username and role, not a link to nobody.
    audit_event_record(
        actor=by,
        action="account.delete",
        target=user,
        request=request,
        detail={"username": user.get_username(), "role": user.role},
    )
    user.delete()
