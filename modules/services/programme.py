"""A service admin changing the service's programme, and how far each change reaches.

One rule, stated here, on the console's programme page and in the README:

    A change reaches every patient in treatment whose module has not been started: it is
    changed for them at once. Started or finished work is never removed or changed. A module a
    PWP tailored for one patient (waived, or added by the PWP) keeps the PWP's choice. Patients
    who start from now on get the programme as it is then. The order of the programme applies
    to patients who start from now on; a patient in treatment keeps their order, which their
    PWP may have arranged with them.

Each change is previewed first (``programme_change_preview``) so the page can say how many
patients it will change before anything is saved; the write (``programme_change_apply``) counts
again under the locks and refuses when the number is no longer the one shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max, QuerySet
from django.http import HttpRequest

from care.models import Episode, EpisodeStatus, Service
from care.services import audit_event_record
from modules.models import (
    Assignment,
    AssignmentSource,
    Module,
    ProgrammeEntry,
    ProgrammeSettings,
    UnlockRule,
)
from modules.services.content import programme_default_create
from modules.services.errors import ProgrammeCountChanged, ProgrammeRuleError

if TYPE_CHECKING:
    from accounts.models import User


class Inclusion:
    """How a module sits in a service's programme, as the admin chooses it."""

    MANDATORY = "mandatory"
    OPTIONAL = "optional"
    OFFERED = "offered"

    CHOICES = (
        (MANDATORY, "Mandatory: every patient does it"),
        (OPTIONAL, "Optional: in every patient's programme, they choose whether to do it"),
        (OFFERED, "Offered: not in the programme, a PWP adds it when it fits the person"),
    )
    LABELS = dict(CHOICES)

    @staticmethod
    def of(entry: ProgrammeEntry) -> str:
        if entry.mandatory:
            return Inclusion.MANDATORY
        return Inclusion.OPTIONAL if entry.in_every_programme else Inclusion.OFFERED

    @staticmethod
    def flags(inclusion: str) -> tuple[bool, bool]:
        """(mandatory, in every programme) for an inclusion."""
        return {
            Inclusion.MANDATORY: (True, True),
            Inclusion.OPTIONAL: (False, True),
            Inclusion.OFFERED: (False, False),
        }[inclusion]


@dataclass(frozen=True)
class EntryRules:
    """What a programme entry says: inclusion and when the module opens."""

    inclusion: str
    unlock_rule: str
    unlock_session: int | None
    # Whether PWPs may waive this module (where the service lets them waive at all). It governs
    # waivers from now on and changes no patient's programme.
    waivable: bool = True

    def check(self) -> None:
        if self.inclusion not in Inclusion.LABELS:
            raise ProgrammeRuleError("Choose mandatory, optional or offered.")
        if self.unlock_rule not in UnlockRule.values:
            raise ProgrammeRuleError("Choose when the module opens.")
        if self.unlock_rule == UnlockRule.AFTER_SESSION:
            if self.unlock_session is None or self.unlock_session < 1:
                raise ProgrammeRuleError("Give the session after which the module opens.")
        elif self.unlock_session is not None:
            raise ProgrammeRuleError("A session number goes only with “after session N”.")

    def as_dict(self) -> dict[str, object]:
        return {
            "inclusion": self.inclusion,
            "unlock_rule": self.unlock_rule,
            "unlock_session": self.unlock_session,
            "waivable": self.waivable,
        }


@dataclass
class ProgrammeImpact:
    """What a change does to the patients in treatment, counted before and after saving."""

    # Episodes whose programme changes (one assignment each: a module is in a programme once).
    changed: list[int] = field(default_factory=list)
    # Episodes left as they are because the patient has started or finished the module.
    kept_started: int = 0
    # Episodes left as they are because their PWP waived the module or added it themselves.
    kept_tailored: int = 0
    # What happens to the changed ones, in words for the admin.
    effect: str = ""

    @property
    def count(self) -> int:
        return len(self.changed)


def _episodes_in_treatment(service: Service) -> QuerySet[Episode]:
    return Episode.objects.filter(service=service, status=EpisodeStatus.ACTIVE)


def _assignments(service: Service, module: Module) -> QuerySet[Assignment]:
    return Assignment.objects.filter(
        episode__service=service, episode__status=EpisodeStatus.ACTIVE, module=module
    )


def _untouched() -> dict[str, object]:
    """Assignments the rule may change: not started, not waived, from the programme."""
    return {
        "started_at__isnull": True,
        "completed_at__isnull": True,
        "waived_at__isnull": True,
        "source": AssignmentSource.PROGRAMME,
    }


def _impact(
    *, service: Service, module: Module, before: EntryRules | None, after: EntryRules | None
) -> ProgrammeImpact:
    """Who a change from ``before`` to ``after`` reaches (``None``: not in the programme)."""
    impact = ProgrammeImpact()
    rows = _assignments(service, module)
    was_in = before is not None and before.inclusion != Inclusion.OFFERED
    now_in = after is not None and after.inclusion != Inclusion.OFFERED
    active = rows.filter(active=True)
    impact.kept_started = active.filter(started_at__isnull=False).count()
    impact.kept_tailored = active.filter(started_at__isnull=True).exclude(**_untouched()).count()
    reachable = active.filter(**_untouched())
    if now_in and not was_in:
        # Added to every programme: to each patient who does not have it, or whose copy was
        # taken out by an earlier change of the programme (never one their PWP took out).
        having = rows.exclude(active=False, source=AssignmentSource.PROGRAMME, started_at=None)
        impact.changed = sorted(
            set(
                _episodes_in_treatment(service)
                .exclude(pk__in=having.values("episode_id"))
                .values_list("pk", flat=True)
            )
        )
        impact.kept_tailored = rows.filter(active=False, source=AssignmentSource.PWP).count()
        impact.effect = "added to their programme"
    elif was_in and not now_in:
        impact.changed = sorted(reachable.values_list("episode_id", flat=True))
        impact.effect = "taken out of their programme (nothing they have started)"
    elif before is not None and after is not None and now_in:
        differs = []
        if Inclusion.flags(after.inclusion)[0] != Inclusion.flags(before.inclusion)[0]:
            mandatory = Inclusion.flags(after.inclusion)[0]
            differs.append("made mandatory" if mandatory else "made optional")
        if (after.unlock_rule, after.unlock_session) != (before.unlock_rule, before.unlock_session):
            differs.append("opened by the new rule")
        if differs:
            impact.changed = sorted(reachable.values_list("episode_id", flat=True))
        impact.effect = " and ".join(differs)
    return impact


def _rules_of(entry: ProgrammeEntry | None) -> EntryRules | None:
    if entry is None:
        return None
    return EntryRules(
        Inclusion.of(entry), entry.unlock_rule, entry.unlock_session, entry.pwps_may_waive
    )


def programme_change_preview(
    *, service: Service, module: Module, after: EntryRules | None
) -> ProgrammeImpact:
    """How many patients in treatment a change would change, without changing anything.
    ``after`` is the module's new place in the programme; ``None`` takes it out."""
    if after is not None:
        after.check()
    entry = ProgrammeEntry.objects.filter(service=service, module=module).first()
    return _impact(service=service, module=module, before=_rules_of(entry), after=after)


def _apply_to_assignments(
    *, service: Service, module: Module, impact: ProgrammeImpact, after: EntryRules | None
) -> None:
    if not impact.changed:
        return
    rows = _assignments(service, module).filter(episode_id__in=impact.changed)
    if after is None or after.inclusion == Inclusion.OFFERED:
        rows.update(active=False)
        return
    mandatory, _everyone = Inclusion.flags(after.inclusion)
    existing = {row.episode_id: row for row in rows}
    ends = dict(
        Assignment.objects.filter(episode_id__in=impact.changed, active=True)
        .values("episode_id")
        .annotate(last=Max("position"))
        .values_list("episode_id", "last")
    )
    new = []
    for episode_id in impact.changed:
        row = existing.get(episode_id)
        if row is None:
            row = Assignment(
                episode_id=episode_id, module=module, source=AssignmentSource.PROGRAMME
            )
            new.append(row)
        if not row.active or row.pk is None:
            row.active = True
            row.position = (ends.get(episode_id) or 0) + 1
        row.mandatory = mandatory
        row.unlock_rule = after.unlock_rule
        row.unlock_session = after.unlock_session
    Assignment.objects.bulk_update(
        list(existing.values()),
        ["active", "position", "mandatory", "unlock_rule", "unlock_session"],
    )
    Assignment.objects.bulk_create(new)


# Length: locks, counts again, writes the entry, reaches the assignments and audits, in order.
@transaction.atomic
def programme_change_apply(
    *,
    by: User,
    service: Service,
    module: Module,
    after: EntryRules | None,
    expected_count: int | None,
    request: HttpRequest | None = None,
) -> ProgrammeImpact:
    """Change one module's place in the service's programme (``None`` retires it) and apply
    the change to the patients in treatment by the rule above.

    The episodes in treatment are locked first, in the order PWP tailoring locks them, so a PWP
    waiving the module at the same moment waits, and the count is taken again under the lock.
    When it differs from ``expected_count`` (the number the admin was shown) nothing is saved.
    """
    if after is not None:
        after.check()
    if module.latest_version_id is None:
        raise ProgrammeRuleError("That module is not ready to use yet.")
    programme_default_create(service=service)
    list(_episodes_in_treatment(service).select_for_update().order_by("pk").values_list("pk"))
    list(_assignments(service, module).select_for_update(of=("self",)).values_list("pk"))
    entry = (
        ProgrammeEntry.objects.select_for_update().filter(service=service, module=module).first()
    )
    before = _rules_of(entry)
    if before == after:
        raise ProgrammeRuleError("Nothing to change: the module is already set that way.")
    impact = _impact(service=service, module=module, before=before, after=after)
    if expected_count is not None and impact.count != expected_count:
        raise ProgrammeCountChanged(impact.count)
    if after is None:
        assert entry is not None
        entry.delete()
    else:
        mandatory, everyone = Inclusion.flags(after.inclusion)
        if entry is None:
            last = service.programme_entries.aggregate(last=Max("position"))["last"] or 0
            entry = ProgrammeEntry(service=service, module=module, position=last + 1)
        entry.mandatory, entry.in_every_programme = mandatory, everyone
        entry.unlock_rule, entry.unlock_session = after.unlock_rule, after.unlock_session
        entry.pwps_may_waive = after.waivable
        entry.save()
    _apply_to_assignments(service=service, module=module, impact=impact, after=after)
    audit_event_record(
        actor=by,
        action="modules.programme.change",
        target=service,
        request=request,
        detail={
            "module_id": module.pk,
            "before": before.as_dict() if before is not None else None,
            "after": after.as_dict() if after is not None else None,
            "episodes_changed": impact.changed,
            "kept_started": impact.kept_started,
            "kept_tailored": impact.kept_tailored,
        },
    )
    return impact


@transaction.atomic
def programme_entry_move(
    *, by: User, service: Service, entry_id: int, position: int, request: HttpRequest | None = None
) -> ProgrammeEntry:
    """Move a module to ``position`` (1 is first) in the service's programme. Patients in
    treatment keep their order; patients who start from now on get the new one."""
    entries = list(
        ProgrammeEntry.objects.select_for_update()
        .filter(service=service)
        .order_by("position", "pk")
    )
    moving = next((entry for entry in entries if entry.pk == entry_id), None)
    if moving is None:
        raise ProgrammeRuleError("That module is not in the programme.")
    if not 1 <= position <= len(entries):
        raise ProgrammeRuleError(f"Choose a place from 1 to {len(entries)}.")
    before = [entry.module_id for entry in entries]
    entries.remove(moving)
    entries.insert(position - 1, moving)
    for number, entry in enumerate(entries, start=1):
        entry.position = number
    ProgrammeEntry.objects.bulk_update(entries, ["position"])
    audit_event_record(
        actor=by,
        action="modules.programme.move",
        target=service,
        request=request,
        detail={"before": before, "after": [entry.module_id for entry in entries]},
    )
    return moving


@transaction.atomic
def programme_settings_update(
    *, by: User, service: Service, pwps_may_waive: bool, request: HttpRequest | None = None
) -> ProgrammeSettings:
    """Whether PWPs may waive mandatory modules from now on. Waivers already made stay."""
    settings, _created = ProgrammeSettings.objects.select_for_update().get_or_create(
        service=service
    )
    before = settings.pwps_may_waive
    settings.pwps_may_waive = pwps_may_waive
    settings.save(update_fields=["pwps_may_waive"])
    audit_event_record(
        actor=by,
        action="modules.programme.settings",
        target=settings,
        request=request,
        detail={"pwps_may_waive": [before, pwps_may_waive]},
    )
    return settings
