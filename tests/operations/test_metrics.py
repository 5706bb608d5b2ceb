"""/metrics: off without a token, 401 without the right one, valid Prometheus text with it."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from celery import shared_task
from django.test import Client
from django.utils import timezone
from redis import Redis
from redis.client import Pipeline

from accounts.models import User
from care.models import Episode
from notifications.models import Notification, NotificationState
from operations import latency
from safety.services import risk_flag_raise

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-for-the-test-0123456789"
# One sample line of the text exposition format: name, optional labels, a number.
SAMPLE = re.compile(
    r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*",?)*\})? '
    r"(-?[0-9.]+(e[+-]?[0-9]+)?|[+-]Inf|NaN)$"
)


@pytest.fixture
def metrics_on(settings: Any) -> None:
    settings.BCBT_METRICS_TOKEN = TOKEN


def _scrape(client: Client | None = None, token: str = TOKEN) -> dict[str, float]:
    response = (client or Client()).get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    samples: dict[str, float] = {}
    for line in response.content.decode().splitlines():
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            continue
        assert SAMPLE.match(line), f"not a valid sample line: {line!r}"
        name, _, value = line.rpartition(" ")
        samples[name] = float(value)
    return samples


def test_metrics_are_off_when_no_token_is_set(settings: Any) -> None:
    settings.BCBT_METRICS_TOKEN = ""
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.usefixtures("metrics_on")
def test_anonymous_scrape_without_a_token_gets_401() -> None:
    response = Client().get("/metrics")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.usefixtures("metrics_on")
def test_a_wrong_token_gets_401() -> None:
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert Client().get("/metrics", HTTP_AUTHORIZATION=f"Token {TOKEN}").status_code == 401


@pytest.mark.usefixtures("metrics_on")
def test_signed_in_staff_and_patients_without_the_token_get_401(
    service_admin_client: Client, pwp_client: Client, patient_client: Client
) -> None:
    for client in (service_admin_client, pwp_client, patient_client):
        assert client.get("/metrics").status_code == 401


@pytest.mark.usefixtures("metrics_on")
def test_outbox_depth_by_state_and_the_oldest_unsent_age(patient: User, pwp: User) -> None:
    now = timezone.now()
    for number, (state, minutes_ago) in enumerate(
        [
            (NotificationState.QUEUED, 42),
            (NotificationState.QUEUED, 5),
            (NotificationState.FAILED, 10),
            (NotificationState.SENT, 600),
            (NotificationState.HELD, 900),
        ]
    ):
        Notification.objects.create(
            key=f"metrics-{number}",
            recipient=patient,
            kind="mood_reminder",
            state=state,
            subject="s",
            body="b",
            due_at=now - datetime.timedelta(minutes=minutes_ago),
        )
    samples = _scrape()
    assert samples['bcbt_outbox_notifications{state="queued"}'] == 2
    assert samples['bcbt_outbox_notifications{state="failed"}'] == 1
    assert samples['bcbt_outbox_notifications{state="sent"}'] == 1
    assert samples['bcbt_outbox_notifications{state="dead"}'] == 0
    # Held rows wait for the patient's limits on purpose; the oldest due and unsent is 42 min.
    assert 42 * 60 <= samples["bcbt_outbox_oldest_unsent_age_seconds"] < 43 * 60


@pytest.mark.usefixtures("metrics_on")
def test_open_risk_flags_past_their_review_time_are_counted(
    patient: User, episode: Episode
) -> None:
    now = timezone.now()
    for hours in (-2, -1, 5):
        risk_flag_raise(
            patient=patient,
            episode=episode,
            service=episode.service,
            source_response=None,
            review_due_at=now + datetime.timedelta(hours=hours),
        )
    assert _scrape()["bcbt_risk_flags_open_past_due"] == 2


@shared_task(name="tests.operations.always_fails")
def always_fails() -> None:
    raise RuntimeError("the task broke")


@pytest.mark.usefixtures("metrics_on")
def test_celery_task_failures_are_counted_by_task() -> None:
    for _ in range(2):
        always_fails.apply()
    assert _scrape()['bcbt_celery_task_failures_total{task="tests.operations.always_fails"}'] == 2


@pytest.mark.usefixtures("metrics_on")
def test_request_latency_is_a_histogram_by_view(pwp_client: Client) -> None:
    for _ in range(3):
        pwp_client.get("/clinician/")
    samples = _scrape()
    view = 'view="clinician:caseload"'
    assert samples[f"bcbt_http_request_duration_seconds_count{{{view}}}"] == 3
    assert samples[f'bcbt_http_request_duration_seconds_bucket{{{view},le="+Inf"}}'] == 3
    assert samples[f"bcbt_http_request_duration_seconds_sum{{{view}}}"] > 0
    buckets = [
        value
        for name, value in samples.items()
        if name.startswith("bcbt_http_request_duration_seconds_bucket") and view in name
    ]
    assert buckets == sorted(buckets)  # cumulative


@pytest.fixture
def pipelines_sent(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of commands in each Redis pipeline sent (one round trip each)."""
    sent: list[int] = []
    original = Pipeline.execute

    def counting(self: Pipeline, *args: Any, **kwargs: Any) -> Any:
        sent.append(len(self.command_stack))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Pipeline, "execute", counting)
    return sent


@pytest.mark.usefixtures("metrics_on")
def test_request_latencies_go_to_redis_together_not_one_round_trip_each(
    pwp_client: Client, redis_url: str, pipelines_sent: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(latency, "FLUSH_SECONDS", 3600)
    for _ in range(3):
        pwp_client.get("/clinician/")
    assert pipelines_sent == []
    latency.latency_flush()
    assert len(pipelines_sent) == 1
    counts = Redis.from_url(redis_url).hgetall("bcbt:metrics:latency:count")
    assert counts[b"clinician:caseload"] == b"3"


def test_waiting_latencies_are_sent_by_the_timer_without_a_scrape(
    redis_url: str, pipelines_sent: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(latency, "FLUSH_SECONDS", 0.01)
    latency.latency_record(view="moodlog-api:mood-detail", seconds=0.02)
    timer = latency._flush_timer
    assert timer is not None
    timer.join(timeout=30)
    assert len(pipelines_sent) == 1
    counts = Redis.from_url(redis_url).hgetall("bcbt:metrics:latency:count")
    assert counts[b"moodlog-api:mood-detail"] == b"1"


def test_label_values_are_escaped() -> None:
    from operations.exposition import Metric, render

    metric = Metric("bcbt_example", "gauge", "An example.")
    metric.add(1, task='quote " backslash \\ newline \n end')
    line = render([metric]).splitlines()[-1]
    assert line == 'bcbt_example{task="quote \\" backslash \\\\ newline \\n end"} 1'
    assert SAMPLE.match(line)
