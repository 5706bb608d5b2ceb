"""Writes for sign-in and the digital navigator: browser sessions, single-use sign-in links,
support requests and the navigator's actions. Every navigator action writes an audit event."""

# Size: over 400 lines (sign-in links, support requests and devices); next to be split by noun
# (tests/platform/test_code_shape.py).

from __future__ import annotations

import contextlib
import datetime
import hashlib
import logging
import secrets
from importlib import import_module
from typing import TYPE_CHECKING

from allauth.account.forms import ResetPasswordForm
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import (
    DETECTED_KINDS,
    NavigatorNote,
    Role,
    SignInLink,
    SupportKind,
    SupportNote,
    SupportRequest,
    SupportStatus,
    User,
    UserSession,
)
from accounts.phone import phone_number_normalise
from accounts.sign_in_mail import (
    SignInEmailNotSent,
    sign_in_email_failure_record,
    sign_in_mail_over_limit,
)
from care.services import audit_event_record

if TYPE_CHECKING:
    from care.models import Episode

logger = logging.getLogger(__name__)


class SupportActionError(Exception):
    """A navigator action that cannot be done, with a message the navigator can act on."""


_EMAIL_NOT_SENT = (
    "The email could not be sent: our email provider is not working at the moment. Try again "
    "in a few minutes, or phone the patient. The failure is in the support queue."
)


# --- Browser sessions -------------------------------------------------------------------------


def _session_store() -> SessionBase:
    engine = import_module(settings.SESSION_ENGINE)
    return engine.SessionStore()


def user_session_record(
    *, user: User, session_key: str, device: str, ip_address: str | None
) -> None:
    """Remember a browser session the first time we see it signed in.

    One INSERT that skips a key already recorded: this runs on the first request of every
    session, so it must not cost a read and two savepoints as ``update_or_create`` would.
    """
    now = timezone.now()
    UserSession.objects.bulk_create(
        [
            UserSession(
                user=user,
                session_key=session_key,
                device=device[:100],
                ip_address=ip_address,
                created_at=now,
                last_seen_at=now,
            )
        ],
        ignore_conflicts=True,
    )


def user_session_touch(*, recorded_key: str, session_key: str) -> bool:
    """Note that a session is still in use (and follow its key if Django changed it). False
    when the record has gone, which means the person signed this browser out elsewhere."""
    updated = UserSession.objects.filter(session_key=recorded_key).update(
        last_seen_at=timezone.now(), session_key=session_key
    )
    return updated == 1


def user_session_end(
    *, by: User, user_session: UserSession, request: HttpRequest | None = None
) -> None:
    """Sign one browser out: its session is deleted, so its next request is signed out."""
    _session_store().delete(user_session.session_key)
    owner = user_session.user
    session_id = user_session.pk
    user_session.delete()
    audit_event_record(
        actor=by,
        action="session.end",
        patient=owner if owner.is_patient else None,
        request=request,
        detail={"user_session_id": session_id},
    )


def user_session_forget(*, session_key: str | None) -> None:
    """Drop the record of a session that is signing out normally."""
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


# --- Single-use sign-in links -----------------------------------------------------------------


class SignInLinkInvalid(Exception):
    """Why a sign-in link cannot be used: ``reason`` is "unknown", "used" or "expired"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def sign_in_link_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in_link_lifetime() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.BCBT_SIGN_IN_LINK_MINUTES)


def sign_in_link_issue(
    *,
    by: User,
    patient: User,
    token: str,
    support_request: SupportRequest | None = None,
    welcome: bool = False,
) -> SignInLink:
    """Record a link for one patient; only the hash of ``token`` is stored. A welcome link
    (``accounts/welcome.py``) lasts ``BCBT_WELCOME_LINK_DAYS``, a support one
    ``BCBT_SIGN_IN_LINK_MINUTES``."""
    if not patient.is_patient or not patient.is_active:
        raise SupportActionError("Sign-in links are only for patients with an active account.")
    now = timezone.now()
    lifetime = (
        datetime.timedelta(days=settings.BCBT_WELCOME_LINK_DAYS)
        if welcome
        else sign_in_link_lifetime()
    )
    return SignInLink.objects.create(
        user=patient,
        token_hash=sign_in_link_hash(token),
        created_by=by,
        support_request=support_request,
        welcome=welcome,
        created_at=now,
        expires_at=now + lifetime,
    )


def sign_in_link_send(
    *,
    by: User,
    patient: User,
    request: HttpRequest,
    support_request: SupportRequest | None = None,
) -> SignInLink:
    """Email a patient a single-use sign-in link, and pick up the request it answers.

    The email goes straight to the mail server rather than through the notification outbox:
    the outbox keeps message bodies in the database, and a working sign-in link must never be
    stored anywhere in plain text. It goes before the link is recorded, outside any
    transaction: a link the provider refused never exists, so nothing has to be undone (and
    no database lock is held while the provider takes its time).
    """
    if not patient.email:
        raise SupportActionError(
            "This patient has no email address. Ask their service to add one, or phone them."
        )
    if not patient.is_patient or not patient.is_active:
        raise SupportActionError("Sign-in links are only for patients with an active account.")
    # Per address only: the navigator's own address is not the one to limit here.
    if sign_in_mail_over_limit(email=patient.email, request=None):
        raise SupportActionError(
            "This patient has been sent several sign-in emails in the last hour. Please wait "
            "before sending another, or phone them."
        )
    token = secrets.token_urlsafe(32)
    url = request.build_absolute_uri(reverse("accounts:sign-in-link", args=[token]))
    context = {
        "patient": patient,
        "url": url,
        "minutes": settings.BCBT_SIGN_IN_LINK_MINUTES,
        "service_name": settings.BCBT_SERVICE_NAME,
    }
    try:
        send_mail(
            subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}your sign-in link",
            message=render_to_string("accounts/email/sign_in_link.txt", context),
            from_email=None,
            recipient_list=[patient.email],
        )
    except Exception as error:
        sign_in_email_failure_record(
            failure=SignInEmailNotSent(
                what="sign_in_link", email=patient.email, error_name=type(error).__name__
            )
        )
        raise SupportActionError(_EMAIL_NOT_SENT) from error
    with transaction.atomic():
        link = sign_in_link_issue(
            by=by, patient=patient, token=token, support_request=support_request
        )
        if support_request is not None and support_request.status == SupportStatus.OPEN:
            support_request_pick_up(by=by, support_request=support_request, request=request)
        audit_event_record(
            actor=by, action="sign_in_link.send", patient=patient, target=link, request=request
        )
    return link


def sign_in_link_check(*, token: str) -> SignInLink:
    """The link for ``token`` if it can still be used; otherwise ``SignInLinkInvalid``."""
    link = (
        SignInLink.objects.select_related("user")
        .filter(token_hash=sign_in_link_hash(token))
        .first()
    )
    if link is None or not link.user.is_active:
        raise SignInLinkInvalid("unknown")
    if link.used_at is not None:
        raise SignInLinkInvalid("used")
    if link.expires_at <= timezone.now():
        raise SignInLinkInvalid("expired")
    return link


@transaction.atomic
def sign_in_link_use(*, token: str, request: HttpRequest | None = None) -> User:
    """Spend a link and return the patient it signs in. The conditional update makes two
    clicks at the same moment sign in once: the second finds the link used."""
    link = sign_in_link_check(token=token)
    now = timezone.now()
    spent = SignInLink.objects.filter(pk=link.pk, used_at__isnull=True, expires_at__gt=now).update(
        used_at=now
    )
    if spent != 1:
        raise SignInLinkInvalid("used")
    audit_event_record(
        actor=link.user, action="sign_in_link.use", patient=link.user, target=link, request=request
    )
    support_request = link.support_request
    if support_request is not None and not support_request.is_closed:
        support_request_close(
            by=None,
            support_request=support_request,
            request=request,
            note="The patient signed in with the link we sent.",
        )
    return link.user


# --- Support requests -------------------------------------------------------------------------


def _phone_forms(contact: str) -> list[str]:
    """The ways a number may be stored: as typed (older rows) and in E.164 (accounts.phone)."""
    forms = [contact.replace(" ", "")]
    with contextlib.suppress(ValidationError):
        forms.append(phone_number_normalise(contact))
    return forms


def _patient_matching_contact(contact: str) -> User | None:
    contact = contact.strip()
    if not contact:
        return None
    return (
        User.objects.filter(role=Role.PATIENT, is_active=True)
        .filter(
            Q(username__iexact=contact)
            | Q(email__iexact=contact)
            | Q(phone_number__in=_phone_forms(contact))
        )
        .order_by("pk")
        .first()
    )


def support_request_submit(
    *,
    contact_name: str,
    contact: str,
    phone_number: str,
    problem: str,
    message: str,
    request: HttpRequest | None = None,
) -> SupportRequest:
    """The public "Having trouble signing in?" form. It does the same work whether or not the
    contact matches an account (one look-up, one new row, one audit event, no email), so
    neither its answer nor its timing says whether someone has an account."""
    patient = _patient_matching_contact(contact)
    support_request = SupportRequest.objects.create(
        kind=SupportKind.SIGN_IN_HELP,
        service_id=patient.service_id if patient is not None else None,
        patient=patient,
        contact_name=contact_name.strip()[:100],
        contact=contact.strip()[:254],
        phone_number=phone_number.strip()[:20],
        problem=problem,
        message=message.strip()[:1000],
    )
    audit_event_record(
        actor=None,
        action="support_request.submit",
        patient=patient,
        target=support_request,
        request=request,
    )
    return support_request


def support_request_for_condition(*, by: User, patient: User, kind: str) -> SupportRequest:
    """The open item for a problem the queue found, created the first time a navigator acts."""
    if kind not in DETECTED_KINDS:
        raise SupportActionError("That kind of item cannot be opened by hand.")
    open_items = SupportRequest.objects.filter(
        patient=patient, kind=kind, status__in=[SupportStatus.OPEN, SupportStatus.PICKED_UP]
    )
    existing = open_items.first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return SupportRequest.objects.create(
                kind=kind, patient=patient, service_id=by.service_id
            )
    except IntegrityError:
        # Another navigator opened it at the same moment: the constraint kept one; use it.
        return open_items.get()


def support_request_pick_up(
    *, by: User, support_request: SupportRequest, request: HttpRequest | None = None
) -> SupportRequest:
    if support_request.is_closed:
        raise SupportActionError("This item is already closed.")
    support_request.status = SupportStatus.PICKED_UP
    support_request.assignee = by
    support_request.picked_up_at = timezone.now()
    support_request.save(update_fields=["status", "assignee", "picked_up_at"])
    audit_event_record(
        actor=by,
        action="support_request.pick_up",
        patient=support_request.patient,
        target=support_request,
        request=request,
    )
    return support_request


def support_request_note(
    *, by: User, support_request: SupportRequest, text: str, request: HttpRequest | None = None
) -> SupportNote:
    text = text.strip()
    if not text:
        raise SupportActionError("Write the note before saving it.")
    note = SupportNote.objects.create(support_request=support_request, author=by, text=text[:1000])
    audit_event_record(
        actor=by,
        action="support_request.note",
        patient=support_request.patient,
        target=support_request,
        request=request,
    )
    return note


def support_request_close(
    *,
    by: User | None,
    support_request: SupportRequest,
    request: HttpRequest | None = None,
    note: str = "",
) -> SupportRequest:
    """Close an item. ``by`` is None when the system closes it (the patient used the link)."""
    if support_request.is_closed:
        return support_request
    with transaction.atomic():
        if note.strip():
            SupportNote.objects.create(
                support_request=support_request, author=by, text=note.strip()[:1000]
            )
        support_request.status = SupportStatus.CLOSED
        support_request.closed_at = timezone.now()
        support_request.closed_by = by
        support_request.save(update_fields=["status", "closed_at", "closed_by"])
        audit_event_record(
            actor=by,
            action="support_request.close",
            patient=support_request.patient,
            target=support_request,
            request=request,
        )
    return support_request


# --- The navigator's actions on a patient -----------------------------------------------------


def lockout_usernames(patient: User) -> set[str]:
    """The names a patient may have typed at sign-in, as django-axes stores them (lower case,
    see ``accounts.lockout.username_from_request``)."""
    names = {patient.username.strip().lower()}
    if patient.email:
        names.add(patient.email.strip().lower())
    return names


def patient_unlock(*, by: User, patient: User, request: HttpRequest | None = None) -> int:
    """End a sign-in pause for a patient on every device. Returns how many records cleared."""
    cleared = 0
    for name in sorted(lockout_usernames(patient)):
        cleared += axes_reset(username=name)
    audit_event_record(
        actor=by,
        action="navigator.unlock",
        patient=patient,
        target=patient,
        request=request,
        detail={"cleared": cleared},
    )
    return cleared


def patient_password_reset_send(*, by: User, patient: User, request: HttpRequest) -> None:
    """Send allauth's own password reset email to the patient."""
    if not patient.email:
        raise SupportActionError(
            "This patient has no email address, so a reset email cannot be sent."
        )
    form = ResetPasswordForm(data={"email": patient.email})
    if not form.is_valid():
        raise SupportActionError("The patient's email address is not valid.")
    try:
        form.save(request)
    except SignInEmailNotSent as failure:
        sign_in_email_failure_record(failure=failure)
        raise SupportActionError(_EMAIL_NOT_SENT) from failure
    audit_event_record(
        actor=by,
        action="navigator.password_reset",
        patient=patient,
        target=patient,
        request=request,
    )


def navigator_note_add(
    *, by: User, patient: User, episode: Episode, text: str, request: HttpRequest | None = None
) -> NavigatorNote:
    """Leave a note for the patient's PWP, shown in their pre-session brief."""
    text = text.strip()
    if not text:
        raise SupportActionError("Write the note before saving it.")
    if episode.patient_id != patient.pk:
        raise SupportActionError("That treatment episode belongs to someone else.")
    note = NavigatorNote.objects.create(
        patient=patient, episode=episode, author=by, text=text[:1000]
    )
    audit_event_record(
        actor=by, action="navigator.note_for_pwp", patient=patient, target=note, request=request
    )
    return note
