/* bcbt's service worker, served at /sw.js (bcbt/about.py). docs/app.md says what it does.

   - A patient's own pages (home, mood, their modules and exercises) are kept on the phone as
     they are visited and opened from there when there is no connection: the network first,
     the saved copy only when the network fails.
   - Staff pages, the API, sign-in and account pages are never kept: requests for them pass
     straight to the network, untouched.
   - Static files (styles, scripts, icons) are kept and served from the phone first.
   - Signing out empties every cache (the page posts {type: "bcbt-clear"}, static/bcbt/app.js).
*/
"use strict";

const VERSION = "1";
const PAGES = "bcbt-pages-" + VERSION;
const ASSETS = "bcbt-assets-" + VERSION;

// The patient pages that open offline, as visited.
const OFFLINE_PAGES = [
  /^\/me\/$/,
  /^\/mood\/$/,
  /^\/modules\/$/,
  /^\/modules\/[A-Za-z0-9_-]+\/$/,
  /^\/modules\/[A-Za-z0-9_-]+\/step\/\d+\/$/,
];
// Never kept on the device, whatever the response says.
const NEVER_KEPT = [
  "/clinician/",
  "/navigator/",
  "/service/",
  "/admin/",
  "/api/",
  "/accounts/",
  "/account/",
  "/notifications/",
  "/unsubscribe/",
  "/metrics",
  "/healthz",
  "/sw.js",
];

const OFFLINE_HTML = `<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>You are offline – bcbt</title></head>
<body style="font-family: Arial, sans-serif; margin: 16px; color: #212b32; background: #f0f4f5">
<h1>You are offline</h1>
<p>This page has not been saved on this phone yet. Pages you opened before still work:</p>
<ul><li><a href="/me/">Your home page</a></li><li><a href="/mood/">Your mood</a></li>
<li><a href="/modules/">Your programme</a></li></ul>
<p>If you need help now: call NHS 111, Samaritans on 116 123 (free, day or night),
or in an emergency call 999.</p>
</body></html>`;

function offlinePage() {
  return new Response(OFFLINE_HTML, {
    status: 503,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" },
  });
}

async function clearAll() {
  const names = await caches.keys();
  await Promise.all(names.filter((name) => name.startsWith("bcbt-")).map((name) => caches.delete(name)));
}

self.addEventListener("install", () => {
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names
          .filter((name) => name.startsWith("bcbt-") && name !== PAGES && name !== ASSETS)
          .map((name) => caches.delete(name)),
      );
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "bcbt-clear") {
    event.waitUntil(
      clearAll().then(() => {
        if (event.source) event.source.postMessage({ type: "bcbt-cleared" });
      }),
    );
  }
});

async function pageNetworkFirst(request) {
  try {
    const response = await fetch(request);
    // Only a patient's own page as it really is: not a redirect to sign-in, not an error,
    // and never for anyone but the patient (their pages answer 403 to anyone else).
    if (response.ok && !response.redirected && response.type === "basic") {
      const cache = await caches.open(PAGES);
      await cache.put(request, response.clone());
    }
    return response;
  } catch (error) {
    const kept = await caches.match(request, { cacheName: PAGES });
    return kept || offlinePage();
  }
}

async function assetCacheFirst(request) {
  const kept = await caches.match(request, { cacheName: ASSETS });
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok && response.type === "basic") {
    const cache = await caches.open(ASSETS);
    await cache.put(request, response.clone());
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (NEVER_KEPT.some((prefix) => url.pathname.startsWith(prefix))) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(assetCacheFirst(request));
    return;
  }
  if (request.mode === "navigate") {
    if (OFFLINE_PAGES.some((pattern) => pattern.test(url.pathname))) {
      event.respondWith(pageNetworkFirst(request));
    } else {
      // "/" sends a signed-in patient to /me/: offline, open the kept home page instead.
      event.respondWith(
        fetch(request).catch(async () => {
          const home = url.pathname === "/" ? await caches.match("/me/", { cacheName: PAGES }) : null;
          return home || offlinePage();
        }),
      );
    }
  }
});
