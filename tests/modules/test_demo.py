from __future__ import annotations

from django.core.management import call_command

from modules.models import AssignmentChange, ExerciseResponse
from modules.selectors import Status, module_progress_for_episodes, programme_for_episode


def test_demo_patient_is_part_way_through_with_one_tailored_change(db) -> None:
    context_output = call_command("seed_demo", patients=4, days=10, seed=3)
    assert context_output is None
    from care.models import Episode

    episode = Episode.objects.get(patient__username="patient")
    programme = programme_for_episode(episode=episode)
    statuses = [item.status for item in programme.items]
    assert statuses.count(Status.COMPLETED) == 3
    assert statuses.count(Status.IN_PROGRESS) == 1
    marked = ExerciseResponse.objects.filter(
        assignment__episode=episode, discuss_requested_at__isnull=False
    )
    assert marked.count() == 1
    changes = AssignmentChange.objects.filter(episode=episode)
    assert changes.filter(kind="added", by__username="pwp").count() == 1
    assert programme.item_for("long-term-conditions") is not None
    # Everyone else has some variety of progress.
    others = Episode.objects.exclude(pk=episode.pk).values_list("pk", flat=True)
    done = {
        summary.completed for summary in module_progress_for_episodes(episode_ids=others).values()
    }
    assert len(done) > 1


def test_demo_module_progress_is_deterministic_for_a_seed(db) -> None:
    def snapshot() -> list[tuple[str, str, int]]:
        return sorted(
            (
                response.assignment.episode.patient.username,
                response.exercise_key,
                len(response.answers),
            )
            for response in ExerciseResponse.objects.select_related("assignment__episode__patient")
        )

    call_command("seed_demo", patients=4, days=5, seed=11)
    first = snapshot()
    call_command("seed_demo", patients=4, days=5, seed=11, reset=True)
    assert snapshot() == first
