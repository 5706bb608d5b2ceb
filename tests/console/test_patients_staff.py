"""The console's staff page (issue #18): the list, invitations (a single-use link to set a
password, then two-step verification), deactivation while a caseload remains, reactivation,
and the duty queue."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import Role, User
from care.models import AuditEvent, DutyQueueMember
from safety.services import duty_queue_members
from tests.console.patients_helpers import (  # noqa: F401 (fixtures)
    _console_mail,
    email_provider_down,
    link_path_from_last_email,
)
from tests.factories import (
    NavigatorFactory,
    PatientFactory,
    PwpFactory,
    ServiceFactory,
    make_episode,
)

INVITE_LINK = r"/accounts/password/reset/key/[^\s/]+/"
NEW_PASSWORD = "a long new staff password 42"


@pytest.fixture
def elsewhere_pwp(db: None) -> User:
    return PwpFactory.create(username="pwp-elsewhere", service=ServiceFactory.create())


@pytest.mark.parametrize("persona", ["patient_client", "pwp_client", "navigator_client"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/service/staff/"),
        ("get", "/service/staff/invite/"),
        ("post", "/service/staff/invite/"),
        ("post", "/service/staff/{id}/deactivate/"),
        ("post", "/service/staff/{id}/reactivate/"),
        ("post", "/service/staff/{id}/invite-again/"),
        ("post", "/service/staff/duty-queue/"),
        ("post", "/service/staff/duty-queue/{id}/remove/"),
    ],
)
def test_other_roles_get_403(request, persona, method, path, other_pwp) -> None:
    client = request.getfixturevalue(persona)
    assert getattr(client, method)(path.format(id=other_pwp.pk)).status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/service/staff/{id}/deactivate/",
        "/service/staff/{id}/reactivate/",
        "/service/staff/{id}/invite-again/",
        "/service/staff/duty-queue/{id}/remove/",
    ],
)
def test_another_services_staff_is_404(service_admin_client, elsewhere_pwp, path) -> None:
    response = service_admin_client.post(path.format(id=elsewhere_pwp.pk))
    assert response.status_code == 404
    elsewhere_pwp.refresh_from_db()
    assert elsewhere_pwp.is_active


def test_a_patient_is_not_staff_here(service_admin_client, patient) -> None:
    response = service_admin_client.post(f"/service/staff/{patient.pk}/deactivate/")
    assert response.status_code == 404


def test_the_list_shows_role_caseload_mfa_and_last_sign_in(
    service_admin_client,
    service_admin,
    pwp,
    other_pwp,
    navigator,
    episode,
    elsewhere_pwp,
    django_assert_max_num_queries,
) -> None:
    TOTP.activate(pwp, generate_totp_secret())
    pwp.last_login = timezone.now()
    pwp.save(update_fields=["last_login"])

    with django_assert_max_num_queries(15):
        response = service_admin_client.get("/service/staff/")

    rows = {member.username: member for member in response.context["staff"]}
    assert set(rows) == {"pwp-alice", "pwp-bob", "navigator-nia", "admin-asha"}
    assert (rows["pwp-alice"].caseload_size, rows["pwp-alice"].mfa_set_up) == (1, True)
    assert (rows["pwp-bob"].caseload_size, rows["pwp-bob"].mfa_set_up) == (0, False)
    page = response.content.decode()
    assert "Not set up yet" in page
    assert "Never" in page


def _invite(client: Client, **changes: Any) -> Any:
    data = {
        "first_name": "Priya",
        "last_name": "Shah",
        "email": "priya.shah@nhs.example",
        "role": Role.PWP,
    }
    data.update(changes)
    return client.post("/service/staff/invite/", data, follow=True)


def test_an_invited_pwp_sets_a_password_once_then_must_set_up_two_step_verification(
    service_admin_client, service, settings
) -> None:
    _invite(service_admin_client)
    # Switched on after the invitation: the admin here signed in without a second factor.
    settings.BCBT_REQUIRE_STAFF_MFA = True

    staff = User.objects.get(email="priya.shah@nhs.example")
    assert (staff.role, staff.service, staff.has_usable_password()) == (Role.PWP, service, False)
    [email] = mail.outbox
    assert "works once, for 3 days" in email.body
    assert "two-step verification" in email.body
    assert AuditEvent.objects.filter(action="staff.invite", object_id=str(staff.pk)).exists()
    path = link_path_from_last_email(INVITE_LINK)

    browser = Client()
    form_page = browser.get(path, follow=True)
    assert form_page.status_code == 200
    set_password = browser.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else path,
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert set_password.status_code == 302
    staff.refresh_from_db()
    assert staff.check_password(NEW_PASSWORD)
    # The link works once.
    again = Client().get(path, follow=True)
    assert "password1" not in again.content.decode()
    # Signing in sends them to set up an authenticator app before any staff page.
    signed_in = Client()
    signed_in.post(
        "/accounts/login/", {"login": "priya.shah@nhs.example", "password": NEW_PASSWORD}
    )
    assert signed_in.get("/clinician/")["Location"] == "/accounts/2fa/totp/activate/"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"role": "patient"}, "role"),
        ({"role": ""}, "role"),
        ({"email": "pwp-alice@example.org"}, "email"),
        ({"last_name": ""}, "last_name"),
    ],
)
def test_a_bad_invitation_is_refused_with_a_message(
    service_admin_client, pwp, changes, field
) -> None:
    response = _invite(service_admin_client, **changes)
    assert field in response.context["form"].errors
    assert not User.objects.filter(first_name="Priya").exists()
    assert mail.outbox == []


@pytest.mark.usefixtures("email_provider_down")
def test_an_invitation_the_provider_refused_can_be_sent_again(
    service_admin_client, settings
) -> None:
    response = _invite(service_admin_client, role=Role.NAVIGATOR)
    staff = User.objects.get(email="priya.shah@nhs.example")
    assert "the invitation email did not go" in response.content.decode()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    again = service_admin_client.post(f"/service/staff/{staff.pk}/invite-again/", follow=True)
    assert "new invitation" in again.content.decode()
    assert len(mail.outbox) == 1


def test_a_pwp_with_patients_in_treatment_cannot_be_deactivated(
    service_admin_client, pwp, episode
) -> None:
    response = service_admin_client.post(f"/service/staff/{pwp.pk}/deactivate/", follow=True)

    page = response.content.decode()
    assert "Reassign their 1 patient first" in page
    assert f'href="/service/patients/?status=active&amp;pwp={pwp.pk}"' in page
    pwp.refresh_from_db()
    assert pwp.is_active


def test_deactivating_stops_sign_in_and_reactivating_restores_it(
    service_admin_client, service, other_pwp
) -> None:
    DutyQueueMember.objects.create(service=service, staff=other_pwp)
    signed_in = Client()
    signed_in.force_login(other_pwp)

    service_admin_client.post(f"/service/staff/{other_pwp.pk}/deactivate/")

    other_pwp.refresh_from_db()
    assert not other_pwp.is_active
    assert signed_in.get("/clinician/").status_code == 302
    assert not DutyQueueMember.objects.filter(staff=other_pwp).exists()
    assert AuditEvent.objects.filter(action="staff.deactivate").exists()
    service_admin_client.post(f"/service/staff/{other_pwp.pk}/reactivate/")
    other_pwp.refresh_from_db()
    assert other_pwp.is_active
    assert AuditEvent.objects.filter(action="staff.reactivate").exists()


def test_a_service_admin_cannot_deactivate_themselves(service_admin_client, service_admin) -> None:
    response = service_admin_client.post(
        f"/service/staff/{service_admin.pk}/deactivate/", follow=True
    )
    assert "cannot deactivate your own account" in response.content.decode()
    service_admin.refresh_from_db()
    assert service_admin.is_active


def test_the_duty_queue_takes_pwps_and_admins_but_not_navigators(
    service_admin_client, service, service_admin, pwp, navigator
) -> None:
    assert duty_queue_members(service=service) == [service_admin]

    service_admin_client.post("/service/staff/duty-queue/", {"staff": pwp.pk})
    assert duty_queue_members(service=service) == [pwp]
    refused = service_admin_client.post("/service/staff/duty-queue/", {"staff": navigator.pk})
    assert refused.status_code == 400
    assert "Choose an active PWP or service admin" in refused.content.decode()
    listed = service_admin_client.get("/service/staff/").content.decode()
    assert "Remove<span" in listed

    service_admin_client.post(f"/service/staff/duty-queue/{pwp.pk}/remove/")
    assert duty_queue_members(service=service) == [service_admin]
    actions = list(
        AuditEvent.objects.filter(action__startswith="duty_queue.").values_list("action", flat=True)
    )
    assert sorted(actions) == ["duty_queue.add", "duty_queue.remove"]


def test_another_services_staff_cannot_join_the_duty_queue(
    service_admin_client, service, elsewhere_pwp
) -> None:
    response = service_admin_client.post("/service/staff/duty-queue/", {"staff": elsewhere_pwp.pk})
    assert response.status_code == 400
    assert not DutyQueueMember.objects.exists()


def test_a_navigator_invited_here_is_listed(service_admin_client, service) -> None:
    NavigatorFactory.create(username="navigator-new", service=service, is_active=False)
    names = [m.username for m in service_admin_client.get("/service/staff/").context["staff"]]
    assert names[-1] == "navigator-new"


def test_the_staff_list_comes_a_page_at_a_time(service_admin_client, service) -> None:
    from console.staff.views import STAFF_PAGE_SIZE

    for number in range(STAFF_PAGE_SIZE + 3):
        PwpFactory.create(service=service, username=f"pwp-many-{number:03d}")
    first = service_admin_client.get("/service/staff/")
    second = service_admin_client.get("/service/staff/?page=2")
    first_names = {member.username for member in first.context["staff"]}
    second_names = {member.username for member in second.context["staff"]}
    # The service admin and the PWPs: each once, on one page or the other.
    assert len(first_names) == STAFF_PAGE_SIZE
    assert not first_names & second_names
    assert len(first_names | second_names) == STAFF_PAGE_SIZE + 4
    assert f"{STAFF_PAGE_SIZE + 4} members of staff, page 1 of 2" in first.content.decode()
    assert 'href="?page=2"' in first.content.decode()
    assert service_admin_client.get("/service/staff/?page=nonsense").status_code == 200


@pytest.mark.parametrize("size", [3, 60])
def test_a_page_of_the_staff_list_reads_a_fixed_number_of_queries(
    service_admin_client, service, pwp, size, django_assert_max_num_queries
) -> None:
    for number in range(size):
        member = PwpFactory.create(service=service, username=f"pwp-size-{number:03d}")
        make_episode(patient=PatientFactory.create(service=service), pwp=member, service=service)
    service_admin_client.get("/service/staff/")
    with django_assert_max_num_queries(15):
        assert service_admin_client.get("/service/staff/?page=2").status_code == 200
