"""Everything bcbt holds about one patient, section by section (UK GDPR Article 15).

Each section names the models it covers, so ``tests/exports/test_subject_access.py`` can walk
every model linked to a patient (by a foreign key to the user or the episode, directly or through
another linked row) and fail when a new one is in no section and not listed in
``NOT_IN_THE_COPY`` with its reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from accounts.models import DeviceToken, Draft, SupportRequest, User, UserSession
from care.models import AgreedTask, Appointment, Episode
from clinician.models import Message, PatientTopic
from measures.models import QuestionnaireResponse
from modules.models import Assignment, AssignmentChange, ExerciseFeedback, ExerciseResponse
from moodlog.models import MoodRating
from notifications.models import Notification, NotificationPreference, PushSubscription
from safety.models import RiskFlag


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    covers: tuple[str, ...]
    rows: Callable[[User], QuerySet[Any]]
    fields: tuple[str, ...]


SECTIONS: tuple[Section, ...] = (
    Section(
        "about_you",
        "About you",
        ("accounts.User", "account.EmailAddress"),
        lambda patient: User.objects.filter(pk=patient.pk),
        (
            "username",
            "first_name",
            "last_name",
            "email",
            "phone_number",
            "nhs_number",
            "time_zone",
            "date_joined",
            "last_login",
        ),
    ),
    Section(
        "treatment",
        "Your courses of treatment",
        ("care.Episode",),
        lambda patient: Episode.objects.filter(patient=patient).order_by("started_on"),
        ("service__name", "started_on", "ended_on", "status"),
    ),
    Section(
        "appointments",
        "Your sessions",
        ("care.Appointment",),
        lambda patient: Appointment.objects.filter(episode__patient=patient).order_by(
            "scheduled_at"
        ),
        ("number", "kind", "scheduled_at", "status"),
    ),
    Section(
        "agreed_tasks",
        "Tasks agreed in your sessions",
        ("care.AgreedTask",),
        lambda patient: AgreedTask.objects.filter(episode__patient=patient).order_by("created_at"),
        ("description", "module_slug", "minutes_per_day", "created_at", "done_at"),
    ),
    Section(
        "mood",
        "Your mood ratings",
        ("moodlog.MoodRating",),
        lambda patient: MoodRating.objects.filter(patient=patient).order_by("day"),
        ("day", "score", "note", "recorded_at", "updated_at"),
    ),
    Section(
        "questionnaires",
        "Your questionnaires and scores",
        ("measures.QuestionnaireResponse",),
        lambda patient: QuestionnaireResponse.objects.filter(patient=patient).order_by(
            "submitted_at"
        ),
        (
            "instrument_code",
            "instrument_version",
            "respondent__role",
            "answers",
            "total",
            "severity",
            "subscales",
            "submitted_at",
        ),
    ),
    Section(
        "modules",
        "Your modules",
        ("modules.Assignment",),
        lambda patient: Assignment.objects.filter(episode__patient=patient).order_by("position"),
        (
            "module__slug",
            "mandatory",
            "active",
            "waived_at",
            "started_at",
            "completed_at",
            "steps_done",
        ),
    ),
    Section(
        "module_changes",
        "Changes your PWP made to your modules",
        ("modules.AssignmentChange",),
        lambda patient: AssignmentChange.objects.filter(episode__patient=patient).order_by(
            "created_at"
        ),
        ("assignment__module__slug", "kind", "reason", "created_at", "undone_at"),
    ),
    Section(
        "exercises",
        "Your exercise answers",
        ("modules.ExerciseResponse",),
        lambda patient: ExerciseResponse.objects.filter(
            assignment__episode__patient=patient
        ).order_by("created_at"),
        ("assignment__module__slug", "exercise_key", "answers", "completed_at", "updated_at"),
    ),
    Section(
        "exercise_feedback",
        "Feedback on your exercises",
        ("modules.ExerciseFeedback",),
        lambda patient: ExerciseFeedback.objects.filter(
            response__assignment__episode__patient=patient
        ).order_by("created_at"),
        ("response__exercise_key", "text", "created_at", "read_at"),
    ),
    Section(
        "messages",
        "Messages with your PWP",
        ("clinician.Message",),
        lambda patient: Message.objects.filter(episode__patient=patient).order_by("created_at"),
        ("sender__role", "body", "created_at", "read_at"),
    ),
    Section(
        "topics",
        "Topics you raised for your sessions",
        ("clinician.PatientTopic",),
        lambda patient: PatientTopic.objects.filter(episode__patient=patient),
        ("appointment__number", "text", "updated_at"),
    ),
    Section(
        "risk_flags",
        "Answers your PWP was asked to review",
        ("safety.RiskFlag",),
        lambda patient: RiskFlag.objects.filter(patient=patient).order_by("created_at"),
        ("reason", "status", "created_at", "reviewed_at"),
    ),
    Section(
        "notifications",
        "Notifications we sent you",
        ("notifications.Notification",),
        lambda patient: Notification.objects.filter(recipient=patient).order_by("created_at"),
        ("kind", "channel", "state", "subject", "body", "created_at", "sent_at", "read_at"),
    ),
    Section(
        "notification_settings",
        "Your notification settings",
        ("notifications.NotificationPreference",),
        lambda patient: NotificationPreference.objects.filter(patient=patient),
        (
            "contact_by",
            "in_app",
            "reminder_time",
            "quiet_start",
            "quiet_end",
            "weekly_max",
            "paused_until",
            "push_lost_at",
            "mood_reminder",
            "module_nudge",
            "appointment_reminder",
            "questionnaire_due",
            "message_received",
            "updated_at",
        ),
    ),
    Section(
        "drafts",
        "What you were writing and had not saved yet",
        ("accounts.Draft",),
        lambda patient: Draft.objects.filter(user=patient).order_by("key"),
        ("key", "fields", "updated_at"),
    ),
    Section(
        "sign_ins",
        "Where you signed in",
        ("accounts.UserSession",),
        lambda patient: UserSession.objects.filter(user=patient).order_by("created_at"),
        ("device", "ip_address", "created_at", "last_seen_at"),
    ),
    Section(
        "apps",
        "Apps you signed in to",
        ("accounts.DeviceToken",),
        lambda patient: DeviceToken.objects.filter(user=patient).order_by("created_at"),
        ("name", "created_at", "last_used_at", "expires_at", "revoked_at"),
    ),
    Section(
        "push",
        "Phones that get your notifications",
        ("notifications.PushSubscription",),
        lambda patient: PushSubscription.objects.filter(patient=patient).order_by("created_at"),
        # The push address and keys are the browser's secrets, not about the patient.
        ("device", "created_at", "last_sent_at"),
    ),
    Section(
        "support",
        "Help you asked for",
        ("accounts.SupportRequest",),
        lambda patient: SupportRequest.objects.filter(patient=patient).order_by("created_at"),
        ("kind", "status", "problem", "message", "created_at", "closed_at"),
    ),
)

# Models linked to a patient that the copy leaves out, each with the reason. A new model
# linked to patients fails the completeness test until it is in a section or listed here.
NOT_IN_THE_COPY: dict[str, str] = {
    "admin.LogEntry": "Staff actions in Django admin; the user is the member of staff.",
    "account.EmailConfirmation": "One-time email confirmation keys; the address is given.",
    "mfa.Authenticator": "Staff second factors; secrets are never exported.",
    "accounts.SignInLink": "One-time sign-in secrets, removed by housekeeping once spent.",
    "accounts.SupportNote": "The navigator's working notes on a support request.",
    "accounts.NavigatorNote": "The navigator's working notes; technical support only.",
    "care.AuditEvent": "The audit trail of who read the record; given on request by the DPO.",
    "care.SessionRecord": "The PWP's clinical notes are not shared with the patient in bcbt; "
    "the session's agreed tasks are (agreed_tasks).",
    "care.HistoricalSessionRecord": "Past versions of the PWP's notes (see care.SessionRecord).",
    "care.DutyQueueMember": "Staff on a duty queue; no patient data.",
    "clinician.BriefReview": "When the PWP read the brief; staff working data.",
    "clinician.SuggestionDismissal": "Add-on suggestions the PWP set aside; staff working data.",
    "modules.HistoricalExerciseFeedback": "Past versions of feedback; the current text is given.",
    "safety.HistoricalRiskFlag": "Past versions of a flag; its current state is given.",
    "accounts.IdempotencyRecord": "Replay records for app retries, kept one day.",
    "accounts.RefreshToken": "Hashed app refresh secrets; the devices are given (DeviceToken).",
    "accounts.AppSignInCode": "Hashed one-time sign-in codes for the app, kept 15 minutes.",
}


def subject_access_data(*, patient: User) -> dict[str, list[dict[str, Any]]]:
    """Every section's rows, by key, in the order the page shows them."""
    return {
        section.key: list(section.rows(patient).values(*section.fields)) for section in SECTIONS
    }
