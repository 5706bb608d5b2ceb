"""The console's writes about staff: inviting, deactivating and reactivating, and the duty
queue. Each calls the owning app's services, which write the audit trail."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.http import HttpRequest

from accounts.models import User
from accounts.registration import StaffChangeError, staff_account_create, staff_active_set
from accounts.welcome import WelcomeEmailNotSent, staff_invite_send
from care.models import Episode, EpisodeStatus, Service
from care.services import duty_queue_member_remove


@dataclass(frozen=True)
class Invited:
    staff: User
    # False when the email provider refused the invitation; the account exists, and the staff
    # page offers to send it again.
    sent: bool


class CaseloadNotEmpty(StaffChangeError):
    """A PWP still has patients in treatment; ``count`` says how many."""

    def __init__(self, count: int) -> None:
        super().__init__(
            f"Reassign their {count} patient{'s' if count != 1 else ''} in treatment first."
        )
        self.count = count


def staff_invite(
    *,
    service: Service,
    role: str,
    first_name: str,
    last_name: str,
    email: str,
    by: User,
    request: HttpRequest | None = None,
) -> Invited:
    """Make the account (no usable password) and email the invitation to set one."""
    staff = staff_account_create(
        service=service,
        role=role,
        first_name=first_name,
        last_name=last_name,
        email=email,
        by=by,
        request=request,
    )
    return Invited(
        staff=staff, sent=staff_invite_resend(service=service, staff=staff, by=by, request=request)
    )


def staff_invite_resend(
    *, service: Service, staff: User, by: User, request: HttpRequest | None = None
) -> bool:
    """Email the invitation again; False when the provider refused it."""
    try:
        staff_invite_send(by=by, staff=staff, service_name=service.name, request=request)
    except WelcomeEmailNotSent:
        return False
    return True


@transaction.atomic
def staff_deactivate(
    *, service: Service, staff: User, by: User, request: HttpRequest | None = None
) -> User:
    """Stop someone signing in. Refused while they have patients in treatment: a patient's
    alerts must reach a PWP who can still sign in. They also leave the duty queue."""
    # The row lock makes a deactivation and a reassignment to this PWP happen one after the other.
    staff = User.objects.select_for_update().get(pk=staff.pk)
    in_treatment = Episode.objects.filter(pwp=staff, status=EpisodeStatus.ACTIVE).count()
    if in_treatment:
        raise CaseloadNotEmpty(in_treatment)
    staff = staff_active_set(staff=staff, active=False, by=by, request=request)
    duty_queue_member_remove(service=service, staff=staff, by=by, request=request)
    return staff


def staff_reactivate(*, staff: User, by: User, request: HttpRequest | None = None) -> User:
    return staff_active_set(staff=staff, active=True, by=by, request=request)
