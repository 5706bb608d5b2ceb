"""The fidelity report: was treatment delivered as the service planned it?

Every figure is counted in the database, grouped by PWP, in a fixed number of queries whatever
the size of the service or the length of the period (a test counts them at two sizes). The
definitions shown under each table are in ``FIDELITY_DEFINITIONS``; keep the two in step.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any, cast

from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
)

from care.models import (
    Appointment,
    AppointmentStatus,
    AuditEvent,
    Episode,
    Service,
    SessionPlanEntry,
)
from clinician.models import BriefReview
from console.reports.period import ReportPeriod
from console.reports.rows import RowKey, row_keys
from measures.alliance import PATIENT_ALLIANCE_CODES, PWP_ALLIANCE_CODES
from measures.models import QuestionnaireResponse
from measures.selectors import configuration_for_service
from modules.models import Assignment, AssignmentChange, ChangeKind
from safety.models import RiskFlag

# A brief counts as opened before a session when a PWP opened it in this many days before it.
BRIEF_OPENED_WITHIN = datetime.timedelta(days=7)
BRIEF_VIEW_ACTION = "brief.view"


@dataclass
class FidelityCounts:
    sessions_planned: int = 0
    sessions_attended: int = 0
    sessions_did_not_attend: int = 0
    sessions_cancelled: int = 0
    sessions_not_recorded: int = 0
    sessions_to_come: int = 0
    briefs_opened: int = 0
    briefs_reviewed: int = 0
    waivers: int = 0
    modules_assigned: int = 0
    modules_completed: int = 0
    mandatory_assigned: int = 0
    mandatory_completed: int = 0
    questionnaires_due: int = 0
    questionnaires_completed: int = 0
    alliance_due: int = 0
    alliance_patient_rated: int = 0
    alliance_pwp_rated: int = 0
    flags_raised: int = 0
    flags_reviewed_in_time: int = 0
    flags_reviewed_late: int = 0
    flags_overdue: int = 0
    flags_within_time: int = 0

    def add(self, other: FidelityCounts) -> None:
        for counted in fields(self):
            setattr(self, counted.name, getattr(self, counted.name) + getattr(other, counted.name))


@dataclass(frozen=True)
class Waiver:
    at: datetime.datetime
    pwp: str
    module: str
    reason: str


@dataclass(frozen=True)
class FidelityRow:
    key: RowKey
    counts: FidelityCounts


@dataclass
class FidelityReport:
    period: ReportPeriod
    rows: list[FidelityRow]
    waivers: list[Waiver] = field(default_factory=list)
    # All the waivers in the period; ``waivers`` holds only the most recent WAIVERS_SHOWN.
    waivers_total: int = 0
    questionnaire_codes: tuple[str, ...] = ()
    alliance_sessions: tuple[int, ...] = ()

    @property
    def total(self) -> FidelityCounts:
        return self.rows[-1].counts


def _in_period(field_name: str, period: ReportPeriod) -> Q:
    if period.is_all_time:
        return Q()
    return Q(**{f"{field_name}__gte": period.start, f"{field_name}__lt": period.end})


def _response_exists(codes: Iterable[str], *, patient_only: bool = True) -> Exists:
    """Answers on one of ``codes`` given for the outer appointment's session (by the patient
    themselves, unless ``patient_only`` is off)."""
    responses = QuestionnaireResponse.objects.filter(
        episode_id=OuterRef("episode_id"),
        session_number=OuterRef("number"),
        instrument_code__in=list(codes),
    )
    if patient_only:
        responses = responses.filter(respondent_id=OuterRef("episode__patient_id"))
    return Exists(responses)


def _count_by_pwp(appointments: QuerySet[Appointment]) -> dict[int | None, int]:
    """How many of ``appointments`` there are for each PWP. One grouped query."""
    rows = appointments.order_by().values("episode__pwp_id").annotate(number=Count("pk"))
    return {row["episode__pwp_id"]: row["number"] for row in rows}


def _alliance_numbers(service: Service) -> tuple[int, ...]:
    """The sessions before which the alliance is rated: the service's choice, and the last
    session of its plan when it asks then too. Two queries."""
    configuration = configuration_for_service(service=service)
    numbers = {int(number) for number in configuration.alliance_sessions}
    if configuration.alliance_at_last_session:
        last = SessionPlanEntry.objects.filter(service=service).order_by("-number").first()
        if last is not None:
            numbers.add(last.number)
    return tuple(sorted(numbers))


def _session_counts(
    *, service: Service, period: ReportPeriod, now: datetime.datetime
) -> tuple[dict[int | None, FidelityCounts], tuple[str, ...], tuple[int, ...]]:
    """Sessions, briefs, questionnaires and alliance ratings, by PWP.

    Each "was there a ... for this session" is its own grouped query with the condition as an
    EXISTS in the WHERE clause, which the database runs as one semi-join over the period, rather
    than as a subquery per session: a whole service's history stays well under a second. The
    number of queries depends only on how many questionnaires the service asks (at most three).
    """
    configuration = configuration_for_service(service=service)
    codes = tuple(configuration.session_instruments)
    alliance_numbers = _alliance_numbers(service)
    appointments = Appointment.objects.filter(
        _in_period("scheduled_at", period), episode__service=service
    )
    attended = appointments.filter(status=AppointmentStatus.ATTENDED)
    held_or_missed = appointments.filter(
        status__in=[AppointmentStatus.ATTENDED, AppointmentStatus.DID_NOT_ATTEND]
    )
    alliance_held = attended.filter(number__in=alliance_numbers)
    grouped = cast(
        Iterable[dict[str, Any]],
        appointments.order_by()
        .values("episode__pwp_id")
        .annotate(
            planned=Count("pk"),
            attended=Count("pk", filter=Q(status=AppointmentStatus.ATTENDED)),
            dna=Count("pk", filter=Q(status=AppointmentStatus.DID_NOT_ATTEND)),
            cancelled=Count("pk", filter=Q(status=AppointmentStatus.CANCELLED)),
            not_recorded=Count(
                "pk", filter=Q(status=AppointmentStatus.SCHEDULED, scheduled_at__lte=now)
            ),
            to_come=Count("pk", filter=Q(status=AppointmentStatus.SCHEDULED, scheduled_at__gt=now)),
            held_or_missed=Count(
                "pk",
                filter=Q(status__in=[AppointmentStatus.ATTENDED, AppointmentStatus.DID_NOT_ATTEND]),
            ),
            alliance_due=Count(
                "pk",
                filter=Q(status=AppointmentStatus.ATTENDED, number__in=alliance_numbers),
            ),
        ),
    )
    reviewed = _count_by_pwp(
        attended.filter(
            Exists(
                BriefReview.objects.filter(
                    appointment_id=OuterRef("pk"), reviewed_at__lte=OuterRef("scheduled_at")
                )
            )
        )
    )
    opened = _count_by_pwp(
        attended.annotate(
            brief_window_start=ExpressionWrapper(
                F("scheduled_at") - BRIEF_OPENED_WITHIN, output_field=DateTimeField()
            )
        ).filter(
            Exists(
                AuditEvent.objects.filter(
                    action=BRIEF_VIEW_ACTION,
                    patient_id=OuterRef("episode__patient_id"),
                    occurred_at__lte=OuterRef("scheduled_at"),
                    occurred_at__gte=OuterRef("brief_window_start"),
                )
            )
        )
    )
    answered = [_count_by_pwp(held_or_missed.filter(_response_exists([code]))) for code in codes]
    patient_rated = _count_by_pwp(alliance_held.filter(_response_exists(PATIENT_ALLIANCE_CODES)))
    pwp_rated = _count_by_pwp(
        alliance_held.filter(_response_exists(PWP_ALLIANCE_CODES, patient_only=False))
    )
    counts: dict[int | None, FidelityCounts] = {}
    for row in grouped:
        pwp_id = row["episode__pwp_id"]
        counts[pwp_id] = FidelityCounts(
            sessions_planned=row["planned"],
            sessions_attended=row["attended"],
            sessions_did_not_attend=row["dna"],
            sessions_cancelled=row["cancelled"],
            sessions_not_recorded=row["not_recorded"],
            sessions_to_come=row["to_come"],
            briefs_opened=opened.get(pwp_id, 0),
            briefs_reviewed=reviewed.get(pwp_id, 0),
            questionnaires_due=row["held_or_missed"] * len(codes),
            questionnaires_completed=sum(by_pwp.get(pwp_id, 0) for by_pwp in answered),
            alliance_due=row["alliance_due"],
            alliance_patient_rated=patient_rated.get(pwp_id, 0),
            alliance_pwp_rated=pwp_rated.get(pwp_id, 0),
        )
    return counts, codes, alliance_numbers


def _module_counts(*, service: Service, period: ReportPeriod) -> dict[int | None, dict[str, int]]:
    """Modules of the courses of treatment that ended in the period. One query."""
    not_waived = Q(active=True, waived_at__isnull=True)
    done = Q(completed_at__isnull=False)
    rows = cast(
        Iterable[dict[str, Any]],
        Assignment.objects.filter(
            _in_period_date("episode__ended_on", period),
            episode__service=service,
            episode__ended_on__isnull=False,
        )
        .values("episode__pwp_id")
        .annotate(
            modules_assigned=Count("pk", filter=not_waived),
            modules_completed=Count("pk", filter=not_waived & done),
            mandatory_assigned=Count("pk", filter=not_waived & Q(mandatory=True)),
            mandatory_completed=Count("pk", filter=not_waived & Q(mandatory=True) & done),
        )
        .order_by(),
    )
    return {row.pop("episode__pwp_id"): row for row in rows}


def _in_period_date(field_name: str, period: ReportPeriod) -> Q:
    if period.is_all_time:
        return Q()
    return Q(**{f"{field_name}__gte": period.start_date, f"{field_name}__lt": period.end_date})


# The waivers listed with their reasons: the most recent, so that "all time" stays one page; a
# month shows the rest.
WAIVERS_SHOWN = 50


def _waived(*, service: Service, period: ReportPeriod) -> QuerySet[AssignmentChange]:
    """Mandatory modules waived in the period and not undone."""
    return AssignmentChange.objects.filter(
        _in_period("created_at", period),
        episode__service=service,
        kind=ChangeKind.WAIVED,
        undone_at__isnull=True,
    )


def _waiver_counts(*, service: Service, period: ReportPeriod) -> dict[int | None, int]:
    """Waivers in the period by the episode's PWP. One query."""
    rows = (
        _waived(service=service, period=period)
        .values("episode__pwp_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {row["episode__pwp_id"]: row["count"] for row in rows}


def _waivers(*, service: Service, period: ReportPeriod) -> list[AssignmentChange]:
    """The most recent waivers in the period, with their reasons. One query."""
    return list(
        _waived(service=service, period=period)
        .select_related("by", "assignment__module__latest_version")
        .order_by("-created_at", "-pk")[:WAIVERS_SHOWN]
    )


def _flag_counts(
    *, service: Service, period: ReportPeriod, now: datetime.datetime
) -> dict[int | None, dict[str, int]]:
    """Risk flags raised in the period, by the PWP they went to. One query."""
    first_response = Q(acknowledged_at__isnull=False, acknowledged_at__lte=F("review_due_at")) | Q(
        reviewed_at__isnull=False, reviewed_at__lte=F("review_due_at")
    )
    responded = Q(acknowledged_at__isnull=False) | Q(reviewed_at__isnull=False)
    rows = cast(
        Iterable[dict[str, Any]],
        RiskFlag.objects.filter(_in_period("created_at", period), service=service)
        .values("pwp_id")
        .annotate(
            flags_raised=Count("pk"),
            flags_reviewed_in_time=Count("pk", filter=first_response),
            flags_reviewed_late=Count("pk", filter=responded & ~first_response),
            flags_overdue=Count("pk", filter=~responded & Q(review_due_at__lt=now)),
            flags_within_time=Count("pk", filter=~responded & Q(review_due_at__gte=now)),
        )
        .order_by(),
    )
    return {row.pop("pwp_id"): row for row in rows}


def _module_title(change: AssignmentChange) -> str:
    module = change.assignment.module
    return module.latest_version.title if module.latest_version is not None else module.slug


def fidelity_report(
    *, service: Service, period: ReportPeriod, now: datetime.datetime
) -> FidelityReport:
    """The service's fidelity figures for the period, a row per PWP and the total."""
    sessions, codes, alliance_numbers = _session_counts(service=service, period=period, now=now)
    modules = _module_counts(service=service, period=period)
    flags = _flag_counts(service=service, period=period, now=now)
    waivers = _waivers(service=service, period=period)
    waiver_counts = _waiver_counts(service=service, period=period)
    seen = set(sessions) | set(modules) | set(flags) | set(waiver_counts)
    rows: list[FidelityRow] = []
    total = FidelityCounts()
    for key in row_keys(service=service, pwp_ids_seen=seen):
        if key.is_total:
            rows.append(FidelityRow(key=key, counts=total))
            continue
        counts = sessions.get(key.pwp_id, FidelityCounts())
        for name, value in {**modules.get(key.pwp_id, {}), **flags.get(key.pwp_id, {})}.items():
            setattr(counts, name, value)
        counts.waivers = waiver_counts.get(key.pwp_id, 0)
        total.add(counts)
        rows.append(FidelityRow(key=key, counts=counts))
    return FidelityReport(
        period=period,
        rows=rows,
        waivers=[
            Waiver(
                at=change.created_at,
                pwp=change.by.display_name,
                module=_module_title(change),
                reason=change.reason,
            )
            for change in waivers
        ],
        waivers_total=sum(waiver_counts.values()),
        questionnaire_codes=codes,
        alliance_sessions=alliance_numbers,
    )


def episodes_ended_in(*, service: Service, period: ReportPeriod) -> QuerySet[Episode]:
    return Episode.objects.filter(
        _in_period_date("ended_on", period), service=service, ended_on__isnull=False
    )
