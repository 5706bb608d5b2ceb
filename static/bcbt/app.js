/* bcbt as an app on a phone (docs/app.md): the service worker, the install button, save as you
   go, and what is done offline waiting on the phone until the connection returns.

   Everything here is an extra: every form still works without JavaScript (each has a
   "Save for later" or "Save and come back later" button that the server handles).
*/
"use strict";

const QUEUE = "bcbt-queue";
const SAVE_DELAY_MS = 1000;
const OFFLINE_SAVED = "Saved on this phone. It will send when you're online.";

const body = document.body;
const user = body.dataset.bcbtUser || "";
const isPatient = body.dataset.bcbtRole === "patient";

// --- Helpers --------------------------------------------------------------------------------

function csrfToken() {
  const input = document.querySelector('input[name="csrfmiddlewaretoken"]');
  return input ? input.value : "";
}

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function say(form, text) {
  const status = form && form.querySelector("[data-bcbt-save-status]");
  if (status) status.textContent = text;
}

function readQueue() {
  try {
    return JSON.parse(localStorage.getItem(QUEUE) || "[]");
  } catch (error) {
    return [];
  }
}

function writeQueue(entries) {
  localStorage.setItem(QUEUE, JSON.stringify(entries));
}

// A write to send later. A newer draft of the same form replaces the older one; mood ratings
// each keep their own Idempotency-Key, so a retry is stored once.
function enqueue(entry) {
  const entries = readQueue().filter(
    (old) => !(entry.kind === "draft" && old.kind === "draft" && old.user === entry.user && old.url === entry.url),
  );
  entries.push({ ...entry, user, idempotencyKey: newKey(), savedAt: new Date().toISOString() });
  writeQueue(entries);
}

async function send(entry, options = {}) {
  return fetch(entry.url, {
    method: entry.method,
    credentials: "same-origin",
    keepalive: Boolean(options.keepalive),
    headers: {
      "Content-Type": "application/json",
      "X-CSRFToken": csrfToken(),
      "Idempotency-Key": entry.idempotencyKey,
    },
    body: JSON.stringify(entry.body),
  });
}

let flushing = null;

// Send what waited on this phone, oldest first, for the person signed in now only.
async function flushQueue() {
  if (!user || !navigator.onLine) return;
  if (flushing) return flushing;
  flushing = (async () => {
    for (const entry of readQueue()) {
      if (entry.user !== user) continue;
      let response;
      try {
        response = await send(entry);
      } catch (error) {
        return; // Still offline after all: try again on the next "online".
      }
      // Signed out meanwhile (401/403) or the server failed (5xx): keep it for later.
      if (response.status === 401 || response.status === 403 || response.status >= 500) return;
      writeQueue(readQueue().filter((old) => old.idempotencyKey !== entry.idempotencyKey));
      const form = document.querySelector(
        `form[data-bcbt-queue-url="${entry.url}"], form[data-bcbt-api="${entry.url}"]`,
      );
      if (response.ok) {
        say(form, entry.kind === "mood" ? "Your mood rating was sent." : `Draft saved at ${timeNow()}.`);
      } else {
        say(form, "Something you saved on this phone could not be sent. Please check this page.");
      }
    }
  })().finally(() => {
    flushing = null;
  });
  return flushing;
}

async function clearCaches() {
  if ("caches" in window) {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith("bcbt-")).map((name) => caches.delete(name)));
  }
  if (navigator.serviceWorker && navigator.serviceWorker.controller) {
    navigator.serviceWorker.controller.postMessage({ type: "bcbt-clear" });
  }
}

// --- The service worker, and clearing what it kept ------------------------------------------

if (isPatient && "serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
    // Without the worker the pages still work online; nothing to tell the patient.
  });
}
if (!user) {
  // Signed out (or the session ended): nothing of the last person stays on this phone.
  clearCaches();
}
for (const form of document.querySelectorAll("form[data-bcbt-sign-out]")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await flushQueue();
    } finally {
      await clearCaches();
      form.submit();
    }
  });
}

// --- Install ---------------------------------------------------------------------------------

const install = document.querySelector("[data-bcbt-install]");
if (install) {
  const standalone = window.matchMedia("(display-mode: standalone)").matches || navigator.standalone;
  if (standalone) install.hidden = true;
  const button = install.querySelector("[data-bcbt-install-button]");
  let prompt = null;
  window.addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault();
    prompt = event;
    if (button) button.hidden = false;
  });
  if (button) {
    button.addEventListener("click", async () => {
      if (!prompt) return;
      prompt.prompt();
      await prompt.userChoice;
      prompt = null;
      button.hidden = true;
    });
  }
  window.addEventListener("appinstalled", () => {
    install.hidden = true;
  });
}

// --- Save as you go ----------------------------------------------------------------------------

function draftFields(form) {
  const only = form.dataset.bcbtDraftFields ? form.dataset.bcbtDraftFields.split(" ") : null;
  const fields = {};
  for (const element of form.elements) {
    const name = element.name;
    if (!name || name === "csrfmiddlewaretoken" || name === "action") continue;
    if (only && !only.includes(name)) continue;
    if (element.type === "submit" || element.type === "button" || element.type === "hidden") continue;
    if ((element.type === "checkbox" || element.type === "radio") && !element.checked) {
      if (element.type === "checkbox" && !(name in fields)) fields[name] = [];
      continue;
    }
    if (element.type === "checkbox") {
      fields[name] = [...(fields[name] || []), element.value];
    } else {
      fields[name] = element.value;
    }
  }
  return fields;
}

function draftRestore(form, fields) {
  for (const element of form.elements) {
    if (!(element.name in fields)) continue;
    const value = fields[element.name];
    if (element.type === "checkbox" || element.type === "radio") {
      element.checked = Array.isArray(value) ? value.includes(element.value) : value === element.value;
    } else if (element.type !== "submit" && element.type !== "hidden") {
      element.value = Array.isArray(value) ? value[0] || "" : value;
    }
  }
}

function timeNow() {
  return new Date().toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
}

function draftEntry(form) {
  return { kind: "draft", url: form.dataset.bcbtQueueUrl, method: "PUT", body: { values: draftFields(form) } };
}

async function draftSend(form) {
  const entry = draftEntry(form);
  form.dataset.bcbtDirty = "";
  if (!navigator.onLine) {
    enqueue(entry);
    say(form, OFFLINE_SAVED);
    return;
  }
  try {
    const response = await send({ ...entry, idempotencyKey: newKey() });
    if (response.ok) say(form, `Draft saved at ${timeNow()}.`);
    else if (response.status >= 500) throw new Error("server");
  } catch (error) {
    enqueue(entry);
    say(form, OFFLINE_SAVED);
  }
}

for (const form of document.querySelectorAll("form[data-bcbt-draft]")) {
  form.dataset.bcbtQueueUrl = `/api/v1/drafts/${encodeURIComponent(form.dataset.bcbtDraft)}/`;
  // A draft that waited on this phone is newer than the page (which may itself be a copy kept
  // for offline use): show it.
  const waiting = readQueue().filter((entry) => entry.user === user && entry.url === form.dataset.bcbtQueueUrl);
  if (waiting.length) {
    draftRestore(form, waiting[waiting.length - 1].body.values);
    if (!navigator.onLine) say(form, OFFLINE_SAVED);
  }
  let timer = null;
  const changed = () => {
    form.dataset.bcbtDirty = "yes";
    clearTimeout(timer);
    timer = setTimeout(() => draftSend(form), SAVE_DELAY_MS);
  };
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  const leaving = () => {
    if (form.dataset.bcbtDirty !== "yes") return;
    clearTimeout(timer);
    form.dataset.bcbtDirty = "";
    const entry = draftEntry(form);
    // Kept on the phone first, at once: the next bcbt page opened sends it (flushQueue). A
    // request made as the page goes is not reliable: Chromium drops a keepalive fetch from a
    // page its service worker controls. It is still tried, for the browsers where it works;
    // the copy sent again later is the same, and PUT stores it once.
    enqueue(entry);
    if (navigator.onLine) send({ ...entry, idempotencyKey: newKey() }, { keepalive: true }).catch(() => {});
  };
  window.addEventListener("pagehide", leaving);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") leaving();
  });
  form.addEventListener("submit", (event) => {
    clearTimeout(timer);
    if (navigator.onLine) {
      // The real save replaces the draft: nothing more to send as the page goes.
      form.dataset.bcbtDirty = "";
      return;
    }
    event.preventDefault();
    if (form.dataset.bcbtOffline === "mood" && event.submitter && event.submitter.name === "score") {
      const day = form.querySelector('input[name="day"]');
      const note = form.querySelector('[name="note"]');
      enqueue({
        kind: "mood",
        url: form.dataset.bcbtApi,
        method: "POST",
        body: { score: Number(event.submitter.value), note: note ? note.value : "", date: day ? day.value : undefined },
      });
      form.dataset.bcbtDirty = "";
      say(form, OFFLINE_SAVED);
      return;
    }
    draftSend(form).then(() => say(form, `${OFFLINE_SAVED} Then choose the button again to finish.`));
  });
}

window.addEventListener("online", flushQueue);
flushQueue();
