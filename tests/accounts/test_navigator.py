"""The digital navigator's support queue and actions."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import NavigatorNote, SupportKind, SupportRequest, SupportStatus, User
from accounts.selectors import navigator_notes_for_episode
from accounts.tokens import device_token_issue
from care.models import AuditEvent
from moodlog.services import mood_rating_record
from notifications.services import notification_enqueue
from tests import factories
from tests.accounts.conftest import password_sign_in


def _signed_in_days_ago(user: User, days: int) -> None:
    User.objects.filter(pk=user.pk).update(
        last_login=timezone.now() - datetime.timedelta(days=days)
    )


def _rated_mood_days_ago(patient: User, days: int) -> None:
    """A mood rating made ``days`` ago, through the service, at that moment."""
    moment = timezone.now() - datetime.timedelta(days=days)
    with time_machine.travel(moment, tick=False):
        mood_rating_record(patient=patient, day=patient.local_today(), score=6)


def _lock_out(user: User, login: str | None = None) -> None:
    for _ in range(5):
        password_sign_in(Client(), login or user.username, "wrong-password-here")


def _section(page: str, title: str) -> str:
    """The HTML of one queue section, from its heading to the next."""
    start = page.index(title, page.index("</nav>", page.index("Queue sections")))
    following = page.find("<section", start + 1)
    return page[start : following if following != -1 else len(page)]


def _fail_notifications(patient: User, count: int, state: str = "failed") -> None:
    for number in range(count):
        notification, _ = notification_enqueue(
            key=f"test-failure-{patient.pk}-{state}-{number}",
            recipient=patient,
            patient=patient,
            kind="mood_reminder",
            subject="A reminder",
            body="Time to rate your mood.",
        )
        notification.state = state
        notification.last_error = "Mailbox unavailable"
        notification.save(update_fields=["state", "last_error"])


def test_only_navigators_open_the_queue(pwp_client, patient_client, service_admin_client) -> None:
    assert pwp_client.get("/navigator/").status_code == 403
    assert patient_client.get("/navigator/").status_code == 403
    assert service_admin_client.get("/navigator/").status_code == 403


def test_anonymous_people_are_sent_to_sign_in(db) -> None:
    assert Client().get("/navigator/").status_code == 302


def test_a_patient_who_never_signed_in_is_not_finished_getting_started(
    navigator_client, patient, episode
) -> None:
    page = navigator_client.get("/navigator/").content.decode()
    section = _section(page, "Not finished getting started (")
    assert patient.display_name in section
    assert "first sign-in" in section


def test_a_patient_with_the_app_counts_as_signed_in(navigator_client, patient, episode) -> None:
    device_token_issue(user=patient, device_name="Pixel")
    section = _section(navigator_client.get("/navigator/").content.decode(), "Not finished getting")
    assert "first sign-in" not in section


def test_patients_quiet_for_a_week_are_listed_and_n_is_configurable(
    navigator_client, patient, episode, other_patient, other_episode, settings
) -> None:
    _signed_in_days_ago(patient, 9)
    _rated_mood_days_ago(patient, 9)
    _signed_in_days_ago(other_patient, 2)
    _rated_mood_days_ago(other_patient, 2)
    section = _section(navigator_client.get("/navigator/").content.decode(), "No activity lately (")
    assert patient.display_name in section
    assert "Rated mood, 9 days ago" in section
    assert other_patient.display_name not in section
    settings.BCBT_NAVIGATOR_INACTIVE_DAYS = 1
    section = _section(navigator_client.get("/navigator/").content.decode(), "No activity lately (")
    assert other_patient.display_name in section


def test_opening_the_app_without_doing_anything_is_not_activity(
    navigator_client, patient, episode
) -> None:
    _signed_in_days_ago(patient, 20)
    _rated_mood_days_ago(patient, 20)
    token, _ = device_token_issue(user=patient)
    token.last_used_at = timezone.now() - datetime.timedelta(hours=3)
    token.save(update_fields=["last_used_at"])
    section = _section(navigator_client.get("/navigator/").content.decode(), "No activity lately (")
    assert patient.display_name in section
    assert "Rated mood, 20 days ago" in section


def test_a_patient_who_rated_mood_every_day_is_not_listed_as_inactive(
    navigator_client, patient, episode
) -> None:
    # Signed in once, two weeks ago, and has rated mood every day since (the app keeps them
    # signed in): busy in treatment, not someone to chase.
    _signed_in_days_ago(patient, 14)
    for days_ago in range(14, 0, -1):
        _rated_mood_days_ago(patient, days_ago)
    section = _section(navigator_client.get("/navigator/").content.decode(), "No activity lately (")
    assert patient.display_name not in section


def test_lockouts_in_the_service_are_listed_with_their_end(
    navigator_client, patient, episode, outside_patient
) -> None:
    _lock_out(patient)
    _lock_out(outside_patient)
    section = _section(
        navigator_client.get("/navigator/").content.decode(),
        "Sign-in paused after wrong passwords (",
    )
    assert patient.display_name in section
    assert "paused until" in section
    assert outside_patient.display_name not in section


def test_unlock_lets_the_patient_sign_in_again_and_is_audited(
    navigator, navigator_client, patient, episode
) -> None:
    _lock_out(patient)
    _lock_out(patient, login=patient.email)
    assert password_sign_in(Client(), patient.username).status_code == 429
    response = navigator_client.post(f"/navigator/patients/{patient.pk}/unlock/")
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert password_sign_in(Client(), patient.username).status_code == 302
    assert AuditEvent.objects.filter(
        action="navigator.unlock", actor=navigator, patient=patient
    ).exists()


def test_patients_whose_messages_keep_failing_are_listed(
    navigator_client, patient, episode, other_patient, other_episode
) -> None:
    _fail_notifications(patient, 2)
    _fail_notifications(other_patient, 1)
    section = _section(
        navigator_client.get("/navigator/").content.decode(), "Messages not getting through ("
    )
    assert patient.display_name in section
    assert "2 messages failed" in section
    assert other_patient.display_name not in section


def test_a_message_given_up_on_counts_as_failing(navigator_client, patient, episode) -> None:
    _fail_notifications(patient, 1, state="dead")
    section = _section(
        navigator_client.get("/navigator/").content.decode(), "Messages not getting through ("
    )
    assert patient.display_name in section


def test_an_item_is_picked_up_noted_and_closed(
    navigator, navigator_client, patient, episode
) -> None:
    _signed_in_days_ago(patient, 10)
    target = {"patient": patient.pk, "kind": SupportKind.INACTIVE}
    navigator_client.post("/navigator/items/", {**target, "action": "pick_up"})
    item = SupportRequest.objects.get(patient=patient, kind=SupportKind.INACTIVE)
    assert item.status == SupportStatus.PICKED_UP
    assert item.assignee == navigator
    page = navigator_client.get("/navigator/").content.decode()
    assert "Picked up by" in _section(page, "No activity lately (")
    navigator_client.post(
        "/navigator/items/",
        {"support_request": item.pk, "action": "note", "text": "Left a voicemail."},
    )
    assert "Left a voicemail." in navigator_client.get("/navigator/").content.decode()
    navigator_client.post("/navigator/items/", {"support_request": item.pk, "action": "close"})
    item.refresh_from_db()
    assert item.status == SupportStatus.CLOSED
    # Closed stays closed while nothing changes...
    section = _section(navigator_client.get("/navigator/").content.decode(), "No activity lately (")
    assert patient.display_name not in section
    actions = set(AuditEvent.objects.filter(patient=patient).values_list("action", flat=True))
    assert {"support_request.pick_up", "support_request.note", "support_request.close"} <= actions


def test_a_closed_lockout_comes_back_when_it_happens_again(
    navigator_client, patient, episode
) -> None:
    _lock_out(patient)
    navigator_client.post(
        "/navigator/items/", {"patient": patient.pk, "kind": "lockout", "action": "close"}
    )
    title = "Sign-in paused after wrong passwords ("
    assert patient.display_name not in _section(
        navigator_client.get("/navigator/").content.decode(), title
    )
    AccessAttempt.objects.all().delete()
    later = timezone.now() + datetime.timedelta(minutes=1)
    import time_machine

    with time_machine.travel(later):
        _lock_out(patient)
        page = navigator_client.get("/navigator/").content.decode()
    assert patient.display_name in _section(page, title)


def test_two_navigators_acting_at_once_share_one_item(navigator, patient, episode, service) -> None:
    from accounts.services import support_request_for_condition

    colleague = factories.NavigatorFactory.create(service=service)
    first = support_request_for_condition(by=navigator, patient=patient, kind=SupportKind.INACTIVE)
    second = support_request_for_condition(by=colleague, patient=patient, kind=SupportKind.INACTIVE)
    assert first.pk == second.pk


def test_the_database_refuses_a_second_open_item_for_the_same_problem(patient, service) -> None:
    from django.db import IntegrityError, transaction

    SupportRequest.objects.create(kind=SupportKind.LOCKOUT, patient=patient, service=service)
    with pytest.raises(IntegrityError), transaction.atomic():
        SupportRequest.objects.create(kind=SupportKind.LOCKOUT, patient=patient, service=service)


def test_password_reset_email_is_sent_and_audited(
    navigator, navigator_client, patient, episode
) -> None:
    response = navigator_client.post(f"/navigator/patients/{patient.pk}/password-reset/")
    assert response.status_code == 302
    assert mail.outbox[-1].to == [patient.email]
    assert "/accounts/password/reset/key/" in mail.outbox[-1].body
    assert AuditEvent.objects.filter(action="navigator.password_reset", patient=patient).exists()


def test_a_note_for_the_pwp_reaches_the_brief_selector(
    navigator, navigator_client, patient, episode
) -> None:
    navigator_client.post(
        f"/navigator/patients/{patient.pk}/note-for-pwp/",
        {"text": "Sign-in fixed; prefers a phone call."},
    )
    notes = list(navigator_notes_for_episode(episode=episode))
    assert [note.text for note in notes] == ["Sign-in fixed; prefers a phone call."]
    assert notes[0].author == navigator
    assert AuditEvent.objects.filter(action="navigator.note_for_pwp", patient=patient).exists()


def test_an_empty_note_is_refused(navigator_client, patient, episode) -> None:
    navigator_client.post(f"/navigator/patients/{patient.pk}/note-for-pwp/", {"text": "  "})
    assert not NavigatorNote.objects.exists()


def test_the_patient_page_is_audited_and_scoped_to_the_service(
    navigator, navigator_client, patient, episode, outside_patient
) -> None:
    assert navigator_client.get(f"/navigator/patients/{patient.pk}/").status_code == 200
    assert AuditEvent.objects.filter(
        action="navigator.patient.view", actor=navigator, patient=patient
    ).exists()
    assert navigator_client.get(f"/navigator/patients/{outside_patient.pk}/").status_code == 404
    assert navigator_client.get("/navigator/patients/999999/").status_code == 404
    for action in ("unlock", "password-reset", "note-for-pwp", "sign-in-link"):
        response = navigator_client.post(f"/navigator/patients/{outside_patient.pk}/{action}/")
        assert response.status_code == 404, action


def test_the_queue_reads_a_fixed_number_of_queries(
    navigator_client, service, pwp, django_assert_max_num_queries
) -> None:
    def add_patients(count: int) -> None:
        for _ in range(count):
            patient = factories.PatientFactory.create(service=service)
            factories.make_episode(patient=patient, pwp=pwp, service=service)
            _signed_in_days_ago(patient, 10)
            _rated_mood_days_ago(patient, 10)
            _fail_notifications(patient, 2)
            SupportRequest.objects.create(
                kind=SupportKind.SIGN_IN_HELP, patient=patient, service=service, contact="x"
            )

    add_patients(2)
    navigator_client.get("/navigator/")
    with django_assert_max_num_queries(14) as small:
        navigator_client.get("/navigator/")
    add_patients(12)
    # Four items each, 56 in all: three pages, each read in as many queries as the small queue.
    pages = []
    for number in (1, 2, 3):
        with django_assert_max_num_queries(len(small.captured_queries)):
            response = navigator_client.get(f"/navigator/?page={number}")
        pages.append(response.content.decode())
    assert "".join(pages).count("Rated mood, 10 days ago") == 14
