from __future__ import annotations

from django.conf import settings
from django.db import models
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


class NotificationChannel(models.TextChoices):
    EMAIL = "email", "Email"
    IN_APP = "in_app", "In the app"
    SMS = "sms", "Text message"


class NotificationState(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    HELD = "held", "Held back by the patient's limits"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed, will retry"
    DEAD = "dead", "Failed for good"
    WITHDRAWN = "withdrawn", "No longer needed"


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

    class Meta:
        indexes = [
            models.Index(fields=["state", "due_at"]),
            models.Index(fields=["recipient", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient_id} ({self.state})"
