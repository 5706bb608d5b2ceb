"""bcbt as an installed app on a phone: the manifest and service worker, the patient's pages
offline, what is done offline sent once when the connection returns, save as you go, and
nothing of staff pages or of a signed-out patient left in the phone's caches."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from accounts.models import Draft, User
from care.models import Episode
from modules.models import Assignment
from modules.services import assignment_start, assignment_step_complete, modules_load
from moodlog.models import MoodRating
from tests import factories
from tests.browser.conftest import assert_no_serious_axe_violations, sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOW_MOOD = "understanding-low-mood"
EXERCISE_KEY = f"exercise.{LOW_MOOD}.my_low_mood_cycle"
OFFLINE_SAVED = "Saved on this phone. It will send when you're online."

CACHED_URLS = """async () => {
    const urls = [];
    for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const request of await cache.keys()) urls.push(new URL(request.url).pathname);
    }
    return urls;
}"""


@pytest.fixture
def episode(patient: User, pwp: User, service) -> Episode:
    # Modules first: an earlier transactional test may have flushed the shipped content, and
    # an episode's programme is made from it.
    modules_load()
    return factories.make_episode(patient=patient, pwp=pwp, service=service)


def pages_kept(page) -> list[str]:
    return [url for url in page.evaluate(CACHED_URLS) if not url.startswith("/static/")]


def exercise_ready(episode: Episode) -> str:
    """Start the low mood module and read its pages, so its exercise (step 4) is open."""
    assignment = Assignment.objects.get(episode=episode, module__slug=LOW_MOOD)
    assignment_start(assignment=assignment)
    for step in (1, 2, 3):
        assignment_step_complete(assignment=assignment, step=step)
    return f"/modules/{LOW_MOOD}/step/4/"


def wait_until(check: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError("waited in vain")


def controlled_by_service_worker(page) -> None:
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    # A page loaded before the worker was active is claimed by it, or at the latest controlled
    # once loaded again.
    if not page.evaluate("navigator.serviceWorker.controller !== null"):
        page.reload()
    wait_until(lambda: page.evaluate("navigator.serviceWorker.controller !== null"))


def test_offline_mood_and_exercise_are_kept_then_sent_once(
    live_server, context, page, patient: User, episode: Episode
) -> None:
    exercise = exercise_ready(episode)
    sign_in(page, live_server, patient.username, PASSWORD)
    page.wait_for_url(f"{live_server.url}/me/")

    # Installable: the manifest has what Chromium asks for, and a worker with a fetch handler
    # controls the page.
    manifest = page.evaluate(
        "fetch(document.querySelector('link[rel=manifest]').href).then(r => r.json())"
    )
    assert manifest["name"]
    assert manifest["short_name"] == "bcbt"
    assert manifest["start_url"] == "/me/"
    assert manifest["display"] == "standalone"
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in manifest["icons"]}
    controlled_by_service_worker(page)
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL").endswith("/sw.js")
    assert page.evaluate("window.isSecureContext")

    # Visit the pages, so the phone keeps them.
    page.goto(f"{live_server.url}/me/")
    page.goto(f"{live_server.url}/mood/")
    page.goto(f"{live_server.url}{exercise}")
    kept = page.evaluate(CACHED_URLS)
    assert {"/me/", "/mood/", exercise} <= set(kept)

    context.set_offline(True)
    # Chromium applies the offline emulation to a newly loaded page a moment late, now and
    # then: long enough for the page to think it is online and send what waits. A phone's
    # network that is really gone refuses every request, so the API does here too.
    api = f"{live_server.url}/api/**"
    context.route(api, lambda route: route.abort("internetdisconnected"))
    page.goto(f"{live_server.url}/mood/")
    expect(page.get_by_role("heading", name="How is your mood today?")).to_be_visible()
    page.get_by_role("button", name="6 out of 10", exact=True).click()
    expect(page.get_by_text(OFFLINE_SAVED)).to_be_visible()
    page.goto(f"{live_server.url}{exercise}")
    expect(page.get_by_role("heading", name="My low mood cycle")).to_be_visible()
    page.get_by_label("When was it?").fill("Sunday afternoon")
    expect(page.get_by_text(OFFLINE_SAVED)).to_be_visible()
    assert not MoodRating.objects.exists()
    assert not Draft.objects.exists()

    context.unroute(api)
    context.set_offline(False)
    wait_until(lambda: MoodRating.objects.exists() and Draft.objects.exists())
    # Sent once, however the page retries.
    page.reload()
    page.wait_for_load_state("load")
    page.evaluate("() => new Promise(resolve => setTimeout(resolve, 500))")
    ratings = list(MoodRating.objects.filter(patient=patient))
    assert [(rating.day, rating.score) for rating in ratings] == [(patient.local_today(), 6)]
    draft = Draft.objects.get(user=patient)
    assert draft.key == EXERCISE_KEY
    assert draft.fields["when"] == "Sunday afternoon"
    assert page.evaluate("localStorage.getItem('bcbt-queue')") == "[]"
    # The page shows what was kept, restored from the server.
    expect(page.get_by_label("When was it?")).to_have_value("Sunday afternoon")


def test_half_an_exercise_is_there_after_a_reload_and_after_leaving(
    live_server, page, patient: User, episode: Episode
) -> None:
    exercise = exercise_ready(episode)
    sign_in(page, live_server, patient.username, PASSWORD)
    page.wait_for_url(f"{live_server.url}/me/")
    page.goto(f"{live_server.url}{exercise}")
    page.get_by_label("How did you feel?").fill("Flat and tired, and")
    expect(page.get_by_text("Draft saved at")).to_be_visible()
    page.reload()
    expect(page.get_by_label("How did you feel?")).to_have_value("Flat and tired, and")
    expect(page.get_by_text("We kept what you were writing")).to_be_visible()
    assert_no_serious_axe_violations(page)

    # Leaving at once, before the pause that saves, from a page the worker controls: kept on
    # the phone as the page goes, and sent by the next page.
    controlled_by_service_worker(page)
    page.get_by_label("What went through your mind?").fill("What's the point")
    page.goto(f"{live_server.url}/me/")
    wait_until(
        lambda: (
            Draft.objects.get(user=patient, key=EXERCISE_KEY).fields.get("thoughts")
            == "What's the point"
        )
    )

    # Finishing saves the answers and the draft goes.
    page.goto(f"{live_server.url}{exercise}")
    page.get_by_label("When was it?").fill("Sunday")
    page.get_by_label("What did you do, or stop doing?").fill("Stayed in")
    page.locator("#field-mood_rating-4").check()
    page.get_by_role("button", name="Save and finish").click()
    page.wait_for_url(f"{live_server.url}/modules/{LOW_MOOD}/finished/")
    assert not Draft.objects.filter(user=patient).exists()


def test_staff_pages_never_reach_the_phones_caches(
    live_server, page, patient: User, episode: Episode, service
) -> None:
    pwp = factories.PwpFactory.create(username="pwp-app", service=service)
    sign_in(page, live_server, patient.username, PASSWORD)
    page.wait_for_url(f"{live_server.url}/me/")
    controlled_by_service_worker(page)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")

    sign_in(page, live_server, pwp.username, PASSWORD)
    page.wait_for_url(f"{live_server.url}/clinician/")
    # The worker still looks after this origin, so it saw the caseload: and kept none of it.
    page.reload()
    controlled_by_service_worker(page)
    response = page.goto(f"{live_server.url}/clinician/")
    assert response is not None
    assert "no-store" in response.headers["cache-control"]
    assert pages_kept(page) == []


def test_signing_out_empties_the_caches(live_server, page, patient: User, episode: Episode) -> None:
    sign_in(page, live_server, patient.username, PASSWORD)
    page.wait_for_url(f"{live_server.url}/me/")
    controlled_by_service_worker(page)
    page.goto(f"{live_server.url}/mood/")
    page.goto(f"{live_server.url}/me/")
    assert {"/me/", "/mood/"} <= set(page.evaluate(CACHED_URLS))
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    # Every page is gone. The sign-in page may fetch the public style sheets again through the
    # worker, which keeps those: they are the same for everyone.
    wait_until(lambda: pages_kept(page) == [])
    assert json.loads(page.evaluate("JSON.stringify(Object.keys(localStorage))")) in (
        [],
        ["bcbt-queue"],
    )
