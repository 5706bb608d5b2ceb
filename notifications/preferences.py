"""What a patient has chosen, combined with their service's ceiling, as plain values.

The sweep and the gate read these for thousands of patients at once, so they are built from one
``values()`` query over active episodes (left joins to the preference and the service policy)
rather than from model instances.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet

from care.models import Episode, EpisodeStatus
from notifications.models import (
    DEFAULT_DAILY_MAX,
    DEFAULT_QUIET_END,
    DEFAULT_QUIET_START,
    DEFAULT_REMINDER_TIME,
    DEFAULT_WEEKLY_MAX,
    PATIENT_KINDS,
    ContactChannel,
    NotificationChannel,
    PushSubscription,
)

_PREFERENCE = "patient__notification_preference__"
_POLICY = "service__notification_policy__"
_FIELDS = (
    "id",
    "patient_id",
    "service_id",
    "started_on",
    "patient__time_zone",
    "patient__email",
    "patient__phone_number",
    f"{_PREFERENCE}id",
    f"{_PREFERENCE}contact_by",
    f"{_PREFERENCE}in_app",
    f"{_PREFERENCE}reminder_time",
    f"{_PREFERENCE}quiet_start",
    f"{_PREFERENCE}quiet_end",
    f"{_PREFERENCE}weekly_max",
    f"{_PREFERENCE}paused_until",
    *(f"{_PREFERENCE}{kind}" for kind in PATIENT_KINDS),
    f"{_POLICY}id",
    f"{_POLICY}max_per_week",
    f"{_POLICY}max_per_day",
    f"{_POLICY}quiet_start",
    f"{_POLICY}quiet_end",
    f"{_POLICY}default_reminder_time",
    f"{_POLICY}email_allowed",
    f"{_POLICY}sms_allowed",
)


def push_configured() -> bool:
    """Web Push needs the service's VAPID keys (settings refuses half a set-up)."""
    return bool(settings.BCBT_VAPID_PUBLIC_KEY and settings.BCBT_VAPID_PRIVATE_KEY)


def sms_available() -> bool:
    """Text messages go through GOV.UK Notify only, so they need its key and an SMS template."""
    return bool(settings.GOVUK_NOTIFY_API_KEY and settings.GOVUK_NOTIFY_SMS_TEMPLATE_ID)


def in_window(moment: datetime.time, start: datetime.time, end: datetime.time) -> bool:
    """Whether a wall-clock time falls in [start, end), where the window may cross midnight."""
    if start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


@dataclass(frozen=True)
class PatientSettings:
    """One patient's effective notification settings: their choices within the service's caps."""

    patient_id: int
    episode_id: int
    service_id: int
    started_on: datetime.date
    zone: zoneinfo.ZoneInfo
    has_email: bool
    has_phone: bool
    # At least one phone or browser takes the patient's push notifications.
    has_push: bool
    contact_by: str
    in_app: bool
    reminder_time: datetime.time
    quiet_windows: tuple[tuple[datetime.time, datetime.time], ...]
    weekly_max: int
    daily_max: int
    paused_until: datetime.date | None
    kinds_on: frozenset[str]
    email_allowed: bool
    sms_allowed: bool

    def local_now(self, now: datetime.datetime) -> datetime.datetime:
        return now.astimezone(self.zone)

    def local_day(self, now: datetime.datetime) -> datetime.date:
        return self.local_now(now).date()

    def in_quiet_hours(self, now: datetime.datetime) -> bool:
        moment = self.local_now(now).time()
        return any(in_window(moment, start, end) for start, end in self.quiet_windows)

    def has_started(self, day: datetime.date) -> bool:
        """Whether the episode has begun by the patient's local ``day``: an episode opened
        ahead of its start date sends nothing before it."""
        return day >= self.started_on

    def is_paused(self, day: datetime.date) -> bool:
        return self.paused_until is not None and day <= self.paused_until

    def kind_on(self, kind: str) -> bool:
        return kind in self.kinds_on

    def channel(self) -> str | None:
        """The one channel a message goes by, or None when the patient wants none at all.

        A choice the service or the deployment cannot honour (text messages without GOV.UK
        Notify, or no phone number) falls back to the in-app list rather than to a channel the
        patient did not choose. Push is the exception: a patient who chose it and whose phone no
        longer takes it (or push is switched off) gets their other channel, email or a text
        message, since they asked to be told.
        """
        if self.contact_by == ContactChannel.PUSH:
            if self.has_push and push_configured():
                return NotificationChannel.PUSH
            if self.email_allowed and self.has_email:
                return NotificationChannel.EMAIL
            if self.sms_allowed and self.has_phone and sms_available():
                return NotificationChannel.SMS
        if (
            self.contact_by == ContactChannel.SMS
            and self.sms_allowed
            and self.has_phone
            and sms_available()
        ):
            return NotificationChannel.SMS
        if self.contact_by == ContactChannel.EMAIL and self.email_allowed and self.has_email:
            return NotificationChannel.EMAIL
        if self.in_app:
            return NotificationChannel.IN_APP
        return None

    def reminder_at(self, day: datetime.date) -> datetime.datetime:
        """The moment of the daily reminder on ``day`` in the patient's zone.

        On the spring clock change a time in the missing hour resolves to the instant an hour
        later on the wall clock; in the repeated autumn hour the first occurrence counts.
        """
        return datetime.datetime.combine(day, self.reminder_time, tzinfo=self.zone)


def _pick(value: Any, default: Any) -> Any:
    return default if value is None else value


def _settings_from_values(row: dict[str, Any]) -> PatientSettings:
    has_preference = row[f"{_PREFERENCE}id"] is not None
    max_per_week = _pick(row[f"{_POLICY}max_per_week"], DEFAULT_WEEKLY_MAX)
    service_quiet = (
        _pick(row[f"{_POLICY}quiet_start"], DEFAULT_QUIET_START),
        _pick(row[f"{_POLICY}quiet_end"], DEFAULT_QUIET_END),
    )
    if has_preference:
        patient_quiet = (row[f"{_PREFERENCE}quiet_start"], row[f"{_PREFERENCE}quiet_end"])
        reminder_time = row[f"{_PREFERENCE}reminder_time"]
        weekly_max = min(row[f"{_PREFERENCE}weekly_max"], max_per_week)
        kinds_on = frozenset(kind for kind in PATIENT_KINDS if row[f"{_PREFERENCE}{kind}"])
        contact_by = row[f"{_PREFERENCE}contact_by"]
        in_app = row[f"{_PREFERENCE}in_app"]
        paused_until = row[f"{_PREFERENCE}paused_until"]
    else:
        patient_quiet = service_quiet
        reminder_time = _pick(row[f"{_POLICY}default_reminder_time"], DEFAULT_REMINDER_TIME)
        weekly_max = max_per_week
        kinds_on = frozenset(PATIENT_KINDS)
        contact_by = ContactChannel.EMAIL
        in_app = True
        paused_until = None
    return PatientSettings(
        patient_id=row["patient_id"],
        episode_id=row["id"],
        service_id=row["service_id"],
        started_on=row["started_on"],
        zone=zoneinfo.ZoneInfo(row["patient__time_zone"]),
        has_email=bool(row["patient__email"]),
        has_phone=bool(row["patient__phone_number"]),
        has_push=bool(row["has_push"]),
        contact_by=contact_by,
        in_app=in_app,
        reminder_time=reminder_time,
        # The service's quiet hours always apply; a patient may add more, never fewer.
        quiet_windows=(patient_quiet, service_quiet),
        weekly_max=weekly_max,
        daily_max=_pick(row[f"{_POLICY}max_per_day"], DEFAULT_DAILY_MAX),
        paused_until=paused_until,
        kinds_on=kinds_on,
        email_allowed=_pick(row[f"{_POLICY}email_allowed"], True),
        sms_allowed=_pick(row[f"{_POLICY}sms_allowed"], True),
    )


def active_episodes() -> QuerySet[Episode]:
    return Episode.objects.filter(status=EpisodeStatus.ACTIVE)


def patient_settings(episodes: QuerySet[Episode]) -> list[PatientSettings]:
    """Effective settings for the patients of ``episodes``, in one query."""
    rows = episodes.annotate(
        has_push=Exists(PushSubscription.objects.filter(patient_id=OuterRef("patient_id")))
    ).values(*_FIELDS, "has_push")
    return [_settings_from_values(row) for row in rows]


def patient_settings_by_id(patient_ids: Iterable[int]) -> dict[int, PatientSettings]:
    """Effective settings of those patients who are in treatment now, keyed by patient id."""
    episodes = active_episodes().filter(patient_id__in=list(patient_ids))
    return {entry.patient_id: entry for entry in patient_settings(episodes)}
