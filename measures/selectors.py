"""Reads of questionnaire data, each scoped to what the person asking may see."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db.models import F, Max, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from care.models import Appointment, AppointmentStatus, Episode, Service
from care.selectors import appointment_next_among, episode_active_for_patient
from measures.definitions import (
    RESPONDENT_PATIENT,
    Instrument,
    instrument_definition,
    shipped_instruments,
)
from measures.models import LicensedInstrumentText, MeasuresConfiguration, QuestionnaireResponse
from safety.selectors import open_risk_flags_for_episodes

__all__ = [
    "DueQuestionnaire",
    "configuration_for_service",
    "instrument_for_use",
    "instruments_available",
    "latest_scores_for_episodes",
    "open_risk_flags_for_episodes",
    "patient_instruments_available",
    "questionnaire_response_get_for_patient",
    "questionnaire_responses_for_patient",
    "questionnaires_due_for_patient",
    "score_history_for_episode",
]

# The questionnaires whose scores a clinician tracks session by session.
SCORED_CODES = ("phq9", "gad7", "wsas", "phobia")


def configuration_for_service(*, service: Service | None) -> MeasuresConfiguration:
    """The service's settings, or the defaults (unsaved) when it has not changed any."""
    if service is None:
        return MeasuresConfiguration()
    configuration = MeasuresConfiguration.objects.filter(service=service).first()
    return configuration or MeasuresConfiguration(service=service)


def instruments_available(*, codes: Iterable[str]) -> dict[str, Instrument]:
    """The instruments among ``codes`` that can be shown to someone now, with their wording.

    An instrument whose wording comes from a licensed file is left out until the file is loaded.
    Unknown codes are left out. One query, whatever the number of codes.
    """
    wanted = [code for code in dict.fromkeys(codes) if code in shipped_instruments()]
    licensed_codes = [code for code in wanted if instrument_definition(code).needs_licensed_text]
    texts = {}
    if licensed_codes:
        texts = {
            (text.instrument_code, text.instrument_version): text
            for text in LicensedInstrumentText.objects.filter(instrument_code__in=licensed_codes)
        }
    available: dict[str, Instrument] = {}
    for code in wanted:
        instrument = instrument_definition(code)
        if instrument.needs_licensed_text:
            text = texts.get((code, instrument.version))
            if text is None:
                continue
            instrument = instrument.with_text(
                items=tuple(str(item) for item in text.items),
                option_labels={
                    int(value): str(label) for value, label in text.option_labels.items()
                },
                stem=text.stem,
            )
        available[code] = instrument
    return available


def instrument_for_use(*, code: str) -> Instrument | None:
    return instruments_available(codes=[code]).get(code)


def patient_instruments_available() -> dict[str, Instrument]:
    """Every questionnaire a patient may fill in now, in a stable order."""
    codes = [
        instrument.code
        for instrument in shipped_instruments().values()
        if instrument.respondent == RESPONDENT_PATIENT
    ]
    order = {"phq9": 0, "gad7": 1, "wsas": 2, "phobia": 3, "alliance-check": 4, "wai-sr": 5}
    codes.sort(key=lambda code: (order.get(code, 99), code))
    return instruments_available(codes=codes)


@dataclass(frozen=True)
class DueQuestionnaire:
    instrument: Instrument
    session_number: int
    session_at: datetime.datetime


def _due_before(
    *,
    episode: Episode,
    appointments: list[Appointment],
    next_session: Appointment,
    configuration: MeasuresConfiguration,
    zone: datetime.tzinfo,
) -> tuple[datetime.datetime, list[str]]:
    """What is due before ``next_session``: answers count from the session before it (or the
    start of the episode), and the codes are the service's per-session questionnaires plus the
    alliance at the sessions it chose. ``appointments`` are the episode's, cancelled left out,
    in number order."""
    earlier = [
        appointment
        for appointment in appointments
        if appointment.scheduled_at < next_session.scheduled_at
    ]
    window_start = (
        earlier[-1].scheduled_at
        if earlier
        else datetime.datetime.combine(episode.started_on, datetime.time(0, 0), tzinfo=zone)
    )
    codes = configuration.instruments_before(next_session.number)
    if next_session.number in configuration.alliance_sessions or (
        configuration.alliance_at_last_session and next_session.number == appointments[-1].number
    ):
        codes.append(configuration.alliance_instrument)
    return window_start, codes


def questionnaires_due_for_patient(
    *, patient: User, now: datetime.datetime | None = None
) -> list[DueQuestionnaire]:
    """What the patient is asked to fill in before their next session.

    The service's settings say which questionnaires come before every session, and before which
    sessions the alliance is rated. A questionnaire counts as done for a session when the patient
    sent one after the previous session (or the start of the episode). "Due" drives reminders and
    the pre-session brief; answers are accepted whenever they are sent.
    """
    now = now or timezone.now()
    episode = episode_active_for_patient(patient=patient)
    if episode is None:
        return []
    appointments = list(
        episode.appointments.exclude(status=AppointmentStatus.CANCELLED).order_by("number")
    )
    next_session = appointment_next_among(appointments, now=now)
    if next_session is None:
        return []
    window_start, codes = _due_before(
        episode=episode,
        appointments=appointments,
        next_session=next_session,
        configuration=configuration_for_service(service=episode.service),
        zone=patient.zone,
    )
    answered = set(
        QuestionnaireResponse.objects.filter(
            patient=patient,
            respondent=patient,
            instrument_code__in=codes,
            submitted_at__gt=window_start,
        ).values_list("instrument_code", flat=True)
    )
    available = instruments_available(codes=codes)
    return [
        DueQuestionnaire(
            instrument=available[code],
            session_number=next_session.number,
            session_at=next_session.scheduled_at,
        )
        for code in dict.fromkeys(codes)
        if code in available and code not in answered
    ]


def questionnaire_responses_for_patient(
    *,
    patient: User,
    instrument_code: str | None = None,
    since: datetime.datetime | None = None,
) -> QuerySet[QuestionnaireResponse]:
    """A patient's own answers, newest first (never the PWP's alliance ratings about them);
    ``since`` keeps those submitted at or after that moment."""
    responses = QuestionnaireResponse.objects.filter(patient=patient, respondent=patient)
    if instrument_code is not None:
        responses = responses.filter(instrument_code=instrument_code)
    if since is not None:
        responses = responses.filter(submitted_at__gte=since)
    return responses.order_by("-submitted_at", "-id")


def questionnaire_response_get_for_patient(
    *, patient: User, response_id: int
) -> QuestionnaireResponse:
    response = questionnaire_responses_for_patient(patient=patient).filter(pk=response_id).first()
    if response is None:
        raise Http404("No such questionnaire.")
    return response


def score_history_for_episode(*, episode: Episode) -> list[QuestionnaireResponse]:
    """The episode's PHQ-9, GAD-7 and WSAS scores, oldest first. The caller scoped the episode."""
    return list(
        QuestionnaireResponse.objects.filter(
            episode=episode, instrument_code__in=SCORED_CODES
        ).order_by("submitted_at", "id")
    )


@dataclass(frozen=True)
class LatestScore:
    code: str
    total: int
    severity: str
    submitted_at: datetime.datetime
    # The change since the score before it, or None for the first.
    change: int | None


def latest_scores_for_episodes(*, episode_ids: Iterable[int]) -> dict[int, dict[str, LatestScore]]:
    """The latest PHQ-9, GAD-7 and WSAS score of each episode (with the change since the one
    before), in one query, for a caseload the caller has already scoped."""
    ids = list(episode_ids)
    latest: dict[int, dict[str, LatestScore]] = {episode_id: {} for episode_id in ids}
    rows = (
        QuestionnaireResponse.objects.filter(episode_id__in=ids, instrument_code__in=SCORED_CODES)
        .order_by("episode_id", "instrument_code", "submitted_at", "id")
        .values_list("episode_id", "instrument_code", "total", "severity", "submitted_at")
    )
    for episode_id, code, total, severity, submitted_at in rows.iterator(chunk_size=2000):
        previous = latest[episode_id].get(code)
        latest[episode_id][code] = LatestScore(
            code=code,
            total=total,
            severity=severity,
            submitted_at=submitted_at,
            change=None if previous is None else total - previous.total,
        )
    return latest


def _episodes_with_a_session_soon(episode_days: Mapping[int, datetime.date]) -> list[int]:
    """Most of a sweep batch has no session in the next two days: one narrow query over the
    appointments keeps the rest of the work to the few who have (a day either side covers
    every time zone)."""
    if not episode_days:
        return []
    soonest = datetime.datetime.combine(
        min(episode_days.values()) - datetime.timedelta(days=1), datetime.time(0, 0), tzinfo=UTC
    )
    latest = datetime.datetime.combine(
        max(episode_days.values()) + datetime.timedelta(days=3), datetime.time(0, 0), tzinfo=UTC
    )
    return list(
        Appointment.objects.filter(
            episode_id__in=list(episode_days),
            status=AppointmentStatus.SCHEDULED,
            scheduled_at__gte=soonest,
            scheduled_at__lt=latest,
        )
        .order_by()
        .values_list("episode_id", flat=True)
        .distinct()
    )


# Length: one set-based query per instrument for a whole sweep batch, with the window rules
# beside it.
def episodes_with_questionnaire_due(*, episode_days: Mapping[int, datetime.date]) -> set[int]:
    """Notification rule provider (registered in measures/reminders.py): episodes whose next
    session is on the patient's local day or the day after and who have not yet answered
    everything due before it. Four queries for the whole batch."""
    ids = _episodes_with_a_session_soon(episode_days)
    if not ids:
        return set()
    episodes = {
        episode.pk: episode
        for episode in Episode.objects.filter(pk__in=ids).select_related("service", "patient")
    }
    appointments: dict[int, list[Appointment]] = {episode_id: [] for episode_id in ids}
    for appointment in (
        Appointment.objects.filter(episode_id__in=ids)
        .exclude(status=AppointmentStatus.CANCELLED)
        .order_by("episode_id", "number")
    ):
        appointments[appointment.episode_id].append(appointment)
    wanted: dict[int, tuple[datetime.datetime, set[str]]] = {}
    configurations: dict[int, MeasuresConfiguration] = {}
    for episode_id in ids:
        local_day = episode_days[episode_id]
        episode = episodes.get(episode_id)
        if episode is None:
            continue
        zone = episode.patient.zone
        upcoming = [
            appointment
            for appointment in appointments[episode_id]
            if appointment.status == AppointmentStatus.SCHEDULED
            and local_day
            <= appointment.scheduled_at.astimezone(zone).date()
            <= local_day + datetime.timedelta(days=1)
        ]
        if not upcoming:
            continue
        # One configuration per service, not per episode: the batch may hold thousands.
        if episode.service_id not in configurations:
            configurations[episode.service_id] = configuration_for_service(service=episode.service)
        window_start, codes = _due_before(
            episode=episode,
            appointments=appointments[episode_id],
            next_session=upcoming[0],
            configuration=configurations[episode.service_id],
            zone=zone,
        )
        wanted[episode_id] = (window_start, set(codes))
    if not wanted:
        return set()
    earliest = min(window_start for window_start, _ in wanted.values())
    answered: dict[int, set[str]] = {episode_id: set() for episode_id in wanted}
    for (
        episode_id,
        code,
        submitted_at,
        patient_id,
        respondent_id,
    ) in QuestionnaireResponse.objects.filter(
        episode_id__in=list(wanted), submitted_at__gt=earliest
    ).values_list("episode_id", "instrument_code", "submitted_at", "patient_id", "respondent_id"):
        if respondent_id == patient_id and submitted_at > wanted[episode_id][0]:
            answered[episode_id].add(code)
    return {episode_id for episode_id, (_, codes) in wanted.items() if codes - answered[episode_id]}


def questionnaire_responses_for_service(
    *, service: Service, since: datetime.datetime | None = None
) -> QuerySet[QuestionnaireResponse]:
    """Patients' own answers given in the service's episodes, oldest first, for the service's
    FHIR export (a management command: the caller is the operator, not a web user)."""
    responses = QuestionnaireResponse.objects.filter(
        episode__service=service, respondent_id=F("patient_id")
    )
    if since is not None:
        responses = responses.filter(submitted_at__gte=since)
    return responses.select_related("patient", "respondent").order_by("submitted_at", "id")


def latest_answer_at_for_episodes(
    *, episode_ids: Iterable[int] | QuerySet[Any]
) -> dict[int, datetime.datetime]:
    """When each episode's patient last answered a tracked questionnaire (PHQ-9, GAD-7, WSAS,
    phobia scales), in one query for a caseload the caller has scoped."""
    return dict(
        QuestionnaireResponse.objects.filter(
            episode_id__in=episode_ids,
            instrument_code__in=SCORED_CODES,
            respondent_id=F("patient_id"),
        )
        .values("episode_id")
        .annotate(latest=Max("submitted_at"))
        .order_by()
        .values_list("episode_id", "latest")
    )
