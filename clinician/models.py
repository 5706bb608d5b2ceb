from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from care.models import Appointment, Episode, Service


class Message(models.Model):
    """A secure message between a patient and their PWP, within one episode."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="messages_sent"
    )
    body = models.TextField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["episode", "read_at"])]

    def __str__(self) -> str:
        return f"Message {self.pk} in episode {self.episode_id}"


class PatientTopic(models.Model):
    """What the patient wants to talk about at their next session, in their own words."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="topics")
    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="topics")
    text = models.TextField(max_length=1000)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["appointment"], name="patient_topic_one_per_appointment"
            )
        ]

    def __str__(self) -> str:
        return f"Topics for {self.appointment}"


class BriefReview(models.Model):
    """The PWP read the pre-session brief before this appointment."""

    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="brief_reviews"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="brief_reviews"
    )
    reviewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "reviewed_by"], name="brief_review_once_per_pwp"
            )
        ]

    def __str__(self) -> str:
        return f"Brief for {self.appointment} reviewed"


class SessionGuide(models.Model):
    """A service's own version of what the PWP does before, during and after a session number.
    Sessions without a row use bcbt's defaults in ``clinician/content/session_guides.yaml``."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="session_guides")
    session_number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    before = models.TextField()
    during = models.TextField()
    after = models.TextField()

    class Meta:
        ordering = ["service", "session_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "session_number"], name="session_guide_unique_per_service"
            )
        ]

    def __str__(self) -> str:
        return f"Session {self.session_number}: {self.title}"


class SuggestionDismissal(models.Model):
    """The PWP dismissed an add-on suggestion (measures/suggestions.yaml) for this episode.

    Kept against the answers the suggestion rested on (``basis``, the latest response's id), so
    the suggestion comes back only when the questionnaire is answered again."""

    episode = models.ForeignKey(
        Episode, on_delete=models.CASCADE, related_name="suggestion_dismissals"
    )
    rule_code = models.CharField(max_length=60)
    basis = models.CharField(max_length=60)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="suggestion_dismissals"
    )
    dismissed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "rule_code", "basis"], name="suggestion_dismissed_once"
            )
        ]

    def __str__(self) -> str:
        return f"Suggestion {self.rule_code} dismissed"
