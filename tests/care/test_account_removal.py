"""Deleting an account never erases who did what, and is itself audited."""

from __future__ import annotations

import importlib

from django.apps import apps as django_apps

from care.models import AuditEvent
from care.services import audit_event_record
from tests import factories

fill_migration = importlib.import_module("care.migrations.0007_audit_event_actor_username_fill")


def test_an_audit_row_keeps_who_acted_after_the_account_is_gone(navigator, patient) -> None:
    event = audit_event_record(actor=navigator, action="patient.unlock", patient=patient)
    # Even a deletion outside the admin (a shell, a cascade) leaves the row saying who acted.
    navigator.delete()
    event.refresh_from_db()
    assert event.actor is None
    assert event.actor_username == "navigator-nia"
    assert event.actor_role == "navigator"


def test_the_data_migration_fills_in_who_acted_on_existing_rows(navigator, patient) -> None:
    event = audit_event_record(actor=navigator, action="patient.unlock", patient=patient)
    AuditEvent.objects.filter(pk=event.pk).update(actor_username="", actor_role="")
    fill_migration.fill_actor_username(django_apps, None)
    event.refresh_from_db()
    assert (event.actor_username, event.actor_role) == ("navigator-nia", "navigator")


def test_admin_refuses_to_delete_staff_with_audit_rows_and_offers_deactivation(
    service_admin_client, navigator, patient
) -> None:
    audit_event_record(actor=navigator, action="patient.unlock", patient=patient)
    url = f"/admin/accounts/user/{navigator.pk}/delete/"
    response = service_admin_client.post(url, {"post": "yes"}, follow=True)
    page = response.content.decode()
    assert "cannot be deleted" in page
    assert "Deactivate the account instead" in page
    navigator.refresh_from_db()
    assert navigator.is_active


def test_deactivating_staff_in_admin_keeps_the_account_and_is_audited(
    service_admin_client, service_admin, navigator
) -> None:
    response = service_admin_client.post(
        "/admin/accounts/user/",
        {"action": "deactivate_accounts", "_selected_action": [navigator.pk]},
    )
    assert response.status_code == 302
    navigator.refresh_from_db()
    assert not navigator.is_active
    event = AuditEvent.objects.get(action="account.deactivate")
    assert event.actor == service_admin
    assert event.object_id == str(navigator.pk)


def test_deleting_an_account_with_no_audit_rows_is_itself_audited(
    service_admin_client, service_admin, service
) -> None:
    newcomer = factories.NavigatorFactory.create(username="navigator-new", service=service)
    response = service_admin_client.post(
        f"/admin/accounts/user/{newcomer.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not type(newcomer).objects.filter(pk=newcomer.pk).exists()
    event = AuditEvent.objects.get(action="account.delete")
    assert event.actor_username == service_admin.username
    assert event.detail == {"username": "navigator-new", "role": "navigator"}


def test_accounts_are_not_offered_for_bulk_deletion(service_admin_client) -> None:
    page = service_admin_client.get("/admin/accounts/user/").content.decode()
    assert "delete_selected" not in page
