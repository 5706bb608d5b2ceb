from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from notifications.messages import KIND_PLURALS
from notifications.models import (
    PATIENT_KINDS,
    ContactChannel,
    NotificationPreference,
    ServiceNotificationPolicy,
)
from notifications.preferences import push_configured, sms_available
from notifications.services import preference_problems

KIND_LABELS = {
    "mood_reminder": "A daily reminder to rate my mood (only if I have not rated it yet)",
    "module_nudge": "A reminder about modules to do before a session",
    "appointment_reminder": "A reminder the day before a session",
    "questionnaire_due": "A reminder when a questionnaire is ready",
    "message_received": "A message when my therapist has written to me",
}
assert set(KIND_LABELS) == set(PATIENT_KINDS) == set(KIND_PLURALS)


def weekly_choices(*, policy: ServiceNotificationPolicy, kept: int | None) -> list[tuple[int, str]]:
    """None, then 1 up to the service's cap. A patient's own choice above a cap the service has
    since lowered stays on the list, marked, so the page shows it and saving keeps it: the cap
    is applied as a ceiling by the budget, never written over the patient's choice."""
    weekly: list[tuple[int, str]] = [(0, "None at all")]
    weekly += [(number, f"{number} a week") for number in range(1, policy.max_per_week + 1)]
    if kept is not None and kept > policy.max_per_week:
        weekly.append(
            (kept, f"{kept} a week (your choice: your service sends at most {policy.max_per_week})")
        )
    return weekly


class NotificationPreferenceForm(forms.Form):
    contact_by = forms.ChoiceField(label="How should we contact you?", widget=forms.RadioSelect)
    in_app = forms.BooleanField(
        label="Also show everything in my list of notifications in the app", required=False
    )
    mood_reminder = forms.BooleanField(label=KIND_LABELS["mood_reminder"], required=False)
    module_nudge = forms.BooleanField(label=KIND_LABELS["module_nudge"], required=False)
    appointment_reminder = forms.BooleanField(
        label=KIND_LABELS["appointment_reminder"], required=False
    )
    questionnaire_due = forms.BooleanField(label=KIND_LABELS["questionnaire_due"], required=False)
    message_received = forms.BooleanField(label=KIND_LABELS["message_received"], required=False)
    reminder_time = forms.TimeField(
        label="What time of day should we send reminders?",
        help_text="Everything due that day comes together at this time, for example 19:00.",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    weekly_max = forms.TypedChoiceField(
        label="How many messages a week, at most?",
        coerce=int,
        help_text="Never more than one a day.",
    )
    quiet_start = forms.TimeField(
        label="Quiet hours start",
        help_text="We send nothing between these times, for example 21:00.",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    quiet_end = forms.TimeField(
        label="Quiet hours end",
        help_text="For example 08:00.",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    paused_until = forms.DateField(
        label="Pause everything until (for a holiday or a break)",
        help_text=(
            "We send nothing up to and including this date. Leave it empty for no pause. "
            "For example 2026-08-21."
        ),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(
        self,
        *args: Any,
        policy: ServiceNotificationPolicy,
        has_phone: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.policy = policy
        kept = self.initial.get("weekly_max")
        self.kept_weekly_max: int | None = kept if isinstance(kept, int) else None
        choices = []
        if policy.email_allowed:
            choices.append((ContactChannel.EMAIL.value, "By email"))
        if policy.sms_allowed and sms_available() and has_phone:
            choices.append((ContactChannel.SMS.value, "By text message"))
        if push_configured():
            choices.append(
                (ContactChannel.PUSH.value, "By a notification on my phone (needs the bcbt app)")
            )
        choices.append((ContactChannel.NONE.value, "Do not contact me. Only show them in the app"))
        self.fields["contact_by"].choices = choices  # type: ignore[attr-defined]
        self.fields["weekly_max"].choices = weekly_choices(  # type: ignore[attr-defined]
            policy=policy, kept=self.kept_weekly_max
        )
        if self.kept_weekly_max is not None and self.kept_weekly_max > policy.max_per_week:
            self.fields["weekly_max"].help_text = (
                f"Your service sends at most {policy.max_per_week} a week, so you get no more "
                f"than {policy.max_per_week} a week. Your own choice of "
                f"{self.kept_weekly_max} is kept in case the service raises its limit."
            )

    def clean_paused_until(self) -> datetime.date | None:
        value: datetime.date | None = self.cleaned_data.get("paused_until")
        # An old pause that has already ended may be saved again as it is; a new one must not
        # end in the past, or the patient would think reminders are paused when they are not.
        if (
            value is not None
            and value < timezone.localdate()
            and value != self.initial.get("paused_until")
        ):
            raise forms.ValidationError(
                "Choose today or a date in the future, or leave it empty for no pause."
            )
        return value

    def kind_fields(self) -> list[forms.BoundField]:
        return [self[kind] for kind in PATIENT_KINDS]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        draft = NotificationPreference(
            **{name: cleaned[name] for name in self.fields if name in cleaned}
        )
        problems = preference_problems(
            preference=draft, policy=self.policy, kept_weekly_max=self.kept_weekly_max
        )
        for name, message in problems.items():
            self.add_error(name, message)
        return cleaned
