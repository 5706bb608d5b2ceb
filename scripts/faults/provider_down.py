"""Fault: the email provider answers 451 from 20:55 to 21:02 London, just before quiet hours.

Patients whose daily reminder is at 20:55 get it refused; the provider is back at 21:02. The
clock is driven in-process (time-machine), one sweep and dispatch a minute from 20:55 to 21:15,
then at 23:59, just after midnight and at 08:00 and 08:01 the next morning, as beat would.
Nothing may be sent in quiet hours (21:00-08:00); every reminder ends sent or withdrawn (a daily
reminder that could not go out on its day is withdrawn at midnight), none is sent twice.

``python -m scripts.faults.provider_down`` prints the result as JSON.
"""

from __future__ import annotations

import datetime
import json
import time
import zoneinfo

import time_machine

from scripts.faults._mail import (
    BUSY,
    OK,
    django_environment,
    result,
    smtp_relay,
    throwaway_database,
    use_relay,
)

LONDON = zoneinfo.ZoneInfo("Europe/London")
PATIENTS = 50
DAY = datetime.date(2026, 3, 10)


def _at(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LONDON)


def _moments() -> list[tuple[datetime.datetime, bool]]:
    """(moment, provider down?) for every tick of the run."""
    ticks = [(_at(DAY, 20, 55 + n) if n < 5 else _at(DAY, 21, n - 5), n < 7) for n in range(21)]
    after = DAY + datetime.timedelta(days=1)
    ticks += [(_at(DAY, 23, 59), False), (_at(after, 0, 1), False)]
    ticks += [(_at(after, 8, 0), False), (_at(after, 8, 1), False)]
    return ticks


def _quiet(moment: datetime.datetime) -> bool:
    local = moment.astimezone(LONDON).time()
    return local >= datetime.time(21, 0) or local < datetime.time(8, 0)


def _setup(count: int) -> None:
    from accounts.models import Role, User
    from notifications.services import notification_preference_update
    from treatment.services import episode_start, service_create

    service = service_create(name="Fault service", slug="fault-service")
    pwp = User.objects.create(
        username="fault-pwp", email="pwp@example.org", role=Role.PWP, service=service
    )
    for number in range(count):
        patient = User.objects.create(
            username=f"fault-patient-{number}",
            email=f"patient{number}@example.org",
            role=Role.PATIENT,
            service=service,
        )
        episode_start(
            patient=patient,
            pwp=pwp,
            service=service,
            started_on=DAY - datetime.timedelta(days=13),
        )
        notification_preference_update(
            patient=patient, service=service, reminder_time=datetime.time(20, 55)
        )


def run() -> dict[str, object]:
    django_environment()
    with throwaway_database("provider_down"):
        from django.db.models import Count
        from django.utils import timezone

        from notifications.models import Notification, NotificationKind, NotificationState
        from notifications.services import notifications_run_once

        with time_machine.travel(_at(DAY, 12, 0), tick=False):
            _setup(PATIENTS)
        in_quiet = 0
        longest = 0.0
        refused_before_quiet = 0
        with smtp_relay(mode=BUSY) as relay:
            use_relay(relay, timeout=5.0)
            for moment, down in _moments():
                relay.mode = BUSY if down else OK
                before = len(relay.accepted)
                with time_machine.travel(moment, tick=False):
                    started = time.monotonic()
                    outcome = notifications_run_once(now=moment)
                    longest = max(longest, time.monotonic() - started)
                if moment < _at(DAY, 21, 0):
                    refused_before_quiet += outcome.dispatch.failed
                if _quiet(moment):
                    in_quiet += len(relay.accepted) - before
            duplicated = relay.duplicated()
            accepted = len(relay.accepted)
        reminders = Notification.objects.filter(kind=NotificationKind.MOOD_REMINDER)
        expected = reminders.count()
        sent = reminders.filter(state=NotificationState.SENT).count()
        withdrawn = reminders.filter(state=NotificationState.WITHDRAWN).count()
        # A reminder sent as part of a digest counts as sent when its digest was.
        sent += reminders.filter(
            state=NotificationState.DIGESTED, digest_of__state=NotificationState.SENT
        ).count()
        times = sorted(
            timezone.localtime(moment, LONDON).strftime("%a %H:%M")
            for moment in Notification.objects.filter(state=NotificationState.SENT).values_list(
                "sent_at", flat=True
            )
            if moment is not None
        )
        states = dict(
            Notification.objects.values_list("kind", "state")
            .annotate(n=Count("id"))
            .values_list("state", "n")
        )
        return result(
            scenario="provider_down",
            expected=expected,
            sent=sent,
            duplicated=duplicated,
            lost=expected - sent - withdrawn,
            sent_in_quiet_hours=in_quiet,
            longest_request_s=longest,
            notes=(
                f"{PATIENTS} reminders due 20:55, provider 451 until 21:02: {refused_before_quiet} "
                f"refusals before 21:00, {accepted} accepted in all, {sent} sent, {withdrawn} "
                "withdrawn at midnight (a daily reminder is for its own day); "
                f"states {states}; sent at {sorted(set(times))}"
            ),
        )


if __name__ == "__main__":
    print(json.dumps(run()))
