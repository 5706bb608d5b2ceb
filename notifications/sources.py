"""Where patient notifications come from: one due-rule per kind, in a registry.

The sweep hands each rule a batch of patients in treatment (their effective settings) and the
moment it runs for; the rule answers which notifications are due, in a constant number of
queries for the whole batch. A rule may also say which not-yet-sent notifications are stale
(the mood was rated, the appointment was cancelled) so the gate and the dispatcher withdraw them.

Rules that need data owned by another app reach it without importing its models here:
- the daily mood reminder reads ``moodlog.MoodRating`` (``patient``, ``day``) through the app
  registry, and treats "no such model" as "nothing rated";
- the module nudge and "questionnaire due" ask a provider function named in
  ``NOTIFICATIONS_RULE_PROVIDERS`` (see the README for the contract). A rule whose provider
  cannot be imported is inactive: it never guesses.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.apps import apps
from django.conf import settings
from django.db.models import Model
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string

from care.models import Appointment, AppointmentStatus
from notifications.models import Notification, NotificationKind
from notifications.preferences import PatientSettings

logger = logging.getLogger(__name__)

# The provider contract: given {episode id: the patient's local day}, return the ids of the
# episodes for which this kind is due on that day. One or two queries for any number of ids.
Provider = Callable[..., set[int]]

DEFAULT_PROVIDERS: dict[str, str] = {
    NotificationKind.MODULE_NUDGE: "modules.selectors.episodes_with_modules_not_started",
    NotificationKind.QUESTIONNAIRE_DUE: "measures.selectors.episodes_with_questionnaire_due",
}


@dataclass(frozen=True)
class DueNotification:
    patient_id: int
    kind: str
    key: str
    local_day: datetime.date
    due_at: datetime.datetime
    subject: str
    body: str
    link: str


class DueRule(Protocol):
    kind: str

    def due(
        self, *, patients: Sequence[PatientSettings], now: datetime.datetime
    ) -> list[DueNotification]: ...

    def stale_ids(self, *, notifications: Sequence[Notification]) -> set[int]: ...


def page_link(url_name: str, fallback: str = "/") -> str:
    """The path of a page another app provides, or a safe fallback while it does not exist."""
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return fallback


def _reminder_reached(patient: PatientSettings, now: datetime.datetime) -> bool:
    """Whether the patient's daily reminder moment has come today, in absolute time.

    Comparing instants, not wall-clock times, keeps the reminder to exactly once a day on the
    days the clocks change.
    """
    return now >= patient.reminder_at(patient.local_day(now))


# Named in a variable, not a literal: the model belongs to moodlog and may not be installed.
MOOD_RATING_MODEL: str = "moodlog.MoodRating"


def mood_rating_model() -> type[Model] | None:
    try:
        return apps.get_model(MOOD_RATING_MODEL)
    except LookupError:
        return None


class MoodReminderRule:
    """Daily at the patient's reminder time, only if today is not yet rated."""

    kind: str = NotificationKind.MOOD_REMINDER

    def _rated(self, pairs: Iterable[tuple[int, datetime.date]]) -> set[tuple[int, datetime.date]]:
        pairs = set(pairs)
        model = mood_rating_model()
        if model is None or not pairs:
            return set()
        patient_ids = {patient_id for patient_id, _ in pairs}
        days = {day for _, day in pairs}
        rated = model._default_manager.filter(patient_id__in=patient_ids, day__in=days)
        return set(rated.values_list("patient_id", "day")) & pairs

    def due(
        self, *, patients: Sequence[PatientSettings], now: datetime.datetime
    ) -> list[DueNotification]:
        reached = [patient for patient in patients if _reminder_reached(patient, now)]
        rated = self._rated((patient.patient_id, patient.local_day(now)) for patient in reached)
        link = page_link("moodlog:page", "/mood/")
        items = []
        for patient in reached:
            day = patient.local_day(now)
            if (patient.patient_id, day) in rated:
                continue
            items.append(
                DueNotification(
                    patient_id=patient.patient_id,
                    kind=self.kind,
                    key=f"{self.kind}:{patient.patient_id}:{day.isoformat()}",
                    local_day=day,
                    due_at=patient.reminder_at(day),
                    subject="How is your mood today?",
                    body="Take a moment to rate your mood for today. It takes a few seconds.",
                    link=link,
                )
            )
        return items

    def stale_ids(self, *, notifications: Sequence[Notification]) -> set[int]:
        mine = [row for row in notifications if row.kind == self.kind and row.local_day]
        rated = self._rated((row.recipient_id, row.local_day) for row in mine)  # type: ignore[misc]
        return {row.id for row in mine if (row.recipient_id, row.local_day) in rated}


def _appointments_tomorrow(
    patients: Sequence[PatientSettings], now: datetime.datetime
) -> dict[int, Appointment]:
    """The next scheduled appointment of each patient whose next session is tomorrow (local)."""
    by_episode = {patient.episode_id: patient for patient in patients}
    upcoming = (
        Appointment.objects.filter(
            episode_id__in=list(by_episode),
            status=AppointmentStatus.SCHEDULED,
            scheduled_at__gte=now,
            scheduled_at__lt=now + datetime.timedelta(days=3),
        )
        .only("id", "episode_id", "scheduled_at", "kind")
        .order_by("scheduled_at")
    )
    found: dict[int, Appointment] = {}
    for appointment in upcoming:
        patient = by_episode[appointment.episode_id]
        if patient.patient_id in found:
            continue
        tomorrow = patient.local_day(now) + datetime.timedelta(days=1)
        if appointment.scheduled_at.astimezone(patient.zone).date() == tomorrow:
            found[patient.patient_id] = appointment
    return found


def _appointment_id_from_key(key: str) -> int | None:
    try:
        return int(key.rsplit(":", 1)[1])
    except (IndexError, ValueError):
        return None


class AppointmentReminderRule:
    """The day before a scheduled session, at the patient's daily reminder time."""

    kind: str = NotificationKind.APPOINTMENT_REMINDER

    def due(
        self, *, patients: Sequence[PatientSettings], now: datetime.datetime
    ) -> list[DueNotification]:
        reached = [patient for patient in patients if _reminder_reached(patient, now)]
        if not reached:
            return []
        by_patient = {patient.patient_id: patient for patient in reached}
        link = page_link("accounts:patient-home", "/")
        items = []
        for patient_id, appointment in _appointments_tomorrow(reached, now).items():
            patient = by_patient[patient_id]
            day = patient.local_day(now)
            starts = appointment.scheduled_at.astimezone(patient.zone)
            how = "online" if appointment.kind == "online" else "face to face"
            items.append(
                DueNotification(
                    patient_id=patient_id,
                    kind=self.kind,
                    # One reminder per appointment, however often the sweep runs.
                    key=f"{self.kind}:{patient_id}:{appointment.id}",
                    local_day=day,
                    due_at=patient.reminder_at(day),
                    subject="Your session is tomorrow",
                    body=f"You have a session ({how}) tomorrow at {starts:%H:%M}.",
                    link=link,
                )
            )
        return items

    def stale_ids(self, *, notifications: Sequence[Notification]) -> set[int]:
        mine = {
            row.id: _appointment_id_from_key(row.key)
            for row in notifications
            if row.kind == self.kind
        }
        wanted = {appointment_id for appointment_id in mine.values() if appointment_id}
        if not wanted:
            return set()
        still_on = set(
            Appointment.objects.filter(
                id__in=wanted, status=AppointmentStatus.SCHEDULED
            ).values_list("id", flat=True)
        )
        return {row_id for row_id, appointment_id in mine.items() if appointment_id not in still_on}


class ProvidedRule:
    """A daily notification whose due-ness another app decides through a provider function."""

    def __init__(
        self,
        *,
        kind: str,
        provider: Provider,
        subject: str,
        body: str,
        url_name: str,
        fallback_link: str,
        only_before_a_session: bool = False,
    ) -> None:
        self.kind = kind
        self.provider = provider
        self.subject = subject
        self.body = body
        self.url_name = url_name
        self.fallback_link = fallback_link
        self.only_before_a_session = only_before_a_session

    def due(
        self, *, patients: Sequence[PatientSettings], now: datetime.datetime
    ) -> list[DueNotification]:
        reached = [patient for patient in patients if _reminder_reached(patient, now)]
        if self.only_before_a_session and reached:
            tomorrow = _appointments_tomorrow(reached, now)
            reached = [patient for patient in reached if patient.patient_id in tomorrow]
        if not reached:
            return []
        episode_days: Mapping[int, datetime.date] = {
            patient.episode_id: patient.local_day(now) for patient in reached
        }
        due_episodes = self.provider(episode_days=episode_days)
        link = page_link(self.url_name, self.fallback_link)
        items = []
        for patient in reached:
            if patient.episode_id not in due_episodes:
                continue
            day = patient.local_day(now)
            items.append(
                DueNotification(
                    patient_id=patient.patient_id,
                    kind=self.kind,
                    key=f"{self.kind}:{patient.patient_id}:{day.isoformat()}",
                    local_day=day,
                    due_at=patient.reminder_at(day),
                    subject=self.subject,
                    body=self.body,
                    link=link,
                )
            )
        return items

    def stale_ids(self, *, notifications: Sequence[Notification]) -> set[int]:
        return set()


def _load_provider(kind: str) -> Provider | None:
    configured = getattr(settings, "NOTIFICATIONS_RULE_PROVIDERS", {}) or {}
    path = configured.get(kind, DEFAULT_PROVIDERS.get(kind, ""))
    if not path:
        return None
    try:
        provider: Provider = import_string(path)
    except ImportError:
        logger.info("notification rule %s is inactive: %s is not available", kind, path)
        return None
    return provider


@cache
def _rules_for(providers_setting: str) -> tuple[DueRule, ...]:
    rules: list[DueRule] = [MoodReminderRule(), AppointmentReminderRule()]
    module_provider = _load_provider(NotificationKind.MODULE_NUDGE)
    if module_provider is not None:
        rules.append(
            ProvidedRule(
                kind=NotificationKind.MODULE_NUDGE,
                provider=module_provider,
                subject="A module to look at before your next session",
                body="You have a module to start before your session tomorrow.",
                url_name="modules:programme",
                fallback_link="/modules/",
                only_before_a_session=True,
            )
        )
    questionnaire_provider = _load_provider(NotificationKind.QUESTIONNAIRE_DUE)
    if questionnaire_provider is not None:
        rules.append(
            ProvidedRule(
                kind=NotificationKind.QUESTIONNAIRE_DUE,
                provider=questionnaire_provider,
                subject="A short questionnaire is ready for you",
                body="Your therapist would like you to fill in a short questionnaire.",
                url_name="measures:list",
                fallback_link="/",
            )
        )
    return tuple(rules)


def due_rules() -> tuple[DueRule, ...]:
    """The active rules. Cached per value of the providers setting (tests override it)."""
    configured = getattr(settings, "NOTIFICATIONS_RULE_PROVIDERS", {}) or {}
    return _rules_for(repr(sorted(configured.items())))


def rule_for(kind: str) -> DueRule | None:
    return next((rule for rule in due_rules() if rule.kind == kind), None)
