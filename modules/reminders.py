"""modules' reminder: the nudge before a session about a module not started yet, registered
with notifications (README, "Notifications")."""

from __future__ import annotations

from modules.selectors import episodes_with_modules_not_started
from notifications.models import NotificationKind
from notifications.registry import rule_register
from notifications.sources import EpisodeDueRule, Wording

rule_register(
    EpisodeDueRule(
        kind=NotificationKind.MODULE_NUDGE,
        provider=episodes_with_modules_not_started,
        wording=Wording(
            subject="A module to look at before your next session",
            body="You have a module to start before your session tomorrow.",
            url_name="modules:programme",
        ),
        only_before_a_session=True,
    )
)
