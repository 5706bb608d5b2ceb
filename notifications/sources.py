"""The building blocks of a due-rule: what a rule answers, and the one generic rule most apps use.

The sweep hands each rule a batch of patients in treatment (their effective settings) and the
moment it runs for; the rule answers which notifications are due, in a constant number of
queries for the whole batch. A rule may also say which not-yet-sent notifications are stale
(the mood was rated, the appointment was cancelled) so the gate and the dispatcher withdraw them.

Notifications knows no feature app by name: each app owns its rule and its wording in its own
``reminders.py`` and registers it with ``notifications.registry.rule_register`` (README,
"Notifications"). Only the core (``care``: episodes and appointments) is read here.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from django.urls import reverse

from care.models import Appointment, AppointmentStatus
from notifications.batch_sql import values_in
from notifications.models import Notification
from notifications.preferences import PatientSettings

# The provider contract: given {episode id: the patient's local day}, return the ids of the
# episodes for which this kind is due on that day. One or two queries for any number of ids.
Provider = Callable[..., set[int]]


@dataclass(frozen=True)
class Wording:
    """What a reminder with fixed words says, and the URL name of the page it links to."""

    subject: str
    body: str
    url_name: str

    def link(self) -> str:
        return reverse(self.url_name)


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


def daily_reminder(
    *, kind: str, wording: Wording, patient: PatientSettings, day: datetime.date, link: str
) -> DueNotification:
    """One patient's reminder of ``kind`` for their local ``day``: one key per patient, kind
    and day, so a sweep that runs again finds it already queued."""
    return DueNotification(
        patient_id=patient.patient_id,
        kind=kind,
        key=f"{kind}:{patient.patient_id}:{day.isoformat()}",
        local_day=day,
        due_at=patient.reminder_at(day),
        subject=wording.subject,
        body=wording.body,
        link=link,
    )


def reminder_reached(patient: PatientSettings, now: datetime.datetime) -> bool:
    """Whether the patient's daily reminder moment has come today, in absolute time.

    Comparing instants, not wall-clock times, keeps the reminder to exactly once a day on the
    days the clocks change.
    """
    return now >= patient.reminder_at(patient.local_day(now))


def appointments_tomorrow(
    patients: Sequence[PatientSettings], now: datetime.datetime
) -> dict[int, Appointment]:
    """The next scheduled appointment of each patient whose next session is tomorrow (local)."""
    by_episode = {patient.episode_id: patient for patient in patients}
    upcoming = (
        Appointment.objects.filter(
            values_in("episode_id", list(by_episode), sql_type="bigint"),
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


class EpisodeDueRule:
    """A daily notification whose due-ness the registering app decides through a provider.

    The app gives its own wording and the URL name of its own page; ``provider`` follows the
    contract above. With ``only_before_a_session`` the rule asks only about the patients whose
    next session is tomorrow.
    """

    def __init__(
        self,
        *,
        kind: str,
        provider: Provider,
        wording: Wording,
        only_before_a_session: bool = False,
    ) -> None:
        self.kind = kind
        self.provider = provider
        self.wording = wording
        self.only_before_a_session = only_before_a_session

    def due(
        self, *, patients: Sequence[PatientSettings], now: datetime.datetime
    ) -> list[DueNotification]:
        reached = [patient for patient in patients if reminder_reached(patient, now)]
        if self.only_before_a_session and reached:
            tomorrow = appointments_tomorrow(reached, now)
            reached = [patient for patient in reached if patient.patient_id in tomorrow]
        if not reached:
            return []
        episode_days: Mapping[int, datetime.date] = {
            patient.episode_id: patient.local_day(now) for patient in reached
        }
        due_episodes = self.provider(episode_days=episode_days)
        link = self.wording.link()
        items = []
        for patient in reached:
            if patient.episode_id not in due_episodes:
                continue
            items.append(
                daily_reminder(
                    kind=self.kind,
                    wording=self.wording,
                    patient=patient,
                    day=patient.local_day(now),
                    link=link,
                )
            )
        return items

    def stale_ids(self, *, notifications: Sequence[Notification]) -> set[int]:
        return set()
