"""The brief a PWP reads in two minutes, measured from what Chromium renders at 1280 x 800 for
every demo patient; the add-on suggestion accepted from the brief; the caseload's first screen.

Words are counted from the rendered page: text nodes inside <main> that are drawn (not in a
closed <details>, not visually hidden, not the tick labels of an SVG chart), split on spaces,
counting only tokens with a letter or digit. "The first screen" is what lies within the top
800 px without scrolling.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from modules.models import Assignment, AssignmentChange
from tests.browser.conftest import assert_no_serious_axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-password-for-browser-tests"
SCREEN = {"width": 1280, "height": 800}
FIRST_SCREEN_WORDS = 150
PAGE_WORDS = 350

COUNT_WORDS = """() => {
  const main = document.querySelector('main');
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  let first = 0, all = 0;
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const element = node.parentElement;
    if (!element || element.closest('svg, script, style')) continue;
    if (!element.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const rects = [...range.getClientRects()].filter(r => r.width > 1 && r.height > 1);
    if (!rects.length) continue;
    const words = node.textContent.trim().split(/\\s+/).filter(w => /[A-Za-z0-9]/.test(w)).length;
    all += words;
    if (rects[0].top + window.scrollY < window.innerHeight) first += words;
  }
  return {first, all};
}"""


@pytest.fixture
def demo(settings: Any) -> None:
    settings.BCBT_DEMO_PASSWORD = DEMO_PASSWORD
    call_command("seed_demo")


def _within_first_screen(page: Any, locator: Any) -> bool:
    box = locator.bounding_box()
    scroll = page.evaluate("window.scrollY")
    return box is not None and box["y"] + scroll + box["height"] <= SCREEN["height"]


def _patient_links(page: Any, live_server: Any) -> list[tuple[str, str]]:
    page.goto(f"{live_server.url}/clinician/")
    links = page.locator("table.bcbt-caseload tbody tr td:first-child a")
    return [
        (links.nth(index).inner_text(), links.nth(index).get_attribute("href"))
        for index in range(links.count())
    ]


def test_every_demo_brief_fits_its_first_screen_and_stays_short(demo, live_server, page):
    page.set_viewport_size(SCREEN)
    measured = []
    for pwp in ("pwp", "pwp2"):
        page.context.clear_cookies()
        sign_in(page, live_server, pwp, DEMO_PASSWORD)
        page.wait_for_url(f"{live_server.url}/clinician/")
        for name, href in _patient_links(page, live_server):
            page.goto(f"{live_server.url}{href}")
            words = page.evaluate(COUNT_WORDS)
            measured.append((name, words["first"], words["all"]))
            assert words["first"] <= FIRST_SCREEN_WORDS, f"{name}: {words}"
            assert words["all"] < PAGE_WORDS, f"{name}: {words}"
            reviewed = page.get_by_role("button", name="Mark as reviewed").or_(
                page.get_by_text("You marked this brief as reviewed")
            )
            assert _within_first_screen(page, reviewed.first), name
            flags = page.locator(".bcbt-brief__flag")
            for index in range(flags.count()):
                assert _within_first_screen(page, flags.nth(index)), name
                assert "question 9" in flags.nth(index).inner_text() or '"' in (
                    flags.nth(index).inner_text()
                ), name
    # Every demo patient: "patient" and the 24 others, across the two PWPs.
    assert len(measured) == 25, measured


def test_the_flagged_demo_patient_shows_the_flag_reason_first(demo, live_server, page):
    page.set_viewport_size(SCREEN)
    sign_in(page, live_server, "pwp", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/clinician/")
    page.get_by_role("link", name="Sam Taylor").click()
    flag = page.locator(".bcbt-brief__flag").first
    expect(flag).to_contain_text('PHQ-9 question 9: "Several days"')
    assert _within_first_screen(page, flag)
    expect(flag.get_by_role("link", name="Review the flag")).to_be_visible()
    assert_no_serious_axe_violations(page)


def test_pwp_accepts_the_worry_suggestion_and_the_patient_sees_the_module(
    demo, live_server, page, browser
):
    page.set_viewport_size(SCREEN)
    sign_in(page, live_server, "pwp", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/clinician/")
    page.get_by_role("link", name="Sam Taylor").click()
    suggestion = page.locator(".bcbt-brief__suggestion").filter(has_text="GAD-7 was")
    expect(suggestion).to_contain_text("consider Managing worry")
    assert _within_first_screen(page, suggestion)
    suggestion.get_by_role("button", name="Add Managing worry").click()
    expect(page.locator(".bcbt-message").filter(has_text="to the programme")).to_be_visible()
    assignment = Assignment.objects.get(
        episode__patient__username="patient", module__slug="managing-worry", active=True
    )
    change = AssignmentChange.objects.get(assignment=assignment)
    assert "rule gad7-caseness" in change.reason
    assert "GAD-7 was" in change.reason
    # Accepted once, the suggestion is gone.
    expect(page.locator(".bcbt-brief__suggestion").filter(has_text="GAD-7 was")).to_have_count(0)

    patient_context = browser.new_context(viewport={"width": 360, "height": 780})
    patient_page = patient_context.new_page()
    sign_in(patient_page, live_server, "patient", DEMO_PASSWORD)
    patient_page.wait_for_url(f"{live_server.url}/me/")
    patient_page.goto(f"{live_server.url}/modules/")
    expect(patient_page.locator("main")).to_contain_text("Managing worry")
    patient_context.close()


def test_the_caseload_shows_eight_patients_and_ranks_the_low_mood_patient(demo, live_server, page):
    page.set_viewport_size(SCREEN)
    sign_in(page, live_server, "pwp", DEMO_PASSWORD)
    page.wait_for_url(f"{live_server.url}/clinician/")
    # As the PWP finds it later in the day: without the "signed in" message.
    page.goto(f"{live_server.url}/clinician/")
    rows = page.locator("table.bcbt-caseload tbody tr")
    visible = [
        index for index in range(rows.count()) if _within_first_screen(page, rows.nth(index))
    ]
    assert len(visible) >= 8, f"{len(visible)} rows on the first screen"
    texts = [rows.nth(index).inner_text() for index in range(rows.count())]
    low = next(index for index, text in enumerate(texts) if "Low mood" in text)
    # Everyone above the low-mood patient is there for a reason that comes first in the order.
    earlier = ("Risk flag", "Reliable deterioration", "Mood down", "Low mood")
    assert all(any(reason in text for reason in earlier) for text in texts[:low]), texts[: low + 1]
    assert "1 low" in page.locator("table.bcbt-caseload thead").inner_text()
    assert_no_serious_axe_violations(page)
