"""The pre-session brief: everything a PWP needs before a session, read in two minutes.

``brief_build`` runs a fixed number of queries whatever the days of data: each section is one
query (or one aggregate) over the time since the last session.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import NavigatorNote, User
from accounts.selectors import navigator_notes_for_episode
from care.activity import last_activity_for_patients
from care.history import EarlierVersion, earlier_versions
from care.models import AgreedTask, Appointment, AppointmentStatus, Episode, SessionRecord
from care.selectors import appointment_next_among
from clinician.brief_changes import Changes, alliance_gap, changes_since
from clinician.charts import SeriesChart, series_chart
from clinician.models import BriefReview, Message, PatientTopic
from clinician.suggestions import Suggestion, suggestions_for_episode
from measures.alliance import AllianceAdministration, alliance_for_episode
from measures.definitions import instrument_definition
from measures.flag_sources import flag_reason
from measures.models import QuestionnaireResponse
from measures.outcomes import EpisodeOutcome, episode_outcomes
from measures.selectors import questionnaires_due_for_patient, score_history_for_episode
from modules.models import ExerciseFeedback
from modules.selectors import (
    MarkedExercise,
    ModuleProgressSummary,
    exercises_marked_for_discussion,
    module_progress_for_episodes,
)
from moodlog.chart import MoodChart, mood_chart
from moodlog.models import MoodRating
from notifications.models import Notification, NotificationState
from safety.models import RiskFlag
from safety.selectors import open_risk_flags_for_episodes


@dataclass
class Brief:
    episode: Episode
    patient: User
    coming: Appointment | None
    # The latest session whose time has come but which nobody has recorded yet.
    to_record: Appointment | None
    last_session: Appointment | None
    since: datetime.datetime
    last_record: SessionRecord | None
    last_tasks: list[AgreedTask]
    topic: PatientTopic | None
    unread_messages: int
    failed_notifications: int
    reviewed_at: datetime.datetime | None
    modules: ModuleProgressSummary
    marked_exercises: list[MarkedExercise]
    feedback_by_response: dict[int, list[ExerciseFeedback]]
    scores: list[ScoreRow]
    score_chart: SeriesChart | None
    outcome: EpisodeOutcome | None
    risk_flags: list[RiskFlag]
    alliance: list[AllianceAdministration]
    mood: MoodSince
    navigator_notes: list[NavigatorNote]
    questionnaires_due: list[str]
    # The patient's last activity of any kind, in words (care/activity.py).
    last_activity: str
    # Each open flag with what raised it, in words ('PHQ-9 question 9: "Several days"').
    flag_reasons: list[tuple[RiskFlag, str]] = field(default_factory=list)
    changes: Changes = field(default_factory=Changes)
    suggestions: list[Suggestion] = field(default_factory=list)
    # The alliance's flagged gaps in words, or "".
    alliance_gap: str = ""
    # Earlier wordings of the last session's agenda and notes (empty when never edited).
    last_record_versions: list[EarlierVersion] = field(default_factory=list)

    @property
    def since_label(self) -> str:
        """ "session 3" or "the start", for "since ..." lines."""
        return f"session {self.last_session.number}" if self.last_session else "the start"

    @property
    def nothing_new(self) -> bool:
        """Nothing to read since the last session: no ratings, answers, work, topics or flags."""
        return not (
            self.risk_flags
            or self.mood.rated
            or self.changes.scores
            or self.changes.finished
            or self.changes.tasks_worked_on
            or self.marked_exercises
            or (self.topic and self.topic.text)
            or self.unread_messages
        )

    @property
    def recent_scores(self) -> list[ScoreRow]:
        """The last few scores, newest first: the history table's default."""
        return list(reversed(self.scores[-RECENT_SCORES:]))


# The session record's clinical text, whose earlier wordings the brief shows.
RECORD_TEXT = ("agenda", "notes")
# Scores the history table shows until the PWP asks for all of them.
RECENT_SCORES = 4


@dataclass(frozen=True)
class MoodSince:
    """Mood since the last session: the chart, missed days and the change in mean."""

    chart: MoodChart
    days: int
    rated: int
    mean: float | None
    previous_mean: float | None
    rows: list[tuple[datetime.date, int | None, str]]

    @property
    def missed(self) -> int:
        return self.days - self.rated

    @property
    def change(self) -> float | None:
        if self.mean is None or self.previous_mean is None:
            return None
        return self.mean - self.previous_mean


def _mood_since(patient: User, since: datetime.datetime) -> MoodSince:
    """One query: the ratings since the last session and as many days again before it, so the
    change in mean compares like with like."""
    today = timezone.now().astimezone(patient.zone).date()
    start = since.astimezone(patient.zone).date()
    days = min(max((today - start).days + 1, 7), 42)
    start = today - datetime.timedelta(days=days - 1)
    before_start = start - datetime.timedelta(days=days)
    ratings = {
        day: (score, note)
        for day, score, note in MoodRating.objects.filter(
            patient=patient, day__gte=before_start, day__lte=today
        ).values_list("day", "score", "note")
    }
    current = {day: value[0] for day, value in ratings.items() if day >= start}
    previous = [value[0] for day, value in ratings.items() if day < start]
    return MoodSince(
        chart=mood_chart(scores=current, end=today, days=days),
        days=days,
        rated=len(current),
        mean=sum(current.values()) / len(current) if current else None,
        previous_mean=sum(previous) / len(previous) if previous else None,
        rows=[
            (
                day,
                ratings[day][0] if day in ratings else None,
                ratings[day][1] if day in ratings else "",
            )
            for offset in range(days)
            if (day := today - datetime.timedelta(days=offset)) is not None
        ],
    )


@dataclass(frozen=True)
class ScoreRow:
    """One questionnaire score for the brief's table, with what it means."""

    code: str
    name: str
    total: int
    maximum: int
    severity: str
    submitted_at: datetime.datetime
    is_case: bool | None
    change: int | None
    reliable_change: int | None
    # The items answered "not applicable" ("work"), by their short names.
    not_applicable: list[str] = field(default_factory=list)

    @property
    def change_label(self) -> str:
        """The change since the episode's first score of this questionnaire, which is what
        reliable change is judged on."""
        if self.change is None:
            return "First score"
        if self.reliable_change is not None and abs(self.change) >= self.reliable_change:
            direction = "reliable improvement" if self.change < 0 else "reliable deterioration"
            return f"{self.change:+d} since the first ({direction})"
        return f"{self.change:+d} since the first (no reliable change)"


def _score_rows(responses: list[QuestionnaireResponse]) -> list[ScoreRow]:
    rows: list[ScoreRow] = []
    first: dict[str, int] = {}
    for response in responses:
        instrument = instrument_definition(response.instrument_code)
        before = first.get(response.instrument_code)
        rows.append(
            ScoreRow(
                code=response.instrument_code,
                name=instrument.short_name,
                total=response.total,
                # "Not applicable" answers (WSAS work) leave the total out of fewer items.
                maximum=max(instrument.option_values)
                * sum(1 for answer in response.answers if answer is not None),
                not_applicable=[
                    instrument.item_name(number)
                    for number, answer in enumerate(response.answers, start=1)
                    if answer is None
                ],
                severity=response.severity,
                submitted_at=response.submitted_at,
                is_case=instrument.is_case(response.total),
                change=None if before is None else response.total - before,
                reliable_change=instrument.reliable_change,
            )
        )
        first.setdefault(response.instrument_code, response.total)
    return rows


def _score_chart(rows: list[ScoreRow]) -> SeriesChart | None:
    series = []
    for code, css in (("phq9", "bcbt-chart__line--phq9"), ("gad7", "bcbt-chart__line--gad7")):
        points = [
            (timezone.localdate(row.submitted_at), row.total) for row in rows if row.code == code
        ]
        if points:
            series.append((next(row.name for row in rows if row.code == code), css, points))
    return series_chart(
        series=series,
        y_max=27,
        thresholds=[(10, "PHQ-9 caseness (10)"), (8, "GAD-7 caseness (8)")],
    )


def _flag_reasons(flags: list[RiskFlag]) -> list[tuple[RiskFlag, str]]:
    """What raised each flag, in one query for the answers behind them."""
    answers = {
        response.pk: response
        for response in QuestionnaireResponse.objects.filter(
            pk__in=[flag.source_response_id for flag in flags if flag.source_response_id]
        )
    }
    reasons = []
    for flag in flags:
        response = answers.get(flag.source_response_id) if flag.source_response_id else None
        if response is not None:
            reason = flag_reason(response)
        elif flag.matched_phrase:
            reason = f'{flag.get_source_kind_display()}: "{flag.matched_phrase}"'
        else:
            reason = flag.get_reason_display()
        reasons.append((flag, reason))
    return reasons


# Length: the brief's sections are gathered with a fixed number of queries; each block is one
# section, in page order.
def brief_build(*, episode: Episode, pwp: User) -> Brief:
    now = timezone.now()
    appointments = list(episode.appointments.order_by("number"))
    coming = appointment_next_among(appointments, now=now)
    past = [
        a
        for a in appointments
        if a.scheduled_at < now
        and a.status in (AppointmentStatus.ATTENDED, AppointmentStatus.DID_NOT_ATTEND)
    ]
    last_session = past[-1] if past else None
    # A session can be recorded from its day on, not only once its booked minute has passed.
    today = timezone.localdate(now, timezone=episode.patient.zone)
    to_record = next(
        (
            a
            for a in reversed(appointments)
            if a.status == AppointmentStatus.SCHEDULED
            and timezone.localdate(a.scheduled_at, timezone=episode.patient.zone) <= today
        ),
        None,
    )
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
    marked = exercises_marked_for_discussion(episode=episode)
    feedback_by_response: dict[int, list[ExerciseFeedback]] = defaultdict(list)
    for feedback in ExerciseFeedback.objects.filter(
        response_id__in=[item.response.pk for item in marked]
    ).select_related("author"):
        feedback_by_response[feedback.response_id].append(feedback)
    responses = score_history_for_episode(episode=episode)
    scores = _score_rows(responses)
    activity = last_activity_for_patients(patient_ids=[episode.patient_id]).get(episode.patient_id)
    risk_flags = open_risk_flags_for_episodes(episode_ids=[episode.pk])[episode.pk]
    alliance = alliance_for_episode(episode=episode)
    return Brief(
        episode=episode,
        patient=episode.patient,
        coming=coming,
        to_record=to_record,
        last_session=last_session,
        since=since,
        last_record=last_record,
        last_record_versions=(
            earlier_versions(instance=last_record, fields=RECORD_TEXT) if last_record else []
        ),
        last_tasks=last_tasks,
        topic=topic,
        unread_messages=counts["unread"],
        failed_notifications=failed,
        reviewed_at=review.reviewed_at if review else None,
        modules=module_progress_for_episodes(episode_ids=[episode.pk])[episode.pk],
        marked_exercises=marked,
        feedback_by_response=dict(feedback_by_response),
        scores=scores,
        score_chart=_score_chart(scores),
        outcome=episode_outcomes(episode_ids=[episode.pk]).get(episode.pk),
        risk_flags=risk_flags,
        flag_reasons=_flag_reasons(risk_flags),
        alliance=alliance,
        alliance_gap=alliance_gap(alliance),
        changes=changes_since(
            episode=episode, since=since, now=now, responses=responses, tasks=last_tasks
        ),
        suggestions=suggestions_for_episode(episode=episode, responses=responses),
        mood=_mood_since(episode.patient, since),
        navigator_notes=list(navigator_notes_for_episode(episode=episode)[:5]),
        questionnaires_due=[
            due.instrument.short_name
            for due in questionnaires_due_for_patient(patient=episode.patient)
        ],
        last_activity=activity.describe(now=now) if activity else "None yet",
    )
