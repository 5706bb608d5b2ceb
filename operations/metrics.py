"""/metrics: what an operations team alerts on, for a Prometheus scraper on the internal network.

Off (404) unless ``BCBT_METRICS_TOKEN`` is set; then it needs ``Authorization: Bearer <token>``
(401 otherwise). Every figure is a count or an age: no patient appears in any label.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, Min
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from notifications.models import Notification, NotificationState
from operations.exposition import CONTENT_TYPE, Metric, render
from operations.latency import BUCKETS, latency_snapshot
from operations.models import TaskFailureTally
from safety.models import RiskFlag, RiskFlagStatus

# Waiting to go out now. Held rows are left out: the patient's own limits hold them on purpose.
UNSENT_STATES = (NotificationState.PENDING, NotificationState.QUEUED, NotificationState.FAILED)


def _latency_metric() -> Metric:
    metric = Metric(
        "bcbt_http_request_duration_seconds", "histogram", "Time to answer a request, by view."
    )
    for view, latency in sorted(latency_snapshot().items()):
        cumulative = 0
        for bound, observed in zip((*BUCKETS, float("inf")), latency.buckets, strict=True):
            cumulative += observed
            metric.add(cumulative, "_bucket", view=view, le=_le(bound))
        metric.add(latency.total_seconds, "_sum", view=view)
        metric.add(latency.count, "_count", view=view)
    return metric


def _le(bound: float) -> str:
    return "+Inf" if bound == float("inf") else repr(bound)


def _outbox_metrics() -> list[Metric]:
    now = timezone.now()
    depth = Metric("bcbt_outbox_notifications", "gauge", "Notifications in the outbox, by state.")
    counts = dict(Notification.objects.values_list("state").annotate(total=Count("id")).order_by())
    for state in NotificationState:
        depth.add(counts.get(state.value, 0), state=state.value)
    oldest = Notification.objects.filter(state__in=UNSENT_STATES, due_at__lte=now).aggregate(
        oldest=Min("due_at")
    )["oldest"]
    age = Metric(
        "bcbt_outbox_oldest_unsent_age_seconds",
        "gauge",
        "Age of the oldest notification that is due and not yet sent (0 when none).",
    )
    age.add((now - oldest).total_seconds() if oldest else 0)
    return [depth, age]


def _task_failures_metric() -> Metric:
    metric = Metric(
        "bcbt_celery_task_failures_total", "counter", "Celery task failures, by task name."
    )
    for name, failures in TaskFailureTally.objects.order_by("task_name").values_list(
        "task_name", "failures"
    ):
        metric.add(failures, task=name)
    return metric


def _risk_flags_metric() -> Metric:
    metric = Metric(
        "bcbt_risk_flags_open_past_due",
        "gauge",
        "Open risk flags whose review time has passed.",
    )
    metric.add(
        RiskFlag.objects.filter(
            status=RiskFlagStatus.OPEN, review_due_at__lte=timezone.now()
        ).count()
    )
    return metric


def _authorised(request: HttpRequest, token: str) -> bool:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


@never_cache
@login_not_required
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    token = str(getattr(settings, "BCBT_METRICS_TOKEN", ""))
    if not token:
        raise Http404("Metrics are off.")
    if not _authorised(request, token):
        response = HttpResponse("A bearer token is needed.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    body = render(
        [_latency_metric(), *_outbox_metrics(), _task_failures_metric(), _risk_flags_metric()]
    )
    return HttpResponse(body, content_type=CONTENT_TYPE)
