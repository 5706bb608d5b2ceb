"""Demo data for modules: ``patient`` part-way through the programme with one change by ``pwp``,
and the other patients with varied progress. Everything goes through the services."""

from __future__ import annotations

import datetime
import random
from typing import TYPE_CHECKING, Any

from modules.models import Assignment, AssignmentChange, ExerciseResponse, Module
from modules.selectors import Status, programme_for_episode
from modules.services import (
    assignment_add,
    assignment_aim_set,
    assignment_start,
    assignment_step_complete,
    assignment_waive,
    assignments_create_for_episode,
    exercise_answers_save,
    exercise_discussion_set,
    modules_load,
)

if TYPE_CHECKING:
    from care.demo import DemoContext, EndedCourse
    from care.models import Episode

# What ``patient`` (Sam) wrote, so the PWP's view of the demo reads like a real person.
SAM_ANSWERS: dict[str, dict[str, Any]] = {
    "my_low_mood_cycle": {
        "when": "Last Sunday afternoon",
        "feelings": "Flat and tired. A bit tearful.",
        "thoughts": "What's the point in going out, I'll just bring everyone down.",
        "what_i_did": "Stayed on the sofa and didn't reply to my brother's message.",
        "mood_rating": "7",
        "what_i_hope_for": "To get back to seeing friends at the weekend.",
    },
    "activity_diary_day": {
        "day": "yesterday",
        "morning_activity": "Stayed in bed until 11, then had toast",
        "morning_mood": "3",
        "afternoon_activity": "Watched TV, short walk to the shop",
        "afternoon_mood": "5",
        "evening_activity": "Phone call with my brother, then TV",
        "evening_mood": "6",
        "gave_a_lift": "The walk, and talking to my brother more than I expected.",
        "time_of_day_lowest": "morning",
    },
    "activity_plan": {
        "what_matters": ["family", "health", "outdoors"],
        "activity_1": "Walk round the park",
        "activity_1_when": "Tuesday after lunch",
        "activity_1_kind": "pleasure",
        "activity_2": "Ring my brother back",
        "activity_2_when": "Wednesday evening",
        "activity_3": "Sort the post on the table",
        "activity_3_when": "Saturday morning",
        "minutes_each": "20",
        "confidence": "5",
    },
    "thought_record": {
        "situation": "At work, my manager asked to have a word after a meeting.",
        "time_of_day": "15:00",
        "feeling": "Anxious, ashamed",
        "feeling_strength_before": "80",
        "thought": "I've messed up again and everyone can see I'm not coping.",
    },
}
SHORT_ANSWERS = (
    "A short walk",
    "Made a cup of tea and sat in the garden",
    "Rang my mum",
    "Tidied the kitchen",
    "Watched a film with my partner",
    "Cooked a proper meal",
    "Went to the shop",
)
LONG_ANSWERS = (
    "I felt a bit better afterwards, even though I didn't want to start.",
    "It was hard to get going but easier once I had.",
    "I noticed I was putting it off because I felt tired.",
    "Talking to someone helped more than I expected.",
    "I kept thinking it would go wrong, but it was mostly OK.",
)


def _sample_answers(exercise: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """Plausible answers for every field, shaped like a form post."""
    answers: dict[str, Any] = {}
    for field in exercise["fields"]:
        kind = field["type"]
        if kind == "text":
            answers[field["name"]] = rng.choice(SHORT_ANSWERS)
        elif kind == "textarea":
            answers[field["name"]] = rng.choice(LONG_ANSWERS)
        elif kind == "number":
            low = field.get("min", 1)
            answers[field["name"]] = str(rng.randint(low, min(field.get("max", 60), low + 30)))
        elif kind == "scale":
            values = list(range(field["min"], field["max"] + 1, field["step"]))
            answers[field["name"]] = str(rng.choice(values))
        elif kind == "choice":
            answers[field["name"]] = rng.choice(field["options"])["value"]
        elif kind == "multichoice":
            values = [option["value"] for option in field["options"]]
            answers[field["name"]] = rng.sample(values, rng.randint(1, min(3, len(values))))
        elif kind == "time":
            answers[field["name"]] = f"{rng.randint(7, 22):02d}:{rng.choice((0, 15, 30, 45)):02d}"
    return answers


def _work_through(
    assignment: Assignment,
    rng: random.Random,
    *,
    finish: bool,
    answers: dict[str, dict[str, Any]] | None = None,
    pages: int | None = None,
) -> None:
    """Read every page and answer every exercise, or stop part-way (``finish=False``)."""
    assignment_start(assignment=assignment)
    version = assignment.version
    assert version is not None
    if pages is None:
        pages = len(version.pages) if finish else rng.randint(1, len(version.pages))
    for step in range(1, pages + 1):
        assignment_step_complete(assignment=assignment, step=step)
    if not finish:
        if pages == len(version.pages) and answers:
            exercise = version.exercises[0]
            if exercise["key"] in answers:
                exercise_answers_save(
                    assignment=assignment,
                    exercise_key=exercise["key"],
                    data=answers[exercise["key"]],
                    finishing=False,
                )
        return
    for exercise in version.exercises:
        data = (answers or {}).get(exercise["key"]) or _sample_answers(exercise, rng)
        exercise_answers_save(
            assignment=assignment, exercise_key=exercise["key"], data=data, finishing=True
        )


def _backdate(
    episode: Episode, context: DemoContext, until: datetime.datetime | None = None
) -> None:
    """Spread the demo's module activity over the days since the episode started (until now, or
    ``until``), in order."""
    until = until or context.now
    started = datetime.datetime.combine(
        episode.started_on, datetime.time(19, 0), tzinfo=context.now.tzinfo
    )
    span = max((until - started).days, 1)
    assignments = list(
        Assignment.objects.filter(episode=episode, started_at__isnull=False).order_by(
            "started_at", "pk"
        )
    )
    for index, assignment in enumerate(assignments, start=1):
        moment = min(
            started + datetime.timedelta(days=span * index / (len(assignments) + 1)),
            until,
        )
        Assignment.objects.filter(pk=assignment.pk).update(
            started_at=moment - datetime.timedelta(hours=1),
            last_activity_at=moment,
            completed_at=moment if assignment.completed_at else None,
        )
        ExerciseResponse.objects.filter(assignment=assignment).update(
            created_at=moment - datetime.timedelta(minutes=30), updated_at=moment
        )
        ExerciseResponse.objects.filter(assignment=assignment, completed_at__isnull=False).update(
            completed_at=moment
        )
        ExerciseResponse.objects.filter(
            assignment=assignment, discuss_requested_at__isnull=False
        ).update(discuss_requested_at=moment)


def _seed_sam(episode: Episode, context: DemoContext) -> None:
    rng = context.rng
    by_slug = {
        assignment.module.slug: assignment
        for assignment in Assignment.objects.filter(episode=episode).select_related(
            "module__latest_version"
        )
    }
    for slug in ("understanding-low-mood", "activity-diary", "planning-valued-activities"):
        _work_through(by_slug[slug], rng, finish=True, answers=SAM_ANSWERS)
    thoughts = by_slug["unhelpful-thoughts"]
    _work_through(
        thoughts,
        rng,
        finish=False,
        answers=SAM_ANSWERS,
        pages=len(thoughts.module.latest_version.pages),  # type: ignore[union-attr]
    )
    plan = ExerciseResponse.objects.get(
        assignment=by_slug["planning-valued-activities"], exercise_key="activity_plan"
    )
    exercise_discussion_set(response=plan, wanted=True)
    _backdate(episode, context)

    pwp = context.staff["pwp"]
    long_term = Module.objects.filter(slug="long-term-conditions").first()
    if long_term is not None:
        assignment_add(
            by=pwp,
            episode=episode,
            module=long_term,
            reason=(
                "You said your back pain makes it hard to keep to your plans. This module has "
                "ideas about pacing that might help. It's optional."
            ),
        )
    assignment_aim_set(
        by=pwp,
        assignment=thoughts,
        session=7,
        reason="Let's go through your thought record together at session 7.",
    )


def _seed_other(episode: Episode, context: DemoContext) -> None:
    rng = context.rng
    wanted = rng.randint(0, 5)
    for _ in range(wanted):
        item = programme_for_episode(episode=episode, now=context.now).next_item
        if item is None or item.status != Status.NOT_STARTED:
            break
        _work_through(item.assignment, rng, finish=True)
    item = programme_for_episode(episode=episode, now=context.now).next_item
    if item is not None and item.status == Status.NOT_STARTED and rng.random() < 0.6:
        _work_through(item.assignment, rng, finish=False)
    finished = ExerciseResponse.objects.filter(
        assignment__episode=episode, completed_at__isnull=False
    ).order_by("pk")
    for response in finished:
        if rng.random() < 0.2:
            exercise_discussion_set(response=response, wanted=True)
    _backdate(episode, context)


def seed(context: DemoContext) -> None:
    modules_load()
    for episode in context.episodes:
        assignments_create_for_episode(episode=episode)
    if not context.episodes:
        return
    _seed_sam(context.episodes[0], context)
    for episode in context.episodes[1:]:
        _seed_other(episode, context)


def _seed_ended_course(course: EndedCourse, context: DemoContext, *, waive: bool) -> None:
    """Modules finished in proportion to the sessions attended; one course has a waiver."""
    episode = course.episode
    if not Assignment.objects.filter(episode=episode).exists():
        assignments_create_for_episode(episode=episode)
    attended = episode.appointments.filter(status="attended").count()
    if waive and episode.pwp is not None:
        last = (
            Assignment.objects.filter(episode=episode, mandatory=True, started_at__isnull=True)
            .order_by("-position")
            .first()
        )
        if last is not None:
            change = assignment_waive(
                by=episode.pwp,
                assignment=last,
                reason="We covered this together in session; the patient did not need the module.",
            )
            # Dated in the course, a fortnight before it ended, as the PWP would have done it.
            when = datetime.datetime.combine(
                course.ended_on - datetime.timedelta(days=14),
                datetime.time(12, 0),
                tzinfo=context.now.tzinfo,
            )
            AssignmentChange.objects.filter(pk=change.pk).update(created_at=when)
            Assignment.objects.filter(pk=last.pk).update(waived_at=when)
    total = Assignment.objects.filter(episode=episode, active=True, waived_at__isnull=True).count()
    for _ in range(round(total * attended / 11)):
        item = programme_for_episode(episode=episode, now=context.now).next_item
        if item is None or item.status != Status.NOT_STARTED:
            break
        _work_through(item.assignment, course.rng, finish=True)
    until = datetime.datetime.combine(
        course.ended_on, datetime.time(9, 0), tzinfo=context.now.tzinfo
    )
    _backdate(episode, context, until=until)


def seed_ended(context: DemoContext) -> None:
    for index, course in enumerate(context.ended):
        _seed_ended_course(course, context, waive=index == 3)
