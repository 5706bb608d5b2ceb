// Turns on Web Push on this phone: asks the phone's permission, subscribes through the service
// worker with the service's VAPID public key, and sends the subscription to bcbt. Without
// JavaScript (or on a browser without push) the page explains that push needs the app.
const box = document.getElementById("push");

function keyBytes(base64url) {
  const padded = (base64url + "=".repeat((4 - (base64url.length % 4)) % 4))
    .replace(/-/g, "+")
    .replace(/_/g, "/");
  return Uint8Array.from(atob(padded), (character) => character.charCodeAt(0));
}

async function turnOn(status) {
  const permission = await Notification.requestPermission();
  if (permission !== "granted") {
    status.textContent =
      "Your phone did not allow notifications from bcbt. You can allow them in your phone's " +
      "settings, then press the button again.";
    return;
  }
  const registration = await navigator.serviceWorker.register("/sw.js");
  await navigator.serviceWorker.ready;
  const subscription =
    (await registration.pushManager.getSubscription()) ||
    (await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: keyBytes(box.dataset.pushKey),
    }));
  const response = await fetch(box.dataset.pushUrl, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": box.dataset.csrf },
    body: JSON.stringify(subscription.toJSON()),
  });
  if (!response.ok) {
    throw new Error(`bcbt answered ${response.status}`);
  }
  status.textContent =
    'Notifications are on for this phone. Now choose "By a notification on my phone" below ' +
    "and save your choices.";
}

if (box && "serviceWorker" in navigator && "PushManager" in window && "Notification" in window) {
  const button = document.getElementById("push-on");
  const status = document.getElementById("push-status");
  button.hidden = false;
  button.addEventListener("click", () => {
    button.disabled = true;
    turnOn(status)
      .catch(() => {
        status.textContent =
          "We could not turn on notifications on this phone. Please try again later, or " +
          "choose email or text messages below.";
      })
      .finally(() => {
        button.disabled = false;
      });
  });
}
