"""Crisis signposting shown the moment a patient's answers or words raise a risk flag.

One source for the web page and the API response, so the two never say different things.
"""

from __future__ import annotations

from typing import Any

TITLE = "If you need help now"
NOT_MONITORED = (
    "This service is not monitored in real time. Your therapist will see your answers, but not "
    "straight away."
)
REVIEW = "We have asked a clinician to review your answers and contact you."
CONTACTS: tuple[dict[str, str], ...] = (
    {
        "name": "Emergency services",
        "phone": "999",
        "detail": "Call 999 or go to A&E if you have seriously hurt yourself or you feel you "
        "might act on thoughts of ending your life.",
        "url": "",
    },
    {
        "name": "NHS 111",
        "phone": "111",
        "detail": "Call 111, or go to 111.nhs.uk, for urgent help with your mental health.",
        "url": "https://111.nhs.uk/",
    },
    {
        "name": "Samaritans",
        "phone": "116 123",
        "detail": "Call Samaritans on 116 123. It is free and open day and night.",
        "url": "https://www.samaritans.org/",
    },
)


def crisis_signposting() -> dict[str, Any]:
    return {
        "title": TITLE,
        "monitored_in_real_time": False,
        "not_monitored": NOT_MONITORED,
        "review": REVIEW,
        "contacts": [dict(contact) for contact in CONTACTS],
    }
