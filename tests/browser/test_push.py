"""Turning on push notifications on the settings page, in Chromium.

Headless Chromium has no push service of its own, so the browser's side of subscribing (the
permission prompt, the service worker and ``pushManager``) is stood in for by an init script;
everything else is real: the page's script, its POST to the API with the session and CSRF
token, and the stored subscription."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from notifications.models import NotificationPreference, PushSubscription
from tests import factories
from tests.browser.conftest import (
    assert_fits_phone_width,
    assert_no_serious_axe_violations,
    collect_csp_violations,
    sign_in,
)
from tests.notifications.push_service import Browser, b64url_decode

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ENDPOINT = "https://fcm.googleapis.com/fcm/send/browser-test"

# The browser's half of subscribing, replaced: the options the page passes are kept to check.
FAKE_PUSH = """
const keys = %s;
const subscription = {toJSON: () => ({endpoint: %s, expirationTime: null, keys})};
const registration = {pushManager: {
  getSubscription: async () => null,
  subscribe: async (options) => {
    window.pushOptions = {userVisibleOnly: options.userVisibleOnly,
                          key: Array.from(new Uint8Array(options.applicationServerKey))};
    return subscription;
  },
}};
Object.defineProperty(navigator, "serviceWorker", {
  value: {register: async () => registration, ready: Promise.resolve(registration)},
});
Notification.requestPermission = async () => "granted";
"""


@pytest.fixture
def vapid(settings) -> str:
    from notifications.management.commands.vapid_keys import vapid_key_pair

    public, private = vapid_key_pair()
    settings.BCBT_VAPID_PUBLIC_KEY = public
    settings.BCBT_VAPID_PRIVATE_KEY = private
    settings.BCBT_VAPID_SUBJECT = "mailto:digital@bcbt.example.org"
    return public


@pytest.fixture
def patient_in_treatment(db):
    service = factories.ServiceFactory.create()
    pwp = factories.PwpFactory.create(service=service)
    patient = factories.PatientFactory.create(username="push-browser", service=service)
    factories.make_episode(patient=patient, pwp=pwp, service=service)
    return patient


def test_a_patient_turns_on_push_on_their_phone_and_chooses_it(
    vapid, patient_in_treatment, live_server, browser
) -> None:
    phone = Browser.new()
    context = browser.new_context(viewport={"width": 360, "height": 780})
    context.add_init_script(
        FAKE_PUSH % (json.dumps({"p256dh": phone.p256dh, "auth": phone.auth}), json.dumps(ENDPOINT))
    )
    page = context.new_page()
    csp = collect_csp_violations(page)
    sign_in(page, live_server, "push-browser", factories.PASSWORD)
    page.wait_for_url(f"{live_server.url}/me/")
    page.goto(f"{live_server.url}/notifications/settings/")
    assert_no_serious_axe_violations(page)
    assert_fits_phone_width(page)

    page.get_by_role("button", name="Turn on notifications on this phone").click()
    expect(page.get_by_role("status")).to_contain_text("Notifications are on for this phone")
    stored = PushSubscription.objects.get()
    assert (stored.patient, stored.endpoint, stored.p256dh) == (
        patient_in_treatment,
        ENDPOINT,
        phone.p256dh,
    )
    options = page.evaluate("window.pushOptions")
    assert options["userVisibleOnly"] is True
    assert bytes(options["key"]) == b64url_decode(vapid)

    page.reload()
    page.get_by_label("By a notification on my phone (needs the bcbt app)").check()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.locator("body")).to_contain_text("Your notification choices are saved.")
    assert NotificationPreference.objects.get(patient=patient_in_treatment).contact_by == "push"
    assert_no_serious_axe_violations(page)
    assert csp == []
    context.close()


def test_without_javascript_the_page_explains_push_needs_the_app(
    vapid, patient_in_treatment, live_server, browser
) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 780}, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server, "push-browser", factories.PASSWORD)
    page.wait_for_url(f"{live_server.url}/me/")
    page.goto(f"{live_server.url}/notifications/settings/")
    expect(page.locator("#push-needs-app")).to_contain_text("need the bcbt app")
    expect(page.get_by_role("button", name="Turn on notifications on this phone")).to_be_hidden()
    assert_fits_phone_width(page)
    context.close()
