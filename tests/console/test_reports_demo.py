"""seed_demo gives the reports two months of ended courses to show."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from care.models import AppointmentStatus, Episode, EpisodeStatus, Service
from console.reports.fidelity import fidelity_report
from console.reports.outcomes import outcome_report
from console.reports.period import ReportPeriod, month_period
from measures.models import QuestionnaireResponse
from treatment.demo import DEMO_SERVICE_SLUG


@pytest.mark.django_db
def test_the_demo_has_ended_courses_in_each_of_the_last_two_months() -> None:
    call_command("seed_demo", patients=6, days=10, seed=7)
    service = Service.objects.get(slug=DEMO_SERVICE_SLUG)
    ended = list(
        Episode.objects.filter(service=service).exclude(status=EpisodeStatus.ACTIVE).order_by("pk")
    )
    # Six patients in treatment give three ended courses (half, at least two).
    assert len(ended) == 3
    assert {episode.patient.username for episode in ended} == {
        "former001",
        "former002",
        "former003",
    }
    # The courses ended in the last two whole months before the (frozen) today.
    last_month = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    month_before = last_month.replace(day=1) - datetime.timedelta(days=1)
    assert {str(episode.ended_on)[:7] for episode in ended} == {
        last_month.strftime("%Y-%m"),
        month_before.strftime("%Y-%m"),
    }
    assert all(episode.end_reason for episode in ended)
    for episode in ended:
        statuses = set(episode.appointments.values_list("status", flat=True))
        assert AppointmentStatus.SCHEDULED not in statuses
        assert AppointmentStatus.ATTENDED in statuses
        codes = set(
            QuestionnaireResponse.objects.filter(episode=episode).values_list(
                "instrument_code", flat=True
            )
        )
        assert {"phq9", "gad7", "wsas"} <= codes

    latest = month_period(year=last_month.year, month=last_month.month, service=service)
    outcomes = outcome_report(service=service, period=latest)
    # former001 and former003: every other course, the last month first.
    assert outcomes.total.ended == 2
    assert outcomes.total.paired >= 1
    fidelity = fidelity_report(service=service, period=latest, now=timezone.now())
    assert fidelity.total.sessions_attended > 0
    # Which briefs were reviewed is drawn at random for each session (clinician/demo.py): over
    # the two months a quarter are not marked; one month alone may happen to have none.
    earlier = month_period(year=month_before.year, month=month_before.month, service=service)
    both_months = ReportPeriod(
        key="two-months", label="Two months", start=earlier.start, end=latest.end
    )
    fidelity = fidelity_report(service=service, period=both_months, now=timezone.now())
    assert fidelity.total.briefs_reviewed > 0


@pytest.mark.django_db
def test_the_demo_stays_the_same_for_a_seed_with_its_ended_courses() -> None:
    def snapshot() -> list[tuple[str, str, str, list[str]]]:
        return [
            (
                episode.patient.username,
                str(episode.ended_on),
                episode.end_reason,
                list(episode.appointments.order_by("number").values_list("status", flat=True)),
            )
            for episode in Episode.objects.exclude(status=EpisodeStatus.ACTIVE)
            .select_related("patient")
            .order_by("patient__username")
        ]

    call_command("seed_demo", patients=4, days=5, seed=11)
    first = snapshot()
    call_command("seed_demo", patients=4, days=5, seed=11, reset=True)
    assert snapshot() == first
    assert len(first) == 2
