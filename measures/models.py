from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from care.models import Episode, Service

# The questionnaires a service may ask before every session.
SESSION_INSTRUMENT_CHOICES = ("phq9", "gad7", "wsas", "phobia")


class QuestionnaireResponse(models.Model):
    """One completed questionnaire, scored when it was submitted with the instrument version
    named here. ``respondent`` is the patient, or the PWP for the PWP's alliance rating."""

    # Answers belong to the patient's record and go with it (an episode protects its patient,
    # so in practice that means deleting the episode on purpose first). A member of staff with
    # ratings cannot be deleted on their own (RESTRICT), only together with those ratings.
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="questionnaire_responses"
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.RESTRICT,
        related_name="questionnaire_responses_given",
    )
    # Empty when a patient answers between episodes; the answers are kept all the same.
    episode = models.ForeignKey(
        Episode,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="questionnaire_responses",
    )
    instrument_code = models.CharField(max_length=30)
    instrument_version = models.CharField(max_length=20)
    answers = models.JSONField()
    total = models.PositiveSmallIntegerField()
    severity = models.CharField(max_length=60, blank=True)
    subscales = models.JSONField(default=dict, blank=True)
    flags = models.JSONField(default=list, blank=True)
    # The session the answers were given for: the episode's next session when they were sent.
    session_number = models.PositiveSmallIntegerField(null=True, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["submitted_at", "id"]
        indexes = [
            models.Index(fields=["episode", "instrument_code", "submitted_at"]),
            models.Index(fields=["patient", "instrument_code", "submitted_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_code} response {self.pk}"


class LicensedInstrumentText(models.Model):
    """Item wording a service is licensed to use, loaded by ``load_licensed_instrument``."""

    instrument_code = models.CharField(max_length=30)
    instrument_version = models.CharField(max_length=20)
    stem = models.TextField(blank=True)
    items = models.JSONField()
    # Answer labels by value, as strings: {"0": "Not at all", ...}; empty keeps the numbers.
    option_labels = models.JSONField(default=dict, blank=True)
    licence_note = models.TextField()
    source_sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(default=timezone.now)
    loaded_by = models.CharField(
        max_length=150, blank=True, help_text="Who ran the command, as they gave it."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["instrument_code", "instrument_version"],
                name="licensed_text_one_per_version",
            )
        ]
        verbose_name = "licensed instrument wording"
        verbose_name_plural = "licensed instrument wording"

    def __str__(self) -> str:
        return f"{self.instrument_code} v{self.instrument_version} wording"


def default_session_instruments() -> list[str]:
    return ["phq9", "gad7"]


def default_alliance_sessions() -> list[int]:
    return [3]


class AllianceInstrument(models.TextChoices):
    ALLIANCE_CHECK = "alliance-check", "bcbt alliance check (not a validated instrument)"
    WAI_SR = "wai-sr", "WAI-SR (needs licensed wording loaded)"


class MeasuresConfiguration(models.Model):
    """Which questionnaires a service asks when, and its thresholds for alliance and risk."""

    service = models.OneToOneField(
        Service, on_delete=models.CASCADE, related_name="measures_configuration"
    )
    session_instruments = models.JSONField(
        default=default_session_instruments,
        help_text="Questionnaires asked before every session: any of phq9, gad7, wsas, phobia.",
    )
    # The questionnaires asked before each session, by session number ({"1": ["phq9"], ...}),
    # set with the console's grid of checkboxes. A session it does not name (one added to the
    # plan later) gets ``session_instruments``.
    session_schedule = models.JSONField(
        default=dict,
        blank=True,
        help_text='Questionnaires by session number, e.g. {"1": ["phq9", "gad7"], "2": []}. '
        "Set it in the service console's grid; sessions not named get the list above.",
    )
    alliance_instrument = models.CharField(
        max_length=30, choices=AllianceInstrument.choices, default=AllianceInstrument.ALLIANCE_CHECK
    )
    alliance_sessions = models.JSONField(
        default=default_alliance_sessions,
        help_text="Session numbers before which the patient rates the alliance, e.g. [3].",
    )
    alliance_at_last_session = models.BooleanField(
        default=True, help_text="Also ask before the last session of the plan."
    )
    alliance_gap_threshold = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        help_text="Flag a subscale when patient and PWP differ by at least this (1 to 5 scale).",
    )
    alliance_fall_threshold = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        help_text="Flag a subscale when the patient's rating falls by at least this.",
    )
    risk_review_working_days = models.PositiveSmallIntegerField(
        default=1,
        help_text="Working days a PWP has to review a risk flag (from a questionnaire or the "
        "patient's own words) before it escalates to the duty queue. Counted in the service's "
        "working hours, on its working days, skipping its nation's bank holidays.",
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(risk_review_working_days__gte=1),
                name="measures_config_review_window_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(alliance_gap_threshold__gt=0)
                & models.Q(alliance_fall_threshold__gt=0),
                name="measures_config_alliance_thresholds_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"Questionnaire settings for {self.service}"

    def instruments_before(self, number: int) -> list[str]:
        """The questionnaires asked before session ``number``."""
        schedule = self.session_schedule or {}
        if str(number) in schedule:
            return list(schedule[str(number)])
        return list(self.session_instruments)

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        schedule = self.session_schedule
        if not isinstance(schedule, dict) or any(
            not str(number).isdigit()
            or int(number) < 1
            or not isinstance(codes, list)
            or any(code not in SESSION_INSTRUMENT_CHOICES for code in codes)
            for number, codes in schedule.items()
        ):
            errors["session_schedule"] = (
                'Session numbers, each with a list of questionnaire codes, such as {"1": ["phq9"]}.'
            )
        instruments = self.session_instruments
        if not isinstance(instruments, list) or any(
            code not in SESSION_INSTRUMENT_CHOICES for code in instruments
        ):
            errors["session_instruments"] = (
                f"A list of questionnaire codes from: {', '.join(SESSION_INSTRUMENT_CHOICES)}."
            )
        sessions = self.alliance_sessions
        if not isinstance(sessions, list) or any(
            isinstance(number, bool) or not isinstance(number, int) or number < 1
            for number in sessions
        ):
            errors["alliance_sessions"] = "A list of session numbers, such as [3, 6]."
        if errors:
            raise ValidationError(errors)
