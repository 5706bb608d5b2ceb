"""The words of each message and its "stop these" links, built when it is sent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from django.urls import reverse

from notifications.models import PATIENT_KINDS, Notification, NotificationKind
from notifications.unsubscribe import absolute_url, unsubscribe_url

# How each kind is named in "Stop ..." links and on the settings page, in plain words.
KIND_PLURALS: dict[str, str] = {
    NotificationKind.MOOD_REMINDER: "daily reminders to rate your mood",
    NotificationKind.MODULE_NUDGE: "reminders about modules to do before a session",
    NotificationKind.APPOINTMENT_REMINDER: "reminders the day before a session",
    NotificationKind.QUESTIONNAIRE_DUE: "reminders when a questionnaire is ready",
    NotificationKind.MESSAGE_RECEIVED: "messages telling you your therapist has written to you",
}


@dataclass(frozen=True)
class StopLink:
    kind: str
    label: str
    url: str


@dataclass(frozen=True)
class OutgoingMessage:
    subject: str
    text: str
    sms_text: str
    link_url: str
    stop_links: list[StopLink] = field(default_factory=list)


def stop_links_for(*, patient_id: int, kinds: Sequence[str]) -> list[StopLink]:
    seen: list[str] = []
    for kind in kinds:
        if kind in PATIENT_KINDS and kind not in seen:
            seen.append(kind)
    return [
        StopLink(
            kind=kind,
            label=f"Stop {KIND_PLURALS[kind]}",
            url=unsubscribe_url(patient_id=patient_id, kind=kind),
        )
        for kind in seen
    ]


def compose(*, notification: Notification, parts: Sequence[Notification] = ()) -> OutgoingMessage:
    """The message for one outbox row; a digest lists its parts and a stop link for each kind."""
    link_url = absolute_url(notification.link or "/")
    kinds = [part.kind for part in parts] if parts else [notification.kind]
    stop_links = stop_links_for(patient_id=notification.recipient_id, kinds=kinds)
    lines = [notification.body, "", f"Open bcbt: {link_url}"]
    if stop_links:
        lines += ["", "---"]
        lines += [f"{stop.label}: {stop.url}" for stop in stop_links]
        settings_url = absolute_url(reverse("notifications:settings"))
        lines.append(f"Change all your notification settings: {settings_url}")
    sms_parts = [notification.body, link_url]
    sms_parts += [f"{stop.label}: {stop.url}" for stop in stop_links]
    return OutgoingMessage(
        subject=notification.subject,
        text="\n".join(lines),
        sms_text=" ".join(sms_parts),
        link_url=link_url,
        stop_links=stop_links,
    )


class _Titled(Protocol):
    subject: str


def digest_text(parts: Sequence[_Titled]) -> tuple[str, str]:
    """Subject and body of a digest that stands for several notifications."""
    subject = f"You have {len(parts)} things to look at"
    body = "\n".join(f"- {part.subject}" for part in parts)
    return subject, body
