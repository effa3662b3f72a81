/* The technician app's outbox: every change is first written to IndexedDB on this phone, then sent in order.
 *
 * Each item carries an Idempotency-Key made when it was queued, so sending it again after a lost answer
 * (a tunnel, a basement) is replayed by the server instead of being applied twice. An item stays here until
 * the server has answered it: 2xx removes it; a refusal (a 4xx with a code) marks it failed with the
 * server's message for the technician to read and discard; a network error, a 5xx or a stale version leave
 * it waiting and the queue tries again later (sooner when the phone comes back online).
 */
(function () {
  "use strict";

  const DB_NAME = "aftersales-field";
  const STORE = "outbox";
  const RETRY_CODES = new Set(["stale_version", "precondition_failed"]);
  const listeners = new Set();
  let dbPromise = null;
  let running = false;
  let again = false;
  let timer = null;
  let failures = 0;
  const status = { sending: false, auth: false, online: navigator.onLine };

  function user() { return document.body.dataset.user || ""; }
  function apiBase() { return document.body.dataset.api || "/api/v1/field/jobs/"; }

  function db() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        const request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = () => {
          const store = request.result.createObjectStore(STORE, { keyPath: "seq", autoIncrement: true });
          store.createIndex("user", "user");
        };
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    }
    return dbPromise;
  }

  function tx(mode, work) {
    return db().then((conn) => new Promise((resolve, reject) => {
      const t = conn.transaction(STORE, mode);
      const store = t.objectStore(STORE);
      let result;
      Promise.resolve(work(store, (value) => { result = value; })).catch(reject);
      t.oncomplete = () => resolve(result);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    }));
  }

  function all() {
    return tx("readonly", (store, done) => {
      const request = store.index("user").getAll(user());
      request.onsuccess = () => done(request.result.sort((a, b) => a.seq - b.seq));
    });
  }

  function put(item) { return tx("readwrite", (store) => { store.put(item); }); }
  function remove(seq) { return tx("readwrite", (store) => { store.delete(seq); }); }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function emit(kind, item, body) { listeners.forEach((fn) => fn(kind, item, body)); }

  function csrf() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : document.body.dataset.csrf;
  }

  async function send(item) {
    const headers = { "Idempotency-Key": item.key, "X-CSRFToken": csrf(), Accept: "application/json" };
    let body;
    if (item.files) {
      body = new FormData();
      Object.entries(item.body || {}).forEach(([k, v]) => { if (v !== null && v !== undefined) body.append(k, v); });
      Object.entries(item.files).forEach(([k, blob]) => body.append(k, blob, k + (blob.type === "image/png" ? ".png" : ".jpg")));
    } else {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(item.body || {});
    }
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(), item.files ? 90000 : 30000);
    let response;
    try {
      response = await fetch(apiBase() + item.order + "/" + item.action, {
        method: "POST", headers, body, credentials: "same-origin", signal: controller.signal,
      });
    } catch (error) {
      return { kind: "retry", message: String(error) };
    } finally {
      clearTimeout(timeout);
    }
    let payload = null;
    try { payload = await response.json(); } catch (error) { payload = null; }
    const code = payload && payload.code;
    if (response.ok) return { kind: "ok", body: payload };
    if (response.status === 401 || code === "csrf_failed") return { kind: "auth" };
    if (response.status >= 500 || response.status === 408 || response.status === 429 || RETRY_CODES.has(code)) {
      return { kind: "retry", message: code || String(response.status) };
    }
    return { kind: "failed", message: (payload && payload.message) || String(response.status), code };
  }

  function schedule(pending) {
    clearTimeout(timer);
    if (!pending) { failures = 0; return; }
    const wait = Math.min(60, 3 * Math.pow(2, Math.min(failures, 5)));
    timer = setTimeout(sync, wait * 1000);
  }

  async function sync() {
    if (running) { again = true; return; }
    running = true;
    status.sending = true;
    emit("change");
    let pending = 0;
    try {
      const items = await all();
      for (const item of items) {
        if (item.state !== "pending") continue;
        const result = await send(item);
        if (result.kind === "ok") {
          await remove(item.seq);
          status.auth = false;
          failures = 0;
          emit("sent", item, result.body);
        } else if (result.kind === "failed") {
          item.state = "failed";
          item.error = result.message;
          item.code = result.code || "";
          await put(item);
          emit("failed", item);
        } else {
          item.tries = (item.tries || 0) + 1;
          await put(item);
          if (result.kind === "auth") status.auth = true;
          failures += 1;
          break;  // the connection or the session is the problem: keep the order, try again later
        }
        emit("change");
      }
      pending = (await all()).filter((i) => i.state === "pending").length;
    } catch (error) {
      failures += 1;
      pending = 1;
    } finally {
      running = false;
      status.sending = false;
      emit("change");
      emit("drained");
      schedule(pending);
      if (again) { again = false; sync(); }
    }
  }

  async function enqueue({ order, action, body = {}, files = null, number = "" }) {
    const item = {
      user: user(), order, orderNumber: number, action, body, files, key: newKey(), at: new Date().toISOString(),
      state: "pending", tries: 0, error: "",
    };
    if (!("at" in item.body) && ["depart", "arrive", "complete", "photos"].includes(action)) item.body.at = item.at;
    await tx("readwrite", (store, done) => {
      const request = store.add(item);
      request.onsuccess = () => { item.seq = request.result; done(item); };
    });
    emit("change");
    sync();
    return item;
  }

  async function discard(seq) { await remove(seq); emit("change"); }

  window.addEventListener("online", () => { status.online = true; failures = 0; emit("change"); sync(); });
  window.addEventListener("offline", () => { status.online = false; emit("change"); });

  window.FieldOutbox = {
    enqueue, all, discard, sync, status,
    subscribe(fn) { listeners.add(fn); return () => listeners.delete(fn); },
  };
})();
