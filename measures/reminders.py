"""measures' reminder: "a questionnaire is ready", daily while one is due before the next
session, registered with notifications (README, "Notifications")."""

from __future__ import annotations

from measures.selectors import episodes_with_questionnaire_due
from notifications.models import NotificationKind
from notifications.registry import rule_register
from notifications.sources import EpisodeDueRule, Wording

rule_register(
    EpisodeDueRule(
        kind=NotificationKind.QUESTIONNAIRE_DUE,
        provider=episodes_with_questionnaire_due,
        wording=Wording(
            subject="A short questionnaire is ready for you",
            body="Your therapist would like you to fill in a short questionnaire.",
            url_name="measures:list",
        ),
    )
)
