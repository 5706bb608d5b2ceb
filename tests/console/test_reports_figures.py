"""The report figures against a fixture worked out by hand (tests/console/reports_fixture.py).

Each expected number below carries its arithmetic: which episode's sessions, answers, modules or
flags make it up. May 2026 in Europe/London; the clock is frozen in June, so every May session
is in the past.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from console.reports.fidelity import FidelityCounts, fidelity_report
from console.reports.outcomes import OutcomeCounts, outcome_report
from console.reports.period import month_period
from tests.console.reports_fixture import (
    in_june_2026,  # noqa: F401 - a fixture the tests use by name
    reports_fixture_build,
)
from tests.factories import PatientFactory, PwpFactory, ServiceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_june_2026")]


@pytest.fixture
def fixture():
    built = reports_fixture_build()
    # Another service's busy May must not show anywhere in this service's reports.
    reports_fixture_build(service=ServiceFactory.create())
    return built


def _by_label(report):
    return {row.key.label: row.counts for row in report.rows}


def test_fidelity_figures_match_the_hand_count(fixture) -> None:
    period = month_period(year=2026, month=5, service=fixture.service)
    report = fidelity_report(service=fixture.service, period=period, now=timezone.now())
    rows = _by_label(report)
    assert list(rows) == ["Ada Able", "Bea Baker", "No PWP (duty queue)", "Service total"]

    pwp_a = FidelityCounts(
        # Episode 1: 4 sessions in May; episode 2: sessions 3 and 4 (4 and 11 May). 4 + 2 = 6.
        sessions_planned=6,
        # Episode 1 sessions 1, 2, 4 (3) + episode 2 session 3 (1) = 4.
        sessions_attended=4,
        sessions_did_not_attend=1,  # episode 1 session 3
        sessions_cancelled=1,  # episode 2 session 4
        sessions_not_recorded=0,
        sessions_to_come=0,
        # Opened within 7 days before an attended session: episode 1 sessions 1 and 4 = 2.
        briefs_opened=2,
        # Reviewed before the start: episode 1 sessions 1 and 4 (session 2's came after) = 2.
        briefs_reviewed=2,
        waivers=1,  # episode 1's second module, 12 May
        # Ended in May: episode 1 has 2 not waived (both completed, one mandatory), episode 2
        # has 1 mandatory not completed. Assigned 2 + 1 = 3, completed 2 + 0 = 2.
        modules_assigned=3,
        modules_completed=2,
        mandatory_assigned=2,  # 1 + 1
        mandatory_completed=1,  # 1 + 0
        # Held or missed x 2 questionnaires: episode 1 4 sessions x 2 = 8, episode 2 1 x 2 = 2.
        questionnaires_due=10,
        # Episode 1: session 1 (2) + session 2 (1) + session 4 (2) = 5; episode 2: session 3
        # (4 May), PHQ-9 and GAD-7 = 2. 5 + 2 = 7.
        questionnaires_completed=7,
        # Alliance sessions 3 and 4 attended: episode 1 session 4, episode 2 session 3 = 2.
        alliance_due=2,
        alliance_patient_rated=1,  # episode 1 session 4
        alliance_pwp_rated=1,  # episode 2 session 3
        # May flags: the one raised 5 May, due 6 May, closed 7 May: late.
        flags_raised=1,
        flags_reviewed_in_time=0,
        flags_reviewed_late=1,
        flags_overdue=0,
        flags_within_time=0,
    )
    assert rows["Ada Able"] == pwp_a

    pwp_b = FidelityCounts(
        # Episode 3: sessions 1-3 in May (3); episode 4: sessions 2-4 (3). 3 + 3 = 6.
        sessions_planned=6,
        sessions_attended=1,  # episode 3 session 1
        sessions_did_not_attend=2,  # episode 3 session 3, episode 4 session 2
        sessions_cancelled=2,  # episode 4 sessions 3 and 4
        sessions_not_recorded=1,  # episode 3 session 2: past, nothing recorded
        sessions_to_come=0,  # episode 3 session 4 is in June
        briefs_opened=1,  # episode 3 session 1
        briefs_reviewed=1,  # episode 3 session 1
        waivers=0,
        modules_assigned=0,  # episode 4 had no modules; episode 3 has not ended
        modules_completed=0,
        mandatory_assigned=0,
        mandatory_completed=0,
        # Held or missed: episode 3 sessions 1 and 3, episode 4 session 2 = 3 x 2 = 6.
        questionnaires_due=6,
        questionnaires_completed=2,  # episode 3 session 1, PHQ-9 and GAD-7
        alliance_due=0,  # episode 3 session 3 was missed
        alliance_patient_rated=0,
        alliance_pwp_rated=0,
        flags_raised=1,  # episode 3, 12 May, due 13 May 10:00, acknowledged 09:00
        flags_reviewed_in_time=1,
        flags_reviewed_late=0,
        flags_overdue=0,
        flags_within_time=0,
    )
    assert rows["Bea Baker"] == pwp_b

    # The waiting patient's duty-queue flag: raised 20 May, due 21 May, never reviewed.
    assert rows["No PWP (duty queue)"] == FidelityCounts(flags_raised=1, flags_overdue=1)

    total = rows["Service total"]
    assert total.sessions_planned == 12  # 6 + 6
    assert total.sessions_attended == 5  # 4 + 1
    assert total.questionnaires_due == 16  # 10 + 6
    assert total.questionnaires_completed == 9  # 7 + 2
    assert total.flags_raised == 3  # 1 + 1 + 1
    assert [waiver.reason for waiver in report.waivers] == ["Covered together in session 2."]


def test_outcome_figures_match_the_hand_count(fixture) -> None:
    period = month_period(year=2026, month=5, service=fixture.service)
    rows = _by_label(outcome_report(service=fixture.service, period=period))

    # Episode 1: 3 attended (finished); PHQ-9 16 -> 7, GAD-7 12 -> 6: a case at the start
    # (16 >= 10), below both thresholds at the end (7 < 10, 6 < 8): recovery; falls of 9 (>= 6)
    # and 6 (>= 4) with no rise: reliable improvement, so reliable recovery.
    # Episode 2: 3 attended (finished); PHQ-9 8 -> 15, GAD-7 5 -> 10: not a case at the start
    # (8 < 10, 5 < 8); PHQ-9 rose 7 (>= 6): reliable deterioration.
    assert rows["Ada Able"] == OutcomeCounts(
        ended=2,
        finished=2,
        paired=2,
        case_at_start=1,
        recovery=1,
        reliable_improvement=1,
        reliable_deterioration=1,
        reliable_recovery=1,
    )
    # Episode 4 ended after 1 attended session: not a finished course. Episode 3 goes on.
    assert rows["Bea Baker"] == OutcomeCounts(ended=1)
    assert rows["Service total"] == OutcomeCounts(
        ended=3,
        finished=2,
        paired=2,
        case_at_start=1,
        recovery=1,
        reliable_improvement=1,
        reliable_deterioration=1,
        reliable_recovery=1,
    )


def test_april_has_no_endings_and_counts_aprils_sessions(fixture) -> None:
    period = month_period(year=2026, month=4, service=fixture.service)
    assert (
        _by_label(outcome_report(service=fixture.service, period=period))["Service total"]
        == OutcomeCounts()
    )
    fidelity = _by_label(
        fidelity_report(service=fixture.service, period=period, now=timezone.now())
    )
    # Episode 2 sessions 1 and 2 (20, 27 April) and episode 4 session 1 (27 April): all attended.
    assert fidelity["Service total"].sessions_planned == 3
    assert fidelity["Service total"].sessions_attended == 3


def test_a_pwp_with_nothing_to_count_still_has_a_row(fixture) -> None:
    PwpFactory.create(service=fixture.service, first_name="Cy", last_name="Cole")
    PatientFactory.create(service=fixture.service)
    period = month_period(year=2026, month=5, service=fixture.service)
    rows = _by_label(fidelity_report(service=fixture.service, period=period, now=timezone.now()))
    assert rows["Cy Cole"] == FidelityCounts()


def test_the_waiver_list_shows_the_most_recent_and_counts_them_all(fixture, monkeypatch) -> None:
    """ "All time" grows without end: the reasons listed are the most recent few, the counts
    stay whole, and the page says how many it left out."""
    from console.reports import fidelity
    from modules.models import AssignmentChange, ChangeKind

    first = AssignmentChange.objects.get(kind=ChangeKind.WAIVED, episode__service=fixture.service)
    for day, reason in ((14, "Second reason."), (16, "Third reason.")):
        AssignmentChange.objects.create(
            episode=first.episode,
            assignment=first.assignment,
            kind=ChangeKind.WAIVED,
            reason=reason,
            by=first.by,
            created_at=first.created_at.replace(day=day),
        )
    monkeypatch.setattr(fidelity, "WAIVERS_SHOWN", 2)
    period = month_period(year=2026, month=5, service=fixture.service)
    report = fidelity_report(service=fixture.service, period=period, now=timezone.now())
    assert [waiver.reason for waiver in report.waivers] == ["Third reason.", "Second reason."]
    assert report.waivers_total == 3
    assert _by_label(report)["Ada Able"].waivers == 3
