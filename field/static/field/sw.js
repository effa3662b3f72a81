/* The technician app's service worker (served as /field/sw.js with CONFIG prepended by the view).
 *
 * Pages of the app and the job API: network first, the copy kept here when the network fails or is too
 * slow (a weak signal should not leave the technician staring at a spinner). Static files and attachment
 * images: the copy kept here first. Writes are never touched here: the page's outbox owns them.
 */
const CACHE = "field-" + CONFIG.version;
const SLOW_MS = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(CONFIG.shell)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((n) => n.startsWith("field-") && n !== CACHE).map((n) => caches.delete(n))))
    .then(() => self.clients.claim()));
});

function keep(request, response) {
  if (response && response.ok && response.type === "basic" && !response.redirected) {
    const copy = response.clone();
    caches.open(CACHE).then((cache) => cache.put(request, copy));
  }
  return response;
}

async function offline(request) {
  if (request.mode === "navigate") {
    const home = await caches.match(CONFIG.home, { ignoreVary: true });
    if (home) return home;
    return new Response(
      "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>" +
      "<p style='font:18px system-ui;padding:24px'>离线：此页尚未保存在手机上。<br>Offline: this page is not saved on the phone yet.</p>",
      { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
  }
  return new Response(JSON.stringify({ code: "offline", message: "offline" }),
                      { status: 503, headers: { "Content-Type": "application/json" } });
}

function networkFirst(event) {
  const request = event.request;
  const network = fetch(request).then((response) => keep(request, response));
  return new Promise((resolve) => {
    let done = false;
    const finish = (response) => { if (!done) { done = true; resolve(response); } };
    // Too slow: show the kept copy now; the network's answer, when it comes, is kept for next time.
    const slow = setTimeout(async () => {
      const copy = await caches.match(request, { ignoreVary: true });
      if (copy) finish(copy);
    }, SLOW_MS);
    network.then((response) => { clearTimeout(slow); finish(response); }, async () => {
      clearTimeout(slow);
      const copy = await caches.match(request, { ignoreVary: true });
      finish(copy || await offline(request));
    });
  });
}

function cacheFirst(event) {
  return caches.match(event.request, { ignoreVary: true }).then((copy) => copy || fetch(event.request)
    .then((response) => keep(event.request, response)).catch(() => offline(event.request)));
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "prefetch" || !Array.isArray(data.urls)) return;
  // Only the app's own pages, one after the other (a weak signal is no place for a burst).
  const urls = data.urls.filter((u) => {
    const url = new URL(u, self.location.href);
    return url.origin === self.location.origin && url.pathname.startsWith(CONFIG.home);
  });
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    for (const url of urls) {
      try {
        const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
        // Awaited here, unlike keep(): the worker may be stopped once this message's work is done.
        if (response.ok && response.type === "basic" && !response.redirected) await cache.put(new Request(url), response);
      } catch (error) {
        return;
      }
    }
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === "/field/sw.js") return;
  if (url.pathname.startsWith("/static/") || url.pathname.startsWith(CONFIG.attachments)) {
    event.respondWith(cacheFirst(event));
  } else if (url.pathname.startsWith("/field/") || url.pathname.startsWith(CONFIG.jobs)) {
    event.respondWith(networkFirst(event));
  }
});
