"""The console's programme and sessions-and-measures pages: who may use them, the confirm step
with its count, and every form's errors."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from care.models import AuditEvent, SessionPlanEntry
from measures.models import MeasuresConfiguration
from measures.selectors import configuration_for_service
from modules.models import Assignment, Module, ProgrammeEntry
from modules.selectors import programme_settings_get
from modules.services import (
    ProgrammeRuleError,
    assignment_waive,
    modules_load,
    programme_default_create,
)
from notifications.models import NotificationPreference, ServiceNotificationPolicy
from tests import factories

pytestmark = pytest.mark.django_db

SLUG = "activity-diary"

GETS = [
    "/service/programme/",
    f"/service/programme/modules/{SLUG}/",
    f"/service/programme/modules/{SLUG}/preview/",
    "/service/sessions/",
]
POSTS = [
    "/service/programme/",
    f"/service/programme/modules/{SLUG}/",
    f"/service/programme/modules/{SLUG}/retire/",
    "/service/programme/1/move/",
    "/service/sessions/plan/",
    "/service/sessions/measures/",
    "/service/sessions/caps/",
]


@pytest.fixture(autouse=True)
def _modules(db) -> None:
    modules_load()


@pytest.mark.parametrize("persona", ["patient_client", "pwp_client", "navigator_client"])
def test_every_page_is_403_for_other_roles(request, persona) -> None:
    client = request.getfixturevalue(persona)
    for url in GETS:
        assert client.get(url).status_code == 403, url
    for url in POSTS:
        assert client.post(url, {"confirm": "1"}).status_code == 403, url


def test_moving_another_services_module_is_404(service_admin_client, service) -> None:
    elsewhere = factories.ServiceFactory.create()
    [entry, *_] = programme_default_create(service=elsewhere)
    response = service_admin_client.post(f"/service/programme/{entry.pk}/move/", {"position": "2"})
    assert response.status_code == 404
    assert ProgrammeEntry.objects.get(pk=entry.pk).position == entry.position


def test_an_unknown_module_is_404(service_admin_client) -> None:
    assert service_admin_client.get("/service/programme/modules/no-such/").status_code == 404
    assert (
        service_admin_client.get("/service/programme/modules/no-such/preview/").status_code == 404
    )
    assert (
        service_admin_client.post("/service/programme/modules/no-such/retire/").status_code == 404
    )


def test_retiring_a_module_that_is_not_in_the_programme_is_404(service_admin_client, service):
    programme_default_create(service=service)
    ProgrammeEntry.objects.filter(service=service, module__slug=SLUG).delete()
    assert (
        service_admin_client.post(f"/service/programme/modules/{SLUG}/retire/").status_code == 404
    )


def test_the_programme_page_lists_the_modules_in_order(
    service_admin_client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20):
        response = service_admin_client.get("/service/programme/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "How a change reaches patients" in page
    assert page.index("Understanding low mood") < page.index("your activity diary")


def _patients(service, pwp, count: int) -> list:
    return [
        factories.make_episode(
            patient=factories.PatientFactory.create(service=service), pwp=pwp, service=service
        )
        for _ in range(count)
    ]


def test_a_change_shows_the_count_before_saving_then_saves_it(
    service_admin_client, service, pwp
) -> None:
    episodes = _patients(service, pwp, 3)
    entry = ProgrammeEntry.objects.get(service=service, module__slug=SLUG)
    change = {
        "inclusion": "optional",
        "unlock_rule": entry.unlock_rule,
        "unlock_session": "",
        "waivable": "on",
    }

    confirm = service_admin_client.post(f"/service/programme/modules/{SLUG}/", change)

    assert confirm.status_code == 200
    assert "This will change 3 patients' programmes" in confirm.content.decode()
    assert Assignment.objects.filter(module__slug=SLUG, mandatory=True).count() == 3

    response = service_admin_client.post(
        f"/service/programme/modules/{SLUG}/", {**change, "confirm": "1", "expected_count": "3"}
    )

    assert response.status_code == 302
    assert not Assignment.objects.filter(
        episode__in=episodes, module__slug=SLUG, mandatory=True
    ).exists()
    assert AuditEvent.objects.filter(action="modules.programme.change").count() == 1


def test_a_stale_count_is_shown_again_and_nothing_is_saved(service_admin_client, service, pwp):
    _patients(service, pwp, 2)
    entry = ProgrammeEntry.objects.get(service=service, module__slug=SLUG)
    change = {
        "inclusion": "optional",
        "unlock_rule": entry.unlock_rule,
        "unlock_session": "",
        "waivable": "on",
    }

    response = service_admin_client.post(
        f"/service/programme/modules/{SLUG}/", {**change, "confirm": "1", "expected_count": "1"}
    )

    assert response.status_code == 409
    assert "This will change 2 patients' programmes" in response.content.decode()
    assert ProgrammeEntry.objects.get(pk=entry.pk).mandatory is True


def test_after_session_without_a_number_is_refused_with_a_message(service_admin_client, service):
    programme_default_create(service=service)
    response = service_admin_client.post(
        f"/service/programme/modules/{SLUG}/",
        {"inclusion": "mandatory", "unlock_rule": "after_session", "unlock_session": ""},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Give the session after which the module opens" in page
    # What the admin chose is still selected.
    assert re.search(r'value="after_session" checked', page)


def test_adding_a_module_from_the_library(service_admin_client, service, pwp) -> None:
    [episode] = _patients(service, pwp, 1)
    change = {
        "inclusion": "optional",
        "unlock_rule": "start",
        "unlock_session": "",
        "waivable": "on",
    }
    confirm = service_admin_client.post("/service/programme/modules/long-term-conditions/", change)
    assert "This will change 1 patient's programme" in confirm.content.decode()

    service_admin_client.post(
        "/service/programme/modules/long-term-conditions/",
        {**change, "confirm": "1", "expected_count": "1"},
    )

    assert Assignment.objects.get(episode=episode, module__slug="long-term-conditions").active


def test_moving_a_module_changes_the_order_for_new_patients_only(
    service_admin_client, service, pwp
) -> None:
    [episode] = _patients(service, pwp, 1)
    entry = ProgrammeEntry.objects.get(service=service, module__slug="staying-well")
    before = list(episode.module_assignments.order_by("position").values_list("module__slug"))

    service_admin_client.post(f"/service/programme/{entry.pk}/move/", {"position": "1"})

    assert ProgrammeEntry.objects.get(pk=entry.pk).position == 1
    assert (
        list(episode.module_assignments.order_by("position").values_list("module__slug")) == before
    )


def test_a_module_can_be_made_one_pwps_cannot_waive(service_admin_client, service, pwp) -> None:
    [episode] = _patients(service, pwp, 1)
    entry = ProgrammeEntry.objects.get(service=service, module__slug=SLUG)
    change = {"inclusion": "mandatory", "unlock_rule": entry.unlock_rule, "unlock_session": ""}

    confirm = service_admin_client.post(f"/service/programme/modules/{SLUG}/", change)
    assert "This will change 0 patients' programmes" in confirm.content.decode()
    service_admin_client.post(
        f"/service/programme/modules/{SLUG}/", {**change, "confirm": "1", "expected_count": "0"}
    )

    assert ProgrammeEntry.objects.get(pk=entry.pk).pwps_may_waive is False
    assignment = Assignment.objects.get(episode=episode, module__slug=SLUG)
    with pytest.raises(ProgrammeRuleError, match="cannot be waived"):
        assignment_waive(by=pwp, assignment=assignment, reason="Does not fit")
    assert Assignment.objects.get(pk=assignment.pk).waived_at is None


def test_waiving_can_be_switched_off(service_admin_client, service) -> None:
    service_admin_client.post("/service/programme/", {})

    assert programme_settings_get(service=service).pwps_may_waive is False


def test_preview_shows_a_module_as_the_patient_sees_it_and_records_nothing(
    service_admin_client,
) -> None:
    module = Module.objects.get(slug=SLUG)
    version = module.latest_version
    assert version is not None
    first = service_admin_client.get(f"/service/programme/modules/{SLUG}/preview/")
    last = service_admin_client.get(
        f"/service/programme/modules/{SLUG}/preview/?step={version.step_count}"
    )
    assert first.status_code == last.status_code == 200
    assert version.pages[0]["title"] in first.content.decode()
    assert "disabled" in last.content.decode()
    assert not Assignment.objects.exists()


# --- Sessions and measures ----------------------------------------------------------------


def _plan_post(service, **changes: str) -> dict[str, str]:
    data: dict[str, str] = {}
    for entry in service.session_plan.order_by("number"):
        data[f"kind-{entry.number}"] = entry.kind
        data[f"minutes-{entry.number}"] = str(entry.default_minutes)
        data[f"days-{entry.number}"] = str(entry.days_after_start)
    data.update({"kind-new": "", "minutes-new": "", "days-new": ""})
    data.update(changes)
    return data


def test_the_session_plan_is_edited_added_to_and_removed_from(service_admin_client, service):
    response = service_admin_client.post(
        "/service/sessions/plan/",
        _plan_post(
            service,
            **{
                "minutes-1": "45",
                "remove-2": "on",
                "kind-new": "online",
                "minutes-new": "20",
                "days-new": "84",
            },
        ),
    )
    assert response.status_code == 302
    plan = list(service.session_plan.order_by("number"))
    assert len(plan) == 11
    assert (plan[0].default_minutes, plan[1].days_after_start) == (45, 14)
    assert (
        plan[-1].number,
        plan[-1].kind,
        plan[-1].default_minutes,
        plan[-1].days_after_start,
    ) == (
        11,
        "online",
        20,
        84,
    )


def test_a_bad_session_plan_is_refused_and_keeps_what_was_typed(service_admin_client, service):
    response = service_admin_client.post(
        "/service/sessions/plan/", _plan_post(service, **{"minutes-3": "forty", "days-new": "99"})
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Session 3: give the length in minutes" in page
    assert 'value="forty"' in page
    assert 'value="99"' in page
    assert SessionPlanEntry.objects.filter(service=service, default_minutes=30).count() == 11


def test_sessions_out_of_order_are_refused(service_admin_client, service) -> None:
    response = service_admin_client.post(
        "/service/sessions/plan/", _plan_post(service, **{"days-4": "1"})
    )
    assert response.status_code == 400
    assert (
        "Session 4 is booked 1 days after the start, before session 3" in response.content.decode()
    )


def test_questionnaires_are_chosen_per_session_with_checkboxes(service_admin_client, service):
    response = service_admin_client.post(
        "/service/sessions/measures/",
        {
            "due-1-phq9": "on",
            "due-1-gad7": "on",
            "due-1-wsas": "on",
            "due-2-phq9": "on",
            "alliance-3": "on",
            "alliance-6": "on",
            "alliance_instrument": "alliance-check",
            "alliance_gap_threshold": "1.5",
        },
    )
    assert response.status_code == 302
    configuration = configuration_for_service(service=service)
    assert configuration.instruments_before(1) == ["phq9", "gad7", "wsas"]
    assert configuration.instruments_before(2) == ["phq9"]
    assert configuration.instruments_before(5) == []
    assert configuration.alliance_sessions == [3, 6]
    assert configuration.alliance_at_last_session is False
    assert str(configuration.alliance_gap_threshold) == "1.50"
    page = service_admin_client.get("/service/sessions/").content.decode()
    assert re.search(r'name="due-2-phq9"[^>]*checked', page)
    assert not re.search(r'name="due-2-gad7"[^>]*checked', page)


def test_a_bad_gap_threshold_keeps_the_ticks(service_admin_client, service) -> None:
    response = service_admin_client.post(
        "/service/sessions/measures/",
        {
            "due-4-wsas": "on",
            "alliance_instrument": "alliance-check",
            "alliance_gap_threshold": "9",
        },
    )
    assert response.status_code == 400
    assert re.search(r'name="due-4-wsas"[^>]*checked', response.content.decode())
    assert not MeasuresConfiguration.objects.filter(service=service).exists()


def test_contradicting_caps_are_refused_with_a_clear_message(service_admin_client, service):
    response = service_admin_client.post(
        "/service/sessions/caps/", {"max_per_day": "3", "max_per_week": "2"}
    )
    assert response.status_code == 400
    assert "A patient cannot get 3 a day when the week allows only 2" in response.content.decode()
    assert not ServiceNotificationPolicy.objects.filter(service=service).exists()


def test_a_cap_below_a_patients_choice_leaves_their_choice(
    service_admin_client, service, patient, episode
) -> None:
    NotificationPreference.objects.create(patient=patient, weekly_max=6)

    response = service_admin_client.post(
        "/service/sessions/caps/", {"max_per_day": "1", "max_per_week": "3"}
    )

    assert response.status_code == 302
    policy = ServiceNotificationPolicy.objects.get(service=service)
    assert (policy.max_per_day, policy.max_per_week) == (1, 3)
    assert NotificationPreference.objects.get(patient=patient).weekly_max == 6
    page = service_admin_client.get("/service/sessions/").content.decode()
    assert "Today 1 patient in treatment chose more than 3 a week" in page


def test_a_superuser_works_on_the_service_they_picked(service, db) -> None:
    elsewhere = factories.ServiceFactory.create()
    superuser = factories.UserFactory.create(
        role="service_admin", service=None, is_superuser=True, is_staff=True
    )
    client = Client()
    client.force_login(superuser)
    client.post("/service/switch/", {"service": elsewhere.pk})
    client.post("/service/sessions/caps/", {"max_per_day": "1", "max_per_week": "4"})
    assert ServiceNotificationPolicy.objects.get(service=elsewhere).max_per_week == 4
    assert not ServiceNotificationPolicy.objects.filter(service=service).exists()


def test_the_console_pages_use_a_fixed_number_of_queries(
    service_admin_client, service, pwp, django_assert_max_num_queries
) -> None:
    urls = (
        "/service/programme/",
        "/service/sessions/",
        f"/service/programme/modules/{SLUG}/",
        f"/service/programme/modules/{SLUG}/preview/?step=2",
    )

    def counts() -> list[int]:
        found = []
        for url in urls:
            with django_assert_max_num_queries(20) as queries:
                assert service_admin_client.get(url).status_code == 200
            found.append(len(queries.captured_queries))
        return found

    _patients(service, pwp, 2)
    # The first request of a session does the session's own reads once.
    counts()
    few = counts()
    for patient_episode in _patients(service, pwp, 12):
        NotificationPreference.objects.create(patient=patient_episode.patient, weekly_max=9)
    # Whatever the number of patients in treatment, the same queries.
    assert counts() == few
