"""The service's monthly data set extract: a CSV with one row per care contact (appointment) in
the month and one per course of treatment that ended in it, with the columns an NHS Talking
Therapies data set return needs from an internet-enabled therapy. Every column is described in
``docs/exports.md`` (keep the two in step).

The extract is written as a stream: two queries walk the month's rows in chunks (scores and
counts come as subqueries in the same query), so memory stays flat for any size of service.
"""

from __future__ import annotations

import csv
import datetime
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, IntegerField, Min, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from accounts.models import User
from care.models import Appointment, AppointmentStatus, Episode, Service
from care.services import audit_event_record
from measures.definitions import instrument_definition, outcome_rules
from measures.outcomes import outcome_from_annotations, score_pair_annotations

CHUNK_SIZE = 2000
CONTACT = "contact"
EPISODE_END = "episode_end"
# The measures whose first and last scores the extract carries, in column order.
DATASET_MEASURES = ("phq9", "gad7", "wsas")
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
# NHS Talking Therapies: a course of treatment is finished with at least two attended sessions.
FINISHED_COURSE_SESSIONS = 2
OUTCOME_FLAGS = (
    "case_at_start",
    "recovery",
    "reliable_improvement",
    "reliable_deterioration",
    "reliable_recovery",
)


def _measure_columns(code: str) -> list[str]:
    return [
        f"{code}_code_loinc",
        f"{code}_code_snomed",
        f"{code}_code_local",
        f"{code}_first",
        f"{code}_first_date",
        f"{code}_last",
        f"{code}_last_date",
    ]


COLUMNS: tuple[str, ...] = (
    "record_type",
    "service",
    "episode_id",
    "patient_id",
    "nhs_number",
    "referral_date",
    "treatment_start_date",
    "first_contact_date",
    "contact_date",
    "contact_time",
    "contact_number",
    "contact_kind",
    "contact_attendance",
    "end_date",
    "end_reason",
    "sessions_attended",
    "finished_course",
    *[column for code in DATASET_MEASURES for column in _measure_columns(code)],
    *OUTCOME_FLAGS,
    "outcome_rules_version",
)


@dataclass(frozen=True)
class DatasetMonth:
    service: Service
    year: int
    month: int

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.service.time_zone)

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)

    @property
    def next_first_day(self) -> datetime.date:
        if self.month == 12:
            return datetime.date(self.year + 1, 1, 1)
        return datetime.date(self.year, self.month + 1, 1)

    @property
    def start(self) -> datetime.datetime:
        return datetime.datetime.combine(self.first_day, datetime.time(0, 0), tzinfo=self.zone)

    @property
    def end(self) -> datetime.datetime:
        return datetime.datetime.combine(self.next_first_day, datetime.time(0, 0), tzinfo=self.zone)


def dataset_month_parse(*, service: Service, value: str) -> DatasetMonth:
    """``YYYY-MM`` into the month of the service; ValueError with a message otherwise."""
    try:
        day = datetime.date.fromisoformat(f"{value}-01")
    except ValueError:
        raise ValueError(
            f"{value!r} is not a month: write it as YYYY-MM, such as 2026-05."
        ) from None
    return DatasetMonth(service=service, year=day.year, month=day.month)


def _first_contact() -> Subquery:
    return Subquery(
        Appointment.objects.filter(
            episode_id=OuterRef("episode_id"), status=AppointmentStatus.ATTENDED
        )
        .order_by()
        .values("episode_id")
        .annotate(first=Min("scheduled_at"))
        .values("first")[:1]
    )


def _contacts(month: DatasetMonth) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(
            episode__service=month.service,
            scheduled_at__gte=month.start,
            scheduled_at__lt=month.end,
        )
        .select_related("episode", "episode__patient")
        .annotate(first_contact_at=_first_contact())
        .order_by("scheduled_at", "pk")
    )


def _ended_episodes(month: DatasetMonth) -> QuerySet[Episode]:
    first_contact = Subquery(
        Appointment.objects.filter(episode_id=OuterRef("pk"), status=AppointmentStatus.ATTENDED)
        .order_by()
        .values("episode_id")
        .annotate(first=Min("scheduled_at"))
        .values("first")[:1]
    )
    attended = Coalesce(
        Subquery(
            Appointment.objects.filter(episode_id=OuterRef("pk"), status=AppointmentStatus.ATTENDED)
            .order_by()
            .values("episode_id")
            .annotate(number=Count("pk"))
            .values("number")[:1],
            output_field=IntegerField(),
        ),
        0,
    )
    return (
        Episode.objects.filter(
            service=month.service,
            ended_on__gte=month.first_day,
            ended_on__lt=month.next_first_day,
        )
        .select_related("patient")
        .annotate(
            first_contact_at=first_contact,
            attended=attended,
            **score_pair_annotations(codes=DATASET_MEASURES),
        )
        .order_by("ended_on", "pk")
    )


def _local_date(moment: datetime.datetime | None, zone: zoneinfo.ZoneInfo) -> str:
    return moment.astimezone(zone).date().isoformat() if moment is not None else ""


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return "Y" if value else "N"


def _common(episode: Episode, month: DatasetMonth, first_contact_at: Any) -> dict[str, str]:
    patient: User = episode.patient
    return {
        "service": month.service.slug,
        "episode_id": str(episode.pk),
        "patient_id": str(patient.pk),
        "nhs_number": patient.nhs_number,
        "referral_date": _local_date(episode.created_at, month.zone),
        "treatment_start_date": episode.started_on.isoformat(),
        "first_contact_date": _local_date(first_contact_at, month.zone),
    }


def _codes(code: str) -> dict[str, str]:
    codings = instrument_definition(code).codes.total
    loinc = [coding.code for coding in codings if coding.system == LOINC]
    snomed = [coding.code for coding in codings if coding.system == SNOMED]
    local = [coding.code for coding in codings if coding.system not in (LOINC, SNOMED)]
    return {
        f"{code}_code_loinc": " ".join(loinc),
        f"{code}_code_snomed": " ".join(snomed),
        f"{code}_code_local": " ".join(local),
    }


def _contact_rows(month: DatasetMonth) -> Iterator[dict[str, str]]:
    appointment: Any
    for appointment in _contacts(month).iterator(chunk_size=CHUNK_SIZE):
        local = appointment.scheduled_at.astimezone(month.zone)
        yield {
            "record_type": CONTACT,
            **_common(appointment.episode, month, appointment.first_contact_at),
            "contact_date": local.date().isoformat(),
            "contact_time": local.strftime("%H:%M"),
            "contact_number": str(appointment.number),
            "contact_kind": appointment.kind,
            "contact_attendance": appointment.status,
        }


def _episode_rows(month: DatasetMonth) -> Iterator[dict[str, str]]:
    rules = outcome_rules()
    codes = {code: _codes(code) for code in DATASET_MEASURES}
    episode: Any
    for episode in _ended_episodes(month).iterator(chunk_size=CHUNK_SIZE):
        finished = episode.attended >= FINISHED_COURSE_SESSIONS
        outcome = outcome_from_annotations(episode, rules=rules)
        row = {
            "record_type": EPISODE_END,
            **_common(episode, month, episode.first_contact_at),
            "end_date": episode.ended_on.isoformat() if episode.ended_on else "",
            "end_reason": episode.end_reason,
            "sessions_attended": str(episode.attended),
            "finished_course": _yes_no(finished),
            "outcome_rules_version": rules.version,
        }
        for code in DATASET_MEASURES:
            key = code.replace("-", "_")
            row.update(codes[code])
            if getattr(episode, f"{key}_count"):
                row[f"{code}_first"] = str(getattr(episode, f"{key}_first"))
                row[f"{code}_first_date"] = _local_date(
                    getattr(episode, f"{key}_first_at"), month.zone
                )
                row[f"{code}_last"] = str(getattr(episode, f"{key}_last"))
                row[f"{code}_last_date"] = _local_date(
                    getattr(episode, f"{key}_last_at"), month.zone
                )
        for flag in OUTCOME_FLAGS:
            row[flag] = _yes_no(getattr(outcome, flag))
        yield row


class _Line:
    """A file-like object that hands back what csv.writer writes, one line at a time."""

    def write(self, value: str) -> str:
        return value


def dataset_lines(month: DatasetMonth) -> Iterator[str]:
    """The CSV, header first, as text lines: contacts in time order, then ended episodes."""
    writer = csv.DictWriter(_Line(), fieldnames=COLUMNS, restval="")
    yield writer.writeheader()
    for row in _contact_rows(month):
        yield writer.writerow(row)
    for row in _episode_rows(month):
        yield writer.writerow(row)


def dataset_export(
    *, month: DatasetMonth, actor: User | None, request: HttpRequest | None = None
) -> Iterator[str]:
    """Audit a bulk export of the month's patient data, then give its CSV lines.

    The audit event is written before the first line, with the number of rows of each kind and
    never a patient's data: whoever asked has the file from then on.
    """
    contacts = _contacts(month).count()
    episodes = _ended_episodes(month).count()
    audit_event_record(
        actor=actor,
        action="export.dataset",
        target=month.service,
        request=request,
        detail={"month": month.key, "contacts": contacts, "ended_episodes": episodes},
    )
    return dataset_lines(month)
