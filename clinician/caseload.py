"""The PWP's caseload, ordered by need.

Order: open risk flags first, then reliable deterioration, a fall in mood (the last 7 days' mean
at least 2 points below the 7 days before), a low mood level (the last 7 days' mean 3 or less),
a gap in the working alliance, no activity for 7 days (no mood rating, module work, questionnaire
or message: signing in and looking is not counted), questionnaires overdue (none answered for 14
days), unread messages, and then the next appointment. Each row says in words why it is where
it is.

``caseload_order`` runs a fixed number of queries whatever the size of the caseload or the days
of data: one narrow read of the episodes (ids, dates, time zone), then one per source, each over
the whole caseload. Only then are the rows of one page built (``caseload_rows``, one query): at a
thousand patients, building every episode and user cost more than all the queries together.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import Any

from django.db.models import Avg, Count, F, Q, QuerySet

from accounts.models import User
from care.activity import LastActivity, last_activity_for_patients
from care.models import Episode
from care.selectors import caseload_for_staff
from clinician.charts import Sparkline, sparkline
from clinician.models import Message
from measures.alliance import episodes_with_alliance_gap
from measures.outcomes import episode_outcomes
from measures.selectors import latest_answer_at_for_episodes
from moodlog.models import MoodRating
from safety.models import RiskFlag
from safety.selectors import open_risk_flags_for_episodes, risk_flags_with_failed_alerts

MOOD_WINDOW_DAYS = 7
MOOD_FALL_POINTS = 2
# A 7-day mean at or below this is a low mood level, whatever the trend.
LOW_MOOD_MEAN = 3.0
INACTIVE_DAYS = 7
# No tracked questionnaire answered for this long (and treatment older than that): overdue.
QUESTIONNAIRE_OVERDUE_DAYS = 14
SPARKLINE_DAYS = 14

# Where a patient with no session booked sorts among the next sessions: last.
_FAR_FUTURE = int(datetime.datetime.max.replace(tzinfo=datetime.UTC).timestamp())

_PERSON_FIELDS = ("username", "first_name", "last_name", "time_zone")
_EPISODE_FIELDS = (
    "patient_id",
    "pwp_id",
    "service_id",
    "status",
    "started_on",
    *(f"patient__{name}" for name in _PERSON_FIELDS),
    *(f"pwp__{name}" for name in _PERSON_FIELDS),
)

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


@dataclass(kw_only=True)
class CaseloadNeed:
    """What places one patient in the need order, and the reasons shown for it. Worked out for
    everyone on the caseload from narrow reads (ids, dates, counts): ordering a thousand patients
    builds no episodes or users, only the page's rows do (``caseload_rows``)."""

    episode_id: int
    patient_id: int
    zone: zoneinfo.ZoneInfo
    next_appointment_at: datetime.datetime | None
    open_flags: int
    flag_source: str
    reliable_deterioration: bool
    mood_fall: float | None
    # The last 7 days' mean when it is low (3 or less), else None.
    low_mood: float | None
    alliance_gap: bool
    questionnaires_overdue: bool
    last_activity: LastActivity | None
    inactive: bool
    unread_messages: int
    now: datetime.datetime
    today: datetime.date
    reasons: list[tuple[str, str]] = field(default_factory=list)  # (label, tag colour)

    @property
    def priority(self) -> tuple[int, ...]:
        return (
            0 if self.open_flags else 1,
            0 if self.reliable_deterioration else 1,
            0 if self.mood_fall is not None else 1,
            0 if self.low_mood is not None else 1,
            0 if self.alliance_gap else 1,
            0 if self.inactive else 1,
            0 if self.questionnaires_overdue else 1,
            0 if self.unread_messages else 1,
            int(self.next_appointment_at.timestamp()) if self.next_appointment_at else _FAR_FUTURE,
        )

    @property
    def needs_attention(self) -> bool:
        return bool(self.reasons)


@dataclass(kw_only=True)
class CaseloadRow(CaseloadNeed):
    """A row a page shows: the need with the episode, the patient and the next session."""

    episode: Episode
    patient: User
    next_appointment_kind: str | None
    next_appointment_number: int | None
    # The last 14 days' ratings, filled in for the rows of one page
    # (clinician/caseload_page.py).
    mood_by_day: dict[datetime.date, int] = field(default_factory=dict)
    # Whether this PWP marked the brief reviewed for the coming session (filled in per page).
    brief_reviewed: bool = False

    # The words and the chart are worked out only for the rows a page shows: at a whole
    # service's scale they cost more than ordering everyone.
    @property
    def last_activity_text(self) -> str:
        """The last activity in words, e.g. "Rated mood, 2 days ago"."""
        return self.last_activity.describe(now=self.now) if self.last_activity else "None yet"

    @cached_property
    def sparkline(self) -> Sparkline:
        return sparkline(values_by_day=self.mood_by_day, end=self.today, days=SPARKLINE_DAYS)


def _mood_means(
    *, patient_scope: QuerySet[Any], zones: set[str], now: datetime.datetime
) -> dict[int, tuple[float | None, float | None]]:
    """Each patient's mean mood over the last 7 days and the 7 before, in one query that
    returns a row per patient rather than a row per rating. "Today" is the patient's own, so
    the windows are written once per time zone on the caseload (nearly always one)."""
    recent = Q(pk__in=[])
    before = Q(pk__in=[])
    for zone in zones:
        today = now.astimezone(zoneinfo.ZoneInfo(zone)).date()
        week = datetime.timedelta(days=MOOD_WINDOW_DAYS)
        # One zone (the usual case) needs no join to the patients to tell them apart.
        in_zone = Q(patient__time_zone=zone) if len(zones) > 1 else Q()
        recent |= in_zone & Q(day__gt=today - week, day__lte=today)
        before |= in_zone & Q(day__gt=today - 2 * week, day__lte=today - week)
    earliest = (now - datetime.timedelta(days=2 * MOOD_WINDOW_DAYS + 1)).date()
    rows = (
        MoodRating.objects.filter(patient_id__in=patient_scope, day__gte=earliest)
        .values("patient_id")
        .annotate(recent=Avg("score", filter=recent), before=Avg("score", filter=before))
        .order_by()
        .values_list("patient_id", "recent", "before")
    )
    return {
        patient_id: (
            float(recent_mean) if recent_mean is not None else None,
            float(before_mean) if before_mean is not None else None,
        )
        for patient_id, recent_mean, before_mean in rows
    }


def _caseload_scope(
    *, staff: User, search: str = "", episode_ids: list[int] | None = None
) -> QuerySet[Episode]:
    episodes = caseload_for_staff(staff=staff)
    # Only these episodes (a page of the service view, clinician/service_view.py).
    if episode_ids is not None:
        episodes = episodes.filter(pk__in=episode_ids)
    if search.strip():
        term = search.strip()
        episodes = episodes.filter(
            Q(patient__first_name__icontains=term)
            | Q(patient__last_name__icontains=term)
            | Q(patient__username__icontains=term)
        )
    return episodes


def caseload_order(
    *,
    staff: User,
    now: datetime.datetime,
    search: str = "",
    show: str = "all",
    episode_ids: list[int] | None = None,
) -> list[CaseloadNeed]:
    """Everyone on the caseload (or those of ``episode_ids``) in need order, with the reasons,
    from one narrow read of the episodes and one bulk read per source."""
    episodes = _caseload_scope(staff=staff, search=search, episode_ids=episode_ids)
    # Ids, dates and the time zone only, in the caseload's own order (the next session, then
    # the name), which the stable sort keeps between patients of equal need. (The stubs do not
    # know the next_appointment_at annotation of caseload_for_staff.)
    narrow = list(
        episodes.values_list(  # type: ignore[misc]
            "pk", "patient_id", "patient__time_zone", "started_on", "next_appointment_at"
        )
    )
    return _needs(episodes=episodes, narrow=narrow, now=now, show=show)


# Length: the need order and the reasons shown for it are built together from one set of bulk
# reads.
# Complexity: The need order is a list of rules read together; splitting it would scatter the one
# rule a PWP must be able to check.
def _needs(  # noqa: C901
    *,
    episodes: QuerySet[Episode],
    narrow: list[tuple[int, int, str, datetime.date, datetime.datetime | None]],
    now: datetime.datetime,
    show: str,
) -> list[CaseloadNeed]:
    """The needs of ``narrow`` (episode id, patient id, time zone, start, next session: the
    rows of ``episodes``, in its order), sorted by need."""
    if not narrow:
        return []
    # Every source below is asked about the caseload as a subquery: a service holds ten
    # thousand patients, and ten thousand ids sent as parameters cost seconds in Python alone.
    episode_scope = episodes.order_by().values_list("pk", flat=True)
    patient_scope = episodes.order_by().values_list("patient_id", flat=True)
    flags = open_risk_flags_for_episodes(episode_ids=episode_scope)
    outcomes = episode_outcomes(episode_ids=episode_scope)
    failed_alerts = risk_flags_with_failed_alerts(
        flag_ids=[flag.pk for episode_flags in flags.values() for flag in episode_flags]
    )
    zones = {zone_name: zoneinfo.ZoneInfo(zone_name) for _, _, zone_name, _, _ in narrow}
    means = _mood_means(patient_scope=patient_scope, zones=set(zones), now=now)
    alliance_gaps = episodes_with_alliance_gap(episode_ids=episode_scope)
    answered_at = latest_answer_at_for_episodes(episode_ids=episode_scope)
    overdue_before = now - datetime.timedelta(days=QUESTIONNAIRE_OVERDUE_DAYS)
    last_activity = last_activity_for_patients(patient_ids=patient_scope)
    unread_by_episode = dict(
        Message.objects.filter(episode_id__in=episode_scope)
        .values("episode_id")
        .annotate(
            unread=Count(
                "pk", filter=Q(read_at__isnull=True) & Q(sender_id=F("episode__patient_id"))
            ),
        )
        .order_by()
        .values_list("episode_id", "unread")
    )
    today_in = {zone_name: now.astimezone(zone).date() for zone_name, zone in zones.items()}
    inactive_after = now - datetime.timedelta(days=INACTIVE_DAYS)

    needs: list[CaseloadNeed] = []
    for episode_id, patient_id, zone_name, started_on, next_appointment_at in narrow:
        today = today_in[zone_name]
        recent_mean, before_mean = means.get(patient_id, (None, None))
        fall = (
            before_mean - recent_mean
            if recent_mean is not None
            and before_mean is not None
            and before_mean - recent_mean >= MOOD_FALL_POINTS
            else None
        )
        activity = last_activity.get(patient_id)
        inactive = activity is None or activity.at < inactive_after
        last_answer = answered_at.get(episode_id)
        overdue = (
            last_answer < overdue_before
            if last_answer is not None
            else (today - started_on).days >= QUESTIONNAIRE_OVERDUE_DAYS
        )
        outcome = outcomes.get(episode_id)
        episode_flags = flags.get(episode_id, [])
        need = CaseloadNeed(
            episode_id=episode_id,
            patient_id=patient_id,
            zone=zones[zone_name],
            next_appointment_at=next_appointment_at,
            open_flags=len(episode_flags),
            # What raised the newest flag, for the PWP only (the caseload is a PWP page).
            flag_source=_flag_source(episode_flags),
            reliable_deterioration=bool(outcome and outcome.reliable_deterioration),
            mood_fall=fall,
            low_mood=(
                recent_mean
                if recent_mean is not None and recent_mean <= LOW_MOOD_MEAN + 1e-9
                else None
            ),
            alliance_gap=episode_id in alliance_gaps,
            questionnaires_overdue=overdue,
            last_activity=activity,
            inactive=inactive,
            unread_messages=int(unread_by_episode.get(episode_id) or 0),
            now=now,
            today=today,
        )
        if need.open_flags:
            need.reasons.append((f"Risk flag ({need.open_flags}){need.flag_source}", "red"))
        if any(flag.pk in failed_alerts for flag in episode_flags):
            need.reasons.append(("Email alert failed", "red"))
        if need.reliable_deterioration:
            need.reasons.append(("Reliable deterioration", "orange"))
        if fall is not None:
            need.reasons.append((f"Mood down {fall:.1f} points this week", "orange"))
        if need.low_mood is not None:
            need.reasons.append((f"Low mood: {need.low_mood:.1f} of 10 this week", "orange"))
        if need.alliance_gap:
            need.reasons.append(("Alliance gap: you and the patient differ", "yellow"))
        if inactive:
            need.reasons.append((f"No activity for {INACTIVE_DAYS}+ days", "yellow"))
        if overdue:
            need.reasons.append(
                (f"Questionnaires overdue ({QUESTIONNAIRE_OVERDUE_DAYS}+ days)", "yellow")
            )
        if need.unread_messages:
            plural = "s" if need.unread_messages != 1 else ""
            need.reasons.append((f"{need.unread_messages} unread message{plural}", "blue"))
        needs.append(need)

    if show == "attention":
        needs = [need for need in needs if need.needs_attention]
    elif show == "flags":
        needs = [need for need in needs if need.open_flags]
    elif show == "today":
        needs = [
            need
            for need in needs
            if need.next_appointment_at is not None
            and (need.next_appointment_at.astimezone(need.zone).date() - need.today).days <= 1
        ]
    needs.sort(key=lambda need: need.priority)
    return needs


_NEED_FIELDS = tuple(item.name for item in fields(CaseloadNeed))


def _rows_query(episodes: QuerySet[Episode]) -> QuerySet[Episode]:
    # Only what a row shows: a full user costs more to build than its share of the query.
    return episodes.select_related(None).select_related("patient", "pwp").only(*_EPISODE_FIELDS)


def _row(need: CaseloadNeed, episode: Episode) -> CaseloadRow:
    return CaseloadRow(
        **{name: getattr(need, name) for name in _NEED_FIELDS},
        episode=episode,
        patient=episode.patient,
        next_appointment_kind=episode.next_appointment_kind,  # type: ignore[attr-defined]
        next_appointment_number=episode.next_appointment_number,  # type: ignore[attr-defined]
    )


def caseload_rows(*, staff: User, needs: list[CaseloadNeed]) -> list[CaseloadRow]:
    """The rows for these needs (one page), in their order, in one query. An episode that left
    the caseload since its need was worked out has no row."""
    if not needs:
        return []
    scope = _caseload_scope(staff=staff, episode_ids=[need.episode_id for need in needs])
    by_id = {episode.pk: episode for episode in _rows_query(scope).order_by()}
    return [_row(need, by_id[need.episode_id]) for need in needs if need.episode_id in by_id]


def caseload_build(
    *,
    staff: User,
    now: datetime.datetime,
    search: str = "",
    show: str = "all",
    episode_ids: list[int] | None = None,
) -> list[CaseloadRow]:
    """Every row of the caseload (or of ``episode_ids``: a page of the service view) in need
    order, the episodes read once: for a few rows, building them costs less than a second read.
    """
    episodes = _caseload_scope(staff=staff, search=search, episode_ids=episode_ids)
    built = list(_rows_query(episodes))
    narrow = [
        (
            episode.pk,
            episode.patient_id,
            episode.patient.time_zone,
            episode.started_on,
            episode.next_appointment_at,  # type: ignore[attr-defined]
        )
        for episode in built
    ]
    by_id = {episode.pk: episode for episode in built}
    needs = _needs(episodes=episodes, narrow=narrow, now=now, show=show)
    return [_row(need, by_id[need.episode_id]) for need in needs]
