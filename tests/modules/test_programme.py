"""The programme rules: what a new episode gets, when modules open, and what a PWP may change."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from care.models import AuditEvent
from modules.models import (
    AssignmentChange,
    AssignmentSource,
    ChangeKind,
    ExerciseResponse,
    Module,
    ProgrammeEntry,
    UnlockRule,
)
from modules.selectors import (
    Status,
    exercises_marked_for_discussion,
    module_progress_for_episodes,
    programme_for_episode,
)
from modules.services import (
    ExerciseAnswersInvalid,
    ProgrammeRuleError,
    assignment_add,
    assignment_aim_set,
    assignment_change_undo,
    assignment_move,
    assignment_start,
    assignment_step_complete,
    assignment_waive,
    exercise_answers_save,
    exercise_discussion_set,
)
from tests import factories
from tests.modules.conftest import assignment_for

PATHWAY = [
    "understanding-low-mood",
    "activity-diary",
    "planning-valued-activities",
    "unhelpful-thoughts",
    "problem-solving",
    "better-sleep",
    "staying-well",
]
LOW_MOOD_ANSWERS = {
    "when": "Sunday",
    "feelings": "Flat",
    "what_i_did": "Stayed in",
    "mood_rating": "6",
}


def complete(assignment) -> None:
    """Work through a whole module as a patient would: every page, every exercise."""
    assignment_start(assignment=assignment)
    version = assignment.version
    for step in range(1, len(version.pages) + 1):
        assignment_step_complete(assignment=assignment, step=step)
    for exercise in version.exercises:
        data = {
            field["name"]: (
                str(field.get("min", 1))
                if field["type"] in ("number", "scale")
                else field["options"][0]["value"]
                if field["type"] in ("choice", "multichoice")
                else "07:30"
                if field["type"] == "time"
                else "Some words"
            )
            for field in exercise["fields"]
        }
        exercise_answers_save(
            assignment=assignment, exercise_key=exercise["key"], data=data, finishing=True
        )
    assignment.refresh_from_db()


def statuses(episode) -> dict[str, str]:
    return {item.slug: item.status for item in programme_for_episode(episode=episode).items}


# --- What a new episode gets --------------------------------------------------------------


def test_a_new_episode_gets_the_default_programme_pathway_mandatory_add_ons_optional(
    episode,
) -> None:
    items = programme_for_episode(episode=episode).items
    assert [item.slug for item in items if item.mandatory] == PATHWAY
    optional = [item.slug for item in items if not item.mandatory]
    assert optional == ["managing-worry", "stress-and-tension"]
    # The long-term condition, panic and self-esteem add-ons are offered for a PWP to add when
    # they fit.
    offered = {"long-term-conditions", "panic-and-physical-symptoms", "low-self-esteem"}
    assert not offered & {item.slug for item in items}
    assert ProgrammeEntry.objects.filter(service=episode.service).count() == 12


def test_a_configured_programme_is_what_new_episodes_get(service, patient, pwp) -> None:
    worry = Module.objects.get(slug="managing-worry")
    sleep = Module.objects.get(slug="better-sleep")
    panic_free = Module.objects.get(slug="long-term-conditions")
    ProgrammeEntry.objects.create(service=service, module=sleep, mandatory=True, position=2)
    ProgrammeEntry.objects.create(service=service, module=worry, mandatory=True, position=1)
    ProgrammeEntry.objects.create(
        service=service, module=panic_free, mandatory=False, in_every_programme=False, position=3
    )
    episode = factories.make_episode(patient=patient, pwp=pwp, service=service)
    items = programme_for_episode(episode=episode).items
    assert [(item.slug, item.mandatory) for item in items] == [
        ("managing-worry", True),
        ("better-sleep", True),
    ]


def test_episode_start_gives_assignments_and_calling_again_adds_nothing(episode) -> None:
    from modules.services import assignments_create_for_episode

    count = episode.module_assignments.count()
    assert count == 9
    assert assignments_create_for_episode(episode=episode) == []
    assert episode.module_assignments.count() == count


# --- When modules open --------------------------------------------------------------------


def test_from_start_modules_are_open_and_after_previous_waits_for_the_previous(episode) -> None:
    before = statuses(episode)
    assert before["understanding-low-mood"] == Status.NOT_STARTED
    assert before["better-sleep"] == Status.NOT_STARTED
    assert before["activity-diary"] == Status.LOCKED
    item = programme_for_episode(episode=episode).item_for("activity-diary")
    assert item is not None
    assert "Understanding low mood" in item.locked_reason

    complete(assignment_for(episode, "understanding-low-mood"))
    after = statuses(episode)
    assert after["understanding-low-mood"] == Status.COMPLETED
    assert after["activity-diary"] == Status.NOT_STARTED
    assert after["planning-valued-activities"] == Status.LOCKED


def test_after_session_modules_open_once_that_session_has_happened(episode) -> None:
    # The episode started 14 days ago: session 3 is today at 10:00, session 5 in two weeks.
    session_three = episode.appointments.get(number=3).scheduled_at
    before = programme_for_episode(episode=episode, now=session_three - datetime.timedelta(hours=1))
    item = before.item_for("unhelpful-thoughts")
    assert item is not None
    assert item.status == Status.LOCKED
    assert "Opens after session 3" in item.locked_reason
    after = programme_for_episode(episode=episode, now=session_three + datetime.timedelta(hours=1))
    assert after.item_for("unhelpful-thoughts").status == Status.NOT_STARTED  # type: ignore[union-attr]
    assert after.item_for("problem-solving").status == Status.LOCKED  # type: ignore[union-attr]


def test_a_waived_module_does_not_hold_up_the_next_one(episode, pwp) -> None:
    assignment_waive(
        by=pwp,
        assignment=assignment_for(episode, "understanding-low-mood"),
        reason="We covered this together in session.",
    )
    assert statuses(episode)["activity-diary"] == Status.NOT_STARTED


def test_next_is_what_is_under_way_then_the_first_open_mandatory_module(episode) -> None:
    programme = programme_for_episode(episode=episode)
    assert programme.next_item is not None
    assert programme.next_item.slug == "understanding-low-mood"
    assignment_start(assignment=assignment_for(episode, "better-sleep"))
    assert programme_for_episode(episode=episode).next_item.slug == "better-sleep"  # type: ignore[union-attr]


# --- Progress, answers and versions -------------------------------------------------------


def test_exercise_answers_are_stored_as_typed_fields(episode) -> None:
    assignment = assignment_for(episode, "better-sleep")
    assignment_start(assignment=assignment)
    response = exercise_answers_save(
        assignment=assignment,
        exercise_key="sleep_plan",
        data={
            "usual_bedtime": "23.30",
            "usual_wake_time": "7:05",
            "sleep_quality": "4",
            "problems": ["worry", "screens"],
            "ignored": "not part of the exercise",
        },
        finishing=False,
    )
    response.refresh_from_db()
    assert response.answers == {
        "usual_bedtime": "23:30",
        "usual_wake_time": "07:05",
        "sleep_quality": 4,
        "problems": ["worry", "screens"],
    }
    assert response.completed_at is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sleep_quality", "11"),
        ("sleep_quality", "lots"),
        ("usual_bedtime", "25:00"),
        ("problems", "sleepwalking"),
    ],
)
def test_an_invalid_answer_is_refused_and_nothing_is_saved(episode, field, value) -> None:
    assignment = assignment_for(episode, "better-sleep")
    assignment_start(assignment=assignment)
    with pytest.raises(ExerciseAnswersInvalid) as raised:
        exercise_answers_save(
            assignment=assignment,
            exercise_key="sleep_plan",
            data={"usual_wake_time": "07:00", field: value},
            finishing=False,
        )
    assert list(raised.value.errors) == [field]
    assert not ExerciseResponse.objects.filter(assignment=assignment).exists()


def test_required_answers_are_needed_only_to_finish(episode) -> None:
    assignment = assignment_for(episode, "understanding-low-mood")
    assignment_start(assignment=assignment)
    exercise_answers_save(
        assignment=assignment,
        exercise_key="my_low_mood_cycle",
        data={"when": "Sunday"},
        finishing=False,
    )
    with pytest.raises(ExerciseAnswersInvalid) as raised:
        exercise_answers_save(
            assignment=assignment,
            exercise_key="my_low_mood_cycle",
            data={"when": "Sunday"},
            finishing=True,
        )
    assert set(raised.value.errors) == {"feelings", "what_i_did", "mood_rating"}


def test_a_module_is_completed_when_every_page_is_read_and_every_exercise_finished(episode) -> None:
    assignment = assignment_for(episode, "understanding-low-mood")
    assignment_start(assignment=assignment)
    for step in (1, 2, 3):
        assignment_step_complete(assignment=assignment, step=step)
    assert (
        programme_for_episode(episode=episode)
        .item_for(  # type: ignore[union-attr]
            "understanding-low-mood"
        )
        .progress
        == 75
    )
    exercise_answers_save(
        assignment=assignment,
        exercise_key="my_low_mood_cycle",
        data=LOW_MOOD_ANSWERS,
        finishing=True,
    )
    assignment.refresh_from_db()
    assert assignment.completed_at is not None
    assert assignment.steps_done == 4


def test_only_a_finished_exercise_can_be_marked_for_discussion(episode) -> None:
    assignment = assignment_for(episode, "understanding-low-mood")
    assignment_start(assignment=assignment)
    response = exercise_answers_save(
        assignment=assignment, exercise_key="my_low_mood_cycle", data={"when": "x"}, finishing=False
    )
    with pytest.raises(ProgrammeRuleError):
        exercise_discussion_set(response=response, wanted=True)
    complete(assignment)
    response.refresh_from_db()
    exercise_discussion_set(response=response, wanted=True)
    marked = exercises_marked_for_discussion(episode=episode)
    assert [entry.exercise_title for entry in marked] == ["My low mood cycle"]
    assert ("When was it?", "Some words") in marked[0].answers


def test_module_progress_for_many_episodes_takes_two_queries(
    episode, other_episode, django_assert_num_queries
) -> None:
    complete(assignment_for(episode, "understanding-low-mood"))
    assignment_start(assignment=assignment_for(episode, "better-sleep"))
    response = ExerciseResponse.objects.get(assignment__episode=episode)
    exercise_discussion_set(response=response, wanted=True)
    with django_assert_num_queries(2):
        progress = module_progress_for_episodes(episode_ids=[episode.pk, other_episode.pk])
    mine, theirs = progress[episode.pk], progress[other_episode.pk]
    assert (mine.mandatory_total, mine.mandatory_completed, mine.in_progress) == (7, 1, 1)
    assert mine.marked_for_discussion == 1
    assert mine.last_activity_at is not None
    assert (theirs.completed, theirs.marked_for_discussion) == (0, 0)


# --- Tailoring ----------------------------------------------------------------------------


def test_a_pwp_waives_a_mandatory_module_with_a_reason_and_it_is_audited(episode, pwp) -> None:
    change = assignment_waive(
        by=pwp, assignment=assignment_for(episode, "better-sleep"), reason="  Sleeping well now. "
    )
    assert change.reason == "Sleeping well now."
    item = programme_for_episode(episode=episode).item_for("better-sleep")
    assert item is not None
    assert item.status == Status.WAIVED
    assert item.waiver_reason == "Sleeping well now."
    event = AuditEvent.objects.get(action="modules.assignment.waived")
    assert event.actor == pwp
    assert event.patient == episode.patient
    assert "Sleeping" not in str(event.detail)


def test_waiving_is_refused_where_the_service_does_not_allow_it(
    episode, pwp, waiving_refused
) -> None:
    with pytest.raises(ProgrammeRuleError, match="does not let PWPs waive mandatory modules"):
        assignment_waive(
            by=pwp, assignment=assignment_for(episode, "better-sleep"), reason="Not needed"
        )
    assert assignment_for(episode, "better-sleep").waived_at is None
    assert not AssignmentChange.objects.exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_waiving_needs_a_reason(episode, pwp, reason) -> None:
    with pytest.raises(ProgrammeRuleError, match="reason"):
        assignment_waive(by=pwp, assignment=assignment_for(episode, "better-sleep"), reason=reason)


def test_an_optional_module_cannot_be_waived(episode, pwp) -> None:
    with pytest.raises(ProgrammeRuleError, match="Only a mandatory module"):
        assignment_waive(
            by=pwp, assignment=assignment_for(episode, "managing-worry"), reason="Not worried"
        )


def test_undoing_a_waiver_makes_the_module_mandatory_again(episode, pwp) -> None:
    change = assignment_waive(
        by=pwp, assignment=assignment_for(episode, "better-sleep"), reason="Not needed"
    )
    assignment_change_undo(by=pwp, change=change)
    change.refresh_from_db()
    assert change.undone_by == pwp
    assert change.undone_at is not None
    assert statuses(episode)["better-sleep"] == Status.NOT_STARTED
    with pytest.raises(ProgrammeRuleError, match="already been undone"):
        assignment_change_undo(by=pwp, change=change)


def test_a_pwp_adds_an_add_on_and_undoing_it_keeps_the_answers(episode, pwp) -> None:
    module = Module.objects.get(slug="long-term-conditions")
    change = assignment_add(by=pwp, episode=episode, module=module, reason="Pacing may help.")
    items = programme_for_episode(episode=episode).items
    assert items[-1].slug == "long-term-conditions"
    assert not items[-1].mandatory
    assert change.assignment.source == AssignmentSource.PWP
    with pytest.raises(ProgrammeRuleError, match="already in"):
        assignment_add(by=pwp, episode=episode, module=module, reason="Again")

    assignment = assignment_for(episode, "long-term-conditions")
    assignment_start(assignment=assignment)
    exercise_answers_save(
        assignment=assignment,
        exercise_key="pacing_plan",
        data={"activity": "Gardening"},
        finishing=False,
    )
    assignment_change_undo(by=pwp, change=change)
    assert "long-term-conditions" not in statuses(episode)
    assignment_add(by=pwp, episode=episode, module=module, reason="Let's try it after all.")
    assert ExerciseResponse.objects.get(assignment=assignment).answers == {"activity": "Gardening"}
    assert statuses(episode)["long-term-conditions"] == Status.IN_PROGRESS


def test_a_pwp_reorders_and_undo_puts_the_order_back(episode, pwp) -> None:
    original = [item.slug for item in programme_for_episode(episode=episode).items]
    change = assignment_move(
        by=pwp,
        assignment=assignment_for(episode, "better-sleep"),
        position=1,
        reason="Sleep is the biggest problem right now.",
    )
    moved = [item.slug for item in programme_for_episode(episode=episode).items]
    assert moved[0] == "better-sleep"
    assert moved[1] == "understanding-low-mood"
    assert change.kind == ChangeKind.MOVED
    assignment_change_undo(by=pwp, change=change)
    assert [item.slug for item in programme_for_episode(episode=episode).items] == original


def test_aim_to_finish_by_a_session_can_be_set_cleared_and_undone(episode, pwp) -> None:
    assignment = assignment_for(episode, "activity-diary")
    change = assignment_aim_set(by=pwp, assignment=assignment, session=4, reason="Before session 4")
    item = programme_for_episode(episode=episode).item_for("activity-diary")
    assert item is not None
    assert item.assignment.aim_session == 4
    assert item.aim_at == episode.appointments.get(number=4).scheduled_at
    with pytest.raises(ProgrammeRuleError, match="from 1 to 11"):
        assignment_aim_set(by=pwp, assignment=assignment, session=12, reason="Later")
    assignment_change_undo(by=pwp, change=change)
    assert assignment_for(episode, "activity-diary").aim_session is None


def test_a_finished_treatment_cannot_be_tailored(episode, pwp) -> None:
    from care.services import episode_end

    episode_end(episode=episode, status="completed", ended_on=timezone.localdate(), by=pwp)
    with pytest.raises(ProgrammeRuleError, match="has ended"):
        assignment_waive(by=pwp, assignment=assignment_for(episode, "better-sleep"), reason="x")


def test_unlock_rules_need_a_session_exactly_for_after_session(service) -> None:
    from django.db import IntegrityError, transaction

    module = Module.objects.get(slug="managing-worry")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgrammeEntry.objects.create(
            service=service, module=module, unlock_rule=UnlockRule.AFTER_SESSION
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgrammeEntry.objects.create(
            service=service, module=module, mandatory=True, in_every_programme=False
        )


def test_aim_cannot_be_a_session_that_has_already_happened(episode, pwp) -> None:
    from modules.services import ProgrammeRuleError, assignment_aim_set
    from tests.modules.conftest import assignment_for

    assignment = assignment_for(episode, "understanding-low-mood")
    with pytest.raises(ProgrammeRuleError, match="already happened"):
        assignment_aim_set(by=pwp, assignment=assignment, session=1, reason="Keep pace")
    assignment_aim_set(by=pwp, assignment=assignment, session=6, reason="Keep pace")
