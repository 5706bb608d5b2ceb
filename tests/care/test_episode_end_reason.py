"""Ending an episode records why, sets the status from the reason, and refuses bad dates."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from care.models import AuditEvent, EndReason, EpisodeStatus
from care.services import EpisodeChangeError, episode_end


@pytest.mark.parametrize(
    ("reason", "status"),
    [
        (EndReason.COMPLETED, EpisodeStatus.COMPLETED),
        (EndReason.DROPPED_OUT, EpisodeStatus.DROPPED_OUT),
        (EndReason.STEPPED_UP, EpisodeStatus.DISCHARGED),
        (EndReason.DECLINED, EpisodeStatus.DISCHARGED),
        (EndReason.MOVED_AWAY, EpisodeStatus.DISCHARGED),
    ],
)
def test_the_reason_sets_the_status_and_is_audited(episode, pwp, reason, status) -> None:
    today = timezone.localdate()
    episode_end(episode=episode, reason=reason, ended_on=today, by=pwp)

    episode.refresh_from_db()
    assert (episode.status, episode.end_reason, episode.ended_on) == (status, reason, today)
    event = AuditEvent.objects.get(action="episode.end")
    assert event.detail == {"status": status, "reason": reason}


def test_an_unknown_reason_is_refused(episode, pwp) -> None:
    with pytest.raises(EpisodeChangeError, match="Choose why"):
        episode_end(episode=episode, reason="bored", ended_on=timezone.localdate(), by=pwp)
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ACTIVE


def test_an_end_date_still_to_come_is_refused(episode, pwp) -> None:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(EpisodeChangeError, match="still to come"):
        episode_end(episode=episode, reason=EndReason.COMPLETED, ended_on=tomorrow, by=pwp)
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ACTIVE
