"""Writes for the PWP's day: messages, the patient's topics, brief reviews and session records."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accounts.drafts import draft_delete
from accounts.models import User
from care.models import (
    AgreedTask,
    Appointment,
    AppointmentStatus,
    Episode,
    SessionRecord,
)
from care.services import audit_event_record
from clinician.drafts import MESSAGE_DRAFT_KEY, TOPICS_DRAFT_KEY
from clinician.models import BriefReview, Message, PatientTopic
from notifications.models import NotificationKind
from notifications.services import notification_enqueue
from safety.free_text import risk_flag_raise_for_text
from safety.models import RiskFlagSourceKind

MESSAGE_MAX_LENGTH = 2000


@transaction.atomic
def message_send(
    *, episode: Episode, sender: User, body: str, request: HttpRequest | None = None
) -> Message:
    """Send a message within an episode and queue a notification for the other side.

    The notification says only that a message is waiting; the text stays on the platform.
    """
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write a message before sending it."})
    if len(body) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            {"body": f"Messages can be up to {MESSAGE_MAX_LENGTH} characters long."}
        )
    if sender.pk not in (episode.patient_id, episode.pwp_id):
        raise ValidationError("Only the patient and their PWP can write in this conversation.")
    message = Message.objects.create(episode=episode, sender=sender, body=body)
    if sender.pk == episode.patient_id:
        draft_delete(user=sender, key=MESSAGE_DRAFT_KEY)
        # In this transaction: the message, any flag its words raise and the flag's alert.
        risk_flag_raise_for_text(
            patient=episode.patient, text=body, source_kind=RiskFlagSourceKind.MESSAGE
        )
        if episode.pwp is not None:
            notification_enqueue(
                key=f"message:{message.pk}:to:{episode.pwp_id}",
                recipient=episode.pwp,
                patient=episode.patient,
                kind=NotificationKind.STAFF_ALERT,
                channel="in_app",
                subject="A patient sent you a message",
                body="A patient on your caseload sent you a message in bcbt.",
                link=reverse("clinician:messages", args=[episode.patient_id]),
            )
    else:
        notification_enqueue(
            key=f"message:{message.pk}:to:{episode.patient_id}",
            recipient=episode.patient,
            patient=episode.patient,
            kind=NotificationKind.MESSAGE_RECEIVED,
            subject="You have a new message from your therapist",
            body="Your therapist sent you a message. Sign in to bcbt to read it.",
            link=reverse("patients:messages"),
        )
    audit_event_record(
        actor=sender,
        action="message.send",
        patient=episode.patient,
        target=message,
        request=request,
    )
    return message


def messages_mark_read(*, episode: Episode, reader: User) -> int:
    """Mark the other side's messages as read; returns how many changed."""
    return (
        Message.objects.filter(episode=episode, read_at__isnull=True)
        .exclude(sender=reader)
        .update(read_at=timezone.now())
    )


@transaction.atomic
def patient_topic_set(*, episode: Episode, appointment: Appointment, text: str) -> PatientTopic:
    text = text.strip()
    if len(text) > 1000:
        raise ValidationError({"text": "Please keep this to 1000 characters or fewer."})
    topic, _ = PatientTopic.objects.update_or_create(
        appointment=appointment,
        defaults={"episode": episode, "text": text, "updated_at": timezone.now()},
    )
    risk_flag_raise_for_text(
        patient=episode.patient, text=text, source_kind=RiskFlagSourceKind.SESSION_TOPIC
    )
    draft_delete(user=episode.patient, key=TOPICS_DRAFT_KEY)
    return topic


def brief_mark_reviewed(
    *, appointment: Appointment, by: User, request: HttpRequest | None = None
) -> BriefReview:
    review, created = BriefReview.objects.get_or_create(appointment=appointment, reviewed_by=by)
    if created:
        audit_event_record(
            actor=by,
            action="brief.mark_reviewed",
            patient=appointment.episode.patient,
            target=appointment,
            request=request,
        )
    return review


@dataclass(frozen=True)
class TaskInput:
    description: str
    module_slug: str = ""
    minutes_per_day: int | None = None


def _chosen_module_tasks(
    *,
    by: User,
    episode: Episode,
    appointment: Appointment,
    slugs: list[str],
    request: HttpRequest | None,
) -> list[TaskInput]:
    from clinician.selectors import task_candidates
    from modules.models import Module
    from modules.services import assignment_add

    if not slugs:
        return []
    candidates = {candidate.slug: candidate for candidate in task_candidates(episode=episode)}
    unknown = [slug for slug in slugs if slug not in candidates]
    if unknown:
        raise ValidationError({"choose": "Choose modules from the list shown."})
    tasks = []
    for slug in dict.fromkeys(slugs):
        candidate = candidates[slug]
        if not candidate.in_programme:
            assignment_add(
                by=by,
                episode=episode,
                module=Module.objects.get(slug=slug),
                reason=f"Chosen together at session {appointment.number}",
                request=request,
            )
        tasks.append(
            TaskInput(
                description=f"Work on “{candidate.title}”",
                module_slug=slug,
                minutes_per_day=candidate.minutes_per_day,
            )
        )
    return tasks


# Length: attendance, notes, tasks and the next appointment are saved in one transaction, with
# history.
@transaction.atomic
def session_record_save(
    *,
    appointment: Appointment,
    by: User,
    attendance: str,
    agenda: str,
    notes: str,
    tasks: list[TaskInput],
    next_appointment_at: datetime.datetime | None = None,
    chosen_modules: list[str] | None = None,
    request: HttpRequest | None = None,
) -> SessionRecord:
    """Record a session: attendance, agenda, notes, the tasks agreed and the next appointment.

    ``chosen_modules`` are module slugs the PWP and patient chose together: each becomes a task
    for the week, and a module not yet in the programme is added to it (a recorded change).
    Saving again updates the record; tasks are added, never silently dropped.
    """
    if attendance not in (
        AppointmentStatus.ATTENDED,
        AppointmentStatus.DID_NOT_ATTEND,
        AppointmentStatus.CANCELLED,
    ):
        raise ValidationError({"attendance": "Choose whether the patient attended."})
    episode = appointment.episode
    # Attendance is recorded from the session's day on (in the patient's time zone), so a PWP
    # can write it up straight after, or just before, the booked minute. A session on a later
    # day can only be cancelled.
    zone = episode.patient.zone
    session_day = timezone.localdate(appointment.scheduled_at, timezone=zone)
    if attendance != AppointmentStatus.CANCELLED and session_day > timezone.localdate(
        timezone=zone
    ):
        raise ValidationError(
            {
                "attendance": f"This session is on {session_day:%-d %B}. You can record it from "
                "that day, or mark it as cancelled now."
            }
        )
    appointment.status = attendance
    appointment.save(update_fields=["status"])
    record = SessionRecord.objects.select_for_update().filter(appointment=appointment).first()
    if record is None:
        record = SessionRecord(appointment=appointment, recorded_by=by)
    # An amendment keeps the earlier wording in the record's history, with who changed it;
    # saving the same words again adds no version.
    if record.pk is None or (record.agenda, record.notes) != (agenda.strip(), notes.strip()):
        record.agenda = agenda.strip()
        record.notes = notes.strip()
        record.updated_at = timezone.now()
        record._history_user = by  # type: ignore[attr-defined]
        record.save()
    tasks = list(tasks) + _chosen_module_tasks(
        by=by, episode=episode, appointment=appointment, slugs=chosen_modules or [], request=request
    )
    AgreedTask.objects.bulk_create(
        AgreedTask(
            record=record,
            episode=episode,
            description=task.description.strip()[:300],
            module_slug=task.module_slug,
            minutes_per_day=task.minutes_per_day,
        )
        for task in tasks
        if task.description.strip()
    )
    if next_appointment_at is not None:
        following = (
            episode.appointments.filter(
                number__gt=appointment.number, status=AppointmentStatus.SCHEDULED
            )
            .order_by("number")
            .first()
        )
        if following is not None:
            following.scheduled_at = next_appointment_at
            following.save(update_fields=["scheduled_at"])
    audit_event_record(
        actor=by,
        action="session_record.save",
        patient=episode.patient,
        target=record,
        request=request,
        detail={"attendance": attendance, "tasks_added": len(tasks)},
    )
    return record
