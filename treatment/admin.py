"""Django admin for services and episodes, through the same services every other path uses.

These are care's models, registered here because adding one is a treatment step (a service gets
its session plan and programme, an episode its appointments and assignments), and care imports
no app above it. Changing an episode's PWP or ending it goes through care's services and the
audit trail; episodes end, they are never deleted.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone

from care.admin_audit import AuditedModelAdmin
from care.admin_scoping import ScopedModelAdmin, ScopedTabularInline
from care.models import (
    Appointment,
    DutyQueueMember,
    Episode,
    EpisodeStatus,
    Service,
    SessionPlanEntry,
)
from care.services import (
    WORKING_CALENDAR_FIELDS,
    EpisodeChangeError,
    episode_end,
    episode_pwp_change,
    service_working_calendar_set,
)
from treatment.services import episode_start, service_create


def _take_identity(obj: Model, created: Model) -> None:
    """Make the admin's unsaved ``obj`` stand for the row a service created, so the admin's
    redirect and change message name it."""
    obj.pk = created.pk
    obj._state.adding = False
    obj._state.db = created._state.db


class SessionPlanInline(ScopedTabularInline):
    model = SessionPlanEntry
    extra = 0


class DutyQueueInline(ScopedTabularInline):
    model = DutyQueueMember
    extra = 0
    raw_id_fields = ("staff",)
    verbose_name = "duty queue member"
    verbose_name_plural = "duty queue (empty: the service admins are the duty queue)"


WEEKDAYS = [
    ("1", "Monday"),
    ("2", "Tuesday"),
    ("3", "Wednesday"),
    ("4", "Thursday"),
    ("5", "Friday"),
    ("6", "Saturday"),
    ("7", "Sunday"),
]


class ServiceAdminForm(forms.ModelForm):
    # Ticked days here, stored as day numbers ("12345") on the service.
    working_weekdays = forms.MultipleChoiceField(
        choices=WEEKDAYS,
        widget=forms.CheckboxSelectMultiple,
        help_text="A risk flag's review window counts only these days' working hours.",
        error_messages={"required": "Tick at least one working day."},
    )

    class Meta:
        model = Service
        fields = ("name", "slug", "time_zone", "nation", "opens_at", "closes_at")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial["working_weekdays"] = list(self.instance.working_weekdays)

    def clean_working_weekdays(self) -> str:
        return "".join(sorted(self.cleaned_data["working_weekdays"]))

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        # Not a model field of the form (the ticked boxes are a list): set on the instance here.
        if "working_weekdays" in cleaned:
            self.instance.working_weekdays = cleaned["working_weekdays"]
        return cleaned


@admin.register(Service)
class ServiceAdmin(ScopedModelAdmin):
    service_path = "pk"
    form = ServiceAdminForm
    fieldsets = [
        (None, {"fields": ("name", "slug", "time_zone", "created_at")}),
        (
            "Working calendar (when a risk flag's review window counts)",
            {"fields": ("nation", "opens_at", "closes_at", "working_weekdays")},
        ),
    ]
    list_display = ("name", "slug", "time_zone")
    readonly_fields = ("created_at",)
    prepopulated_fields = {"slug": ("name",)}
    inlines = [SessionPlanInline, DutyQueueInline]

    def get_inlines(self, request: HttpRequest, obj: Any) -> list[Any]:
        # A new service gets the default session plan from service_create; it is changed after.
        return list(self.inlines) if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Service, form: Any, change: bool) -> None:
        if change:
            # The working calendar is saved (and audited) by its service below.
            calendar = {name: getattr(obj, name) for name in WORKING_CALENDAR_FIELDS}
            stored = Service.objects.values(*WORKING_CALENDAR_FIELDS).get(pk=obj.pk)
            for name, value in stored.items():
                setattr(obj, name, value)
            super().save_model(request, obj, form, change)
            for name, value in calendar.items():
                setattr(obj, name, value)
        else:
            created = service_create(
                name=obj.name,
                slug=obj.slug,
                time_zone=obj.time_zone,
                by=request.user,  # type: ignore[arg-type]
                request=request,
            )
            calendar = {name: getattr(obj, name) for name in WORKING_CALENDAR_FIELDS}
            _take_identity(obj, created)
            obj.refresh_from_db()
        service_working_calendar_set(
            service=obj,
            by=request.user,  # type: ignore[arg-type]
            request=request,
            **calendar,
        )

    # A service admin configures their own service; only a superuser creates or removes one.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.is_superuser and super().has_delete_permission(request, obj)


class AppointmentInline(ScopedTabularInline):
    """Shown, not edited here: an appointment changes on the PWP's pages, where it is audited."""

    model = Appointment
    extra = 0
    fields = ("number", "kind", "scheduled_at", "status")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EpisodeAdminForm(forms.ModelForm):
    class Meta:
        model = Episode
        fields = ("patient", "pwp", "service", "started_on", "status", "ended_on")

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if self.instance.pk is None:
            if cleaned.get("status", EpisodeStatus.ACTIVE) != EpisodeStatus.ACTIVE:
                self.add_error("status", "A new episode starts in treatment.")
            return cleaned
        status = cleaned.get("status")
        if status == EpisodeStatus.ACTIVE and "ended_on" in self.changed_data:
            self.add_error("ended_on", "An episode in treatment has no end date.")
        return cleaned


@admin.register(Episode)
class EpisodeAdmin(AuditedModelAdmin):
    service_path = "service"
    form = EpisodeAdminForm
    list_display = ("patient", "pwp", "service", "status", "started_on", "ended_on")
    list_filter = ("service", "status", "pwp")
    raw_id_fields = ("patient", "pwp")
    inlines = [AppointmentInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("ended_on",)
        if not obj.is_active:
            # An ended episode is a record: nothing about it changes.
            return ("patient", "pwp", "service", "started_on", "status", "ended_on")
        return ("patient", "service", "started_on")

    def get_inlines(self, request: HttpRequest, obj: Any) -> list[Any]:
        return list(self.inlines) if obj is not None else []

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Episodes end, they are not deleted: deleting one would take the patient's answers,
        # ratings and session records with it and leave no trace in the audit trail.
        return False

    def save_model(self, request: HttpRequest, obj: Episode, form: Any, change: bool) -> None:
        by: Any = request.user
        if not change:
            created = episode_start(
                patient=obj.patient,
                service=obj.service,
                pwp=obj.pwp,
                started_on=obj.started_on,
                by=by,
                request=request,
            )
            _take_identity(obj, created)
            return
        try:
            if "pwp" in form.changed_data:
                episode_pwp_change(episode=obj, pwp=obj.pwp, by=by, request=request)
            if "status" in form.changed_data and obj.status != EpisodeStatus.ACTIVE:
                episode_end(
                    episode=obj,
                    status=obj.status,
                    ended_on=obj.ended_on or timezone.localdate(),
                    by=by,
                    request=request,
                )
        except EpisodeChangeError as error:
            self.message_user(request, str(error), level=messages.ERROR)
