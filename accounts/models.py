from __future__ import annotations

import datetime
import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a time zone name, for example Europe/London.")


class Role(models.TextChoices):
    PATIENT = "patient", "Patient"
    PWP = "pwp", "Psychological wellbeing practitioner"
    NAVIGATOR = "navigator", "Digital navigator"
    SERVICE_ADMIN = "service_admin", "Service admin"


class User(AbstractUser):
    """Everyone who signs in. The role field is the one place that says what someone may do."""

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PATIENT)
    time_zone = models.CharField(
        max_length=64, default="Europe/London", validators=[validate_time_zone]
    )
    phone_number = models.CharField(max_length=20, blank=True)
    # Staff belong to one service; a patient's service comes from their episode, but we keep
    # the service they are registered with so the duty queue can find them without an episode.
    service = models.ForeignKey(
        "care.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=[choice.value for choice in Role]),
                name="user_role_valid",
            )
        ]

    @property
    def is_patient(self) -> bool:
        return self.role == Role.PATIENT

    @property
    def is_pwp(self) -> bool:
        return self.role == Role.PWP

    @property
    def is_navigator(self) -> bool:
        return self.role == Role.NAVIGATOR

    @property
    def is_service_admin(self) -> bool:
        return self.role == Role.SERVICE_ADMIN

    @property
    def is_clinical_staff(self) -> bool:
        return self.role in (Role.PWP, Role.SERVICE_ADMIN)

    @property
    def display_name(self) -> str:
        full_name = self.get_full_name()
        return full_name or self.username

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def local_today(self) -> datetime.date:
        """Today's date where the user is, which is the day a mood rating belongs to."""
        return timezone.localdate(timezone=self.zone)


class DeviceToken(models.Model):
    """An API token for one device (a phone with the app). Only a hash of the key is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="device_tokens")
    name = models.CharField(max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.name or 'device'} for {self.user_id}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
