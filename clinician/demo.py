"""Demo data for the PWP's day: session records with tasks, messages both ways, and what some
patients want to talk about, so the caseload and briefs look like a real Tuesday."""

from __future__ import annotations

import datetime

from django.utils import timezone

from care.demo import DemoContext
from care.models import AppointmentStatus, AuditEvent
from care.services import audit_event_record
from clinician.models import BriefReview, Message
from clinician.services import (
    TaskInput,
    brief_mark_reviewed,
    patient_topic_set,
    session_record_save,
)

AGENDAS = (
    "Review of the week, mood ratings, activity diary",
    "Check-in on the module, questions about the exercise",
    "Review of questionnaires and progress so far",
    "Problem solving a barrier to planned activities",
)
NOTES = (
    "Engaged well. Noticed mood lifts after short walks. Agreed to keep activities small.",
    "Found the module helpful but struggled to find time. Agreed a fixed time after lunch.",
    "Low week after a family argument. Talked through the thought record together.",
    "Sleep still poor. Introduced the sleep module as an add-on.",
    "Good progress. Planning to return to a part-time volunteering role.",
)
TASKS = (
    ("Rate mood every evening", "", 1),
    ("Fill in the activity diary for three days", "activity-diary", 10),
    ("Plan two small valued activities", "planning-valued-activities", 10),
    ("Try one thought record when mood dips", "unhelpful-thoughts", 15),
    ("Keep the same wake-up time every day", "better-sleep", 5),
)
PATIENT_MESSAGES = (
    "I managed two walks this week but the weekend was hard.",
    "Is it ok if I do the diary on paper and type it up later?",
    "Thank you for the feedback, it helped.",
)
PWP_MESSAGES = (
    "Well done for the walks. We can talk about the weekend on Thursday.",
    "Paper is fine. Bring it along or type up the main points when you can.",
)
TOPICS = (
    "I want to talk about the weekend and why it went badly.",
    "Whether I should go back to work part time.",
    "My sleep is still not right.",
)


# Length: a demo script: sessions, messages and topics, written out step by step.
def seed(context: DemoContext) -> None:
    rng = context.rng
    now = context.now
    for index, episode in enumerate(context.episodes):
        pwp = episode.pwp
        if pwp is None:
            continue
        past = [
            appointment
            for appointment in episode.appointments.order_by("number")
            if appointment.scheduled_at < now and appointment.kind == "face_to_face"
        ]
        for appointment in past:
            attendance = str(appointment.status)
            if attendance == AppointmentStatus.SCHEDULED:
                attendance = AppointmentStatus.ATTENDED
            tasks = [
                TaskInput(description=description, module_slug=slug, minutes_per_day=minutes)
                for description, slug, minutes in rng.sample(TASKS, k=2)
            ]
            session_record_save(
                appointment=appointment,
                by=pwp,
                attendance=attendance,
                agenda=rng.choice(AGENDAS),
                notes=rng.choice(NOTES) if attendance == AppointmentStatus.ATTENDED else "",
                tasks=tasks if attendance == AppointmentStatus.ATTENDED else [],
            )
        # A few conversations; the newest patient messages are unread, as on a real morning.
        if index == 0 or rng.random() < 0.35:
            sent_at = now - datetime.timedelta(days=rng.randint(1, 4), hours=rng.randint(0, 8))
            first_message, last_message = rng.sample(PATIENT_MESSAGES, k=2)
            Message.objects.create(
                episode=episode,
                sender=episode.patient,
                body=first_message,
                created_at=sent_at - datetime.timedelta(days=2),
                read_at=sent_at - datetime.timedelta(days=2) + datetime.timedelta(hours=3),
            )
            Message.objects.create(
                episode=episode,
                sender=pwp,
                body=rng.choice(PWP_MESSAGES),
                created_at=sent_at - datetime.timedelta(days=1),
                read_at=sent_at,
            )
            Message.objects.create(
                episode=episode,
                sender=episode.patient,
                body=last_message,
                created_at=sent_at,
            )
        coming = (
            episode.appointments.filter(
                status=AppointmentStatus.SCHEDULED, scheduled_at__gte=timezone.now()
            )
            .order_by("number")
            .first()
        )
        if coming is not None and (index == 0 or rng.random() < 0.3):
            patient_topic_set(episode=episode, appointment=coming, text=rng.choice(TOPICS))


def seed_ended(context: DemoContext) -> None:
    """The PWP opened the brief the evening before most sessions of the ended courses and marked
    it reviewed; now and then only on the morning of the session, or not at all, as in a real
    service, so the fidelity report has something to say. Written through the services, then
    dated when it happened."""
    for course in context.ended:
        episode, rng = course.episode, course.rng
        if episode.pwp is None:
            continue
        for appointment in episode.appointments.filter(status=AppointmentStatus.ATTENDED):
            habit = rng.random()
            if habit < 0.15:
                continue
            opened_at = appointment.scheduled_at - datetime.timedelta(
                hours=14 if habit < 0.85 else 1
            )
            event = audit_event_record(
                actor=episode.pwp, action="brief.view", patient=episode.patient, target=episode
            )
            AuditEvent.objects.filter(pk=event.pk).update(occurred_at=opened_at)
            if habit < 0.75:
                review = brief_mark_reviewed(appointment=appointment, by=episode.pwp)
                BriefReview.objects.filter(pk=review.pk).update(
                    reviewed_at=opened_at + datetime.timedelta(minutes=5)
                )
