"""The reports section of the console: fidelity and outcomes per month and per PWP, their CSV
downloads, and the monthly data set extract (built by ``exports.dataset``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from care.models import Service
from care.services import audit_event_record
from console.access import service_admin_required
from console.reports.charts import percentage_chart
from console.reports.fidelity import FidelityReport, fidelity_report
from console.reports.outcomes import OutcomeReport, outcome_report
from console.reports.period import PeriodError, ReportPeriod, period_parse, periods_offered
from console.reports.tables import FIDELITY_TABLES, OUTCOME_TABLES, Table, csv_header, csv_rows
from exports.dataset import dataset_export, dataset_month_parse


def _service(request: HttpRequest) -> Service:
    return request.console_service  # type: ignore[attr-defined]


def _period(request: HttpRequest) -> tuple[ReportPeriod, str]:
    """The period asked for, or this month with the reason when the request made no sense."""
    service = _service(request)
    try:
        return period_parse(value=request.GET.get("month"), service=service), ""
    except PeriodError as error:
        return period_parse(value=None, service=service), str(error)


def _audit(request: HttpRequest, action: str, period: ReportPeriod) -> None:
    audit_event_record(
        actor=request.user,  # type: ignore[arg-type]
        action=action,
        target=_service(request),
        request=request,
        detail={"period": period.key},
    )


@require_GET
@service_admin_required
def index(request: HttpRequest) -> HttpResponse:
    period, error = _period(request)
    return render(
        request,
        "console/reports/index.html",
        {
            "period": period,
            "periods": periods_offered(service=_service(request)),
            "months": [p for p in periods_offered(service=_service(request)) if not p.is_all_time],
            "error": error,
        },
        status=400 if error else 200,
    )


def _fidelity_chart_measures(report: FidelityReport) -> list[tuple[str, int, int]]:
    total = report.total
    return [
        ("Sessions attended", total.sessions_attended, total.sessions_planned),
        ("Briefs reviewed before", total.briefs_reviewed, total.sessions_attended),
        ("Modules completed", total.modules_completed, total.modules_assigned),
        ("Questionnaires completed", total.questionnaires_completed, total.questionnaires_due),
        ("Alliance rated by patient", total.alliance_patient_rated, total.alliance_due),
        ("Flags reviewed in time", total.flags_reviewed_in_time, total.flags_raised),
    ]


def _outcome_chart_measures(report: OutcomeReport) -> list[tuple[str, int, int]]:
    total = report.total
    return [
        ("Finished a course", total.finished, total.ended),
        ("Case at start", total.case_at_start, total.paired),
        ("Recovery", total.recovery, total.case_at_start),
        ("Reliable improvement", total.reliable_improvement, total.paired),
        ("Reliable deterioration", total.reliable_deterioration, total.paired),
        ("Reliable recovery", total.reliable_recovery, total.case_at_start),
    ]


def _report_page(
    request: HttpRequest,
    *,
    kind: str,
    title: str,
    report: FidelityReport | OutcomeReport,
    tables: tuple[Table, ...],
    chart_measures: list[tuple[str, int, int]],
    error: str,
) -> HttpResponse:
    _audit(request, f"report.{kind}.view", report.period)
    return render(
        request,
        "console/reports/report.html",
        {
            "kind": kind,
            "title": title,
            "report": report,
            "tables": [
                {
                    "table": table,
                    "rows": [
                        (row.key, [column.cell(row.counts) for column in table.columns])
                        for row in report.rows
                    ],
                }
                for table in tables
            ],
            "chart": percentage_chart(
                title=f"{title}, service total, {report.period.label}", measures=chart_measures
            ),
            "period": report.period,
            "periods": periods_offered(service=_service(request)),
            "error": error,
        },
        status=400 if error else 200,
    )


@require_GET
@service_admin_required
def fidelity(request: HttpRequest) -> HttpResponse:
    period, error = _period(request)
    report = fidelity_report(service=_service(request), period=period, now=timezone.now())
    return _report_page(
        request,
        kind="fidelity",
        title="Fidelity",
        report=report,
        tables=FIDELITY_TABLES,
        chart_measures=_fidelity_chart_measures(report),
        error=error,
    )


@require_GET
@service_admin_required
def outcomes(request: HttpRequest) -> HttpResponse:
    period, error = _period(request)
    report = outcome_report(service=_service(request), period=period)
    return _report_page(
        request,
        kind="outcomes",
        title="Outcomes",
        report=report,
        tables=OUTCOME_TABLES,
        chart_measures=_outcome_chart_measures(report),
        error=error,
    )


def _csv_response(lines: Iterator[str], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Figures about patients: never kept by a shared cache.
    response["Cache-Control"] = "no-store"
    return response


def _report_csv(tables: tuple[Table, ...], report: FidelityReport | OutcomeReport) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(csv_header(tables))
    writer.writerows(csv_rows(tables=tables, report=report))
    yield buffer.getvalue()


def _period_or_400(request: HttpRequest) -> ReportPeriod | HttpResponse:
    period, error = _period(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    return period


@require_GET
@service_admin_required
def fidelity_csv(request: HttpRequest) -> HttpResponseBase:
    period = _period_or_400(request)
    if isinstance(period, HttpResponse):
        return period
    report = fidelity_report(service=_service(request), period=period, now=timezone.now())
    _audit(request, "report.fidelity.download", period)
    return _csv_response(_report_csv(FIDELITY_TABLES, report), f"bcbt-fidelity-{period.key}.csv")


@require_GET
@service_admin_required
def outcomes_csv(request: HttpRequest) -> HttpResponseBase:
    period = _period_or_400(request)
    if isinstance(period, HttpResponse):
        return period
    report = outcome_report(service=_service(request), period=period)
    _audit(request, "report.outcomes.download", period)
    return _csv_response(_report_csv(OUTCOME_TABLES, report), f"bcbt-outcomes-{period.key}.csv")


@require_GET
@service_admin_required
def dataset_csv(request: HttpRequest) -> HttpResponseBase:
    """The month's data set extract: a bulk export of patient data, audited as one."""
    service = _service(request)
    try:
        month = dataset_month_parse(service=service, value=request.GET.get("month", ""))
    except ValueError as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    lines = dataset_export(month=month, actor=request.user, request=request)  # type: ignore[arg-type]
    return _csv_response(lines, f"bcbt-dataset-{service.slug}-{month.key}.csv")
