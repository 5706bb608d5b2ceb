"""Django admin stays for support: a programme entry changed there reaches patients in treatment
by the same rule as the console (it calls the same service), and internal tables stay hidden
from service admins who are not superusers."""

from __future__ import annotations

import pytest
from django.test import Client

from modules.models import Assignment, ProgrammeEntry
from modules.services import modules_load
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _modules(db) -> None:
    modules_load()


def test_unticking_mandatory_in_admin_reaches_patients_in_treatment(
    service_admin_client, service, pwp
) -> None:
    episode = factories.make_episode(
        patient=factories.PatientFactory.create(service=service), pwp=pwp, service=service
    )
    entry = ProgrammeEntry.objects.get(service=service, module__slug="activity-diary")

    response = service_admin_client.post(
        f"/admin/modules/programmeentry/{entry.pk}/change/",
        {
            "position": entry.position,
            "in_every_programme": "on",
            "unlock_rule": entry.unlock_rule,
            "unlock_session": "",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert ProgrammeEntry.objects.get(pk=entry.pk).mandatory is False
    assert Assignment.objects.get(episode=episode, module=entry.module).mandatory is False


def test_sign_in_records_are_hidden_from_a_service_admin_who_is_not_a_superuser(service) -> None:
    admin_user = factories.ServiceAdminFactory.create(service=service, is_superuser=False)
    client = Client()
    client.force_login(admin_user)

    index = client.get("/admin/")

    assert index.status_code == 200
    assert "Access attempts" not in index.content.decode()
    assert client.get("/admin/axes/accessattempt/").status_code in (403, 404)
