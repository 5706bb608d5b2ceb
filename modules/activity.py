"""Working on a module is activity (care/activity.py)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db.models import F, Max, QuerySet

from care.activity import activity_source_register
from modules.models import Assignment


def latest_module_work(patient_ids: Collection[int]) -> QuerySet[Any]:
    return (
        Assignment.objects.filter(
            episode__patient_id__in=patient_ids, last_activity_at__isnull=False
        )
        .values(patient_id=F("episode__patient_id"))
        .annotate(at=Max("last_activity_at"))
    )


activity_source_register(kind="module", words="Worked on a module", latest=latest_module_work)
