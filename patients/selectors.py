"""What comes next for the patient: this week's plan and the next session, for their own pages."""

from __future__ import annotations

from care.models import AgreedTask, Episode, SessionRecord


def plan_for_patient(*, episode: Episode) -> list[AgreedTask]:
    """The tasks agreed at the most recent recorded session: the plan for this week."""
    latest = (
        SessionRecord.objects.filter(appointment__episode=episode)
        .order_by("-appointment__number")
        .values_list("pk", flat=True)
        .first()
    )
    if latest is None:
        return []
    return list(AgreedTask.objects.filter(record_id=latest))
