from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class Nation(models.TextChoices):
    """The UK nation whose bank holidays a service keeps (they differ: Scotland's 2 January and
    St Andrew's Day, Northern Ireland's 17 March and 12 July)."""

    ENGLAND_AND_WALES = "england-and-wales", "England and Wales"
    SCOTLAND = "scotland", "Scotland"
    NORTHERN_IRELAND = "northern-ireland", "Northern Ireland"


def working_weekdays_validate(value: str) -> None:
    if not value or any(day not in "1234567" for day in value) or len(set(value)) != len(value):
        raise ValidationError(
            "Give the working days as day numbers, 1 for Monday to 7 for Sunday, e.g. 12345."
        )


class Service(models.Model):
    """An NHS Talking Therapies service, which configures its own programme and limits."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    time_zone = models.CharField(max_length=64, default="Europe/London")
    # The service's working calendar: a risk flag's review window counts working hours on
    # working days only (safety/working_days.py).
    nation = models.CharField(
        max_length=20,
        choices=Nation.choices,
        default=Nation.ENGLAND_AND_WALES,
        help_text="Whose bank holidays the service keeps: they are not working days.",
    )
    opens_at = models.TimeField(
        default=datetime.time(9, 0), help_text="When the service's working day starts."
    )
    closes_at = models.TimeField(
        default=datetime.time(17, 0), help_text="When the service's working day ends."
    )
    working_weekdays = models.CharField(
        max_length=7,
        default="12345",
        validators=[working_weekdays_validate],
        help_text="The days the service works, as day numbers: 1 Monday to 7 Sunday.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens_at__lt=models.F("closes_at")),
                name="service_opens_before_it_closes",
                violation_error_message="The service must open before it closes.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AppointmentKind(models.TextChoices):
    FACE_TO_FACE = "face_to_face", "Face to face"
    ONLINE = "online", "Online"


class SessionPlanEntry(models.Model):
    """One session in a service's plan; a new episode gets one appointment per entry."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="session_plan")
    number = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=AppointmentKind.choices)
    days_after_start = models.PositiveSmallIntegerField(
        help_text="How many days after the episode starts this session is usually booked."
    )
    default_minutes = models.PositiveSmallIntegerField(
        default=30, help_text="How long the session usually lasts, in minutes."
    )

    class Meta:
        ordering = ["service", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "number"], name="session_plan_number_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="session_plan_number_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(default_minutes__gte=5, default_minutes__lte=240),
                name="session_plan_minutes_5_to_240",
            ),
        ]
        verbose_name_plural = "session plan entries"

    def __str__(self) -> str:
        return f"Session {self.number} ({self.get_kind_display()})"


class EpisodeStatus(models.TextChoices):
    ACTIVE = "active", "In treatment"
    COMPLETED = "completed", "Completed"
    DROPPED_OUT = "dropped_out", "Dropped out"
    DISCHARGED = "discharged", "Discharged"


class EndReason(models.TextChoices):
    """Why a course of treatment ended, as the service reports it."""

    COMPLETED = "completed", "Completed treatment"
    DROPPED_OUT = "dropped_out", "Dropped out"
    STEPPED_UP = "stepped_up", "Stepped up to high intensity"
    DECLINED = "declined", "Declined treatment"
    MOVED_AWAY = "moved_away", "Moved away"


# The episode's status that each ending reason leaves.
END_REASON_STATUS: dict[str, str] = {
    EndReason.COMPLETED: EpisodeStatus.COMPLETED,
    EndReason.DROPPED_OUT: EpisodeStatus.DROPPED_OUT,
    EndReason.STEPPED_UP: EpisodeStatus.DISCHARGED,
    EndReason.DECLINED: EpisodeStatus.DISCHARGED,
    EndReason.MOVED_AWAY: EpisodeStatus.DISCHARGED,
}


class Episode(models.Model):
    """One course of treatment for a patient with a PWP in a service."""

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="episodes",
        limit_choices_to={"role": "patient"},
    )
    pwp = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="caseload",
        limit_choices_to={"role": "pwp"},
        help_text="Empty when the patient is waiting for a PWP: their alerts go to the duty queue.",
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="episodes")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=EpisodeStatus.choices, default=EpisodeStatus.ACTIVE
    )
    end_reason = models.CharField(
        max_length=20,
        choices=EndReason.choices,
        blank=True,
        help_text="Why treatment ended; empty while it goes on.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=models.Q(status="active"),
                name="episode_one_active_per_patient",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="episode_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["pwp", "status"])]

    def __str__(self) -> str:
        return f"Episode {self.pk} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status == EpisodeStatus.ACTIVE


class AppointmentStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    ATTENDED = "attended", "Attended"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"
    CANCELLED = "cancelled", "Cancelled"


class Appointment(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="appointments")
    number = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=AppointmentKind.choices)
    scheduled_at = models.DateTimeField()
    status = models.CharField(
        max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.SCHEDULED
    )

    class Meta:
        ordering = ["episode", "number"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "number"], name="appointment_number_unique"),
        ]
        indexes = [models.Index(fields=["scheduled_at", "status"])]

    def __str__(self) -> str:
        return f"Session {self.number} ({self.get_kind_display()})"


class AuditEvent(models.Model):
    """Who did what to which patient's record, when and from where. Never clinical content."""

    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events_done",
    )
    # Copied when the event is written, so the row still says who acted if the account is
    # ever deleted (the foreign key then becomes empty).
    actor_username = models.CharField(max_length=150, blank=True)
    actor_role = models.CharField(max_length=20, blank=True)
    action = models.CharField(max_length=100)
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events_about",
    )
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["patient", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.action} at {self.occurred_at:%Y-%m-%d %H:%M}"


class SessionRecord(models.Model):
    """What happened at one appointment, written by the PWP during or after it."""

    appointment = models.OneToOneField(Appointment, on_delete=models.CASCADE, related_name="record")
    agenda = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="session_records"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Clinical text is amended, never silently overwritten: every saved version, with who saved
    # it, stays readable (README, "Sign-in and security").
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Record of {self.appointment}"


class AgreedTask(models.Model):
    """A task the patient and PWP agreed at a session: the plan for the coming week."""

    record = models.ForeignKey(SessionRecord, on_delete=models.CASCADE, related_name="tasks")
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="agreed_tasks")
    description = models.CharField(max_length=300)
    # The module the task belongs to, when it is one: a slug, so this app does not depend on
    # the modules app's tables.
    module_slug = models.SlugField(max_length=100, blank=True)
    minutes_per_day = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.description


class DutyQueueMember(models.Model):
    """A member of staff on a service's duty queue.

    The duty queue gets risk flags for patients with no PWP and flags their PWP has not reviewed
    in time. When a service lists nobody here, its service admins are the duty queue (see
    ``safety.services.duty_queue_members``), so a flag never routes nowhere.
    """

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="duty_queue")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="duty_queue_memberships"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "staff"], name="duty_queue_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.staff} on the duty queue of {self.service}"
