"""Writing to the PWP is activity (care/activity.py); reading their reply is not."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db.models import F, Max, QuerySet

from care.activity import activity_source_register
from clinician.models import Message


def latest_message(patient_ids: Collection[int]) -> QuerySet[Any]:
    return (
        Message.objects.filter(sender_id__in=patient_ids, episode__patient_id=F("sender_id"))
        .values(patient_id=F("sender_id"))
        .annotate(at=Max("created_at"))
    )


activity_source_register(kind="message", words="Sent a message", latest=latest_message)
