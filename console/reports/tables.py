"""The columns of each report's tables, with their definitions: one place for the page's tables,
the words under them and the CSV download, so the three never disagree."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from console.reports.fidelity import FidelityCounts, FidelityReport
from console.reports.outcomes import OutcomeCounts, OutcomeReport
from console.reports.rows import rate


@dataclass(frozen=True)
class Column:
    header: str
    count: Callable[[Any], int]
    # The denominator when the column is also shown as a rate.
    out_of: Callable[[Any], int] | None = None

    def cell(self, counts: Any) -> str:
        value = self.count(counts)
        if self.out_of is None:
            return str(value)
        return f"{value} ({rate(value, self.out_of(counts))})"


@dataclass(frozen=True)
class Table:
    caption: str
    columns: tuple[Column, ...]
    definitions: tuple[str, ...]


def _c(header: str, name: str, out_of: str | None = None) -> Column:
    return Column(
        header=header,
        count=lambda counts: int(getattr(counts, name)),
        out_of=(lambda counts: int(getattr(counts, out_of))) if out_of else None,
    )


FIDELITY_TABLES: tuple[Table, ...] = (
    Table(
        caption="Sessions against the plan",
        columns=(
            _c("Planned", "sessions_planned"),
            _c("Attended", "sessions_attended", "sessions_planned"),
            _c("Did not attend", "sessions_did_not_attend", "sessions_planned"),
            _c("Cancelled", "sessions_cancelled", "sessions_planned"),
            _c("Not recorded yet", "sessions_not_recorded"),
            _c("Still to come", "sessions_to_come"),
        ),
        definitions=(
            "Planned: appointments booked from the service's session plan whose date falls in "
            "the period, whatever happened to them.",
            "Attended, did not attend, cancelled: what the PWP recorded for the appointment; "
            "the rate is out of the planned sessions.",
            "Not recorded yet: the time has passed and nobody has recorded what happened. "
            "Still to come: booked later than now.",
        ),
    ),
    Table(
        caption="Pre-session briefs",
        columns=(
            _c("Sessions attended", "sessions_attended"),
            _c("Brief opened before", "briefs_opened", "sessions_attended"),
            _c("Marked reviewed before", "briefs_reviewed", "sessions_attended"),
        ),
        definitions=(
            "Out of the attended sessions in the period.",
            "Opened before: a member of staff opened the patient's pre-session brief in the "
            "7 days before the session's start (each opening is in the audit trail).",
            'Marked reviewed before: the PWP pressed "Mark as reviewed" on the brief for this '
            "session before it started.",
        ),
    ),
    Table(
        caption="Programme: waivers and modules",
        columns=(
            _c("Mandatory modules waived", "waivers"),
            _c("Modules assigned", "modules_assigned"),
            _c("Modules completed", "modules_completed", "modules_assigned"),
            _c("Mandatory assigned", "mandatory_assigned"),
            _c("Mandatory completed", "mandatory_completed", "mandatory_assigned"),
        ),
        definitions=(
            "Mandatory modules waived: waivers a PWP recorded in the period and did not undo; "
            "each one's reason is listed below the table.",
            "Modules assigned and completed: for courses of treatment that ended in the period, "
            "the modules in the patient's programme (not waived, not taken out) and how many "
            "the patient finished.",
        ),
    ),
    Table(
        caption="Questionnaires and alliance",
        columns=(
            _c("Questionnaires due", "questionnaires_due"),
            _c("Completed", "questionnaires_completed", "questionnaires_due"),
            _c("Alliance sessions held", "alliance_due"),
            _c("Patient rated", "alliance_patient_rated", "alliance_due"),
            _c("PWP rated", "alliance_pwp_rated", "alliance_due"),
        ),
        definitions=(
            "Questionnaires due: for each session in the period that was attended or missed, "
            "each questionnaire the service asks before every session. Completed: the patient "
            "sent that questionnaire for that session.",
            "Alliance sessions held: attended sessions at which the service rates the alliance. "
            "Patient rated and PWP rated: each side's alliance rating given for that session.",
        ),
    ),
    Table(
        caption="Risk flags",
        columns=(
            _c("Raised", "flags_raised"),
            _c("Reviewed in time", "flags_reviewed_in_time", "flags_raised"),
            _c("Reviewed late", "flags_reviewed_late", "flags_raised"),
            _c("Overdue, not reviewed", "flags_overdue"),
            _c("Not reviewed, still in time", "flags_within_time"),
        ),
        definitions=(
            "Raised: risk flags raised in the period, counted for the PWP they went to (flags "
            "for patients with no PWP go to the duty queue).",
            "Reviewed in time: acknowledged or closed by a clinician before the review deadline, "
            "which is the service's number of working days after the flag was raised.",
        ),
    ),
)

OUTCOME_TABLES: tuple[Table, ...] = (
    Table(
        caption="Outcomes of courses of treatment that ended",
        columns=(
            _c("Ended", "ended"),
            _c("Finished a course", "finished", "ended"),
            _c("With paired scores", "paired", "finished"),
            _c("Case at start", "case_at_start", "paired"),
            _c("Recovery", "recovery", "case_at_start"),
            _c("Reliable improvement", "reliable_improvement", "paired"),
            _c("Reliable deterioration", "reliable_deterioration", "paired"),
            _c("Reliable recovery", "reliable_recovery", "case_at_start"),
        ),
        definitions=(
            "Ended: courses of treatment whose end date falls in the period, whatever the reason.",
            "Finished a course: ended after at least 2 attended sessions; the rate is out of "
            "those that ended.",
            "With paired scores: finished, with at least two PHQ-9 and two GAD-7 scores, so the "
            "first and last can be compared. The rates below are out of these, except recovery "
            "and reliable recovery.",
            "Case at start: the first PHQ-9 or GAD-7 score was at or above its caseness "
            "threshold. Recovery and reliable recovery are out of those who were a case at the "
            "start.",
            "Recovery: a case at the start, and below caseness on both measures at the end.",
            "Reliable improvement: a measure fell by its reliable-change amount or more and "
            "neither rose by it. Reliable deterioration: a measure rose by its reliable-change "
            "amount or more. Reliable recovery: both recovery and reliable improvement.",
        ),
    ),
)


def csv_header(tables: tuple[Table, ...]) -> list[str]:
    header = ["period", "pwp"]
    for table in tables:
        for column in table.columns:
            header.append(column.header)
            if column.out_of is not None:
                header.append(f"{column.header} (%)")
    return header


def csv_rows(
    *, tables: tuple[Table, ...], report: FidelityReport | OutcomeReport
) -> Iterator[list[str]]:
    for row in report.rows:
        counts: FidelityCounts | OutcomeCounts = row.counts
        line = [report.period.key, row.key.label]
        for table in tables:
            for column in table.columns:
                value = column.count(counts)
                line.append(str(value))
                if column.out_of is not None:
                    denominator = column.out_of(counts)
                    line.append(f"{100 * value / denominator:.1f}" if denominator else "")
        yield line
