"""The PWP tailoring a patient's programme: each change recorded, undoable and audited.

Every change first locks the episode's row (``_episode_lock``), so two changes to one programme
(two PWPs waiving the same module in two tabs) run one after the other, and the second sees
what the first did and is refused."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from care.models import Episode
from care.services import audit_event_record
from modules.models import (
    Assignment,
    AssignmentChange,
    AssignmentSource,
    ChangeKind,
    Module,
    ProgrammeEntry,
    UnlockRule,
)
from modules.selectors import programme_settings_get

if TYPE_CHECKING:
    from accounts.models import User

from modules.services.errors import ProgrammeRuleError

# --- The PWP tailoring a programme ------------------------------------------------------


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ProgrammeRuleError("Please give a reason. The patient will see it.")
    return reason


def _active_in_order(episode: Episode) -> list[Assignment]:
    return list(
        Assignment.objects.select_for_update()
        .filter(episode=episode, active=True)
        .order_by("position", "pk")
    )


def _renumber(assignments: list[Assignment]) -> None:
    for position, assignment in enumerate(assignments, start=1):
        assignment.position = position
    Assignment.objects.bulk_update(assignments, ["position"])


def _record(
    *,
    by: User,
    assignment: Assignment,
    kind: str,
    reason: str,
    before: dict[str, Any],
    after: dict[str, Any],
    request: HttpRequest | None,
) -> AssignmentChange:
    change = AssignmentChange.objects.create(
        episode=assignment.episode,
        assignment=assignment,
        kind=kind,
        reason=reason,
        before=before,
        after=after,
        by=by,
    )
    audit_event_record(
        actor=by,
        action=f"modules.assignment.{kind}",
        patient=assignment.episode.patient,
        target=change,
        request=request,
        detail={"assignment_id": assignment.pk, "module_id": assignment.module_id},
    )
    return change


def _episode_lock(episode_id: int) -> Episode:
    """Lock the episode's row for the rest of the transaction and return it as it is now.

    Every tailoring change takes this lock first, so changes to one patient's programme queue
    behind each other instead of both reading "not waived yet" and both writing a change."""
    return (
        Episode.objects.select_for_update().select_related("service", "patient").get(pk=episode_id)
    )


def _assignment_locked(assignment: Assignment) -> Assignment:
    """The assignment as committed now, read after its episode's lock is held."""
    episode = _episode_lock(assignment.episode_id)
    fresh = Assignment.objects.get(pk=assignment.pk)
    fresh.episode = episode
    return fresh


def _check_episode_open(episode: Episode) -> None:
    if not episode.is_active:
        raise ProgrammeRuleError("This treatment has ended, so its programme cannot change.")


@transaction.atomic
def assignment_add(
    *,
    by: User,
    episode: Episode,
    module: Module,
    reason: str,
    request: HttpRequest | None = None,
) -> AssignmentChange:
    """Add an optional or add-on module to a patient's programme, at the end."""
    episode = _episode_lock(episode.pk)
    _check_episode_open(episode)
    reason = _reason(reason)
    if module.latest_version_id is None:
        raise ProgrammeRuleError("That module is not ready to use yet.")
    active = _active_in_order(episode)
    if any(assignment.module_id == module.pk for assignment in active):
        raise ProgrammeRuleError("That module is already in this patient's programme.")
    entry = ProgrammeEntry.objects.filter(service=episode.service, module=module).first()
    rule = entry.unlock_rule if entry is not None else UnlockRule.FROM_START
    session = entry.unlock_session if entry is not None else None
    assignment = Assignment.objects.filter(episode=episode, module=module).first()
    if assignment is None:
        assignment = Assignment.objects.create(
            episode=episode,
            module=module,
            mandatory=False,
            position=len(active) + 1,
            unlock_rule=rule,
            unlock_session=session,
            source=AssignmentSource.PWP,
        )
    else:
        # Added, taken out, and added again: the same row, so earlier answers come back.
        assignment.active = True
        assignment.position = len(active) + 1
        assignment.save(update_fields=["active", "position"])
    return _record(
        by=by,
        assignment=assignment,
        kind=ChangeKind.ADDED,
        reason=reason,
        before={"active": False},
        after={"active": True},
        request=request,
    )


@transaction.atomic
def assignment_move(
    *,
    by: User,
    assignment: Assignment,
    position: int,
    reason: str,
    request: HttpRequest | None = None,
) -> AssignmentChange:
    """Move a module to ``position`` (1 is first) in the patient's programme."""
    assignment = _assignment_locked(assignment)
    _check_episode_open(assignment.episode)
    reason = _reason(reason)
    active = _active_in_order(assignment.episode)
    if not any(item.pk == assignment.pk for item in active):
        raise ProgrammeRuleError("That module is not in this patient's programme.")
    if not 1 <= position <= len(active):
        raise ProgrammeRuleError(f"Choose a place from 1 to {len(active)}.")
    before = [item.pk for item in active]
    moving = next(item for item in active if item.pk == assignment.pk)
    if before.index(moving.pk) + 1 == position:
        raise ProgrammeRuleError("The module is already in that place.")
    active.remove(moving)
    active.insert(position - 1, moving)
    _renumber(active)
    return _record(
        by=by,
        assignment=assignment,
        kind=ChangeKind.MOVED,
        reason=reason,
        before={"order": before},
        after={"order": [item.pk for item in active], "position": position},
        request=request,
    )


@transaction.atomic
def assignment_aim_set(
    *,
    by: User,
    assignment: Assignment,
    session: int | None,
    reason: str,
    request: HttpRequest | None = None,
) -> AssignmentChange:
    """Set (or clear, with ``None``) the session by which the patient aims to finish a module."""
    assignment = _assignment_locked(assignment)
    _check_episode_open(assignment.episode)
    reason = _reason(reason)
    if not assignment.active:
        raise ProgrammeRuleError("That module is not in this patient's programme.")
    sessions = assignment.episode.appointments.count()
    if session is not None and not 1 <= session <= max(sessions, 1):
        raise ProgrammeRuleError(f"Choose a session from 1 to {sessions}.")
    if session is not None:
        target = assignment.episode.appointments.filter(number=session).first()
        if target is not None and target.scheduled_at < timezone.now():
            raise ProgrammeRuleError(
                f"Session {session} has already happened. Choose a session still to come."
            )
    if assignment.aim_session == session:
        raise ProgrammeRuleError("That is already the aim for this module.")
    before = {"aim_session": assignment.aim_session}
    assignment.aim_session = session
    assignment.save(update_fields=["aim_session"])
    return _record(
        by=by,
        assignment=assignment,
        kind=ChangeKind.AIM_SET,
        reason=reason,
        before=before,
        after={"aim_session": session},
        request=request,
    )


@transaction.atomic
def assignment_waive(
    *,
    by: User,
    assignment: Assignment,
    reason: str,
    request: HttpRequest | None = None,
) -> AssignmentChange:
    """Waive a mandatory module for this patient, where the service allows PWPs to."""
    assignment = _assignment_locked(assignment)
    episode = assignment.episode
    _check_episode_open(episode)
    if not programme_settings_get(service=episode.service).pwps_may_waive:
        raise ProgrammeRuleError(
            f"{episode.service.name} does not let PWPs waive mandatory modules. If this module "
            "does not fit, talk to your service admin or supervisor."
        )
    entry = ProgrammeEntry.objects.filter(
        service=episode.service, module_id=assignment.module_id
    ).first()
    if entry is not None and not entry.pwps_may_waive:
        raise ProgrammeRuleError(
            f"{episode.service.name} asks every patient to do this module, so it cannot be "
            "waived. If it does not fit, talk to your service admin or supervisor."
        )
    reason = _reason(reason)
    if not assignment.active or not assignment.mandatory:
        raise ProgrammeRuleError("Only a mandatory module in the programme can be waived.")
    if assignment.waived_at is not None:
        raise ProgrammeRuleError("That module is already waived.")
    if assignment.completed_at is not None:
        raise ProgrammeRuleError("The patient has already finished that module.")
    assignment.waived_at = timezone.now()
    assignment.save(update_fields=["waived_at"])
    return _record(
        by=by,
        assignment=assignment,
        kind=ChangeKind.WAIVED,
        reason=reason,
        before={"waived": False},
        after={"waived": True},
        request=request,
    )


@transaction.atomic
def assignment_change_undo(
    *, by: User, change: AssignmentChange, request: HttpRequest | None = None
) -> AssignmentChange:
    """Put back what a tailoring change altered, and record who undid it and when."""
    _episode_lock(change.episode_id)
    change = AssignmentChange.objects.select_for_update().get(pk=change.pk)
    if change.undone_at is not None:
        raise ProgrammeRuleError("That change has already been undone.")
    assignment = Assignment.objects.select_related("episode").get(pk=change.assignment_id)
    _check_episode_open(assignment.episode)
    if change.kind == ChangeKind.ADDED:
        assignment.active = False
        assignment.save(update_fields=["active"])
        _renumber(_active_in_order(assignment.episode))
    elif change.kind == ChangeKind.MOVED:
        earlier = {pk: index for index, pk in enumerate(change.before.get("order", []))}
        active = _active_in_order(assignment.episode)
        # Modules added since go after the ones that were there before, in their current order.
        active.sort(key=lambda item: (earlier.get(item.pk, len(earlier)), item.position))
        _renumber(active)
    elif change.kind == ChangeKind.AIM_SET:
        assignment.aim_session = change.before.get("aim_session")
        assignment.save(update_fields=["aim_session"])
    elif change.kind == ChangeKind.WAIVED:
        assignment.waived_at = None
        assignment.save(update_fields=["waived_at"])
    change.undone_at = timezone.now()
    change.undone_by = by
    change.save(update_fields=["undone_at", "undone_by"])
    audit_event_record(
        actor=by,
        action="modules.change.undo",
        patient=assignment.episode.patient,
        target=change,
        request=request,
        detail={"assignment_id": assignment.pk, "kind": change.kind},
    )
    return change
