"""A service admin opens the reports at 1280 px and on a 360 px phone, and downloads the two
report CSVs and the month's data set."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    assert_fits_phone_width,
    assert_no_serious_axe_violations,
    sign_in,
)
from tests.console.reports_fixture import (
    in_june_2026,  # noqa: F401 - a fixture the tests use by name
    reports_fixture_build,
)
from tests.factories import PASSWORD, ServiceAdminFactory

pytestmark = [
    pytest.mark.usefixtures("in_june_2026"),
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _download(page, name: str, tmp_path: Path, *, button: bool = False) -> list[list[str]]:
    with page.expect_download() as download_info:
        if button:
            page.get_by_role("button", name=name).click()
        else:
            page.get_by_role("link", name=name).click()
    path = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(path)
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_a_service_admin_reads_the_reports_and_downloads_the_csvs(
    live_server, page, tmp_path: Path
) -> None:
    built = reports_fixture_build()
    admin = ServiceAdminFactory.create(service=built.service)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, admin.username, PASSWORD)
    page.goto(f"{live_server.url}/service/")
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Reports", exact=True)).to_be_visible()
    page.get_by_label("Period").select_option("2026-05")
    page.get_by_role("button", name="Show").click()
    assert_no_serious_axe_violations(page)

    page.get_by_role("link", name="Fidelity, May 2026").click()
    expect(page.get_by_role("heading", name="Fidelity: May 2026")).to_be_visible()
    expect(page.get_by_role("img", name="Fidelity, service total, May 2026")).to_be_visible()
    expect(page.get_by_text("Covered together in session 2.")).to_be_visible()
    assert_no_serious_axe_violations(page)
    rows = _download(page, "Download this report as a CSV file", tmp_path)
    assert [row[1] for row in rows[1:]] == [
        "Ada Able",
        "Bea Baker",
        "No PWP (duty queue)",
        "Service total",
    ]

    page.get_by_role("link", name="All reports").click()
    page.get_by_role("link", name="Outcomes, May 2026").click()
    expect(page.get_by_role("heading", name="Outcomes: May 2026")).to_be_visible()
    assert_no_serious_axe_violations(page)
    rows = _download(page, "Download this report as a CSV file", tmp_path)
    total = dict(zip(rows[0], rows[-1], strict=True))
    # The hand-counted May: three courses ended, two finished (tests/console).
    assert (total["Ended"], total["Finished a course"]) == ("3", "2")

    page.set_viewport_size({"width": 360, "height": 780})
    assert_fits_phone_width(page)
    assert_no_serious_axe_violations(page)
    page.get_by_role("link", name="All reports").click()
    assert_fits_phone_width(page)
    page.get_by_label("Month").select_option("2026-05")
    rows = _download(page, "Download the data set (CSV)", tmp_path, button=True)
    assert rows[0][:2] == ["record_type", "service"]
    # Twelve appointments in May and three courses that ended in it.
    assert len(rows) == 1 + 12 + 3
