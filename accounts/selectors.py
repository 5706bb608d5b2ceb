"""Reads for sign-in and the digital navigator, each scoped to what the person asking may see.

The navigator sees engagement and technical facts only: when someone signed in, whether a
message reached them, whether they have started. Nothing here reads answers, scores or notes.
"""

# Size: over 400 lines (the navigator's queue and the people reads); next to be split by noun
# (tests/platform/test_code_shape.py).

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from accounts.models import (
    DETECTED_KINDS,
    DeviceToken,
    NavigatorNote,
    Role,
    SupportKind,
    SupportRequest,
    SupportStatus,
    User,
    UserSession,
)
from accounts.services import lockout_usernames
from accounts.support_sources import (
    delivery_failure_counts,
    delivery_failures_recent,
    getting_started_steps,
    push_lost_since,
    staff_alert_failure_counts,
)
from accounts.tokens import device_tokens_active_for_user
from care.activity import LastActivity, last_activity_for_patients
from care.models import Episode, EpisodeStatus

# How far back the queue looks for failed messages and for lockouts.
NOTIFICATION_FAILURE_WINDOW = datetime.timedelta(days=14)
LOCKOUT_WINDOW = datetime.timedelta(hours=24)


def patients_for_navigator(*, navigator: User) -> QuerySet[User]:
    """Patients in treatment in the navigator's service, with sign-in facts only."""
    if navigator.service_id is None:
        return User.objects.none()
    return (
        User.objects.filter(
            role=Role.PATIENT,
            episodes__status=EpisodeStatus.ACTIVE,
            episodes__service_id=navigator.service_id,
        )
        .only("id", "username", "first_name", "last_name", "last_login", "date_joined")
        .order_by("last_login", "username")
        .distinct()
    )


def patient_get_for_navigator(*, navigator: User, patient_id: int) -> User:
    """A patient in treatment in the navigator's service; anyone else is a 404, exactly like a
    patient that does not exist."""
    if navigator.role != Role.NAVIGATOR or navigator.service_id is None:
        raise Http404("No such patient.")
    patient = (
        User.objects.filter(
            pk=patient_id,
            role=Role.PATIENT,
            episodes__status=EpisodeStatus.ACTIVE,
            episodes__service_id=navigator.service_id,
        )
        .distinct()
        .first()
    )
    if patient is None:
        raise Http404("No such patient.")
    return patient


def support_request_get_for_navigator(
    *, navigator: User, support_request_id: int
) -> SupportRequest:
    """An item from this navigator's queue: their service's, or a help request that matched no
    account (every navigator sees those)."""
    if navigator.role != Role.NAVIGATOR:
        raise Http404("No such request.")
    support_request = (
        SupportRequest.objects.filter(pk=support_request_id)
        .filter(Q(service_id=navigator.service_id) | Q(service__isnull=True))
        .select_related("patient")
        .first()
    )
    if support_request is None:
        raise Http404("No such request.")
    return support_request


def navigator_notes_for_episode(*, episode: Episode) -> QuerySet[NavigatorNote]:
    """Notes from the digital navigator for the PWP's pre-session brief, newest first.

    The caller has already checked that the reader may see this episode
    (``care.selectors.episode_get_for_staff``) and audits the read.
    """
    return (
        NavigatorNote.objects.filter(episode=episode)
        .select_related("author")
        .order_by("-created_at", "-pk")
    )


def navigator_notes_for_patient(*, navigator: User, patient: User) -> QuerySet[NavigatorNote]:
    return (
        NavigatorNote.objects.filter(patient=patient, episode__service_id=navigator.service_id or 0)
        .select_related("author")
        .order_by("-created_at", "-pk")
    )


# --- Devices and sessions ---------------------------------------------------------------------


def sessions_for_user(*, user: User) -> list[UserSession]:
    """The browsers where someone is still signed in, most recently used first.

    A session past the 12-hour limit, or one the session store no longer has (signed out,
    expired), is left out.
    """
    oldest = timezone.now() - datetime.timedelta(hours=settings.BCBT_SESSION_MAX_HOURS)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    return [
        user_session
        for user_session in UserSession.objects.filter(user=user, created_at__gte=oldest).order_by(
            "-last_seen_at"
        )
        if store.exists(user_session.session_key)
    ]


def user_session_get(*, user: User, session_id: int) -> UserSession:
    user_session = UserSession.objects.filter(pk=session_id, user=user).first()
    if user_session is None:
        raise Http404("No such session.")
    return user_session


def device_token_get_for_user(*, user: User, token_id: int) -> DeviceToken:
    token = (
        DeviceToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True)
        .select_related("user")
        .first()
    )
    if token is None:
        raise Http404("No such device.")
    return token


# --- The support queue ------------------------------------------------------------------------


@dataclass
class PatientEngagement:
    """Engagement facts about one patient, the only facts the navigator sees."""

    patient: User
    # The last sign-in, app use or page seen: a technical fact, not activity in treatment.
    last_seen_at: datetime.datetime | None
    # The last thing done in treatment (care/activity.py): what the "inactive" list uses.
    last_activity: LastActivity | None
    has_signed_in: bool
    has_app: bool
    # The registered getting-started steps (accounts/support_sources.py) not done yet.
    steps_missing: list[str] = field(default_factory=list)

    @property
    def getting_started_missing(self) -> list[str]:
        missing = [] if self.has_signed_in else ["first sign-in"]
        return missing + self.steps_missing


def _engagement_annotations() -> dict[str, Any]:
    annotations: dict[str, Any] = {
        "last_token_use": Subquery(
            DeviceToken.objects.filter(user=OuterRef("pk"), last_used_at__isnull=False)
            .order_by("-last_used_at")
            .values("last_used_at")[:1]
        ),
        "last_session_seen": Subquery(
            UserSession.objects.filter(user=OuterRef("pk"))
            .order_by("-last_seen_at")
            .values("last_seen_at")[:1]
        ),
        "has_token": Exists(DeviceToken.objects.filter(user=OuterRef("pk"))),
    }
    for step in getting_started_steps():
        annotations[f"step_done_{step.key}"] = Exists(step.done())
    return annotations


def engagement_for_patients(patients: QuerySet[User]) -> list[PatientEngagement]:
    """Engagement facts for many patients in one query."""
    rows = list(
        patients.annotate(**_engagement_annotations()).only(
            "id", "username", "first_name", "last_name", "email", "last_login", "date_joined"
        )
    )
    activity = last_activity_for_patients(patient_ids=[patient.pk for patient in rows])
    result = []
    for patient in rows:
        times = [
            moment
            for moment in (patient.last_login, patient.last_token_use, patient.last_session_seen)  # type: ignore[attr-defined]
            if moment is not None
        ]
        result.append(
            PatientEngagement(
                patient=patient,
                last_seen_at=max(times) if times else None,
                last_activity=activity.get(patient.pk),
                has_signed_in=patient.last_login is not None or patient.has_token,  # type: ignore[attr-defined]
                has_app=patient.has_token,  # type: ignore[attr-defined]
                steps_missing=[
                    step.missing
                    for step in getting_started_steps()
                    if not getattr(patient, f"step_done_{step.key}")
                ],
            )
        )
    return result


@dataclass
class QueueEntry:
    """One row of the queue: a stored support request, or a problem found that nobody has
    acted on yet (``support_request`` is None until a navigator picks it up)."""

    kind: str
    patient: User | None
    detail: str
    since: datetime.datetime | None
    support_request: SupportRequest | None = None

    @property
    def kind_label(self) -> str:
        return SupportKind(self.kind).label


@dataclass(frozen=True)
class StaffAlertFailure:
    """A staff member whose email alerts (risk flags) failed lately: delivery facts only."""

    staff: User
    failed: int
    dead: int
    last_failed: datetime.datetime


@dataclass
class SupportQueue:
    sections: list[tuple[str, str, list[QueueEntry]]] = field(default_factory=list)
    inactive_days: int = 7
    staff_alerts: list[StaffAlertFailure] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(len(entries) for _, _, entries in self.sections) + len(self.staff_alerts)


def failed_staff_alerts(*, service_id: int, now: datetime.datetime) -> list[StaffAlertFailure]:
    """Staff of the service whose alerts by email or text failed in the window, in one query
    (counted by the app that delivers them, registered in ``accounts.support_sources``).

    The navigator fixes delivery (a wrong address, a full mailbox); the alert itself is in the
    staff member's in-app list and beside the flag, so this says nothing clinical."""
    counts = staff_alert_failure_counts(service_id, now - NOTIFICATION_FAILURE_WINDOW)
    staff = User.objects.in_bulk(list(counts))
    return sorted(
        (
            StaffAlertFailure(
                staff=staff[staff_id],
                failed=count.failed,
                dead=count.dead,
                last_failed=count.last_failed,
            )
            for staff_id, count in counts.items()
            if staff_id in staff
        ),
        key=lambda failure: failure.last_failed,
        reverse=True,
    )


SECTION_TITLES = {
    SupportKind.SIGN_IN_HELP: "Asked for help signing in",
    SupportKind.SIGN_IN_EMAIL_FAILED: "Sign-in email could not be sent",
    SupportKind.LOCKOUT: "Sign-in paused after wrong passwords",
    SupportKind.NOTIFICATIONS_FAILING: "Messages not getting through",
    SupportKind.INACTIVE: "No activity lately",
    SupportKind.GETTING_STARTED: "Not finished getting started",
}


def _lockouts_by_patient(
    engagements: list[PatientEngagement], now: datetime.datetime
) -> dict[int, tuple[datetime.datetime, int]]:
    """Latest lockout (time of the last failed attempt, failures) per patient. django-axes
    stores the name as typed (lower-cased by our callable), which may be a username or an
    email address, so both are matched."""
    by_name: dict[str, int] = {}
    for engagement in engagements:
        for name in lockout_usernames(engagement.patient):
            by_name[name] = engagement.patient.pk
    if not by_name:
        return {}
    attempts = AccessAttempt.objects.filter(
        username__in=list(by_name),
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=now - LOCKOUT_WINDOW,
    ).values_list("username", "attempt_time", "failures_since_start")
    result: dict[int, tuple[datetime.datetime, int]] = {}
    for username, attempt_time, failures in attempts:
        patient_id = by_name[username]
        if patient_id not in result or result[patient_id][0] < attempt_time:
            result[patient_id] = (attempt_time, failures)
    return result


def lockout_until(attempt_time: datetime.datetime) -> datetime.datetime:
    return attempt_time + datetime.timedelta(hours=float(settings.AXES_COOLOFF_TIME))


def _inactive_entry(
    engagement: PatientEngagement, *, now: datetime.datetime, inactive_before: datetime.datetime
) -> tuple[str, datetime.datetime, datetime.datetime] | None:
    """(detail, since, trigger) when a patient who has signed in has done nothing in treatment
    for the inactivity period: no mood rating, module work, questionnaire or message. Signing
    in and looking is not activity; a patient who never did anything counts from joining."""
    if not engagement.has_signed_in:
        return None
    activity = engagement.last_activity
    since = activity.at if activity is not None else engagement.patient.date_joined
    if since >= inactive_before:
        return None
    detail = activity.describe(now=now) if activity is not None else "No activity yet"
    return (f"{detail}.", since, since)


# Length: five sources of the queue read and merged in one pass, with a fixed number of queries.
# Complexity: One branch per source of the queue (help requests, lockouts, failing messages,
# inactive, not started), read in one place so the queue's order is visible.
def support_queue_for_navigator(  # noqa: C901
    *, navigator: User, now: datetime.datetime | None = None
) -> SupportQueue:
    """The navigator's whole queue in a fixed number of queries, whatever the service's size."""
    now = now or timezone.now()
    inactive_days = int(settings.BCBT_NAVIGATOR_INACTIVE_DAYS)
    queue = SupportQueue(inactive_days=inactive_days)
    if navigator.service_id is None:
        return queue
    queue.staff_alerts = failed_staff_alerts(service_id=navigator.service_id, now=now)
    patients = User.objects.filter(
        role=Role.PATIENT,
        episodes__status=EpisodeStatus.ACTIVE,
        episodes__service_id=navigator.service_id,
    ).order_by("last_name", "first_name", "pk")
    engagements = engagement_for_patients(patients)
    by_id = {engagement.patient.pk: engagement for engagement in engagements}

    stored = list(
        SupportRequest.objects.filter(status__in=[SupportStatus.OPEN, SupportStatus.PICKED_UP])
        .filter(Q(service_id=navigator.service_id) | Q(service__isnull=True))
        # Their notes are read for the items of one page only (accounts/support_queue_page.py).
        .select_related("patient", "assignee")
        .order_by("created_at", "pk")
    )
    last_closed: dict[tuple[int, str], datetime.datetime] = {
        (row["patient_id"], row["kind"]): row["last_closed"]
        for row in SupportRequest.objects.filter(
            status=SupportStatus.CLOSED, kind__in=DETECTED_KINDS, patient_id__in=list(by_id)
        )
        .values("patient_id", "kind")
        .annotate(last_closed=Max("closed_at"))
    }
    failures = delivery_failure_counts(list(by_id), now - NOTIFICATION_FAILURE_WINDOW)
    lockouts = _lockouts_by_patient(engagements, now)

    # What the queue finds by itself: (patient id, kind) -> (detail, since, trigger time).
    detected: dict[tuple[int, str], tuple[str, datetime.datetime | None, datetime.datetime]] = {}
    for patient_id, (attempt_time, count) in lockouts.items():
        until = lockout_until(attempt_time)
        state = (
            f"paused until {timezone.localtime(until):%H:%M}"
            if until > now
            else "the pause has ended"
        )
        detected[(patient_id, SupportKind.LOCKOUT)] = (
            f"{count} wrong passwords; {state}.",
            attempt_time,
            attempt_time,
        )
    for patient_id, row in failures.items():
        # "Keeps failing": given up on at least once, or failed twice or more.
        if row.dead >= 1 or row.failed >= 2:
            detected[(patient_id, SupportKind.NOTIFICATIONS_FAILING)] = (
                f"{row.failed} message{'s' if row.failed != 1 else ''} failed in the "
                f"last {NOTIFICATION_FAILURE_WINDOW.days} days.",
                row.last_failed,
                row.last_failed,
            )
    for patient_id, lost_at in push_lost_since(list(by_id)).items():
        # Messages still reach them (by email or text instead); the navigator can help them
        # turn notifications on again on their phone.
        local = timezone.localtime(lost_at)
        words = (
            f"Not receiving push notifications on their phone since {local.day} "
            f"{local:%B}: messages go by email or text instead."
        )
        failing = detected.get((patient_id, SupportKind.NOTIFICATIONS_FAILING))
        if failing is not None:
            words = f"{failing[0]} {words}"
        detected[(patient_id, SupportKind.NOTIFICATIONS_FAILING)] = (words, lost_at, lost_at)
    inactive_before = now - datetime.timedelta(days=inactive_days)
    for engagement in engagements:
        patient_id = engagement.patient.pk
        inactive = _inactive_entry(engagement, now=now, inactive_before=inactive_before)
        if inactive is not None:
            detected[(patient_id, SupportKind.INACTIVE)] = inactive
        missing = engagement.getting_started_missing
        if missing:
            detected[(patient_id, SupportKind.GETTING_STARTED)] = (
                "Not done yet: " + ", ".join(missing) + ".",
                engagement.patient.date_joined,
                # Closing this item hides it for the inactivity period, then it comes back.
                inactive_before,
            )

    entries: dict[str, list[QueueEntry]] = {kind: [] for kind in SECTION_TITLES}
    stored_keys = set()
    for support_request in stored:
        key = (support_request.patient_id or 0, support_request.kind)
        stored_keys.add(key)
        if support_request.kind == SupportKind.SIGN_IN_HELP:
            detail = support_request.get_problem_display() or "Asked for help."
        elif support_request.kind == SupportKind.SIGN_IN_EMAIL_FAILED:
            # Written by sign_in_email_failure_record: technical facts only.
            detail = support_request.message
        else:
            detail = detected.get(key, ("No longer found; close when done.", None, now))[0]
        entries[support_request.kind].append(
            QueueEntry(
                kind=support_request.kind,
                patient=support_request.patient,
                detail=detail,
                since=support_request.created_at,
                support_request=support_request,
            )
        )
    for (patient_id, kind), (detail, since, trigger) in detected.items():
        if (patient_id, kind) in stored_keys:
            continue
        closed_at = last_closed.get((patient_id, kind))
        if closed_at is not None and closed_at >= trigger:
            continue
        entries[kind].append(
            QueueEntry(kind=kind, patient=by_id[patient_id].patient, detail=detail, since=since)
        )
    for kind, title in SECTION_TITLES.items():
        queue.sections.append((kind, title, entries[kind]))
    return queue


@dataclass
class PatientSupportSummary:
    engagement: PatientEngagement
    browser_sessions: int
    tokens: list[DeviceToken]
    lockout: tuple[datetime.datetime, int] | None
    lockout_until: datetime.datetime | None
    lockout_active: bool
    # Delivery facts of failed messages (accounts/support_sources.py), never their content.
    failed_notifications: list[Any]
    open_requests: list[SupportRequest]
    notes_for_pwp: list[NavigatorNote]
    episode: Episode | None


def patient_support_summary(*, navigator: User, patient: User) -> PatientSupportSummary:
    """Technical and engagement facts about one patient for the navigator's patient page."""
    now = timezone.now()
    engagement = engagement_for_patients(User.objects.filter(pk=patient.pk))[0]
    lockout = _lockouts_by_patient([engagement], now).get(patient.pk)
    failed = delivery_failures_recent(patient, now - NOTIFICATION_FAILURE_WINDOW)[:20]
    return PatientSupportSummary(
        engagement=engagement,
        browser_sessions=UserSession.objects.filter(
            user=patient,
            created_at__gte=now - datetime.timedelta(hours=settings.BCBT_SESSION_MAX_HOURS),
        ).count(),
        # Signed-in apps: the access token works, or the refresh token can renew it.
        tokens=list(device_tokens_active_for_user(user=patient)),
        lockout=lockout,
        lockout_until=lockout_until(lockout[0]) if lockout else None,
        lockout_active=lockout is not None and lockout_until(lockout[0]) > now,
        failed_notifications=failed,
        open_requests=list(
            SupportRequest.objects.filter(
                patient=patient, status__in=[SupportStatus.OPEN, SupportStatus.PICKED_UP]
            )
            .select_related("assignee")
            .order_by("created_at")
        ),
        notes_for_pwp=list(navigator_notes_for_patient(navigator=navigator, patient=patient)[:20]),
        episode=Episode.objects.filter(
            patient=patient, status=EpisodeStatus.ACTIVE, service_id=navigator.service_id or 0
        ).first(),
    )
