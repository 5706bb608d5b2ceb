"""Django admin for a service admin who is not a superuser: their own service's rows only.

Two services, each with a patient, a PWP, an episode and a row for every scoped admin. The
service admin of the first holds every model permission there is (the strongest case) and still
lists, opens and can choose only the first service's rows.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db import models
from django.forms import ModelChoiceField
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.models import DeviceToken, User
from care.admin_scoping import SHARED, SUPERUSER_ONLY, ScopedChoicesMixin, ServiceScopedAdminMixin
from care.models import Service
from care.services import audit_event_record
from clinician.models import SessionGuide
from measures.models import MeasuresConfiguration
from modules.models import Assignment, AssignmentChange, Module, ProgrammeEntry, ProgrammeSettings
from modules.services import modules_load
from notifications.models import Notification, NotificationPreference, ServiceNotificationPolicy
from safety.models import RiskFlag
from tests import factories


@dataclass
class ServiceRows:
    service: Service
    people: list[User] = field(default_factory=list)
    rows: dict[str, models.Model] = field(default_factory=dict)


def _rows_in(service: Service, tag: str) -> ServiceRows:
    patient = factories.PatientFactory.create(username=f"patient-{tag}", service=service)
    pwp = factories.PwpFactory.create(username=f"pwp-{tag}", service=service)
    episode = factories.make_episode(patient=patient, pwp=pwp, service=service)
    now = timezone.now()
    rows: dict[str, models.Model] = {
        "accounts.User": patient,
        "accounts.DeviceToken": DeviceToken.objects.create(
            user=patient, name="phone", key_hash=tag * 8, expires_at=now + datetime.timedelta(30)
        ),
        "account.EmailAddress": EmailAddress.objects.create(
            user=patient, email=patient.email, primary=True, verified=True
        ),
        "care.Service": service,
        "care.Episode": episode,
        "care.AuditEvent": audit_event_record(actor=pwp, action="test.read", patient=patient),
        "safety.RiskFlag": RiskFlag.objects.create(
            patient=patient,
            episode=episode,
            service=service,
            route="pwp",
            pwp=pwp,
            review_due_at=now + datetime.timedelta(days=1),
        ),
        "modules.ProgrammeSettings": ProgrammeSettings.objects.get_or_create(service=service)[0],
        # The first episode gave the service the default programme.
        "modules.ProgrammeEntry": ProgrammeEntry.objects.filter(service=service).earliest("pk"),
        "modules.AssignmentChange": AssignmentChange.objects.create(
            episode=episode,
            assignment=Assignment.objects.filter(episode=episode).earliest("pk"),
            kind="added",
            reason="Fits the patient's aims.",
            by=pwp,
        ),
        "measures.MeasuresConfiguration": MeasuresConfiguration.objects.get_or_create(
            service=service
        )[0],
        "notifications.ServiceNotificationPolicy": ServiceNotificationPolicy.objects.get_or_create(
            service=service
        )[0],
        "notifications.Notification": Notification.objects.create(
            key=f"test-{tag}",
            recipient=patient,
            patient=patient,
            kind="mood_reminder",
            subject="A reminder",
            body="How are you today?",
        ),
        "notifications.NotificationPreference": NotificationPreference.objects.get_or_create(
            patient=patient
        )[0],
        "clinician.SessionGuide": SessionGuide.objects.create(
            service=service, session_number=1, title="First", before="b", during="d", after="a"
        ),
    }
    return ServiceRows(service=service, people=[patient, pwp], rows=rows)


@pytest.fixture
def two_services(service: Service) -> tuple[ServiceRows, ServiceRows]:
    modules_load()
    return _rows_in(service, "own"), _rows_in(factories.ServiceFactory.create(), "other")


@pytest.fixture
def scoped_admin(service: Service) -> User:
    """A service admin of ``service`` who is staff but not a superuser, with every permission."""
    user = factories.ServiceAdminFactory.create(
        username="admin-scoped", service=service, is_superuser=False
    )
    user.user_permissions.set(Permission.objects.all())
    return user


@pytest.fixture
def scoped_client(scoped_admin: User) -> Client:
    client = Client()
    client.force_login(scoped_admin)
    return client


def _admin_for(label: str) -> Any:
    return next(a for m, a in admin.site._registry.items() if m._meta.label == label)


def _change_url(obj: models.Model) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


SCOPED_LABELS = sorted(
    model._meta.label
    for model, model_admin in admin.site._registry.items()
    if getattr(model_admin, "service_path", "") not in ("", SHARED, SUPERUSER_ONLY)
)
SUPERUSER_ONLY_LABELS = sorted(
    model._meta.label
    for model, model_admin in admin.site._registry.items()
    if getattr(model_admin, "service_path", "") == SUPERUSER_ONLY
)


def test_every_registered_admin_says_how_it_is_scoped_to_a_service() -> None:
    unscoped = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, ServiceScopedAdminMixin) or not model_admin.service_path
    ]
    assert unscoped == []
    unscoped_inlines = [
        f"{model._meta.label}: {inline.__name__}"
        for model, model_admin in admin.site._registry.items()
        for inline in model_admin.inlines
        if not issubclass(inline, ScopedChoicesMixin)
    ]
    assert unscoped_inlines == []


def test_every_scoped_admin_has_a_row_in_the_two_service_test(two_services) -> None:
    own, _ = two_services
    assert set(SCOPED_LABELS) <= set(own.rows)


@pytest.mark.parametrize("label", SCOPED_LABELS)
def test_a_service_admin_lists_and_opens_only_their_own_services_rows(
    label, two_services, scoped_client
) -> None:
    own, other = two_services
    own_row, other_row = own.rows[label], other.rows[label]
    meta = own_row._meta
    listing = scoped_client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
    assert listing.status_code == 200
    page = listing.content.decode()
    assert _change_url(own_row) in page
    assert _change_url(other_row) not in page
    assert scoped_client.get(_change_url(own_row)).status_code == 200
    # Django admin answers a row outside the queryset with "does not exist" and a redirect.
    assert scoped_client.get(_change_url(other_row)).status_code in (302, 404)


@pytest.mark.parametrize("label", SCOPED_LABELS)
def test_a_service_admin_cannot_choose_another_services_rows(
    label, two_services, scoped_admin
) -> None:
    own, other = two_services
    model_admin = _admin_for(label)
    request = RequestFactory().get("/admin/")
    request.user = scoped_admin
    obj = own.rows[label]
    forms = [model_admin.get_form(request, obj)]
    forms += [
        inline.get_formset(request, obj).form
        for inline in model_admin.get_inline_instances(request, obj)
    ]
    foreign = {(type(row)._meta.label, row.pk) for row in other.rows.values()}
    foreign |= {("accounts.User", person.pk) for person in other.people}
    offered = [
        (name, row)
        for form in forms
        for name, form_field in form.base_fields.items()
        if isinstance(form_field, ModelChoiceField)
        for row in form_field.queryset or []
        if (row._meta.label, row.pk) in foreign
    ]
    assert offered == []


@pytest.mark.parametrize("label", SUPERUSER_ONLY_LABELS)
def test_superuser_only_tables_are_closed_to_a_service_admin(label, scoped_client) -> None:
    app_label, model_name = label.lower().split(".")
    response = scoped_client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    assert response.status_code == 403


def test_the_module_catalogue_is_read_only_for_a_service_admin(scoped_client) -> None:
    modules_load()
    module = Module.objects.order_by("pk").first()
    assert module is not None
    assert scoped_client.get("/admin/modules/module/").status_code == 200
    page = scoped_client.get(_change_url(module)).content.decode()
    assert 'name="_save"' not in page


def test_a_service_admin_cannot_change_another_services_patients_email(
    two_services, scoped_client
) -> None:
    _, other = two_services
    address = other.rows["account.EmailAddress"]
    response = scoped_client.post(
        _change_url(address),
        {"user": address.user_id, "email": "taken-over@example.org", "primary": "on"},
    )
    assert response.status_code in (302, 404)
    address.refresh_from_db()
    assert address.email != "taken-over@example.org"


def test_a_service_admin_cannot_raise_powers_or_move_a_user_out_of_the_service(
    two_services, scoped_admin
) -> None:
    own, _ = two_services
    user_admin = _admin_for("accounts.User")
    request = RequestFactory().get("/admin/")
    request.user = scoped_admin
    colleague = own.people[1]
    form = user_admin.get_form(request, colleague)
    for power in ("is_superuser", "is_staff", "groups", "user_permissions"):
        assert power not in form.base_fields
    assert list(form.base_fields["service"].queryset or []) == [own.service]
    assert form.base_fields["service"].required
    assert "service_admin" not in dict(form.base_fields["role"].choices)
    own_form = user_admin.get_form(request, scoped_admin)
    assert "role" not in own_form.base_fields
    assert "service" not in own_form.base_fields


def test_a_service_admin_cannot_change_a_fellow_service_admins_account(
    service, scoped_client
) -> None:
    fellow = factories.ServiceAdminFactory.create(
        username="admin-fellow", service=service, is_superuser=False
    )
    page = scoped_client.get(_change_url(fellow)).content.decode()
    assert 'name="_save"' not in page
