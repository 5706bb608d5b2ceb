"""The programme change rule (modules/services/programme.py): a change reaches every patient in
treatment who has not started the module; started or finished work is never touched; a PWP's
tailoring (waived, added by the PWP) keeps the PWP's choice; and the count shown before saving is
the number of patients changed."""

from __future__ import annotations

import pytest
from django.utils import timezone

from care.models import AuditEvent, EpisodeStatus
from care.services import episode_end
from modules.models import Assignment, AssignmentSource, Module, ProgrammeEntry, UnlockRule
from modules.selectors import programme_for_episode
from modules.services import (
    EntryRules,
    Inclusion,
    ProgrammeRuleError,
    assignment_add,
    assignment_start,
    assignment_step_complete,
    assignment_waive,
    modules_load,
    programme_change_apply,
    programme_change_preview,
)
from tests import factories

pytestmark = pytest.mark.django_db

SLUG = "activity-diary"


@pytest.fixture(autouse=True)
def _modules(db) -> None:
    modules_load()


@pytest.fixture
def module() -> Module:
    return Module.objects.get(slug=SLUG)


@pytest.fixture
def patients(service, pwp):
    """Five patients in treatment: untouched, started, finished, waived, and one ended."""
    episodes = {}
    for name in ("untouched", "started", "finished", "waived", "ended"):
        patient = factories.PatientFactory.create(username=name, service=service)
        episodes[name] = factories.make_episode(patient=patient, pwp=pwp, service=service)
    assignment_start(assignment=_assignment(episodes["started"]))
    finished = _assignment(episodes["finished"])
    assignment_start(assignment=finished)
    finished.refresh_from_db()
    assert finished.version is not None
    for step in range(1, finished.version.step_count + 1):
        assignment_step_complete(assignment=finished, step=step)
    assignment_waive(by=pwp, assignment=_assignment(episodes["waived"]), reason="Not for now")
    episode_end(
        episode=episodes["ended"], reason="completed", ended_on=timezone.localdate(), by=pwp
    )
    return episodes


def _assignment(episode) -> Assignment:
    return Assignment.objects.get(episode=episode, module__slug=SLUG)


def _optional() -> EntryRules:
    entry = ProgrammeEntry.objects.get(module__slug=SLUG)
    return EntryRules(Inclusion.OPTIONAL, entry.unlock_rule, entry.unlock_session)


def test_making_a_module_optional_reaches_patients_who_have_not_started_it(
    service, service_admin, module, patients
) -> None:
    impact = programme_change_apply(
        by=service_admin, service=service, module=module, after=_optional(), expected_count=None
    )

    assert impact.changed == [patients["untouched"].pk]
    assert _assignment(patients["untouched"]).mandatory is False
    assert ProgrammeEntry.objects.get(service=service, module=module).mandatory is False


def test_started_and_finished_work_is_never_changed(service, service_admin, module, patients):
    before = {name: _assignment(patients[name]) for name in ("started", "finished")}

    impact = programme_change_apply(
        by=service_admin, service=service, module=module, after=_optional(), expected_count=None
    )

    for name, assignment in before.items():
        after = _assignment(patients[name])
        assert (after.mandatory, after.active, after.started_at, after.completed_at) == (
            assignment.mandatory,
            True,
            assignment.started_at,
            assignment.completed_at,
        )
    assert impact.kept_started == 2


def test_a_waived_module_keeps_the_pwps_choice(service, service_admin, module, patients) -> None:
    impact = programme_change_apply(
        by=service_admin, service=service, module=module, after=_optional(), expected_count=None
    )

    waived = _assignment(patients["waived"])
    assert waived.waived_at is not None
    assert waived.mandatory is True
    assert impact.kept_tailored == 1


def test_an_ended_episode_is_not_changed(service, service_admin, module, patients) -> None:
    programme_change_apply(
        by=service_admin, service=service, module=module, after=_optional(), expected_count=None
    )
    assert patients["ended"].status != EpisodeStatus.ACTIVE
    assert _assignment(patients["ended"]).mandatory is True


def test_the_count_shown_before_saving_is_the_number_of_patients_changed(
    service, service_admin, module, patients, pwp
) -> None:
    for number in range(3):
        factories.make_episode(
            patient=factories.PatientFactory.create(username=f"more-{number}", service=service),
            pwp=pwp,
            service=service,
        )
    shown = programme_change_preview(service=service, module=module, after=_optional())
    before = dict(Assignment.objects.filter(module=module).values_list("pk", "mandatory"))

    applied = programme_change_apply(
        by=service_admin,
        service=service,
        module=module,
        after=_optional(),
        expected_count=shown.count,
    )

    after = dict(Assignment.objects.filter(module=module).values_list("pk", "mandatory"))
    changed = [pk for pk in after if after[pk] != before[pk]]
    assert shown.count == applied.count == len(changed) == 4


def test_a_count_that_changed_since_it_was_shown_saves_nothing(
    service, service_admin, module, patients
) -> None:
    shown = programme_change_preview(service=service, module=module, after=_optional())

    with pytest.raises(ProgrammeRuleError, match="has become 1"):
        programme_change_apply(
            by=service_admin,
            service=service,
            module=module,
            after=_optional(),
            expected_count=shown.count + 1,
        )
    assert ProgrammeEntry.objects.get(service=service, module=module).mandatory is True
    assert _assignment(patients["untouched"]).mandatory is True


def test_a_new_unlock_rule_reaches_patients_who_have_not_started(
    service, service_admin, module, patients
) -> None:
    rules = EntryRules(Inclusion.MANDATORY, UnlockRule.AFTER_SESSION, 4)
    programme_change_apply(
        by=service_admin, service=service, module=module, after=rules, expected_count=1
    )
    untouched = _assignment(patients["untouched"])
    assert (untouched.unlock_rule, untouched.unlock_session) == (UnlockRule.AFTER_SESSION, 4)
    assert _assignment(patients["started"]).unlock_rule == UnlockRule.AFTER_PREVIOUS


def test_retiring_takes_out_only_what_no_one_started(
    service, service_admin, module, patients
) -> None:
    impact = programme_change_apply(
        by=service_admin, service=service, module=module, after=None, expected_count=1
    )

    assert impact.changed == [patients["untouched"].pk]
    assert _assignment(patients["untouched"]).active is False
    for name in ("started", "finished", "waived"):
        assert _assignment(patients[name]).active is True
    assert not ProgrammeEntry.objects.filter(service=service, module=module).exists()
    [event] = AuditEvent.objects.filter(action="modules.programme.change")
    assert event.detail["episodes_changed"] == [patients["untouched"].pk]


def test_adding_a_module_reaches_every_patient_in_treatment_but_not_a_pwp_removal(
    service, service_admin, pwp
) -> None:
    addon = Module.objects.get(slug="long-term-conditions")
    first = factories.make_episode(
        patient=factories.PatientFactory.create(service=service), pwp=pwp, service=service
    )
    second = factories.make_episode(
        patient=factories.PatientFactory.create(service=service), pwp=pwp, service=service
    )
    # The PWP added it for the second patient: it stays the PWP's (optional) addition.
    assignment_add(by=pwp, episode=second, module=addon, reason="Has diabetes")
    rules = EntryRules(Inclusion.MANDATORY, UnlockRule.FROM_START, None)

    shown = programme_change_preview(service=service, module=addon, after=rules)
    impact = programme_change_apply(
        by=service_admin, service=service, module=addon, after=rules, expected_count=shown.count
    )

    assert impact.changed == [first.pk]
    added = Assignment.objects.get(episode=first, module=addon)
    assert (added.mandatory, added.source, added.active) == (True, AssignmentSource.PROGRAMME, True)
    assert added.position == first.module_assignments.filter(active=True).count()
    assert Assignment.objects.get(episode=second, module=addon).mandatory is False


def test_the_patient_sees_the_module_as_optional(service, service_admin, module, patients):
    programme_change_apply(
        by=service_admin, service=service, module=module, after=_optional(), expected_count=1
    )
    programme = programme_for_episode(episode=patients["untouched"])
    assert SLUG in [item.slug for item in programme.optional_items]


def test_nothing_to_change_is_refused(service, service_admin, module, patients) -> None:
    entry = ProgrammeEntry.objects.get(module__slug=SLUG)
    same = EntryRules(Inclusion.MANDATORY, entry.unlock_rule, entry.unlock_session)
    with pytest.raises(ProgrammeRuleError, match="Nothing to change"):
        programme_change_apply(
            by=service_admin, service=service, module=module, after=same, expected_count=None
        )
