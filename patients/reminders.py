"""The patient app's reminder: the day before a session, registered with notifications (README,
"Notifications"). Its link is the patient's home, where the next session is shown."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.urls import reverse

from care.models import Appointment, AppointmentStatus
from notifications.models import Notification, NotificationKind
from notifications.preferences import PatientSettings
from notifications.registry import rule_register
from notifications.sources import DueNotification, appointments_tomorrow, reminder_reached


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
        reached = [patient for patient in patients if reminder_reached(patient, now)]
        if not reached:
            return []
        by_patient = {patient.patient_id: patient for patient in reached}
        link = reverse("patients:home")
        items = []
        for patient_id, appointment in appointments_tomorrow(reached, now).items():
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


rule_register(AppointmentReminderRule())
