"""/service/ is the service admin's: other roles get 403; a superuser picks a service."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Role
from tests.factories import PatientFactory, PwpFactory, ServiceFactory, UserFactory, make_episode


@pytest.mark.parametrize("persona", ["patient_client", "pwp_client", "navigator_client"])
def test_other_roles_get_403(request, persona) -> None:
    client = request.getfixturevalue(persona)
    assert client.get("/service/").status_code == 403
    assert client.get("/service/switch/").status_code == 403


def test_anonymous_is_sent_to_sign_in(client, db) -> None:
    response = client.get("/service/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_overview_counts_this_service_only(service_admin_client, service, pwp) -> None:
    make_episode(patient=PatientFactory.create(service=service), pwp=pwp, service=service)
    make_episode(patient=PatientFactory.create(service=service), pwp=None, service=service)
    elsewhere = ServiceFactory.create()
    make_episode(
        patient=PatientFactory.create(service=elsewhere),
        pwp=PwpFactory.create(service=elsewhere),
        service=elsewhere,
    )

    response = service_admin_client.get("/service/")

    assert response.status_code == 200
    overview = response.context["overview"]
    assert (overview.in_treatment, overview.waiting_for_pwp, overview.ended) == (2, 1, 0)
    assert service.name in response.content.decode()


def test_a_superuser_without_a_service_picks_one(service, db) -> None:
    superuser = UserFactory.create(
        role=Role.SERVICE_ADMIN, service=None, is_superuser=True, is_staff=True
    )
    client = Client()
    client.force_login(superuser)

    response = client.get("/service/")
    assert response.status_code == 302
    assert response["Location"] == "/service/switch/"

    response = client.post("/service/switch/", {"service": service.pk})
    assert response.status_code == 302
    assert client.get("/service/").context["service"] == service


def test_picking_a_service_that_does_not_exist_is_404(db) -> None:
    superuser = UserFactory.create(
        role=Role.SERVICE_ADMIN, service=None, is_superuser=True, is_staff=True
    )
    client = Client()
    client.force_login(superuser)
    assert client.post("/service/switch/", {"service": "999999"}).status_code == 404
    assert client.post("/service/switch/", {"service": ""}).status_code == 404


def test_a_service_admin_who_is_not_a_superuser_works_on_their_own_service(service) -> None:
    admin = UserFactory.create(role=Role.SERVICE_ADMIN, service=service, is_staff=False)
    client = Client()
    client.force_login(admin)
    assert client.get("/service/").context["service"] == service
    assert client.get("/service/switch/").status_code == 403
    assert (
        client.post("/service/switch/", {"service": ServiceFactory.create().pk}).status_code == 403
    )
