"""Free text that names a risk: a patient's own words raise a flag like PHQ-9 question 9.

The feature that saves the text (messages, mood notes, exercise answers, next-session topics)
calls ``risk_flag_raise_for_text`` inside the transaction that saves it, so the text, the flag
and its alerts are kept together or not at all. No grade is given; a clinician reviews.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from care.selectors import episode_active_for_patient
from safety.models import RiskFlag, RiskFlagStatus
from safety.phrases import phrase_match
from safety.review_window import review_due_at
from safety.services import risk_flag_raise


def risk_flag_raise_for_text(
    *, patient: User, text: str, source_kind: str, now: datetime.datetime | None = None
) -> RiskFlag | None:
    """Raise a flag when ``text`` contains a safety phrase; returns it, or None for no match.

    A patient re-saving the same words (editing a mood note, saving an exercise twice) while a
    flag for that phrase and source is still open raises no second flag: the open flag is
    returned, so the patient still sees the crisis signposting.
    """
    phrase = phrase_match(text)
    if phrase is None:
        # Most text names no risk: no transaction, no query.
        return None
    return _risk_flag_raise_for_phrase(
        patient=patient, phrase=phrase, source_kind=source_kind, now=now
    )


@transaction.atomic
def _risk_flag_raise_for_phrase(
    *, patient: User, phrase: str, source_kind: str, now: datetime.datetime | None
) -> RiskFlag:
    open_flag = (
        RiskFlag.objects.filter(patient=patient, source_kind=source_kind, matched_phrase=phrase)
        .exclude(status=RiskFlagStatus.CLOSED)
        .first()
    )
    if open_flag is not None:
        return open_flag
    now = now or timezone.now()
    episode = episode_active_for_patient(patient=patient)
    service = episode.service if episode is not None else patient.service
    return risk_flag_raise(
        patient=patient,
        episode=episode,
        service=service,
        source_response=None,
        source_kind=source_kind,
        matched_phrase=phrase,
        # The same window as a PHQ-9 flag of the same service.
        review_due_at=review_due_at(service=service, patient=patient, now=now),
        now=now,
    )
