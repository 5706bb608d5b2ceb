"""Tailoring changes at the same moment on PostgreSQL: the episode's row lock makes them queue,
so the second sees what the first did."""

from __future__ import annotations

import pytest

from accounts.models import User
from care.models import Episode
from modules.models import AssignmentChange, ChangeKind, Module
from modules.services import ProgrammeRuleError, assignment_add, assignment_waive
from tests.modules.conftest import assignment_for
from tests.moodlog.test_race import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _attempt(work) -> str:
    try:
        work()
    except ProgrammeRuleError:
        return "refused"
    return "done"


def test_two_sessions_waiving_the_same_module_waive_it_once(
    postgres: None, episode: Episode, pwp: User
) -> None:
    # Each session holds its own copy of the assignment, read before either waived it.
    copies = [assignment_for(episode, "better-sleep") for _ in range(4)]
    results = run_at_once(
        lambda index: _attempt(
            lambda: assignment_waive(by=pwp, assignment=copies[index], reason="Not needed")
        ),
        count=4,
    )
    assert sorted(results) == ["done", "refused", "refused", "refused"]
    assert AssignmentChange.objects.filter(episode=episode, kind=ChangeKind.WAIVED).count() == 1


def test_two_sessions_adding_the_same_module_add_it_once(
    postgres: None, episode: Episode, pwp: User
) -> None:
    assigned = set(episode.module_assignments.filter(active=True).values_list("module", flat=True))
    module = Module.objects.exclude(pk__in=assigned).filter(latest_version__isnull=False).first()
    assert module is not None
    results = run_at_once(
        lambda index: _attempt(
            lambda: assignment_add(by=pwp, episode=episode, module=module, reason="Fits")
        ),
        count=4,
    )
    assert sorted(results) == ["done", "refused", "refused", "refused"]
    assert AssignmentChange.objects.filter(episode=episode, kind=ChangeKind.ADDED).count() == 1
