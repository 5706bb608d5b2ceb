"""Demo questionnaire histories, written through the real services so flags and alerts are real.

Each patient answers PHQ-9 and GAD-7 the day before each past session, moving from a start
score to an end score along one of these paths (in turn):

- reliable recovery, recovery (without a reliable change), reliable improvement, no change.

The ended courses (``former001``...) answer before each session they came to, WSAS first and
last as well, along the same paths and reliable deterioration, so the outcomes report has each.

``patient`` (with ``pwp``) shows reliable improvement, answered PHQ-9 question 9 above 0 a
couple of hours ago (one open risk flag, with its alert for ``pwp`` in the outbox), and rated
the alliance at session 3 with the PWP's rating beside it: they differ on one subscale only.
"""

from __future__ import annotations

import datetime
import random

from accounts.models import User
from care.demo import DemoContext, EndedCourse
from care.models import AppointmentStatus, Episode
from measures.definitions import ALLIANCE_CHECK
from measures.models import QuestionnaireResponse
from measures.services import alliance_rating_record, questionnaire_response_record

# (PHQ-9 start, PHQ-9 end, GAD-7 start, GAD-7 end) for each kind of history.
PATHS: dict[str, tuple[int, int, int, int]] = {
    "reliable recovery": (17, 6, 13, 5),
    "recovery": (11, 8, 9, 6),
    "reliable improvement": (20, 12, 15, 10),
    "no change": (14, 13, 10, 11),
}
PATH_ORDER = ("reliable recovery", "recovery", "reliable improvement", "no change")
# Courses that have ended show every outcome the reports count, deterioration included.
ENDED_PATHS: dict[str, tuple[int, int, int, int]] = {
    **PATHS,
    "reliable deterioration": (11, 18, 8, 13),
}
ENDED_PATH_ORDER = (
    "reliable recovery",
    "reliable improvement",
    "recovery",
    "no change",
    "reliable recovery",
    "reliable deterioration",
)
# WSAS (first, last) beside each ended path: impairment falls as mood lifts.
ENDED_WSAS = {
    "reliable recovery": (24, 9),
    "recovery": (18, 12),
    "reliable improvement": (28, 17),
    "no change": (20, 19),
    "reliable deterioration": (15, 24),
}


def answers_for(
    *, rng: random.Random, total: int, items: int, high: int, fixed_last: int | None = None
) -> list[int]:
    """A random answer vector with the given total; ``fixed_last`` pins the last item."""
    answers = [0] * items
    free = items if fixed_last is None else items - 1
    if fixed_last is not None:
        answers[-1] = fixed_last
        total -= fixed_last
    if not 0 <= total <= free * high:
        raise ValueError(f"Cannot make {total} from {free} items of at most {high}.")
    while total > 0:
        index = rng.randrange(free)
        if answers[index] < high:
            answers[index] += 1
            total -= 1
    return answers


def _path(start: int, end: int, steps: int, rng: random.Random) -> list[int]:
    """Totals from start to end over ``steps`` points, with a little noise in between."""
    if steps == 1:
        return [start]
    totals = []
    for step in range(steps):
        value = round(start + (end - start) * step / (steps - 1))
        if 0 < step < steps - 1:
            value += rng.choice((-1, 0, 0, 1))
        totals.append(max(0, value))
    return totals


def _record(
    *, patient: User, code: str, answers: list[int], at: datetime.datetime
) -> QuestionnaireResponse:
    return questionnaire_response_record(
        patient=patient, instrument_code=code, answers=answers, now=at
    )


def _history(
    *, context: DemoContext, episode: Episode, path: str, flag_now: bool
) -> list[datetime.datetime]:
    rng = context.rng
    times = [
        appointment.scheduled_at - datetime.timedelta(days=1)
        for appointment in episode.appointments.order_by("number")
        if appointment.scheduled_at - datetime.timedelta(days=1) < context.now
    ]
    if flag_now:
        times.append(context.now - datetime.timedelta(hours=2))
    phq_start, phq_end, gad_start, gad_end = PATHS[path]
    phq_totals = _path(phq_start, phq_end, len(times), rng)
    gad_totals = _path(gad_start, gad_end, len(times), rng)
    for index, at in enumerate(times):
        flagged = flag_now and index == len(times) - 1
        # Question 9 stays 0 except in the one flagged answer.
        phq = answers_for(
            rng=rng, total=phq_totals[index], items=9, high=3, fixed_last=1 if flagged else 0
        )
        gad = answers_for(rng=rng, total=gad_totals[index], items=7, high=3)
        _record(patient=episode.patient, code="phq9", answers=phq, at=at)
        _record(
            patient=episode.patient, code="gad7", answers=gad, at=at + datetime.timedelta(minutes=4)
        )
    return times


def _alliance(context: DemoContext, episode: Episode) -> None:
    third = episode.appointments.filter(number=3).first()
    if third is None or third.scheduled_at >= context.now:
        return
    assert episode.pwp is not None
    patient_at = third.scheduled_at - datetime.timedelta(days=1, hours=-1)
    # Goal, task, bond, online: the two agree except on the tasks, where the patient is less sure.
    patient_answers = [4, 2, 5, context.rng.choice((3, 4))]
    pwp_answers = [4, 4, 5, patient_answers[3]]
    _record(patient=episode.patient, code=ALLIANCE_CHECK, answers=patient_answers, at=patient_at)
    alliance_rating_record(
        pwp=episode.pwp,
        episode=episode,
        answers=pwp_answers,
        now=third.scheduled_at + datetime.timedelta(hours=2),
    )


def seed(context: DemoContext) -> None:
    for index, episode in enumerate(context.episodes):
        if index == 0:
            _history(context=context, episode=episode, path="reliable improvement", flag_now=True)
            _alliance(context, episode)
            continue
        path = PATH_ORDER[(index - 1) % len(PATH_ORDER)]
        _history(context=context, episode=episode, path=path, flag_now=False)


def _ended_history(course: EndedCourse, path: str) -> None:
    """PHQ-9 and GAD-7 the day before each session the patient came to; WSAS at the first and
    the last; the alliance (both sides) at session 3 when it was attended. Question 9 stays 0:
    the demo's one risk flag is ``patient``'s, open now."""
    rng = course.rng
    episode = course.episode
    attended = [
        appointment
        for appointment in episode.appointments.order_by("number")
        if appointment.status == AppointmentStatus.ATTENDED
    ]
    times = [appointment.scheduled_at - datetime.timedelta(days=1) for appointment in attended]
    phq_start, phq_end, gad_start, gad_end = ENDED_PATHS[path]
    phq_totals = _path(phq_start, phq_end, len(times), rng)
    gad_totals = _path(gad_start, gad_end, len(times), rng)
    wsas = ENDED_WSAS[path]
    for index, at in enumerate(times):
        phq = answers_for(rng=rng, total=phq_totals[index], items=9, high=3, fixed_last=0)
        gad = answers_for(rng=rng, total=gad_totals[index], items=7, high=3)
        _record(patient=episode.patient, code="phq9", answers=phq, at=at)
        _record(
            patient=episode.patient, code="gad7", answers=gad, at=at + datetime.timedelta(minutes=4)
        )
        if index in (0, len(times) - 1):
            total = wsas[0] if index == 0 else wsas[1]
            _record(
                patient=episode.patient,
                code="wsas",
                answers=answers_for(rng=rng, total=total, items=5, high=8),
                at=at + datetime.timedelta(minutes=8),
            )
    third = next((appointment for appointment in attended if appointment.number == 3), None)
    if third is not None and episode.pwp is not None:
        ratings = [rng.choice((3, 4, 5)) for _ in range(4)]
        _record(
            patient=episode.patient,
            code=ALLIANCE_CHECK,
            answers=ratings,
            at=third.scheduled_at - datetime.timedelta(hours=20),
        )
        alliance_rating_record(
            pwp=episode.pwp,
            episode=episode,
            answers=[min(5, rating + rng.choice((0, 0, 1))) for rating in ratings],
            now=third.scheduled_at + datetime.timedelta(hours=2),
        )


def seed_ended(context: DemoContext) -> None:
    for index, course in enumerate(context.ended):
        _ended_history(course, ENDED_PATH_ORDER[index % len(ENDED_PATH_ORDER)])
