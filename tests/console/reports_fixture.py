"""A small service whose May 2026 figures were worked out by hand (see the expected values in
test_reports_figures.py, with the arithmetic in comments there).

The service's plan is cut to four weekly sessions at 10:00 (days 0, 7, 14, 21), so the default
settings ask PHQ-9 and GAD-7 before every session and the alliance before sessions 3 and 4 (the
service's session 3 and the last session of the plan).
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import time_machine

from accounts.models import User
from care.models import (
    Appointment,
    AppointmentStatus,
    AuditEvent,
    EndReason,
    Episode,
    Service,
    SessionPlanEntry,
)
from care.services import episode_end
from clinician.models import BriefReview
from measures.models import QuestionnaireResponse
from modules.models import Assignment, AssignmentChange, ChangeKind, Module
from modules.services import modules_load
from safety.models import RiskFlag, RiskFlagRoute, RiskFlagStatus
from tests.factories import PatientFactory, PwpFactory, ServiceFactory, make_episode

LONDON = zoneinfo.ZoneInfo("Europe/London")
ATTENDED = AppointmentStatus.ATTENDED
DNA = AppointmentStatus.DID_NOT_ATTEND
CANCELLED = AppointmentStatus.CANCELLED
SCHEDULED = AppointmentStatus.SCHEDULED


# The fixture's May is worked out as seen from this instant, whatever instant the run is frozen
# at (CI also runs in March, before May has happened).
FIXTURE_NOW = datetime.datetime(2026, 6, 17, 9, 15, tzinfo=LONDON)


@pytest.fixture
def in_june_2026() -> Iterator[None]:
    """Travel to ``FIXTURE_NOW`` for a test that uses the hand-worked May."""
    with time_machine.travel(FIXTURE_NOW, tick=True):
        yield


def at(month: int, day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, 0, tzinfo=LONDON)


@dataclass
class ReportsFixture:
    service: Service
    pwp_a: User
    pwp_b: User
    episodes: dict[str, Episode]


def _four_session_plan(service: Service) -> None:
    SessionPlanEntry.objects.filter(service=service, number__gt=4).delete()


def _statuses(episode: Episode, statuses: list[str]) -> None:
    for number, status in enumerate(statuses, start=1):
        Appointment.objects.filter(episode=episode, number=number).update(status=status)


def _answer(
    episode: Episode,
    code: str,
    total: int,
    session: int,
    when: datetime.datetime,
    respondent: User | None = None,
) -> None:
    QuestionnaireResponse.objects.create(
        patient=episode.patient,
        respondent=respondent or episode.patient,
        episode=episode,
        instrument_code=code,
        instrument_version="1",
        answers=[],
        total=total,
        session_number=session,
        submitted_at=when,
    )


def _brief_opened(episode: Episode, when: datetime.datetime) -> None:
    assert episode.pwp is not None
    AuditEvent.objects.create(
        actor=episode.pwp,
        action="brief.view",
        patient=episode.patient,
        object_type="care.Episode",
        object_id=str(episode.pk),
        occurred_at=when,
    )


def _brief_reviewed(episode: Episode, number: int, when: datetime.datetime) -> None:
    assert episode.pwp is not None
    BriefReview.objects.create(
        appointment=Appointment.objects.get(episode=episode, number=number),
        reviewed_by=episode.pwp,
        reviewed_at=when,
    )


def _modules(episode: Episode, specs: list[tuple[bool, str]]) -> list[Assignment]:
    """Replace the programme with one assignment per (mandatory, state) in ``specs``, where state
    is "completed", "waived" or "open"."""
    Assignment.objects.filter(episode=episode).delete()
    if Module.objects.filter(latest_version__isnull=False).count() < len(specs):
        # A transactional test before this one may have flushed the modules the migrations load.
        modules_load()
    modules = list(Module.objects.filter(latest_version__isnull=False).order_by("pk")[: len(specs)])
    made = []
    for position, ((mandatory, state), module) in enumerate(zip(specs, modules, strict=True)):
        made.append(
            Assignment.objects.create(
                episode=episode,
                module=module,
                version=module.latest_version,
                mandatory=mandatory,
                position=position + 1,
                started_at=at(5, 5) if state == "completed" else None,
                completed_at=at(5, 20) if state == "completed" else None,
                waived_at=at(5, 12) if state == "waived" else None,
            )
        )
    return made


def _flag(
    episode: Episode | None,
    *,
    patient: User,
    service: Service,
    pwp: User | None,
    raised: datetime.datetime,
    due: datetime.datetime,
    acknowledged: datetime.datetime | None = None,
    closed: datetime.datetime | None = None,
) -> None:
    status = RiskFlagStatus.OPEN
    if acknowledged is not None:
        status = RiskFlagStatus.ACKNOWLEDGED
    if closed is not None:
        status = RiskFlagStatus.CLOSED
    RiskFlag.objects.create(
        patient=patient,
        episode=episode,
        service=service,
        route=RiskFlagRoute.PWP if pwp else RiskFlagRoute.DUTY_QUEUE,
        pwp=pwp,
        status=status,
        created_at=raised,
        review_due_at=due,
        acknowledged_by=pwp if acknowledged else None,
        acknowledged_at=acknowledged,
        reviewed_by=pwp if closed else None,
        reviewed_at=closed,
        review_note="Called the patient." if closed else "",
    )


# Length: the whole hand-worked fixture, episode by episode, so it reads as one story.
def reports_fixture_build(*, service: Service | None = None) -> ReportsFixture:
    service = service or ServiceFactory.create()
    _four_session_plan(service)
    pwp_a = PwpFactory.create(service=service, first_name="Ada", last_name="Able")
    pwp_b = PwpFactory.create(service=service, first_name="Bea", last_name="Baker")

    def episode_for(pwp: User, started: datetime.date) -> Episode:
        return make_episode(
            patient=PatientFactory.create(service=service),
            pwp=pwp,
            service=service,
            started_on=started,
        )

    # Episode 1 (PWP A): sessions 4, 11, 18, 25 May; attended, attended, DNA, attended.
    one = episode_for(pwp_a, datetime.date(2026, 5, 4))
    _statuses(one, [ATTENDED, ATTENDED, DNA, ATTENDED])
    _brief_opened(one, at(5, 3, 12))  # within 7 days before session 1 only
    _brief_opened(one, at(5, 20))  # within 7 days before session 4 (25 May)
    _brief_reviewed(one, 1, at(5, 4, 9))  # before session 1
    _brief_reviewed(one, 2, at(5, 11, 11))  # an hour after session 2 began: not before
    _brief_reviewed(one, 4, at(5, 24))  # before session 4
    _answer(one, "phq9", 16, 1, at(5, 3))
    _answer(one, "gad7", 12, 1, at(5, 3, 11))
    _answer(one, "phq9", 12, 2, at(5, 10))
    _answer(one, "phq9", 7, 4, at(5, 24))
    _answer(one, "gad7", 6, 4, at(5, 24, 11))
    _answer(one, "alliance-check", 16, 4, at(5, 24, 12))
    _completed, waived, _optional = _modules(
        one, [(True, "completed"), (True, "waived"), (False, "completed")]
    )
    AssignmentChange.objects.create(
        episode=one,
        assignment=waived,
        kind=ChangeKind.WAIVED,
        reason="Covered together in session 2.",
        by=pwp_a,
        created_at=at(5, 12),
    )
    _flag(
        one,
        patient=one.patient,
        service=service,
        pwp=pwp_a,
        raised=at(5, 5),
        due=at(5, 6),
        closed=at(5, 7),
    )
    # A flag raised in June is outside May.
    _flag(
        one,
        patient=one.patient,
        service=service,
        pwp=pwp_a,
        raised=at(6, 1),
        due=at(6, 2),
        closed=at(6, 1, 12),
    )
    episode_end(
        episode=one, ended_on=datetime.date(2026, 5, 26), by=pwp_a, reason=EndReason.COMPLETED
    )

    # Episode 2 (PWP A): sessions 20 and 27 April, 4 and 11 May; attended x3, then cancelled.
    two = episode_for(pwp_a, datetime.date(2026, 4, 20))
    _statuses(two, [ATTENDED, ATTENDED, ATTENDED, CANCELLED])
    _answer(two, "phq9", 8, 1, at(4, 19))
    _answer(two, "gad7", 5, 1, at(4, 19, 11))
    _answer(two, "phq9", 15, 3, at(5, 3))
    _answer(two, "gad7", 10, 3, at(5, 3, 11))
    _answer(two, "alliance-check-pwp", 12, 3, at(5, 4, 12), respondent=pwp_a)
    _modules(two, [(True, "open")])
    episode_end(
        episode=two, ended_on=datetime.date(2026, 5, 15), by=pwp_a, reason=EndReason.DROPPED_OUT
    )

    # Episode 3 (PWP B): sessions 11, 18, 25 May and 1 June; attended, not recorded, DNA, to come.
    three = episode_for(pwp_b, datetime.date(2026, 5, 11))
    _statuses(three, [ATTENDED, SCHEDULED, DNA, SCHEDULED])
    _brief_opened(three, at(5, 10))
    _brief_reviewed(three, 1, at(5, 10, 12))
    _answer(three, "phq9", 14, 1, at(5, 10))
    _answer(three, "gad7", 9, 1, at(5, 10, 11))
    _flag(
        three,
        patient=three.patient,
        service=service,
        pwp=pwp_b,
        raised=at(5, 12),
        due=at(5, 13),
        acknowledged=at(5, 13, 9),
    )

    # Episode 4 (PWP B): sessions 27 April, 4, 11 and 18 May; attended, DNA, cancelled, cancelled.
    four = episode_for(pwp_b, datetime.date(2026, 4, 27))
    _statuses(four, [ATTENDED, DNA, CANCELLED, CANCELLED])
    _modules(four, [])
    episode_end(
        episode=four, ended_on=datetime.date(2026, 5, 19), by=pwp_b, reason=EndReason.DECLINED
    )
    Assignment.objects.filter(episode=three).delete()

    # A patient waiting for a PWP: their flag went to the duty queue and is overdue.
    waiting = PatientFactory.create(service=service)
    _flag(None, patient=waiting, service=service, pwp=None, raised=at(5, 20), due=at(5, 21))

    return ReportsFixture(
        service=service,
        pwp_a=pwp_a,
        pwp_b=pwp_b,
        episodes={"one": one, "two": two, "three": three, "four": four},
    )
