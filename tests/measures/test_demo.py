from __future__ import annotations

import pytest
from django.core.management import call_command

from care.models import Episode
from measures.alliance import alliance_for_episode
from measures.outcomes import episode_outcomes
from notifications.models import Notification
from safety.models import RiskFlag, RiskFlagStatus


@pytest.mark.django_db
def test_demo_shows_recovery_improvement_no_change_an_open_flag_and_an_alliance_gap() -> None:
    call_command("seed_demo", patients=6, days=14, seed=3)
    episodes = list(Episode.objects.select_related("patient", "pwp", "service").order_by("id"))
    outcomes = episode_outcomes(episode_ids=[episode.pk for episode in episodes])
    context_summaries = {outcomes[episode.pk].summary for episode in episodes}
    assert {"Recovery", "Reliable recovery", "Reliable improvement", "No reliable change"} <= (
        context_summaries
    )
    flag = RiskFlag.objects.get()
    assert flag.status == RiskFlagStatus.OPEN
    assert flag.patient.username == "patient"
    assert flag.pwp is not None
    assert flag.pwp.username == "pwp"
    assert Notification.objects.get(kind="staff_alert").recipient.username == "pwp"
    demo_patient = next(episode for episode in episodes if episode.patient.username == "patient")
    [administration] = alliance_for_episode(episode=demo_patient)
    flagged = [row.subscale for row in administration.subscales if row.gap_flagged]
    assert flagged == ["task"]
