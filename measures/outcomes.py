"""NHS Talking Therapies outcomes of an episode, from its first and last PHQ-9 and GAD-7 scores.

Definitions (thresholds from the instrument files, see ``measures/instruments/outcomes.yaml``):

- *case at start*: the first score of at least one measure is at or above its caseness threshold.
- *recovery*: a case at start, and the last scores are below caseness on every measure.
- *reliable improvement*: at least one measure falls by its reliable-change amount or more, and
  no measure rises by its reliable-change amount or more.
- *reliable deterioration*: at least one measure rises by its reliable-change amount or more.
- *reliable recovery*: both recovery and reliable improvement.

An outcome needs paired scores: at least two responses on every measure in the rules. Without
them every outcome is ``None`` ("not known yet"), never ``False``.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Window
from django.db.models.functions import Coalesce, FirstValue, RowNumber

from measures.definitions import OutcomeRules, outcome_rules
from measures.models import QuestionnaireResponse


@dataclass(frozen=True)
class EpisodeOutcome:
    episode_id: int
    rules_version: str
    first: dict[str, int]
    last: dict[str, int]
    paired: bool
    case_at_start: bool | None
    recovery: bool | None
    reliable_improvement: bool | None
    reliable_deterioration: bool | None
    reliable_recovery: bool | None

    @property
    def summary(self) -> str:
        """One plain phrase for tables and reports."""
        if not self.paired:
            return "Not enough scores yet"
        if self.reliable_deterioration:
            return "Reliable deterioration"
        if self.reliable_recovery:
            return "Reliable recovery"
        if self.recovery:
            return "Recovery"
        if self.reliable_improvement:
            return "Reliable improvement"
        return "No reliable change"


def outcome_compute(
    *,
    episode_id: int,
    first: Mapping[str, int],
    last: Mapping[str, int],
    counts: Mapping[str, int],
    rules: OutcomeRules | None = None,
) -> EpisodeOutcome:
    """The outcome from first and last totals by instrument code; pure, no database."""
    rules = rules or outcome_rules()
    codes = [instrument.code for instrument in rules.instruments]
    paired = all(counts.get(code, 0) >= 2 for code in codes)
    if not paired:
        return EpisodeOutcome(
            episode_id=episode_id,
            rules_version=rules.version,
            first=dict(first),
            last=dict(last),
            paired=False,
            case_at_start=None,
            recovery=None,
            reliable_improvement=None,
            reliable_deterioration=None,
            reliable_recovery=None,
        )
    case_at_start = any(
        first[instrument.code] >= int(instrument.caseness_at_least or 0)
        for instrument in rules.instruments
    )
    case_at_end = any(
        last[instrument.code] >= int(instrument.caseness_at_least or 0)
        for instrument in rules.instruments
    )
    changes = {
        instrument.code: (last[instrument.code] - first[instrument.code], instrument)
        for instrument in rules.instruments
    }
    improved = any(
        -change >= int(instrument.reliable_change or 0) for change, instrument in changes.values()
    )
    deteriorated = any(
        change >= int(instrument.reliable_change or 0) for change, instrument in changes.values()
    )
    recovery = case_at_start and not case_at_end
    reliable_improvement = improved and not deteriorated
    return EpisodeOutcome(
        episode_id=episode_id,
        rules_version=rules.version,
        first=dict(first),
        last=dict(last),
        paired=True,
        case_at_start=case_at_start,
        recovery=recovery,
        reliable_improvement=reliable_improvement,
        reliable_deterioration=deteriorated,
        reliable_recovery=recovery and reliable_improvement,
    )


def episode_outcomes(*, episode_ids: Iterable[int]) -> dict[int, EpisodeOutcome]:
    """Outcomes for many episodes in one query, for the PWP's page and for reports.

    Not permission-scoped: the caller passes episode ids it has already scoped (a PWP's caseload,
    a service admin's service).
    """
    rules = outcome_rules()
    codes = [instrument.code for instrument in rules.instruments]
    # A query of ids (a subquery, for a whole service) answers only for episodes with
    # responses; a list of ids answers for every one of them.
    scope = episode_ids if isinstance(episode_ids, QuerySet) else list(episode_ids)
    first: dict[int, dict[str, int]] = defaultdict(dict)
    last: dict[int, dict[str, int]] = defaultdict(dict)
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        QuestionnaireResponse.objects.filter(episode_id__in=scope, instrument_code__in=codes)
        .order_by("episode_id", "submitted_at", "id")
        .values_list("episode_id", "instrument_code", "total")
    )
    for episode_id, code, total in rows.iterator(chunk_size=2000):
        first[episode_id].setdefault(code, total)
        last[episode_id][code] = total
        counts[episode_id][code] = counts[episode_id].get(code, 0) + 1
    return {
        episode_id: outcome_compute(
            episode_id=episode_id,
            first=first[episode_id],
            last=last[episode_id],
            counts=counts[episode_id],
            rules=rules,
        )
        for episode_id in (scope if isinstance(scope, list) else list(first))
    }


def score_pair_annotations(*, codes: Iterable[str]) -> dict[str, Any]:
    """Annotations for an Episode query: each measure's first and last total, when they were
    given, and how many there were (``<code>_first``, ``<code>_first_at``, ``<code>_last``,
    ``<code>_last_at``, ``<code>_count``).

    Correlated subqueries on the (episode, instrument, submitted) index, so a report or an
    extract over a whole service reads its scores in the same single query as its episodes,
    however many there are.
    """
    annotations: dict[str, Any] = {}
    for code in codes:
        responses = QuestionnaireResponse.objects.filter(
            episode_id=OuterRef("pk"), instrument_code=code, respondent_id=OuterRef("patient_id")
        )
        first = responses.order_by("submitted_at", "id")
        last = responses.order_by("-submitted_at", "-id")
        key = code.replace("-", "_")
        annotations[f"{key}_first"] = Subquery(first.values("total")[:1])
        annotations[f"{key}_first_at"] = Subquery(first.values("submitted_at")[:1])
        annotations[f"{key}_last"] = Subquery(last.values("total")[:1])
        annotations[f"{key}_last_at"] = Subquery(last.values("submitted_at")[:1])
        annotations[f"{key}_count"] = Coalesce(
            Subquery(
                responses.order_by()
                .values("episode_id")
                .annotate(number=Count("pk"))
                .values("number")[:1]
            ),
            0,
        )
    return annotations


def outcome_from_annotations(episode: Any, *, rules: OutcomeRules | None = None) -> EpisodeOutcome:
    """The outcome of an episode read with ``score_pair_annotations`` for the rules' measures."""
    rules = rules or outcome_rules()
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    counts: dict[str, int] = {}
    for instrument in rules.instruments:
        key = instrument.code.replace("-", "_")
        count = getattr(episode, f"{key}_count") or 0
        counts[instrument.code] = count
        if count:
            first[instrument.code] = getattr(episode, f"{key}_first")
            last[instrument.code] = getattr(episode, f"{key}_last")
    return outcome_compute(
        episode_id=episode.pk, first=first, last=last, counts=counts, rules=rules
    )


@dataclass(frozen=True)
class ScorePair:
    """One measure's first and last totals in an episode, when they were given, and how many
    totals there were."""

    first: int
    last: int
    count: int
    # Only when asked for (``with_dates``): reading moments costs more than reading numbers.
    first_at: datetime.datetime | None = None
    last_at: datetime.datetime | None = None


def score_pairs(
    *,
    episode_ids: QuerySet[Any] | Iterable[int],
    codes: Iterable[str],
    with_dates: bool = False,
) -> dict[int, dict[str, ScorePair]]:
    """First and last scores per episode and measure for many episodes in one query.

    Window functions let the database pick the first and last of each (episode, measure) and
    return one row for each, so a whole service's history (hundreds of thousands of answers)
    comes back as one row per episode and measure. Not permission-scoped: the caller passes
    episodes it has already scoped. Only the patient's own answers count.
    """
    scope = episode_ids if isinstance(episode_ids, QuerySet) else list(episode_ids)
    partition = [F("episode_id"), F("instrument_code")]
    rows = (
        QuestionnaireResponse.objects.filter(
            episode_id__in=scope, instrument_code__in=list(codes), respondent_id=F("patient_id")
        )
        .annotate(
            position=Window(
                RowNumber(), partition_by=partition, order_by=[F("submitted_at"), F("id")]
            ),
            last_total=Window(
                FirstValue("total"),
                partition_by=partition,
                order_by=[F("submitted_at").desc(), F("id").desc()],
            ),
            last_at=Window(
                FirstValue("submitted_at"),
                partition_by=partition,
                order_by=[F("submitted_at").desc(), F("id").desc()],
            ),
            number=Window(Count("id"), partition_by=partition),
        )
        .filter(position=1)
    )
    pairs: dict[int, dict[str, ScorePair]] = defaultdict(dict)
    if with_dates:
        for episode_id, code, first, last, number, first_at, last_at in rows.values_list(
            "episode_id",
            "instrument_code",
            "total",
            "last_total",
            "number",
            "submitted_at",
            "last_at",
        ):
            pairs[episode_id][code] = ScorePair(
                first=first, last=last, count=number, first_at=first_at, last_at=last_at
            )
        return pairs
    for episode_id, code, first, last, number in rows.values_list(
        "episode_id", "instrument_code", "total", "last_total", "number"
    ):
        pairs[episode_id][code] = ScorePair(first=first, last=last, count=number)
    return pairs


def outcome_from_pairs(
    *, episode_id: int, pairs: Mapping[str, ScorePair], rules: OutcomeRules
) -> EpisodeOutcome:
    """The outcome of an episode from its ``score_pairs``, by the versioned rules."""
    return outcome_compute(
        episode_id=episode_id,
        first={code: pair.first for code, pair in pairs.items()},
        last={code: pair.last for code, pair in pairs.items()},
        counts={code: pair.count for code, pair in pairs.items()},
        rules=rules,
    )
