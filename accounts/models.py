from __future__ import annotations

import datetime
import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from accounts.nhs_number import validate_nhs_number


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
    # Optional: known for a patient once the service has it; exported as the FHIR identifier.
    nhs_number = models.CharField(
        "NHS number", max_length=10, blank=True, validators=[validate_nhs_number]
    )
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
            ),
            # The Modulus 11 check lives in the validator; the database holds the shape and
            # that one number belongs to one person.
            models.CheckConstraint(
                condition=models.Q(nhs_number="") | models.Q(nhs_number__regex=r"^[0-9]{10}$"),
                name="user_nhs_number_ten_digits",
            ),
            models.UniqueConstraint(
                fields=["nhs_number"],
                condition=~models.Q(nhs_number=""),
                name="user_nhs_number_unique",
            ),
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
    """One signed-in device (a phone with the app) and its short-lived access token. Only a
    hash of the key is stored. The device stays signed in through its rotating refresh token
    (:class:`RefreshToken`) until ``refresh_expires_at``; refreshing replaces the access key in
    this row, so the token check stays one indexed lookup."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="device_tokens")
    name = models.CharField(max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The sign-in that issued it gave a second factor (TOTP or recovery code). Tokens from
    # before this field existed are False, so staff tokens issued without one stop working.
    second_factor_verified = models.BooleanField(default=False)
    # Until when the device's current refresh token can get a new access token; empty for
    # tokens issued before refresh tokens existed (they last until ``expires_at``).
    refresh_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.name or 'device'} for {self.user_id}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class RefreshToken(models.Model):
    """A device's refresh token, stored hashed. Each is spent by one refresh, which issues the
    next; a spent one sent again means the token was copied, so the whole device is signed out
    (OAuth 2.0 Security BCP, refresh token rotation). Spent rows are kept until they expire so
    that such a reuse is recognised."""

    device = models.ForeignKey(DeviceToken, on_delete=models.CASCADE, related_name="refresh_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    spent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"refresh token for device {self.device_id}"


class AppSignInCode(models.Model):
    """A sign-in code emailed to a person who signs in to the app without a password
    (``POST /api/v1/auth/code/``). Only a keyed hash of the code is stored; it works once, for
    ``ACCOUNT_LOGIN_BY_CODE_TIMEOUT`` seconds and ``ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS`` tries,
    as the code the web sign-in page sends."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="app_sign_in_codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "expires_at"])]

    def __str__(self) -> str:
        return f"app sign-in code for {self.user_id}"


class UserSession(models.Model):
    """One browser session of a signed-in person, so they can see where they are signed in and
    sign any of those places out. Written by ``SessionLimitsMiddleware``, never by a signal."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="browser_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    # A short description such as "Chrome on Android", never the full user agent string.
    device = models.CharField(max_length=100, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "last_seen_at"])]

    def __str__(self) -> str:
        return f"{self.device or 'browser'} for {self.user_id}"


class SignInLink(models.Model):
    """A single-use sign-in link a navigator (or the welcome email) sends to a patient. Only a
    hash of the secret part of the link is stored, so a copy of the database cannot be used to
    sign anybody in."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sign_in_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The support request the link answers, which closes when the patient uses it.
    support_request = models.ForeignKey(
        "accounts.SupportRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sign_in_links",
    )
    # Sent by the service when it registered the patient (the welcome email), not by support.
    welcome = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="sign_in_link_expires_after_creation",
            )
        ]

    def __str__(self) -> str:
        return f"sign-in link for {self.user_id}"


class SupportKind(models.TextChoices):
    SIGN_IN_HELP = "sign_in_help", "Asked for help signing in"
    LOCKOUT = "lockout", "Locked out"
    NOTIFICATIONS_FAILING = "notifications_failing", "Messages not getting through"
    INACTIVE = "inactive", "No activity lately"
    GETTING_STARTED = "getting_started", "Not finished getting started"
    # A sign-in code, reset or sign-in link the email provider refused (technical detail only).
    SIGN_IN_EMAIL_FAILED = "sign_in_email_failed", "Sign-in email could not be sent"


class SupportStatus(models.TextChoices):
    OPEN = "open", "Open"
    PICKED_UP = "picked_up", "Picked up"
    CLOSED = "closed", "Closed"


class SupportProblem(models.TextChoices):
    FORGOTTEN_PASSWORD = "forgotten_password", "I have forgotten my password"
    LOCKED_OUT = "locked_out", "Sign-in is paused after too many tries"
    NO_EMAIL = "no_email", "I did not get an email or code from you"
    OTHER = "other", "Something else"


# Items the queue finds by itself, one open at a time per patient; help requests may repeat.
DETECTED_KINDS = (
    SupportKind.LOCKOUT,
    SupportKind.NOTIFICATIONS_FAILING,
    SupportKind.INACTIVE,
    SupportKind.GETTING_STARTED,
)


class SupportRequest(models.Model):
    """One item in the digital navigator's queue: a person's own request for sign-in help, or a
    problem the queue found (a lockout, failing messages, no activity, not started).

    Holds contact and technical facts only. ``message`` is what the person typed on the public
    help form, which tells them not to write about their health.
    """

    kind = models.CharField(max_length=30, choices=SupportKind.choices)
    status = models.CharField(
        max_length=20, choices=SupportStatus.choices, default=SupportStatus.OPEN
    )
    # Null for a help request that matched nobody: every navigator sees those.
    service = models.ForeignKey(
        "care.Service",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="support_requests",
    )
    patient = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="support_requests"
    )
    contact_name = models.CharField(max_length=100, blank=True)
    contact = models.CharField(max_length=254, blank=True)
    phone_number = models.CharField(max_length=20, blank=True)
    problem = models.CharField(max_length=30, choices=SupportProblem.choices, blank=True)
    message = models.TextField(max_length=1000, blank=True)
    assignee = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    picked_up_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=[choice.value for choice in SupportKind]),
                name="support_request_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[choice.value for choice in SupportStatus]),
                name="support_request_status_valid",
            ),
            # A closed item says when it closed; an open one has not closed.
            models.CheckConstraint(
                condition=(
                    models.Q(status="closed", closed_at__isnull=False)
                    | (~models.Q(status="closed") & models.Q(closed_at__isnull=True))
                ),
                name="support_request_closed_at_matches_status",
            ),
            # A problem the queue found is worked once: two navigators picking up the same
            # lockout at the same moment get one item, not two.
            models.UniqueConstraint(
                fields=["patient", "kind"],
                condition=models.Q(status__in=["open", "picked_up"])
                & ~models.Q(kind="sign_in_help"),
                name="support_request_one_open_per_patient_and_kind",
            ),
        ]
        indexes = [models.Index(fields=["service", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.status})"

    @property
    def is_closed(self) -> bool:
        return self.status == SupportStatus.CLOSED


class SupportNote(models.Model):
    """A navigator's working note on a support item, for other navigators (not for the PWP)."""

    support_request = models.ForeignKey(
        SupportRequest, on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"note on support request {self.support_request_id}"


class NavigatorNote(models.Model):
    """A note from the digital navigator to the patient's PWP, shown in the pre-session brief
    (for example "sign-in fixed on Tuesday; prefers a phone call"). Technical, never clinical."""

    patient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="navigator_notes")
    episode = models.ForeignKey(
        "care.Episode", on_delete=models.CASCADE, related_name="navigator_notes"
    )
    author = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["episode", "created_at"])]

    def __str__(self) -> str:
        return f"navigator note for episode {self.episode_id}"


class Draft(models.Model):
    """What a patient has typed into one of their forms but not yet saved: an exercise, a
    message to their therapist, topics for the next session, a mood note (accounts/drafts.py).

    Saved as they type and restored when they come back; deleted when the form's real save
    succeeds. A draft is the patient's alone: no one else reads it and nothing acts on it (its
    words raise no safety flag; only the final save does).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="drafts")
    # Which form: "exercise.<module slug>.<exercise key>", "message", "next-session",
    # "mood-note.<YYYY-MM-DD>".
    key = models.CharField(max_length=120)
    # Field name to what was typed: a string, or a list of strings for a multiple choice.
    fields = models.JSONField(default=dict)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="accounts_draft_one_per_form")
        ]
        indexes = [models.Index(fields=["updated_at"])]

    def __str__(self) -> str:
        return f"draft {self.key} of user {self.user_id}"


class IdempotencyRecord(models.Model):
    """The first response to a request sent with an ``Idempotency-Key`` header.

    A phone on a poor connection may send the same change twice; the second request gets the
    first response again. The same key with a different request gets 422. Only requests that
    were carried out are kept (a refused 400 is not), as Stripe does.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="idempotency_records")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # Moved here from moodlog without moving the table (migrations change state only).
        db_table = "moodlog_idempotencyrecord"
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")
        ]

    def __str__(self) -> str:
        return f"Idempotency key for user {self.user_id}"
