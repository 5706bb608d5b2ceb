"""Online CBT modules: versioned content, each service's programme, and each episode's
assignments, progress, exercise answers and the PWP's tailoring changes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class ModuleKind(models.TextChoices):
    PATHWAY = "pathway", "Depression pathway"
    ADD_ON = "add_on", "Add-on"


class Module(models.Model):
    """A module as a stable identity; its words live in ``ModuleVersion`` rows."""

    slug = models.SlugField(unique=True)
    kind = models.CharField(max_length=20, choices=ModuleKind.choices)
    tags = models.JSONField(default=list, blank=True)
    # The order within its kind in the library and in the default programme.
    position = models.PositiveSmallIntegerField(default=0)
    latest_version = models.ForeignKey(
        "ModuleVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Set by load_modules: the version a patient starting today gets.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-kind", "position", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=[choice.value for choice in ModuleKind]),
                name="module_kind_valid",
            )
        ]

    def __str__(self) -> str:
        title = self.latest_version.title if self.latest_version_id else self.slug  # type: ignore[union-attr]
        return f"{title} ({self.get_kind_display()})"


class ModuleVersion(models.Model):
    """One version of a module's content, loaded from ``modules/content/<slug>/``. Never edited:
    changed content makes a new version, so a patient part-way through keeps the one they began."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content_hash = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    summary = models.TextField()
    estimated_minutes = models.PositiveSmallIntegerField()
    # [{"title": str, "body": markdown}], read in order.
    pages = models.JSONField()
    # [{"key", "title", "intro", "fields": [{"name", "type", "label", "hint", ...}]}]
    exercises = models.JSONField()
    pwp_guide = models.TextField()
    # Pages plus exercises: a patient moves through them one step at a time.
    step_count = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["module", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["module", "number"], name="module_version_unique"),
            models.CheckConstraint(
                condition=models.Q(estimated_minutes__gte=1), name="module_version_minutes"
            ),
            models.CheckConstraint(
                condition=models.Q(step_count__gte=1), name="module_version_has_steps"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.number})"


class UnlockRule(models.TextChoices):
    FROM_START = "start", "From the start"
    AFTER_SESSION = "after_session", "After session N"
    AFTER_PREVIOUS = "after_previous", "After the previous module"


def _unlock_session_matches_rule() -> models.Q:
    """A session number exactly when the rule is "after session N"."""
    return models.Q(
        unlock_rule="after_session", unlock_session__isnull=False, unlock_session__gte=1
    ) | (~models.Q(unlock_rule="after_session") & models.Q(unlock_session__isnull=True))


class ProgrammeSettings(models.Model):
    """Programme rules a service chooses, beside (not inside) the care app's Service."""

    service = models.OneToOneField(
        "care.Service", on_delete=models.CASCADE, related_name="programme_settings"
    )
    pwps_may_waive = models.BooleanField(
        default=True,
        verbose_name="PWPs may waive mandatory modules",
        help_text="When ticked, a PWP may waive a mandatory module for one patient, with a reason.",
    )

    class Meta:
        verbose_name_plural = "programme settings"

    def __str__(self) -> str:
        return f"Programme settings for {self.service}"


class ProgrammeEntry(models.Model):
    """A module in a service's programme: mandatory or optional, its order and when it opens."""

    service = models.ForeignKey(
        "care.Service", on_delete=models.CASCADE, related_name="programme_entries"
    )
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="programme_entries")
    mandatory = models.BooleanField(default=True)
    in_every_programme = models.BooleanField(
        default=True,
        help_text=(
            "Start every patient with this module. Untick for an optional module that PWPs add "
            "when it fits the person. Mandatory modules are always in every programme."
        ),
    )
    position = models.PositiveSmallIntegerField(default=1)
    unlock_rule = models.CharField(
        max_length=20, choices=UnlockRule.choices, default=UnlockRule.FROM_START
    )
    unlock_session = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="For 'after session N': the session number."
    )
    pwps_may_waive = models.BooleanField(
        default=True,
        verbose_name="PWPs may waive this module",
        help_text="Untick for a mandatory module every patient must do, whatever the service's "
        "general setting.",
    )

    class Meta:
        ordering = ["service", "position", "pk"]
        verbose_name_plural = "programme entries"
        constraints = [
            models.UniqueConstraint(
                fields=["service", "module"], name="programme_entry_module_once"
            ),
            models.CheckConstraint(
                condition=_unlock_session_matches_rule(),
                name="programme_entry_unlock_session",
            ),
            models.CheckConstraint(
                condition=~models.Q(mandatory=True, in_every_programme=False),
                name="programme_entry_mandatory_in_every_programme",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.module} in {self.service}"


class AssignmentSource(models.TextChoices):
    PROGRAMME = "programme", "Service programme"
    PWP = "pwp", "Added by the PWP"


class Assignment(models.Model):
    """A module in one episode's programme, with the patient's progress through it.

    The service's rules are copied in when the episode starts, so a later change to the
    service's programme does not move the ground under a patient part-way through. ``version``
    is pinned when the patient starts the module.
    """

    episode = models.ForeignKey(
        "care.Episode", on_delete=models.CASCADE, related_name="module_assignments"
    )
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="assignments")
    version = models.ForeignKey(
        ModuleVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="assignments"
    )
    mandatory = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=1)
    unlock_rule = models.CharField(
        max_length=20, choices=UnlockRule.choices, default=UnlockRule.FROM_START
    )
    unlock_session = models.PositiveSmallIntegerField(null=True, blank=True)
    aim_session = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Aim to finish by this session."
    )
    source = models.CharField(
        max_length=20, choices=AssignmentSource.choices, default=AssignmentSource.PROGRAMME
    )
    # False once a module a PWP added is taken out again: the patient's answers are kept.
    active = models.BooleanField(default=True)
    waived_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # How many steps the patient has moved past, and where they were last.
    steps_done = models.PositiveSmallIntegerField(default=0)
    last_step = models.PositiveSmallIntegerField(default=1)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["episode", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "module"], name="assignment_module_once"),
            models.CheckConstraint(
                condition=_unlock_session_matches_rule(), name="assignment_unlock_session"
            ),
            models.CheckConstraint(
                condition=models.Q(waived_at__isnull=True) | models.Q(mandatory=True),
                name="assignment_only_mandatory_waived",
            ),
            models.CheckConstraint(
                condition=models.Q(started_at__isnull=True) | models.Q(version__isnull=False),
                name="assignment_started_has_version",
            ),
            models.CheckConstraint(
                condition=models.Q(completed_at__isnull=True) | models.Q(started_at__isnull=False),
                name="assignment_completed_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(aim_session__isnull=True) | models.Q(aim_session__gte=1),
                name="assignment_aim_session_positive",
            ),
        ]
        indexes = [models.Index(fields=["episode", "active"])]

    def __str__(self) -> str:
        return f"{self.module.slug} for episode {self.episode_id}"

    @property
    def is_waived(self) -> bool:
        return self.waived_at is not None

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None


class ExerciseResponse(models.Model):
    """A patient's answers to one exercise, as fields keyed by the exercise's field names.

    A PWP's written feedback will point here (a foreign key to this row) when it is built.
    """

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="responses")
    exercise_key = models.CharField(max_length=64)
    answers = models.JSONField(default=dict, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    discuss_requested_at = models.DateTimeField(
        null=True, blank=True, help_text="The patient would like to talk about this in session."
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["assignment", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "exercise_key"], name="exercise_response_once"
            ),
            models.CheckConstraint(
                condition=models.Q(discuss_requested_at__isnull=True)
                | models.Q(completed_at__isnull=False),
                name="exercise_response_discuss_when_complete",
            ),
        ]
        indexes = [models.Index(fields=["discuss_requested_at"])]

    def __str__(self) -> str:
        return f"{self.exercise_key} for assignment {self.assignment_id}"


class ChangeKind(models.TextChoices):
    ADDED = "added", "Added a module"
    MOVED = "moved", "Changed the order"
    AIM_SET = "aim_set", "Set when to aim to finish"
    WAIVED = "waived", "Waived a mandatory module"


class AssignmentChange(models.Model):
    """One tailoring change a PWP made to a patient's programme: who, when, why, and whether it
    was undone. The patient sees these on their programme page."""

    episode = models.ForeignKey(
        "care.Episode", on_delete=models.CASCADE, related_name="programme_changes"
    )
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=20, choices=ChangeKind.choices)
    reason = models.TextField()
    # The values before and after, enough to undo the change.
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="programme_changes_made"
    )
    created_at = models.DateTimeField(default=timezone.now)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="programme_changes_undone",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(reason=""), name="change_has_reason"),
            models.CheckConstraint(
                condition=models.Q(undone_at__isnull=True) | models.Q(undone_by__isnull=False),
                name="change_undone_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d})"


class ExerciseFeedback(models.Model):
    """A PWP's written feedback on a patient's exercise answers."""

    response = models.ForeignKey(
        ExerciseResponse, on_delete=models.CASCADE, related_name="feedback"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="exercise_feedback"
    )
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # Clinical text: an amendment keeps every earlier version and who wrote it.
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Feedback on {self.response_id}"
