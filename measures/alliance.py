"""The alliance side by side: the patient's and the PWP's ratings per subscale.

Subscale scores are means on the 1 to 5 scale, so the bcbt alliance check and the WAI-SR can be
read against each other. A subscale is flagged when patient and PWP differ by at least the
service's gap threshold, or when the patient's rating has fallen by at least the fall threshold
since their previous rating. There are no bands: the alliance is never called weak or strong.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import F, QuerySet

from care.models import Episode
from measures.definitions import ALLIANCE_CHECK, ALLIANCE_CHECK_PWP, WAI_SR
from measures.models import MeasuresConfiguration, QuestionnaireResponse
from measures.selectors import configuration_for_service

PATIENT_ALLIANCE_CODES = (ALLIANCE_CHECK, WAI_SR)
PWP_ALLIANCE_CODES = (ALLIANCE_CHECK_PWP,)
SUBSCALE_ORDER = ("goal", "task", "bond", "online")
SUBSCALE_LABELS = {
    "goal": "Agreement on goals",
    "task": "Agreement on tasks",
    "bond": "Bond",
    "online": "Online part working",
}
# Float subscale means are rounded to two places; this absorbs the rounding.
TOLERANCE = 1e-9


@dataclass(frozen=True)
class AllianceRating:
    session_number: int | None
    submitted_at: datetime.datetime
    instrument_code: str
    subscales: dict[str, float]


@dataclass(frozen=True)
class SubscaleComparison:
    subscale: str
    patient: float | None
    pwp: float | None
    # Patient minus PWP: negative when the patient rates the alliance lower.
    gap: float | None
    gap_flagged: bool
    # The patient's change since their previous rating.
    patient_change: float | None
    fall_flagged: bool

    @property
    def label(self) -> str:
        return SUBSCALE_LABELS.get(self.subscale, self.subscale.title())

    @property
    def flagged(self) -> bool:
        return self.gap_flagged or self.fall_flagged


@dataclass(frozen=True)
class AllianceAdministration:
    session_number: int | None
    patient_rating: AllianceRating | None
    pwp_rating: AllianceRating | None
    subscales: tuple[SubscaleComparison, ...]

    @property
    def flagged(self) -> bool:
        return any(comparison.flagged for comparison in self.subscales)


# Length: pairs patient and PWP ratings per session and flags gaps and falls in one pass.
def alliance_compare(
    *,
    patient_ratings: Sequence[AllianceRating],
    pwp_ratings: Sequence[AllianceRating],
    gap_threshold: Decimal | float,
    fall_threshold: Decimal | float,
) -> list[AllianceAdministration]:
    """Pair ratings by session (the latest of each side per session) and flag gaps and falls.

    Pure: no database. Ratings without a session number pair with nothing but still count for
    the patient's falls.
    """
    gap_limit = float(gap_threshold)
    fall_limit = float(fall_threshold)

    def by_session(ratings: Sequence[AllianceRating]) -> dict[object, AllianceRating]:
        keyed: dict[object, AllianceRating] = {}
        for rating in sorted(ratings, key=lambda rating: rating.submitted_at):
            key: object = rating.session_number
            if key is None:
                key = ("unpaired", rating.submitted_at)
            keyed[key] = rating
        return keyed

    patient_by_session = by_session(patient_ratings)
    pwp_by_session = by_session(pwp_ratings)
    keys = set(patient_by_session) | set(pwp_by_session)

    def first_time(key: object) -> datetime.datetime:
        times = [
            rating.submitted_at
            for rating in (patient_by_session.get(key), pwp_by_session.get(key))
            if rating is not None
        ]
        return min(times)

    administrations: list[AllianceAdministration] = []
    previous_patient: AllianceRating | None = None
    for key in sorted(keys, key=first_time):
        patient = patient_by_session.get(key)
        pwp = pwp_by_session.get(key)
        names = [
            name
            for name in SUBSCALE_ORDER
            if (patient and name in patient.subscales) or (pwp and name in pwp.subscales)
        ]
        comparisons = []
        for name in names:
            patient_value = patient.subscales.get(name) if patient else None
            pwp_value = pwp.subscales.get(name) if pwp else None
            gap = (
                round(patient_value - pwp_value, 2)
                if patient_value is not None and pwp_value is not None
                else None
            )
            before = previous_patient.subscales.get(name) if previous_patient else None
            change = (
                round(patient_value - before, 2)
                if patient_value is not None and before is not None
                else None
            )
            comparisons.append(
                SubscaleComparison(
                    subscale=name,
                    patient=patient_value,
                    pwp=pwp_value,
                    gap=gap,
                    gap_flagged=gap is not None and abs(gap) >= gap_limit - TOLERANCE,
                    patient_change=change,
                    fall_flagged=change is not None and -change >= fall_limit - TOLERANCE,
                )
            )
        anchor = patient or pwp
        administrations.append(
            AllianceAdministration(
                session_number=anchor.session_number if anchor is not None else None,
                patient_rating=patient,
                pwp_rating=pwp,
                subscales=tuple(comparisons),
            )
        )
        if patient is not None:
            previous_patient = patient
    return administrations


def _rating(response: QuestionnaireResponse) -> AllianceRating:
    return AllianceRating(
        session_number=response.session_number,
        submitted_at=response.submitted_at,
        instrument_code=response.instrument_code,
        subscales={str(name): float(value) for name, value in response.subscales.items()},
    )


def alliance_for_episode(*, episode: Episode) -> list[AllianceAdministration]:
    """The episode's alliance ratings side by side. The caller has scoped the episode."""
    configuration = configuration_for_service(service=episode.service)
    responses = list(
        QuestionnaireResponse.objects.filter(
            episode=episode,
            instrument_code__in=PATIENT_ALLIANCE_CODES + PWP_ALLIANCE_CODES,
        ).order_by("submitted_at", "id")
    )
    return alliance_compare(
        patient_ratings=[
            _rating(response)
            for response in responses
            if response.instrument_code in PATIENT_ALLIANCE_CODES
        ],
        pwp_ratings=[
            _rating(response)
            for response in responses
            if response.instrument_code in PWP_ALLIANCE_CODES
        ],
        gap_threshold=configuration.alliance_gap_threshold,
        fall_threshold=configuration.alliance_fall_threshold,
    )


def episodes_with_alliance_gap(*, episode_ids: Iterable[int] | QuerySet[Any]) -> set[int]:
    """Episodes whose latest alliance rating shows a gap between patient and PWP, for a caseload
    the caller has scoped (ids, or a query of them sent as a subquery). Two queries whatever the
    number of episodes: the ratings, and the services' thresholds."""
    ratings: dict[int, tuple[list[AllianceRating], list[AllianceRating]]] = {}
    services: dict[int, int] = {}
    for response in (
        QuestionnaireResponse.objects.filter(
            episode_id__in=episode_ids,
            instrument_code__in=PATIENT_ALLIANCE_CODES + PWP_ALLIANCE_CODES,
        )
        .select_related(None)
        .only("episode_id", "session_number", "submitted_at", "instrument_code", "subscales")
        .annotate(service_id=F("episode__service_id"))
        .order_by("submitted_at", "id")
    ):
        assert response.episode_id is not None
        patient_side, pwp_side = ratings.setdefault(response.episode_id, ([], []))
        side = patient_side if response.instrument_code in PATIENT_ALLIANCE_CODES else pwp_side
        side.append(_rating(response))
        services[response.episode_id] = response.service_id
    configurations = {
        configuration.service_id: configuration
        for configuration in MeasuresConfiguration.objects.filter(
            service_id__in=set(services.values())
        )
    }
    gaps = set()
    for episode_id, (patient_side, pwp_side) in ratings.items():
        configuration = configurations.get(services[episode_id]) or MeasuresConfiguration()
        administrations = alliance_compare(
            patient_ratings=patient_side,
            pwp_ratings=pwp_side,
            gap_threshold=configuration.alliance_gap_threshold,
            fall_threshold=configuration.alliance_fall_threshold,
        )
        if administrations and any(part.gap_flagged for part in administrations[-1].subscales):
            gaps.add(episode_id)
    return gaps
