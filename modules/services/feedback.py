"""Written feedback from the PWP on a patient's exercises."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from care.services import audit_event_record
from modules.models import (
    ExerciseFeedback,
    ExerciseResponse,
)
from notifications.models import NotificationKind
from notifications.services import notification_enqueue

if TYPE_CHECKING:
    from accounts.models import User


FEEDBACK_MAX_LENGTH = 2000


@transaction.atomic
def exercise_feedback_give(
    *, by: User, response: ExerciseResponse, text: str, request: HttpRequest | None = None
) -> ExerciseFeedback:
    """Written feedback from the patient's PWP on one exercise; the patient is told it is there
    (the notification does not carry the feedback itself)."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write some feedback before saving it."})
    if len(text) > FEEDBACK_MAX_LENGTH:
        raise ValidationError({"text": f"Feedback can be up to {FEEDBACK_MAX_LENGTH} characters."})
    episode = response.assignment.episode
    if episode.pwp_id != by.pk:
        raise ValidationError("Only the patient's own PWP can give feedback on their exercises.")
    feedback = ExerciseFeedback(response=response, author=by, text=text)
    feedback._history_user = by  # type: ignore[attr-defined]
    feedback.save()
    notification_enqueue(
        key=f"exercise-feedback:{feedback.pk}",
        recipient=episode.patient,
        patient=episode.patient,
        kind=NotificationKind.MESSAGE_RECEIVED,
        subject="Your therapist left feedback on an exercise",
        body="Your therapist has read one of your exercises and left you some feedback. "
        "Sign in to bcbt to read it.",
        link=reverse("patients:home"),
    )
    audit_event_record(
        actor=by,
        action="exercise_feedback.give",
        patient=episode.patient,
        target=feedback,
        request=request,
    )
    return feedback


def exercise_feedback_mark_read(*, patient: User) -> int:
    return ExerciseFeedback.objects.filter(
        response__assignment__episode__patient=patient, read_at__isnull=True
    ).update(read_at=timezone.now())


@transaction.atomic
def exercise_feedback_amend(
    *, by: User, feedback: ExerciseFeedback, text: str, request: HttpRequest | None = None
) -> ExerciseFeedback:
    """Change the wording of feedback already given. The earlier wording stays in the
    feedback's history with who wrote it; the patient sees the new wording."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write some feedback before saving it."})
    if len(text) > FEEDBACK_MAX_LENGTH:
        raise ValidationError({"text": f"Feedback can be up to {FEEDBACK_MAX_LENGTH} characters."})
    locked = ExerciseFeedback.objects.select_for_update().get(pk=feedback.pk)
    if locked.response.assignment.episode.pwp_id != by.pk:
        raise ValidationError("Only the patient's own PWP can change feedback on their exercises.")
    if locked.text == text:
        return locked
    locked.text = text
    locked._history_user = by  # type: ignore[attr-defined]
    locked.save(update_fields=["text"])
    audit_event_record(
        actor=by,
        action="exercise_feedback.amend",
        patient=locked.response.assignment.episode.patient,
        target=locked,
        request=request,
    )
    return locked
