"""A patient downloads their own copy from /account/ and opens its readable page."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import User
from moodlog.services import mood_rating_record
from tests.browser.conftest import assert_no_serious_axe_violations, sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_patient_downloads_their_data_and_reads_the_page(
    live_server, page, patient: User, episode, tmp_path: Path
) -> None:
    mood_rating_record(patient=patient, day=patient.local_today(), score=6, note="a calm day")
    sign_in(page, live_server, patient.username, PASSWORD)
    page.wait_for_url(f"{live_server.url}/me/")
    page.goto(f"{live_server.url}/account/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download all your data").click()
    archive_path = tmp_path / "copy.zip"
    download_info.value.save_as(archive_path)
    with zipfile.ZipFile(archive_path) as archive:
        archive.extractall(tmp_path / "copy")
    page.goto((tmp_path / "copy" / "index.html").as_uri())
    expect(page.get_by_role("heading", name="Your data from bcbt")).to_be_visible()
    expect(page.get_by_role("heading", name="Your mood ratings")).to_be_visible()
    expect(page.get_by_text("a calm day")).to_be_visible()
    assert_no_serious_axe_violations(page)
