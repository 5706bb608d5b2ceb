"""The pre-session brief: everything a PWP needs before a session, read in two minutes.

``brief_build`` runs a fixed number of queries whatever the days of data: each section is one
query (or one aggregate) over the time since the last session.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import User
from care.models import AgreedTask, Appointment, AppointmentStatus, Episode, SessionRecord
from clinician.models import BriefReview, Message, PatientTopic
from notifications.models import Notification, NotificationState


@dataclass
class Brief:
    episode: Episode
    patient: User
    coming: Appointment | None
    last_session: Appointment | None
    since: datetime.datetime
    last_record: SessionRecord | None
    last_tasks: list[AgreedTask]
    topic: PatientTopic | None
    unread_messages: int
    failed_notifications: int
    reviewed_at: datetime.datetime | None
    sections: dict[str, Any] = field(default_factory=dict)


def brief_build(*, episode: Episode, pwp: User) -> Brief:
    now = timezone.now()
    appointments = list(episode.appointments.order_by("number"))
    coming = next(
        (
            a
            for a in appointments
            if a.status == AppointmentStatus.SCHEDULED and a.scheduled_at >= now
        ),
        None,
    )
    past = [
        a
        for a in appointments
        if a.scheduled_at < now
        and a.status in (AppointmentStatus.ATTENDED, AppointmentStatus.DID_NOT_ATTEND)
    ]
    last_session = past[-1] if past else None
    since = (
        last_session.scheduled_at
        if last_session
        else datetime.datetime.combine(episode.started_on, datetime.time(), tzinfo=datetime.UTC)
    )
    last_record = (
        SessionRecord.objects.filter(appointment__episode=episode)
        .select_related("appointment")
        .order_by("-appointment__number")
        .first()
    )
    last_tasks = list(last_record.tasks.all()) if last_record else []
    topic = PatientTopic.objects.filter(appointment=coming).first() if coming else None
    counts = Message.objects.filter(episode=episode).aggregate(
        unread=Count("pk", filter=Q(read_at__isnull=True, sender_id=episode.patient_id))
    )
    failed = Notification.objects.filter(
        patient=episode.patient,
        recipient=episode.patient,
        state__in=[NotificationState.FAILED, NotificationState.DEAD],
        created_at__gte=since,
    ).count()
    review = (
        BriefReview.objects.filter(appointment=coming, reviewed_by=pwp).first() if coming else None
    )
    return Brief(
        episode=episode,
        patient=episode.patient,
        coming=coming,
        last_session=last_session,
        since=since,
        last_record=last_record,
        last_tasks=last_tasks,
        topic=topic,
        unread_messages=counts["unread"],
        failed_notifications=failed,
        reviewed_at=review.reviewed_at if review else None,
    )
