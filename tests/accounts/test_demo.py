from __future__ import annotations

import pytest
from django.core.management import call_command

from accounts.models import NavigatorNote, SupportRequest, SupportStatus, User
from tests.accounts.conftest import password_sign_in


@pytest.mark.django_db
def test_demo_gives_the_navigator_work_to_do(settings, client) -> None:
    settings.BCBT_DEMO_PASSWORD = "demo-password-for-tests"
    call_command("seed_demo", patients=4, days=7, seed=3)
    assert SupportRequest.objects.filter(status=SupportStatus.OPEN).count() == 2
    never = User.objects.filter(role="patient", last_login__isnull=True)
    assert list(never.values_list("username", flat=True)) == ["patient004"]
    note = NavigatorNote.objects.get()
    assert note.patient.username == "patient"
    password_sign_in(client, "navigator", "demo-password-for-tests")
    page = client.get("/navigator/").content.decode()
    assert "Asked for help signing in (2)" in page
    assert "jo.bloggs@example.net" in page
