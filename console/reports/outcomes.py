"""The outcomes report: NHS Talking Therapies measures for courses of treatment that ended.

The outcome of each episode comes from ``measures.outcomes`` (the versioned rules in
``measures/instruments``); this module only counts them, per PWP, with their denominators.
Four queries whatever the number of episodes (a test counts them at two sizes).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from django.db.models import Count

from care.models import Appointment, AppointmentStatus, Service
from console.reports.fidelity import episodes_ended_in
from console.reports.period import ReportPeriod
from console.reports.rows import RowKey, row_keys
from measures.definitions import OutcomeRules, outcome_rules
from measures.outcomes import outcome_from_pairs, score_pairs

# NHS Talking Therapies: a course of treatment is finished with at least two attended sessions.
FINISHED_COURSE_SESSIONS = 2


@dataclass
class OutcomeCounts:
    ended: int = 0
    finished: int = 0
    paired: int = 0
    case_at_start: int = 0
    recovery: int = 0
    reliable_improvement: int = 0
    reliable_deterioration: int = 0
    reliable_recovery: int = 0

    def add(self, other: OutcomeCounts) -> None:
        for counted in fields(self):
            setattr(self, counted.name, getattr(self, counted.name) + getattr(other, counted.name))


@dataclass(frozen=True)
class OutcomeRow:
    key: RowKey
    counts: OutcomeCounts


@dataclass(frozen=True)
class OutcomeReport:
    period: ReportPeriod
    rows: list[OutcomeRow]
    rules: OutcomeRules

    @property
    def total(self) -> OutcomeCounts:
        return self.rows[-1].counts


def outcome_report(*, service: Service, period: ReportPeriod) -> OutcomeReport:
    rules = outcome_rules()
    ended = episodes_ended_in(service=service, period=period)
    episodes = list(ended.order_by("pk").values_list("pk", "pwp_id"))
    attended = dict(
        Appointment.objects.filter(
            episode_id__in=ended.values("pk"), status=AppointmentStatus.ATTENDED
        )
        .order_by()
        .values("episode_id")
        .annotate(number=Count("pk"))
        .values_list("episode_id", "number")
    )
    pairs = score_pairs(
        episode_ids=ended.values("pk"),
        codes=[instrument.code for instrument in rules.instruments],
    )
    by_pwp: dict[int | None, OutcomeCounts] = {}
    for episode_id, pwp_id in episodes:
        counts = by_pwp.setdefault(pwp_id, OutcomeCounts())
        counts.ended += 1
        if attended.get(episode_id, 0) < FINISHED_COURSE_SESSIONS:
            continue
        counts.finished += 1
        outcome = outcome_from_pairs(
            episode_id=episode_id, pairs=pairs.get(episode_id, {}), rules=rules
        )
        if not outcome.paired:
            continue
        counts.paired += 1
        counts.case_at_start += bool(outcome.case_at_start)
        counts.reliable_improvement += bool(outcome.reliable_improvement)
        counts.reliable_deterioration += bool(outcome.reliable_deterioration)
        # Recovery and reliable recovery are counted only for those who were a case at the start.
        if outcome.case_at_start:
            counts.recovery += bool(outcome.recovery)
            counts.reliable_recovery += bool(outcome.reliable_recovery)
    rows: list[OutcomeRow] = []
    total = OutcomeCounts()
    for key in row_keys(service=service, pwp_ids_seen=by_pwp):
        if key.is_total:
            rows.append(OutcomeRow(key=key, counts=total))
            continue
        counts = by_pwp.get(key.pwp_id, OutcomeCounts())
        total.add(counts)
        rows.append(OutcomeRow(key=key, counts=counts))
    return OutcomeReport(period=period, rows=rows, rules=rules)
