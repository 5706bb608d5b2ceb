"""Answering a questionnaire is activity (care/activity.py); the PWP's own ratings are not."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db.models import F, Max, QuerySet

from care.activity import activity_source_register
from measures.models import QuestionnaireResponse


def latest_questionnaire(patient_ids: Collection[int]) -> QuerySet[Any]:
    return (
        QuestionnaireResponse.objects.filter(
            patient_id__in=patient_ids, respondent_id=F("patient_id")
        )
        .values("patient_id")
        .annotate(at=Max("submitted_at"))
    )


activity_source_register(
    kind="questionnaire", words="Answered a questionnaire", latest=latest_questionnaire
)
