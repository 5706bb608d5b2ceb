"""Writes for questionnaires: answers (with any risk flag), alliance ratings, licensed wording."""

from __future__ import annotations

import datetime
import hashlib
import zoneinfo
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from care.models import AppointmentStatus, Episode, Service
from care.selectors import episode_active_for_patient
from care.services import audit_event_record
from measures import scoring
from measures.definitions import (
    ALLIANCE_CHECK_PWP,
    RESPONDENT_PATIENT,
    DefinitionError,
    Instrument,
    instrument_definition,
    shipped_instruments,
)
from measures.models import (
    SESSION_INSTRUMENT_CHOICES,
    LicensedInstrumentText,
    MeasuresConfiguration,
    QuestionnaireResponse,
)
from safety.review_window import review_due_at
from safety.services import risk_flag_raise


class UnknownInstrument(LookupError):
    """No questionnaire with that code can be answered this way; the view answers 404."""


def patient_instrument(code: str) -> Instrument:
    """A questionnaire a patient answers (not the PWP's alliance rating)."""
    instrument = shipped_instruments().get(code)
    if instrument is None or instrument.respondent != RESPONDENT_PATIENT:
        raise UnknownInstrument(code)
    return instrument


def session_number_for(*, episode: Episode, at: datetime.datetime) -> int | None:
    """The session answers given at ``at`` belong to: the first session from that day on, or
    the last session when all are behind. A PWP's rating on the afternoon of session 3 and the
    patient's the evening before both belong to session 3."""
    zone = zoneinfo.ZoneInfo(episode.service.time_zone)
    start_of_day = datetime.datetime.combine(
        at.astimezone(zone).date(), datetime.time(0, 0), tzinfo=zone
    )
    appointments = episode.appointments.exclude(status=AppointmentStatus.CANCELLED)
    upcoming = appointments.filter(scheduled_at__gte=start_of_day).order_by("number").first()
    if upcoming is not None:
        return upcoming.number
    last = appointments.order_by("-number").first()
    return last.number if last is not None else None


def _response_create(
    *,
    instrument: Instrument,
    patient: User,
    respondent: User,
    episode: Episode | None,
    answers: list[int | None],
    result: scoring.Score,
    now: datetime.datetime,
) -> QuestionnaireResponse:
    return QuestionnaireResponse.objects.create(
        patient=patient,
        respondent=respondent,
        episode=episode,
        instrument_code=instrument.code,
        instrument_version=instrument.version,
        answers=answers,
        total=result.total,
        severity=result.severity or "",
        subscales=result.subscales,
        flags=list(result.flags),
        session_number=session_number_for(episode=episode, at=now) if episode else None,
        submitted_at=now,
    )


class TreatmentEnded(Exception):
    """The patient's course of treatment has ended: bcbt no longer takes their answers."""

    def __init__(self) -> None:
        super().__init__(
            "Your course of treatment has ended, so bcbt no longer takes questionnaire answers "
            "and nobody would read them. If you need help now, call NHS 111 or Samaritans on "
            "116 123. In an emergency, call 999."
        )


def questionnaire_response_record(
    *,
    patient: User,
    instrument_code: str,
    answers: object,
    now: datetime.datetime | None = None,
    request: HttpRequest | None = None,
) -> QuestionnaireResponse:
    """Score and store a patient's answers. A flagged answer (PHQ-9 question 9 above 0) raises a
    risk flag and its alerts in the same transaction: all are kept, or none.

    Raises UnknownInstrument (404), scoring.AnswerError (400) and TreatmentEnded (409, the
    patient's last episode has ended) before anything is written. A patient not yet in
    treatment may still answer: their flags go to the service's duty queue.
    """
    instrument = patient_instrument(instrument_code)
    values = scoring.answers_validate(instrument, answers)
    result = scoring.score(instrument, values)
    now = now or timezone.now()
    with transaction.atomic():
        episode = episode_active_for_patient(patient=patient)
        if episode is None and Episode.objects.filter(patient=patient).exists():
            raise TreatmentEnded()
        service = episode.service if episode is not None else patient.service
        response = _response_create(
            instrument=instrument,
            patient=patient,
            respondent=patient,
            episode=episode,
            answers=values,
            result=result,
            now=now,
        )
        if result.risk_flag_codes:
            due_at = review_due_at(service=service, patient=patient, now=now)
            for code in result.risk_flag_codes:
                risk_flag_raise(
                    patient=patient,
                    episode=episode,
                    service=service,
                    source_response=response,
                    reason=code,
                    review_due_at=due_at,
                    now=now,
                )
    return response


def alliance_rating_record(
    *,
    pwp: User,
    episode: Episode,
    answers: object,
    now: datetime.datetime | None = None,
    request: HttpRequest | None = None,
) -> QuestionnaireResponse:
    """The PWP's side of the alliance for one of their episodes (the view has checked that)."""
    instrument = instrument_definition(ALLIANCE_CHECK_PWP)
    values = scoring.answers_validate(instrument, answers)
    result = scoring.score(instrument, values)
    now = now or timezone.now()
    with transaction.atomic():
        response = _response_create(
            instrument=instrument,
            patient=episode.patient,
            respondent=pwp,
            episode=episode,
            answers=values,
            result=result,
            now=now,
        )
        audit_event_record(
            actor=pwp,
            action="alliance.rate",
            patient=episode.patient,
            target=response,
            request=request,
        )
    return response


# Length: validates a service's licensed file field by field, each with its own message.
# Complexity: Each branch is one check of a service's licensed file with its own clear error
# message.
def licensed_instrument_load(  # noqa: C901
    *,
    code: str,
    data: Mapping[str, Any],
    source: bytes,
    loaded_by: str = "",
) -> LicensedInstrumentText:
    """Store the wording of a licensed instrument from a service's file.

    ``data`` holds ``items`` (a list of strings, or of {"text", "subscale"} to double-check the
    subscale mapping), optional ``stem``, optional ``options`` ({value: label}) and a required
    ``licence`` note saying under what licence the service uses the wording. Loading again
    replaces the wording for that version.
    """
    instrument = shipped_instruments().get(code)
    if instrument is None or not instrument.needs_licensed_text:
        loadable = sorted(
            known.code for known in shipped_instruments().values() if known.needs_licensed_text
        )
        raise DefinitionError(f"Wording can be loaded for {', '.join(loadable)} only, not {code}.")
    licence = str(data.get("licence") or "").strip()
    if not licence:
        raise DefinitionError("The file needs a 'licence' note: under what licence you use it.")
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise DefinitionError("The file needs 'items': a list with the wording of each item.")
    items: list[str] = []
    for number, raw in enumerate(raw_items, start=1):
        if isinstance(raw, Mapping):
            wording = str(raw.get("text") or "").strip()
            subscale = raw.get("subscale")
            if subscale is not None and number not in instrument.subscales.get(str(subscale), ()):
                raise DefinitionError(
                    f"Item {number} is in the {subscale} subscale in the file but not in "
                    f"bcbt's {instrument.short_name} scoring: check the item order."
                )
        else:
            wording = str(raw).strip()
        if not wording:
            raise DefinitionError(f"Item {number} has no wording.")
        items.append(wording)
    raw_options = data.get("options") or {}
    if not isinstance(raw_options, Mapping):
        raise DefinitionError("'options' must map each answer value to its label.")
    option_labels: dict[str, str] = {}
    for value, label in raw_options.items():
        if int(value) not in instrument.option_values:
            raise DefinitionError(f"Answer value {value} is not used by {instrument.short_name}.")
        option_labels[str(int(value))] = str(label)
    # Check the wording fits the structure before storing it.
    instrument.with_text(
        items=tuple(items),
        option_labels={int(value): label for value, label in option_labels.items()},
        stem=str(data.get("stem") or ""),
    )
    text, _ = LicensedInstrumentText.objects.update_or_create(
        instrument_code=code,
        instrument_version=instrument.version,
        defaults={
            "stem": str(data.get("stem") or ""),
            "items": items,
            "option_labels": option_labels,
            "licence_note": licence,
            "source_sha256": hashlib.sha256(source).hexdigest(),
            "loaded_at": timezone.now(),
            "loaded_by": loaded_by,
        },
    )
    return text


@transaction.atomic
def measures_schedule_update(
    *,
    service: Service,
    schedule: Mapping[int, list[str]],
    alliance_instrument: str,
    alliance_sessions: list[int],
    alliance_at_last_session: bool,
    alliance_gap_threshold: Decimal,
    by: User,
    request: HttpRequest | None = None,
) -> MeasuresConfiguration:
    """Which questionnaires are due before which session, when the alliance is rated and the gap
    that flags it. Raises ``ValidationError`` (by field) for values the service cannot use."""
    configuration, _created = MeasuresConfiguration.objects.select_for_update().get_or_create(
        service=service
    )
    before = {
        "session_schedule": configuration.session_schedule,
        "alliance_sessions": configuration.alliance_sessions,
    }
    configuration.session_schedule = {
        str(number): [code for code in SESSION_INSTRUMENT_CHOICES if code in codes]
        for number, codes in sorted(schedule.items())
    }
    configuration.alliance_instrument = alliance_instrument
    configuration.alliance_sessions = sorted(set(alliance_sessions))
    configuration.alliance_at_last_session = alliance_at_last_session
    configuration.alliance_gap_threshold = alliance_gap_threshold
    configuration.updated_at = timezone.now()
    configuration.full_clean(exclude=["service"])
    configuration.save()
    audit_event_record(
        actor=by,
        action="measures.configuration.update",
        target=configuration,
        request=request,
        detail={
            "before": before,
            "after": {
                "session_schedule": configuration.session_schedule,
                "alliance_sessions": configuration.alliance_sessions,
                "alliance_instrument": alliance_instrument,
                "alliance_at_last_session": alliance_at_last_session,
                "alliance_gap_threshold": str(alliance_gap_threshold),
            },
        },
    )
    return configuration
