"""moodlog's reminder: the daily mood reminder, registered with notifications (README,
"Notifications"). Its wording and its "already rated today" query live here, beside the model."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from moodlog.models import MoodRating
from notifications.models import Notification, NotificationKind
from notifications.preferences import PatientSettings
from notifications.registry import rule_register
from notifications.sources import DueNotification, Wording, daily_reminder, reminder_reached


class MoodReminderRule:
    """Daily at the patient's reminder time, only if today is not yet rated."""

    kind: str = NotificationKind.MOOD_REMINDER
    wording = Wording(
        subject="How is your mood today?",
        body="Take a moment to rate your mood for today. It takes a few seconds.",
        url_name="moodlog:page",
    )

    def _rated(self, pairs: Iterable[tuple[int, datetime.date]]) -> set[tuple[int, datetime.date]]:
        pairs = set(pairs)
        if not pairs:
            return set()
        patient_ids = {patient_id for patient_id, _ in pairs}
        days = {day for _, day in pairs}
        rated = MoodRating.objects.filter(patient_id__in=patient_ids, day__in=days)
        return set(rated.values_list("patient_id", "day")) & pairs

    def due(
        self, *, patients: Sequence[PatientSettings], now: datetime.datetime
    ) -> list[DueNotification]:
        reached = [patient for patient in patients if reminder_reached(patient, now)]
        rated = self._rated((patient.patient_id, patient.local_day(now)) for patient in reached)
        link = self.wording.link()
        items = []
        for patient in reached:
            day = patient.local_day(now)
            if (patient.patient_id, day) in rated:
                continue
            items.append(
                daily_reminder(
                    kind=self.kind, wording=self.wording, patient=patient, day=day, link=link
                )
            )
        return items

    def stale_ids(self, *, notifications: Sequence[Notification]) -> set[int]:
        mine = [row for row in notifications if row.kind == self.kind and row.local_day]
        rated = self._rated((row.recipient_id, row.local_day) for row in mine)  # type: ignore[misc]
        return {row.id for row in mine if (row.recipient_id, row.local_day) in rated}


rule_register(MoodReminderRule())
