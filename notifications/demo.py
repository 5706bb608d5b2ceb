"""Demo notifications: the service's policy, a few patients' choices, and some history.

``patient`` has a week of daily reminders in their in-app list (some read) and a message held
back by quiet hours; ``patient001`` is on a holiday pause; ``patient002`` wants email only (no
in-app list); ``patient003`` has an email that keeps failing, so the navigator sees them.
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.db import transaction

from care.demo import DemoContext
from notifications.models import (
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationState,
    ServiceNotificationPolicy,
)
from notifications.registry import wording_for
from notifications.services import (
    notification_enqueue_for_patient,
    notification_preference_update,
)


# Length: a demo script of preferences and reminder history, step by step.
@transaction.atomic
def seed(context: DemoContext) -> None:
    ServiceNotificationPolicy.objects.get_or_create(service=context.service)
    patients = {episode.patient.username: episode.patient for episode in context.episodes}
    main = patients["patient"]
    zone = zoneinfo.ZoneInfo(main.time_zone)

    if "patient001" in patients:
        notification_preference_update(
            patient=patients["patient001"],
            service=context.service,
            paused_until=context.today + datetime.timedelta(days=10),
        )
    if "patient002" in patients:
        notification_preference_update(
            patient=patients["patient002"],
            service=context.service,
            contact_by="email",
            in_app=False,
            reminder_time=datetime.time(18, 30),
            weekly_max=3,
        )

    # Most patients have looked at their notification settings at the start of treatment; a few
    # have not, so the navigator's "getting started" list has someone on it.
    for username, patient in patients.items():
        if username in ("patient001", "patient002") or context.rng.random() < 0.15:
            continue
        notification_preference_update(
            patient=patient,
            service=context.service,
            reminder_time=context.rng.choice(
                [datetime.time(19, 0), datetime.time(20, 0), datetime.time(18, 30)]
            ),
        )

    # The words and link of the registered mood reminder, so that history reads like the real thing.
    mood = wording_for(NotificationKind.MOOD_REMINDER)
    for days_ago in range(7, 0, -1):
        day = context.today - datetime.timedelta(days=days_ago)
        moment = datetime.datetime.combine(day, datetime.time(19, 0), tzinfo=zone)
        row, _ = notification_enqueue_for_patient(
            key=f"demo:mood_reminder:{main.pk}:{day.isoformat()}",
            patient=main,
            kind=NotificationKind.MOOD_REMINDER,
            subject=mood.subject,
            body=mood.body,
            link=mood.link(),
            due_at=moment,
        )
        # History, as the dispatcher would have recorded it.
        row.state = NotificationState.SENT
        row.attempts = 1
        row.sent_at = moment
        row.budget_day = day
        row.read_at = moment + datetime.timedelta(hours=1) if context.rng.random() < 0.6 else None
        row.save()

    held_at = datetime.datetime.combine(context.today, datetime.time(7, 15), tzinfo=zone)
    held, _ = notification_enqueue_for_patient(
        key=f"demo:message_received:{main.pk}:{context.today.isoformat()}",
        patient=main,
        kind=NotificationKind.MESSAGE_RECEIVED,
        subject="Your therapist has written to you",
        body="Sign in to read the message from your therapist.",
        due_at=held_at,
    )
    Notification.objects.filter(pk=held.pk).update(state=NotificationState.HELD)

    if "patient003" in patients:
        failing = patients["patient003"]
        for days_ago in (3, 2):
            day = context.today - datetime.timedelta(days=days_ago)
            moment = datetime.datetime.combine(day, datetime.time(19, 0), tzinfo=zone)
            row, _ = notification_enqueue_for_patient(
                key=f"demo:mood_reminder:{failing.pk}:{day.isoformat()}",
                patient=failing,
                kind=NotificationKind.MOOD_REMINDER,
                subject=mood.subject,
                body=mood.body,
                link=mood.link(),
                due_at=moment,
            )
            row.channel = NotificationChannel.EMAIL
            row.state = NotificationState.DEAD
            row.attempts = 5
            row.last_error = "SMTPRecipientsRefused: mailbox unavailable"
            row.save()
