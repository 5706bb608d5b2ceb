from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone


class NotificationKind(models.TextChoices):
    MOOD_REMINDER = "mood_reminder", "Daily mood reminder"
    MODULE_NUDGE = "module_nudge", "Module nudge"
    APPOINTMENT_REMINDER = "appointment_reminder", "Appointment reminder"
    QUESTIONNAIRE_DUE = "questionnaire_due", "Questionnaire due"
    MESSAGE_RECEIVED = "message_received", "Message or feedback from your PWP"
    DIGEST = "digest", "Digest of several notifications"
    STAFF_ALERT = "staff_alert", "Alert to staff"
    SIGN_IN_LINK = "sign_in_link", "Sign-in link"


# The kinds a patient receives and controls: each counts against their budget, waits out their
# quiet hours and pause, and can be switched off. Staff alerts and sign-in links are never held.
PATIENT_KINDS: tuple[str, ...] = (
    NotificationKind.MOOD_REMINDER,
    NotificationKind.MODULE_NUDGE,
    NotificationKind.APPOINTMENT_REMINDER,
    NotificationKind.QUESTIONNAIRE_DUE,
    NotificationKind.MESSAGE_RECEIVED,
)
BUDGETED_KINDS: tuple[str, ...] = (*PATIENT_KINDS, NotificationKind.DIGEST)
UNBUDGETED_KINDS: tuple[str, ...] = (NotificationKind.STAFF_ALERT, NotificationKind.SIGN_IN_LINK)


class NotificationChannel(models.TextChoices):
    EMAIL = "email", "Email"
    IN_APP = "in_app", "In the app"
    SMS = "sms", "Text message"
    PUSH = "push", "Push notification"


class NotificationState(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    HELD = "held", "Held back by the patient's limits"
    QUEUED = "queued", "Within the patient's limits, about to be sent"
    SENDING = "sending", "Claimed by a dispatcher, being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed, will retry"
    DEAD = "dead", "Failed for good"
    WITHDRAWN = "withdrawn", "No longer needed"
    DIGESTED = "digested", "Sent as part of a digest"


# A staff alert is in the app from the moment it is queued, whatever its email does, so an
# email that is late, failing or dead never hides a risk flag from the person it is for.
STAFF_ALERT_IN_APP_STATES = (
    NotificationState.PENDING,
    NotificationState.QUEUED,
    NotificationState.SENDING,
    NotificationState.FAILED,
    NotificationState.DEAD,
)


def in_app_visible() -> Q:
    """The rows a recipient sees in the app: sent ones, and staff alerts whatever happened."""
    return Q(in_app=True) & (
        Q(state=NotificationState.SENT)
        | Q(kind=NotificationKind.STAFF_ALERT, state__in=STAFF_ALERT_IN_APP_STATES)
    )


class Notification(models.Model):
    """The outbox: one row per message we mean to send, committed with the change that causes it.

    ``key`` is unique in the database, so a retried sweep or a redelivered task can never create
    or send the same notification twice. The body holds no clinical content: a reminder says
    "you have something to look at", never what a patient answered.
    """

    key = models.CharField(max_length=200, unique=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # The patient the notification is about; for a staff alert this differs from the recipient.
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications_about",
    )
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    channel = models.CharField(
        max_length=10, choices=NotificationChannel.choices, default=NotificationChannel.EMAIL
    )
    state = models.CharField(
        max_length=10, choices=NotificationState.choices, default=NotificationState.PENDING
    )
    subject = models.CharField(max_length=200)
    body = models.TextField()
    link = models.CharField(max_length=300, blank=True)
    due_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # The recipient's local calendar day the notification belongs to (a daily reminder is for
    # one day only and expires with it).
    local_day = models.DateField(null=True, blank=True)
    # The recipient's local day on which the notification passed their limits: what the daily
    # and weekly budget count.
    budget_day = models.DateField(null=True, blank=True)
    # When a failed send may be tried again; the dispatcher never claims a row before this.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Several notifications due at once go out as one digest; each then points at it.
    digest_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="parts"
    )
    # Whether the notification also appears in the recipient's list in the app.
    in_app = models.BooleanField(default=True)
    # The provider's id for the message (GOV.UK Notify), to trace a delivery.
    provider_reference = models.CharField(max_length=100, blank=True)
    # When a dispatcher claimed the row (state "sending"); a claim older than
    # NOTIFICATIONS_CLAIM_TIMEOUT_SECONDS belongs to a dispatcher that died and is taken over.
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Dead because every attempt failed for a reason that may pass (not a refused address):
    # a staff alert in this state is tried again once its channel works again.
    retries_exhausted = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["state", "due_at"]),
            models.Index(fields=["recipient", "state"]),
            models.Index(fields=["recipient", "budget_day"], name="notification_budget_idx"),
            # The dispatcher's claim walks this index in due order and only ever sees the rows
            # it may claim, however many sent rows the table holds.
            models.Index(
                fields=["channel", "due_at", "id"],
                name="notification_claimable_idx",
                condition=models.Q(
                    state__in=["pending", "queued", "failed", "sending"],
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient_id} ({self.state})"


DEFAULT_REMINDER_TIME = datetime.time(19, 0)
DEFAULT_QUIET_START = datetime.time(21, 0)
DEFAULT_QUIET_END = datetime.time(8, 0)
DEFAULT_WEEKLY_MAX = 7
DEFAULT_DAILY_MAX = 1


class ServiceNotificationPolicy(models.Model):
    """A service's defaults and ceiling. A patient may choose fewer, later or none, never more."""

    service = models.OneToOneField(
        "care.Service", on_delete=models.CASCADE, related_name="notification_policy"
    )
    max_per_week = models.PositiveSmallIntegerField(
        default=DEFAULT_WEEKLY_MAX,
        validators=[MaxValueValidator(14)],
        help_text="The most messages a patient can get in seven days.",
    )
    max_per_day = models.PositiveSmallIntegerField(
        default=DEFAULT_DAILY_MAX,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        help_text="The most messages a patient can get in one day.",
    )
    quiet_start = models.TimeField(
        default=DEFAULT_QUIET_START, help_text="Nothing goes to patients from this time..."
    )
    quiet_end = models.TimeField(default=DEFAULT_QUIET_END, help_text="...until this time.")
    default_reminder_time = models.TimeField(default=DEFAULT_REMINDER_TIME)
    email_allowed = models.BooleanField(default=True)
    sms_allowed = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "notification policy"
        verbose_name_plural = "notification policies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_per_week__lte=14), name="policy_max_per_week_at_most_14"
            ),
            models.CheckConstraint(
                condition=models.Q(max_per_day__gte=1, max_per_day__lte=3),
                name="policy_max_per_day_1_to_3",
            ),
        ]

    def __str__(self) -> str:
        return f"Notification policy for service {self.service_id}"

    def clean(self) -> None:
        problem = caps_contradiction(max_per_day=self.max_per_day, max_per_week=self.max_per_week)
        if problem:
            raise ValidationError({"max_per_day": problem})


def caps_contradiction(*, max_per_day: int, max_per_week: int) -> str:
    """Why a daily and a weekly cap contradict each other, or "" when they do not."""
    if max_per_day > max_per_week:
        return (
            f"A patient cannot get {max_per_day} a day when the week allows only "
            f"{max_per_week}. Lower the daily cap to {max_per_week} or fewer, or raise the "
            "weekly cap."
        )
    return ""


class ContactChannel(models.TextChoices):
    EMAIL = "email", "By email"
    SMS = "sms", "By text message"
    PUSH = "push", "By a notification on my phone"
    NONE = "none", "Do not contact me, only show them in the app"


class NotificationPreference(models.Model):
    """What one patient has chosen. Without a row, the service's defaults apply."""

    patient = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    contact_by = models.CharField(
        max_length=10, choices=ContactChannel.choices, default=ContactChannel.EMAIL
    )
    in_app = models.BooleanField(default=True)
    reminder_time = models.TimeField(default=DEFAULT_REMINDER_TIME)
    quiet_start = models.TimeField(default=DEFAULT_QUIET_START)
    quiet_end = models.TimeField(default=DEFAULT_QUIET_END)
    weekly_max = models.PositiveSmallIntegerField(
        default=DEFAULT_WEEKLY_MAX, validators=[MaxValueValidator(14)]
    )
    paused_until = models.DateField(null=True, blank=True)
    # When the push service said the patient's last phone no longer takes push notifications
    # (404 or 410): messages go by email or text instead, and the navigator's queue says so.
    # Cleared when a phone subscribes again.
    push_lost_at = models.DateTimeField(null=True, blank=True)
    mood_reminder = models.BooleanField(default=True)
    module_nudge = models.BooleanField(default=True)
    appointment_reminder = models.BooleanField(default=True)
    questionnaire_due = models.BooleanField(default=True)
    message_received = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weekly_max__lte=14), name="preference_weekly_max_at_most_14"
            ),
            models.CheckConstraint(
                condition=models.Q(contact_by__in=[choice.value for choice in ContactChannel]),
                name="preference_contact_by_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Notification preferences of {self.patient_id}"


class PushSubscription(models.Model):
    """One browser or installed app that takes a patient's push notifications (Web Push).

    ``endpoint`` is the push service's address for that browser; ``p256dh`` and ``auth`` are
    the browser's keys that each message is encrypted to. Removed when the push service answers
    404 or 410 (the browser unsubscribed or the app was removed). A subscription made with an
    app's API token points at that device's token.
    """

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    device_token = models.ForeignKey(
        "accounts.DeviceToken",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="push_subscriptions",
    )
    # A short description such as "Chrome on Android", never the full user agent string.
    device = models.CharField(max_length=100, blank=True)
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["patient"], name="push_subscription_patient_idx")]

    def __str__(self) -> str:
        return f"Push to {self.device or 'a browser'} for {self.patient_id}"
