"""Risk flags: a patient's answer that a clinician must review.

The model moved here from care with a state-only migration: its table is still
``care_riskflag`` (and its history ``care_historicalriskflag``), so no row moved. The link to
the answers that raised it is by string (``"measures.QuestionnaireResponse"``): safety never
imports measures, which sits above it and calls ``risk_flag_raise``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class RiskFlagStatus(models.TextChoices):
    OPEN = "open", "Needs clinician review"
    # Someone said "I'm on it": escalation stops, the flag still needs a closing note.
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    CLOSED = "closed", "Reviewed and closed"


class RiskFlagRoute(models.TextChoices):
    PWP = "pwp", "The patient's PWP"
    DUTY_QUEUE = "duty_queue", "The service's duty queue"


class RiskFlagReason(models.TextChoices):
    # Deliberately no low/medium/high grade (NHS England guidance, 2025): a flag says only that a
    # clinician must review.
    NEEDS_CLINICIAN_REVIEW = "needs_clinician_review", "Needs clinician review"


class RiskFlagSourceKind(models.TextChoices):
    QUESTIONNAIRE = "questionnaire", "Questionnaire answer"
    MESSAGE = "message", "Message to the PWP"
    MOOD_NOTE = "mood_note", "Mood note"
    EXERCISE_ANSWER = "exercise_answer", "Exercise answer"
    SESSION_TOPIC = "session_topic", "Topic for the next session"


class RiskFlag(models.Model):
    """A patient's answer that a clinician must review, such as PHQ-9 question 9 above 0.

    Created in the same transaction as the answers that raised it. Closed only by a member of
    staff with a note of what was done; escalated to the duty queue when not reviewed by
    ``review_due_at``.
    """

    # Like appointments, a flag goes with its episode or patient when those are deleted on
    # purpose (the demo reset does); staff who reviewed flags cannot be deleted on their own.
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="risk_flags"
    )
    episode = models.ForeignKey(
        "care.Episode", null=True, blank=True, on_delete=models.CASCADE, related_name="risk_flags"
    )
    # Empty only for a patient registered with no service: their flags go to the superusers.
    service = models.ForeignKey(
        "care.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="risk_flags"
    )
    source_response = models.ForeignKey(
        "measures.QuestionnaireResponse",
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="risk_flags",
    )
    # What raised the flag; for free text, the safety phrase it matched (shown to clinicians only).
    source_kind = models.CharField(
        max_length=20, choices=RiskFlagSourceKind.choices, default=RiskFlagSourceKind.QUESTIONNAIRE
    )
    matched_phrase = models.CharField(max_length=200, blank=True)
    reason = models.CharField(
        max_length=40,
        choices=RiskFlagReason.choices,
        default=RiskFlagReason.NEEDS_CLINICIAN_REVIEW,
    )
    status = models.CharField(
        max_length=20, choices=RiskFlagStatus.choices, default=RiskFlagStatus.OPEN
    )
    route = models.CharField(max_length=20, choices=RiskFlagRoute.choices)
    # The PWP responsible when the flag was raised; empty when it went to the duty queue.
    pwp = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="risk_flags_assigned",
    )
    created_at = models.DateTimeField(default=timezone.now)
    review_due_at = models.DateTimeField()
    escalated_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="risk_flags_acknowledged",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="risk_flags_reviewed",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    # The closing note is clinical text: each saved version and who saved it is kept.
    history = HistoricalRecords(table_name="care_historicalriskflag")

    class Meta:
        # The table kept its name when the model moved here from care (a state-only move).
        db_table = "care_riskflag"
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[choice.value for choice in RiskFlagStatus]),
                name="risk_flag_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(route__in=[choice.value for choice in RiskFlagRoute]),
                name="risk_flag_route_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(route="pwp") | models.Q(pwp__isnull=False),
                name="risk_flag_pwp_route_has_pwp",
            ),
            # A flag is closed only by someone, at a time, with a note of what was done.
            models.CheckConstraint(
                condition=(
                    models.Q(
                        status__in=["open", "acknowledged"],
                        reviewed_by__isnull=True,
                        reviewed_at__isnull=True,
                    )
                    | (
                        models.Q(
                            status="closed", reviewed_by__isnull=False, reviewed_at__isnull=False
                        )
                        & ~models.Q(review_note="")
                    )
                ),
                name="risk_flag_closed_with_review_note",
            ),
            # Acknowledged says who is on it and since when; an open flag has no one yet, and a
            # closed one keeps whatever it had.
            models.CheckConstraint(
                condition=(
                    models.Q(
                        status__in=["open", "closed"],
                        acknowledged_by__isnull=True,
                        acknowledged_at__isnull=True,
                    )
                    | models.Q(
                        status__in=["acknowledged", "closed"],
                        acknowledged_by__isnull=False,
                        acknowledged_at__isnull=False,
                    )
                ),
                name="risk_flag_acknowledged_says_who_and_when",
            ),
            models.UniqueConstraint(
                fields=["source_response", "reason"],
                condition=models.Q(source_response__isnull=False),
                name="risk_flag_once_per_response",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "review_due_at"]),
            models.Index(fields=["pwp", "status"]),
            models.Index(fields=["service", "status"]),
            models.Index(fields=["episode", "status"]),
        ]

    def __str__(self) -> str:
        return f"Risk flag {self.pk} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        """Not yet closed: open or acknowledged."""
        return self.status != RiskFlagStatus.CLOSED
