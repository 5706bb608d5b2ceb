"""Issue #18, done when: a service admin who never opens /admin/ registers a patient, who signs
in through the welcome link and sees the programme and the next appointment; makes a module
optional and sees it reach the patients in treatment; ends the episode; downloads both report
CSVs (and the month's data set) and finds that episode counted."""

from __future__ import annotations

import csv
import re
import zoneinfo
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from care.models import EndReason, Episode, EpisodeStatus
from modules.services import modules_load
from tests import factories
from tests.browser.conftest import assert_no_serious_axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONDON = zoneinfo.ZoneInfo("Europe/London")
TITLE = "Doing more, part 1: your activity diary"


def _download_csv(page: Any, tmp_path: Path, click: Any) -> list[dict[str, str]]:
    with page.expect_download() as download_info:
        click()
    path = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(path)
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_service_admin_runs_a_course_of_treatment_from_registration_to_the_reports(
    live_server, page, browser, settings, tmp_path: Path
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.BCBT_BASE_URL = live_server.url
    mail.outbox = []
    modules_load()
    service = factories.ServiceFactory.create()
    factories.PwpFactory.create(first_name="Alex", last_name="Moss", service=service)
    admin = factories.ServiceAdminFactory.create(
        username="asha", is_superuser=False, is_staff=False, service=service
    )
    # The first appointment is later today, whatever the hour of the run, so the course can
    # also end today: the patient declines before their first session.
    today = timezone.localdate(timezone=LONDON)
    page.set_viewport_size({"width": 1280, "height": 900})

    sign_in(page, live_server, admin.username, factories.PASSWORD)
    page.wait_for_url(f"{live_server.url}/service/")
    page.get_by_role("link", name="Patients", exact=True).click()
    page.get_by_role("button", name="Register a patient").click()
    page.get_by_label("First name").fill("Robin")
    page.get_by_label("Last name").fill("Ashby")
    page.get_by_label("Email address").fill("robin.ashby@example.org")
    page.get_by_label("PWP").select_option(label="Alex Moss")
    page.get_by_label("Date of the first appointment").fill(today.isoformat())
    page.get_by_label("Time of the first appointment").fill("23:45")
    page.get_by_role("button", name="Register and send the welcome email").click()
    expect(page.locator("h1")).to_have_text("Robin Ashby")
    assert_no_serious_axe_violations(page)

    # The patient signs in through the welcome link and sees the programme and the appointment.
    [welcome] = mail.outbox
    link = re.search(r"http://\S+/accounts/sign-in-link/\S+/", str(welcome.body))
    assert link, welcome.body
    patient_context = browser.new_context(viewport={"width": 360, "height": 780})
    patient_page = patient_context.new_page()
    patient_page.goto(link.group(0))
    patient_page.get_by_role("button", name="Sign in").click()
    patient_page.wait_for_url(f"{live_server.url}/me/")
    expect(patient_page.locator("body")).to_contain_text(
        f"Session 1, face to face, on {today:%A} {today.day} {today:%B} at 23:45"
    )
    patient_page.goto(f"{live_server.url}/modules/")
    expect(patient_page.locator("body")).to_contain_text("your activity diary")

    # The admin makes a module optional; it reaches the patient in treatment.
    page.get_by_role("link", name="Programme").first.click()
    page.get_by_role("link", name=f"Change {TITLE}").click()
    page.get_by_label("Optional: in every patient's programme").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#programme-impact")).to_contain_text("This will change 1 patient's")
    page.get_by_role("button", name="Confirm and save").click()
    expect(page.get_by_text("1 patient's programme was changed.")).to_be_visible()
    patient_page.reload()
    section = patient_page.locator("h2", has_text="Optional modules").locator("xpath=..")
    expect(section).to_contain_text("your activity diary")
    patient_context.close()

    # The admin ends the course of treatment.
    page.get_by_role("link", name="Patients", exact=True).click()
    page.get_by_role("link", name="Robin Ashby").click()
    page.get_by_role("link", name="End treatment").click()
    page.get_by_label("Why treatment ended").select_option(EndReason.DECLINED.value)
    page.get_by_role("button", name="End treatment").click()
    expect(page.locator("body")).to_contain_text("Robin Ashby's treatment has ended")
    episode = Episode.objects.get(patient__email="robin.ashby@example.org")
    assert (episode.status, episode.end_reason) == (EpisodeStatus.DISCHARGED, "declined")

    # The reports for this month count it.
    page.get_by_role("link", name="Reports", exact=True).click()
    month = f"{today:%B %Y}"
    page.get_by_role("link", name=f"Outcomes, {month}").click()
    outcomes = _download_csv(
        page,
        tmp_path,
        lambda: page.get_by_role("link", name="Download this report as a CSV file").click(),
    )
    assert (outcomes[-1]["pwp"], outcomes[-1]["Ended"]) == ("Service total", "1")
    page.get_by_role("link", name="All reports").click()
    page.get_by_role("link", name=f"Fidelity, {month}").click()
    fidelity = _download_csv(
        page,
        tmp_path,
        lambda: page.get_by_role("link", name="Download this report as a CSV file").click(),
    )
    assert [row["pwp"] for row in fidelity] == ["Alex Moss", "Service total"]
    page.get_by_role("link", name="All reports").click()
    dataset = _download_csv(
        page,
        tmp_path,
        lambda: page.get_by_role("button", name="Download the data set (CSV)").click(),
    )
    [ended] = [row for row in dataset if row["record_type"] == "episode_end"]
    assert (ended["end_reason"], ended["end_date"]) == ("declined", today.isoformat())
