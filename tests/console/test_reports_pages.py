"""The reports pages and their CSV downloads: who may see them, what they hold, how many queries."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from care.models import Appointment, AppointmentStatus, AuditEvent, EndReason, Episode
from care.services import episode_end
from console.reports.tables import FIDELITY_TABLES, OUTCOME_TABLES, csv_header
from measures.models import QuestionnaireResponse
from tests.console.reports_fixture import (
    in_june_2026,  # noqa: F401 - a fixture the tests use by name
    reports_fixture_build,
)
from tests.factories import (
    PatientFactory,
    PwpFactory,
    ServiceAdminFactory,
    ServiceFactory,
    make_episode,
)

pytestmark = pytest.mark.usefixtures("in_june_2026")

PAGES = (
    "/service/reports/",
    "/service/reports/fidelity/",
    "/service/reports/outcomes/",
    "/service/reports/fidelity.csv",
    "/service/reports/outcomes.csv",
    "/service/reports/dataset.csv?month=2026-05",
)


@pytest.fixture
def built(db):
    return reports_fixture_build()


@pytest.fixture
def admin_client(built) -> Client:
    client = Client()
    client.force_login(ServiceAdminFactory.create(service=built.service))
    return client


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


@pytest.mark.parametrize("persona", ["patient_client", "pwp_client", "navigator_client"])
@pytest.mark.parametrize("path", PAGES)
def test_other_roles_get_403(request, persona, path) -> None:
    client = request.getfixturevalue(persona)
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_is_sent_to_sign_in(client, db, path) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_reports_menu_item_and_index(admin_client) -> None:
    response = admin_client.get("/service/reports/?month=2026-05")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="/service/reports/"' in page
    assert "/service/reports/fidelity/?month=2026-05" in page
    assert "Download the data set (CSV)" in page


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (
            "/service/reports/fidelity/?month=2026-05",
            [
                "Sessions against the plan",
                "Ada Able",
                "Bea Baker",
                "Covered together in session 2.",
                "How these are counted",
            ],
        ),
        (
            "/service/reports/outcomes/?month=2026-05",
            [
                "Outcomes of courses of treatment that ended",
                "nhs-talking-therapies-1",
                "Reliable recovery",
                "How these are counted",
            ],
        ),
    ],
)
def test_each_report_page_has_a_chart_tables_and_definitions(
    admin_client, built, path, expected
) -> None:
    response = admin_client.get(path)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in page
    assert 'role="img"' in page
    assert "<desc" in page
    for text in expected:
        assert text in page
    assert AuditEvent.objects.filter(action__startswith="report.", actor__isnull=False).exists()


def test_the_outcomes_page_shows_the_hand_counted_total(admin_client) -> None:
    response = admin_client.get("/service/reports/outcomes/?month=2026-05")
    rows = {row.key.label: row.counts for row in response.context["report"].rows}
    # Three courses ended in May; two finished (see test_reports_figures for the arithmetic).
    assert (rows["Service total"].ended, rows["Service total"].finished) == (3, 2)


def test_a_month_that_makes_no_sense_gets_a_clear_message(admin_client) -> None:
    response = admin_client.get("/service/reports/fidelity/?month=May")
    assert response.status_code == 400
    assert "Choose a month from the list, such as 2026-05." in response.content.decode()
    assert admin_client.get("/service/reports/fidelity.csv?month=2026-13").status_code == 400


@pytest.mark.parametrize(
    ("path", "tables", "name", "no_pwp"),
    [
        # The waiting patient's flag gives fidelity a no-PWP row; every ending had a PWP.
        ("/service/reports/fidelity.csv", FIDELITY_TABLES, "bcbt-fidelity-2026-05.csv", True),
        ("/service/reports/outcomes.csv", OUTCOME_TABLES, "bcbt-outcomes-2026-05.csv", False),
    ],
)
def test_each_report_downloads_as_csv_a_row_per_pwp_and_a_total(
    admin_client, path, tables, name, no_pwp
) -> None:
    response = admin_client.get(f"{path}?month=2026-05")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert name in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == csv_header(tables)
    assert [row[1] for row in rows[1:]] == [
        "Ada Able",
        "Bea Baker",
        *(["No PWP (duty queue)"] if no_pwp else []),
        "Service total",
    ]
    assert {row[0] for row in rows[1:]} == {"2026-05"}


def test_the_outcomes_csv_carries_counts_and_rates(admin_client) -> None:
    rows = _csv(admin_client.get("/service/reports/outcomes.csv?month=2026-05"))
    total = dict(zip(rows[0], rows[-1], strict=True))
    assert total["Ended"] == "3"
    assert total["Finished a course"] == "2"
    assert total["Finished a course (%)"] == "66.7"  # 2 of 3
    assert total["Recovery"] == "1"
    assert total["Recovery (%)"] == "100.0"  # 1 of the 1 case at start


def test_no_other_services_rows(built) -> None:
    elsewhere = reports_fixture_build(service=ServiceFactory.create())
    client = Client()
    client.force_login(ServiceAdminFactory.create(service=elsewhere.service))
    rows = _csv(client.get("/service/reports/fidelity.csv?month=2026-05"))
    assert len(rows) == 5
    header = rows[0]
    total = dict(zip(header, rows[-1], strict=True))
    # The other service's copy of the fixture counts exactly once: 12 planned, not 24.
    assert total["Planned"] == "12"


def _bulk_history(service, pwps, episodes: int) -> None:
    """``episodes`` courses of treatment, half of them ended in May with scores."""
    for number in range(episodes):
        episode = make_episode(
            patient=PatientFactory.create(service=service),
            pwp=pwps[number % len(pwps)],
            service=service,
            started_on=datetime.date(2026, 4, 20),
        )
        Appointment.objects.filter(episode=episode, number__lte=4).update(
            status=AppointmentStatus.ATTENDED
        )
        for session, (phq, gad) in enumerate([(15, 11), (8, 6)], start=1):
            for code, total in (("phq9", phq), ("gad7", gad)):
                QuestionnaireResponse.objects.create(
                    patient=episode.patient,
                    respondent=episode.patient,
                    episode=episode,
                    instrument_code=code,
                    instrument_version="1",
                    answers=[],
                    total=total,
                    session_number=session,
                    submitted_at=datetime.datetime(2026, 4, 19, 9, tzinfo=datetime.UTC)
                    + datetime.timedelta(days=7 * session),
                )
        if number % 2:
            episode_end(
                episode=episode,
                ended_on=datetime.date(2026, 5, 20),
                by=None,
                reason=EndReason.COMPLETED,
            )


@pytest.mark.parametrize(
    "path",
    [
        "/service/reports/fidelity/?month=2026-05",
        "/service/reports/outcomes/?month=2026-05",
        "/service/reports/fidelity/?month=all",
        "/service/reports/outcomes/?month=all",
        "/service/reports/fidelity.csv?month=all",
        "/service/reports/outcomes.csv?month=all",
    ],
)
def test_a_report_runs_the_same_number_of_queries_at_two_sizes(db, path) -> None:
    service = ServiceFactory.create()
    pwps = [PwpFactory.create(service=service) for _ in range(2)]
    client = Client()
    client.force_login(ServiceAdminFactory.create(service=service))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
            # A streamed CSV runs its queries as it is read.
            response.getvalue()
        assert response.status_code == 200
        return len(captured)

    _bulk_history(service, pwps, 2)
    # The first request of a session does its own sign-in bookkeeping: count from the second.
    queries()
    small = queries()
    _bulk_history(service, [*pwps, PwpFactory.create(service=service)], 12)
    assert Episode.objects.filter(service=service).count() == 14
    assert queries() == small
