"""The PWP's caseload, ordered by need.

Order: open risk flags first, then reliable deterioration, a fall in mood (the last 7 days' mean
at least 2 points below the 7 days before), no activity for 7 days (no mood rating, module work,
questionnaire or message: signing in and looking is not counted), unread messages, and then the
next appointment. Each row says in short labels why it is where it is.

``caseload_build`` runs a fixed number of queries whatever the size of the caseload or the days
of data: one per source, each over the whole caseload.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q

from accounts.models import User
from care.activity import LastActivity, last_activity_for_patients
from care.models import Episode
from care.selectors import caseload_for_staff
from clinician.charts import Sparkline, sparkline
from clinician.models import Message
from measures.outcomes import episode_outcomes
from moodlog.models import MoodRating
from safety.models import RiskFlag
from safety.selectors import open_risk_flags_for_episodes

MOOD_WINDOW_DAYS = 7
MOOD_FALL_POINTS = 2
INACTIVE_DAYS = 7
SPARKLINE_DAYS = 14

FILTERS = {
    "all": "Everyone",
    "attention": "Needs attention",
    "flags": "Open risk flags",
    "today": "Session today or tomorrow",
}


def _flag_source(flags: list[RiskFlag]) -> str:
    """': message, "end it all"' for the newest flag raised by free text, else ''."""
    if not flags:
        return ""
    newest = flags[-1]
    if not newest.matched_phrase:
        return ""
    return f': {newest.get_source_kind_display().lower()}, "{newest.matched_phrase}"'


@dataclass
class CaseloadRow:
    episode: Episode
    patient: User
    next_appointment_at: datetime.datetime | None
    next_appointment_kind: str | None
    next_appointment_number: int | None
    open_flags: int
    flag_source: str
    reliable_deterioration: bool
    mood_fall: float | None
    last_activity: LastActivity | None
    # The same in words, e.g. "Rated mood, 2 days ago".
    last_activity_text: str
    inactive: bool
    unread_messages: int
    sparkline: Sparkline
    today: datetime.date
    reasons: list[tuple[str, str]] = field(default_factory=list)  # (label, tag colour)

    @property
    def priority(self) -> tuple[int, int, int, int, int, float]:
        far_future = datetime.datetime.max.replace(tzinfo=datetime.UTC).timestamp()
        return (
            0 if self.open_flags else 1,
            0 if self.reliable_deterioration else 1,
            0 if self.mood_fall is not None else 1,
            0 if self.inactive else 1,
            0 if self.unread_messages else 1,
            self.next_appointment_at.timestamp() if self.next_appointment_at else far_future,
        )

    @property
    def needs_attention(self) -> bool:
        return bool(self.reasons)


def _mean(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


# Length: the need order and the reasons shown for it are built together from one set of bulk
# reads.
# Complexity: The need order is a list of rules read together; splitting it would scatter the one
# rule a PWP must be able to check.
def caseload_build(  # noqa: C901
    *, staff: User, now: datetime.datetime, search: str = "", show: str = "all"
) -> list[CaseloadRow]:
    episodes = caseload_for_staff(staff=staff)
    if search.strip():
        term = search.strip()
        episodes = episodes.filter(
            Q(patient__first_name__icontains=term)
            | Q(patient__last_name__icontains=term)
            | Q(patient__username__icontains=term)
        )
    episodes_list = list(episodes)
    ids = [episode.pk for episode in episodes_list]
    if not ids:
        return []
    patient_ids = [episode.patient_id for episode in episodes_list]
    flags = open_risk_flags_for_episodes(episode_ids=ids)
    outcomes = episode_outcomes(episode_ids=ids)

    # Mood: each patient's local "today" can differ by time zone, so fetch a day either side.
    earliest = (now - datetime.timedelta(days=2 * MOOD_WINDOW_DAYS + 1)).date()
    moods: dict[int, dict[datetime.date, int]] = defaultdict(dict)
    for patient_id, day, score in MoodRating.objects.filter(
        patient_id__in=patient_ids, day__gte=earliest
    ).values_list("patient_id", "day", "score"):
        moods[patient_id][day] = score
    last_activity = last_activity_for_patients(patient_ids=patient_ids)
    messages = {
        row["episode_id"]: row
        for row in Message.objects.filter(episode_id__in=ids)
        .values("episode_id")
        .annotate(
            unread=Count("pk", filter=Q(read_at__isnull=True) & Q(sender_id__in=patient_ids)),
        )
        .order_by()
    }

    rows: list[CaseloadRow] = []
    for episode in episodes_list:
        patient = episode.patient
        today = now.astimezone(patient.zone).date()
        by_day = moods.get(patient.pk, {})
        recent = [
            by_day[day]
            for offset in range(MOOD_WINDOW_DAYS)
            if (day := today - datetime.timedelta(days=offset)) in by_day
        ]
        before = [
            by_day[day]
            for offset in range(MOOD_WINDOW_DAYS, 2 * MOOD_WINDOW_DAYS)
            if (day := today - datetime.timedelta(days=offset)) in by_day
        ]
        recent_mean, before_mean = _mean(recent), _mean(before)
        fall = (
            before_mean - recent_mean
            if recent_mean is not None
            and before_mean is not None
            and before_mean - recent_mean >= MOOD_FALL_POINTS
            else None
        )
        message_row: dict[str, Any] = dict(messages.get(episode.pk, {}))
        activity = last_activity.get(patient.pk)
        inactive = activity is None or now - activity.at > datetime.timedelta(days=INACTIVE_DAYS)
        outcome = outcomes.get(episode.pk)
        row = CaseloadRow(
            episode=episode,
            patient=patient,
            next_appointment_at=episode.next_appointment_at,  # type: ignore[attr-defined]
            next_appointment_kind=episode.next_appointment_kind,  # type: ignore[attr-defined]
            next_appointment_number=episode.next_appointment_number,  # type: ignore[attr-defined]
            open_flags=len(flags[episode.pk]),
            # What raised the newest flag, for the PWP only (the caseload is a PWP page).
            flag_source=_flag_source(flags[episode.pk]),
            reliable_deterioration=bool(outcome and outcome.reliable_deterioration),
            mood_fall=fall,
            last_activity=activity,
            last_activity_text=activity.describe(now=now) if activity else "None yet",
            inactive=inactive,
            unread_messages=int(message_row.get("unread", 0) or 0),
            sparkline=sparkline(values_by_day=by_day, end=today, days=SPARKLINE_DAYS),
            today=today,
        )
        if row.open_flags:
            row.reasons.append((f"Risk flag ({row.open_flags}){row.flag_source}", "red"))
        if row.reliable_deterioration:
            row.reasons.append(("Reliable deterioration", "orange"))
        if fall is not None:
            row.reasons.append((f"Mood down {fall:.1f} points this week", "orange"))
        if inactive:
            row.reasons.append((f"No activity for {INACTIVE_DAYS}+ days", "yellow"))
        if row.unread_messages:
            plural = "s" if row.unread_messages != 1 else ""
            row.reasons.append((f"{row.unread_messages} unread message{plural}", "blue"))
        rows.append(row)

    if show == "attention":
        rows = [row for row in rows if row.needs_attention]
    elif show == "flags":
        rows = [row for row in rows if row.open_flags]
    elif show == "today":
        rows = [
            row
            for row in rows
            if row.next_appointment_at is not None
            and (row.next_appointment_at.astimezone(row.patient.zone).date() - row.today).days <= 1
        ]
    rows.sort(key=lambda row: row.priority)
    return rows
