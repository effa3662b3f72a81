/* The technician app on the phone: the sync bar, the jobs list, and the job page.
 *
 * The job page starts from the state the server rendered into it (or the copy the service worker kept),
 * lays every change still waiting in the outbox over it, and draws the page from that. So a job can be
 * taken from "on my way" to completed in a basement: each step is queued (FieldOutbox) and the page moves
 * on at once; when the queue has been sent, the page reloads the job's state from the server.
 */
(function () {
  "use strict";

  const outbox = window.FieldOutbox;
  const textsNode = document.getElementById("field-texts");
  const T = textsNode && textsNode.textContent.trim() ? JSON.parse(textsNode.textContent) : {};
  const blobUrls = new Map();

  function t(key, params) {
    let text = T[key] || key;
    if (params) Object.entries(params).forEach(([k, v]) => { text = text.split("%(" + k + ")s").join(String(v)); });
    return text;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (v === null || v === undefined || v === false) return;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (v === true) node.setAttribute(k, "");
      else node.setAttribute(k, v);
    });
    children.flat().forEach((child) => {
      if (child === null || child === undefined || child === false) return;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    });
    return node;
  }

  /* Money in cents, so sums are exact. */
  function cents(text) {
    if (text === null || text === undefined || text === "") return 0;
    const [whole, frac = ""] = String(text).split(".");
    const sign = whole.trim().startsWith("-") ? -1 : 1;
    return sign * (Math.abs(parseInt(whole, 10) || 0) * 100 + parseInt((frac + "00").slice(0, 2), 10));
  }
  function yuan(c) {
    const sign = c < 0 ? "-" : "";
    const abs = Math.abs(c);
    return sign + Math.floor(abs / 100) + "." + String(abs % 100).padStart(2, "0");
  }

  // An amount as people read it (core/money.py's twin): ¥5.00, a deduction −¥5.00 (minus before the sign).
  function money(c) {
    return (c < 0 ? "\u2212" : "") + "¥" + yuan(Math.abs(c));
  }

  function blobUrl(item, name) {
    const id = item.seq + ":" + name;
    if (!blobUrls.has(id)) blobUrls.set(id, URL.createObjectURL(item.files[name]));
    return blobUrls.get(id);
  }

  /* ---- service worker: the app shell and the jobs stay readable offline ---- */
  if ("serviceWorker" in navigator && document.body.dataset.sw) {
    navigator.serviceWorker.register(document.body.dataset.sw, { scope: "/field/" }).catch(() => {});
  }

  const logout = document.getElementById("logout");
  if (logout) {
    logout.addEventListener("submit", async (event) => {
      event.preventDefault();
      // Another person may use this phone next: what the worker kept of this technician's jobs goes.
      if (window.caches) {
        const names = await caches.keys();
        await Promise.all(names.filter((n) => n.startsWith("field-")).map((n) => caches.delete(n)));
      }
      logout.submit();
    });
  }

  /* ---- the sync bar ---- */
  const sync = document.getElementById("sync");
  const syncText = document.getElementById("sync-text");
  const syncList = document.getElementById("sync-list");
  const syncRetry = document.getElementById("sync-retry");
  const syncMore = document.getElementById("sync-more");
  let syncOpen = false;
  if (syncRetry) syncRetry.addEventListener("click", () => outbox.sync());
  if (syncMore) syncMore.addEventListener("click", () => { syncOpen = !syncOpen; drawSync(); });

  async function drawSync() {
    if (!sync || !outbox) return;
    const items = await outbox.all();
    const pending = items.filter((i) => i.state === "pending");
    const failed = items.filter((i) => i.state === "failed");
    let state = "ok";
    let text = t("synced");
    if (failed.length) { state = "bad"; text = t("failed", { n: failed.length }); }
    else if (pending.length && outbox.status.auth) { state = "bad"; text = t("sign_in_again"); }
    else if (pending.length && !navigator.onLine) { state = "wait"; text = t("offline") + " · " + t("waiting", { n: pending.length }); }
    else if (pending.length) { state = "wait"; text = outbox.status.sending ? t("syncing", { n: pending.length }) : t("waiting", { n: pending.length }); }
    else if (!navigator.onLine) { state = "wait"; text = t("offline") + " · " + t("synced"); }
    sync.dataset.state = state;
    sync.className = "sync sync-" + state;
    syncText.textContent = text;
    syncRetry.hidden = !pending.length || outbox.status.sending;
    syncList.replaceChildren(...items.map((item) => el("li", { class: "sync-item sync-item-" + item.state, "data-seq": item.seq },
      el("span", { class: "sync-what" }, t("action_" + item.action), " · ", item.orderNumber || ("#" + item.order)),
      item.state === "failed" ? el("span", { class: "sync-error" }, item.error) : el("span", { class: "sync-when" }, new Date(item.at).toLocaleTimeString()),
      item.state === "failed" ? el("button", { type: "button", class: "chip-link", onclick: () => outbox.discard(item.seq) }, t("discard")) : null)));
    // What is waiting is listed on request; what failed is always shown, with the server's reason.
    const open = items.length && (syncOpen || failed.length);
    syncList.hidden = !open;
    syncMore.hidden = !items.length || failed.length > 0;
    syncMore.textContent = syncOpen ? t("hide") : t("details");
    syncMore.setAttribute("aria-expanded", open ? "true" : "false");
  }

  /* ---- the jobs list ---- */
  async function drawJobs() {
    const page = document.getElementById("jobs-page");
    if (!page) return;
    const items = await outbox.all();
    page.querySelectorAll(".job[data-order]").forEach((card) => {
      const mine = items.filter((i) => String(i.order) === card.dataset.order && i.state === "pending");
      const badge = card.querySelector(".job-pending");
      badge.hidden = !mine.length;
      badge.textContent = mine.length ? t("waiting", { n: mine.length }) : "";
    });
  }

  let prefetched = false;
  async function prefetchJobs() {
    // The worker fetches and keeps this list and each of today's jobs, for when the signal goes. It is
    // asked by message, not through this page's own fetches: a page loaded while the worker was still
    // installing (the first sign-in lands here) is never controlled by it, and its fetches bypass it.
    const page = document.getElementById("jobs-page");
    if (!page || prefetched || !navigator.onLine || !navigator.serviceWorker) return;
    prefetched = true;
    const registration = await navigator.serviceWorker.ready;
    const urls = [location.href, ...[...page.querySelectorAll(".job-main[href]")].map((link) => link.href)];
    registration.active.postMessage({ type: "prefetch", urls });
  }

  /* ---- the job page ---- */
  const jobPage = document.getElementById("job-page");
  let server = null;
  let view = null;
  const drawn = {};
  // What the technician has chosen or typed but not saved yet: a redraw (a new total, a sync) keeps it.
  const ui = { declining: false, holding: false, locating: "", payMethod: "", payAmount: null, payReference: null };
  // Changes the server has taken but the state this page started from does not show yet: they stay laid
  // over it until the page has the server's fresh state (or a photo would vanish until the reload).
  const sentHere = [];

  function apply(s, item) {
    const b = item.body || {};
    const step = s.steps[item.action];
    if (step) {
      if (step.from.includes(s.status)) {
        if (item.action === "hold") { s.held_from = s.status; s.status = "on_hold"; }
        else if (item.action === "resume") { s.status = s.held_from || "accepted"; s.held_from = ""; }
        else s.status = step.to;
        if (item.action === "arrive") s.checked_in_at = b.at;
        if (item.action === "complete") { s.completed = true; s.completedHere = true; s.shownTotal = b.shown_total; }
      }
      return;
    }
    if (item.action === "checklist") {
      (b.answers || []).forEach((a) => {
        const entry = s.checklist.find((c) => c.id === a.item_id);
        if (entry) entry.value = a.value || "";
      });
    } else if (item.action === "photos") {
      const shot = { url: blobUrl(item, "photo"), pending: true };
      const slot = s.photos.find((p) => p.code === b.requirement);
      (slot ? slot.taken : s.extra_photos).push(shot);
    } else if (item.action === "diagnosis") {
      s.diagnosis = { fault_code: b.fault_code || "", symptom_code: b.symptom_code || "", note: b.note || "" };
    } else if (item.action === "parts") {
      (b.lines || []).forEach((line) => {
        const stock = s.van.find((v) => v.part_id === line.part_id);
        if (!stock) return;
        stock.available -= line.quantity;
        const used = s.used.find((u) => u.code === stock.code);
        if (used) used.quantity += line.quantity;
        else s.used.push({ code: stock.code, name: stock.name, quantity: line.quantity, pending: true });
      });
    } else if (item.action === "payment") {
      s.payment = { method: b.method, amount: b.amount, reference: b.reference || "", pending: true };
    } else if (item.action === "signature") {
      s.signature = { url: blobUrl(item, "signature"), signer: b.signer || "", pending: true };
    }
  }

  async function derive() {
    const items = (await outbox.all()).filter((i) => i.order === server.id && i.state === "pending");
    const s = JSON.parse(JSON.stringify(server));
    s.pendingCount = items.length;
    sentHere.concat(items).forEach((item) => apply(s, item));
    return s;
  }

  function chargeOf(s) {
    if (s.completed && s.charge && !s.completedHere) {
      const c = s.charge;
      return { available: c.available, exact: true, final: true, reason: c.reason, warranty: c.warranty,
               total: c.available ? cents(c.total) : null,
               lines: (c.lines || []).map((l) => ({ description: l.description, quantity: l.quantity, gross: cents(l.gross),
                                                    pays: cents(l.customer_pays), covered: l.covered, reason: l.reason, state: l.state })) };
    }
    const sheet = s.price_sheet;
    if (!sheet || !sheet.available) return { available: false, reason: sheet ? sheet.reason : "", lines: [], total: null };
    const code = s.diagnosis.symptom_code || s.reported_symptom || "";
    const entry = sheet.symptoms[code] || sheet.symptoms[""];
    if (!entry) return { available: false, reason: t("no_price"), lines: [], total: null };
    const line = (l, quantity) => {
      const gross = cents(l.unit_price) * quantity;
      return { description: l.description, quantity, gross, covered: l.covered, pays: l.covered ? 0 : gross, reason: l.reason, kind: l.kind, state: l.state };
    };
    const base = entry.base.map((l) => line(l, l.quantity));
    const parts = [];
    let unpriced = false;
    s.used.forEach((u) => {
      const p = entry.parts[u.code];
      if (p) parts.push(line(p, u.quantity));
      else { unpriced = true; parts.push({ description: u.name, quantity: u.quantity, gross: 0, pays: 0, covered: false, reason: t("no_price") }); }
    });
    const adjustments = base.filter((l) => l.kind === "adjustment");
    const lines = base.filter((l) => l.kind !== "adjustment").concat(parts, adjustments);
    return { available: true, exact: entry.exact && !unpriced, warranty: entry.warranty, lines,
             total: lines.reduce((sum, l) => sum + l.pays, 0) };
  }

  function missingOf(s, charge) {
    const missing = [];
    if (s.checklist.some((c) => (c.required && !c.value))) missing.push("need_checklist");
    if (s.photos.some((p) => p.required && !p.taken.length)) missing.push("need_photos");
    if (!s.signature) missing.push("need_signature");
    if (charge.available && charge.total > 0 && !s.payment) missing.push("need_payment");
    return missing;
  }

  function queue(action, body, files) {
    return outbox.enqueue({ order: server.id, number: server.number, action, body, files }).then(refresh);
  }

  function locate() {
    return new Promise((resolve) => {
      if (!navigator.geolocation) { resolve(null); return; }
      const done = (value) => { clearTimeout(timer); resolve(value); };
      const timer = setTimeout(() => done(null), 10000);
      navigator.geolocation.getCurrentPosition(
        (p) => done({ latitude: p.coords.latitude, longitude: p.coords.longitude, accuracy: p.coords.accuracy }),
        () => done(null), { enableHighAccuracy: true, timeout: 9000, maximumAge: 60000 });
    });
  }

  async function moveWithPosition(action) {
    ui.locating = t("locating");
    draw();
    const where = await locate();
    ui.locating = where ? t("located") : t("no_location");
    await queue(action, where ? { latitude: where.latitude, longitude: where.longitude, accuracy: where.accuracy } : {});
  }

  function button(label, action, extra) {
    return el("button", Object.assign({ type: "button", class: "btn btn-primary", "data-action": action }, extra || {}), label);
  }

  function drawStep(s) {
    const box = document.getElementById("step");
    const status = document.getElementById("job-status");
    status.textContent = (T.status || {})[s.status] || s.status;
    status.dataset.status = s.status;
    status.className = "badge badge-" + s.status;
    const parts = [];
    if (s.status === "dispatched") {
      parts.push(button(t("accept"), "accept", { onclick: () => queue("accept", {}) }));
      if (!ui.declining) {
        parts.push(el("button", { type: "button", class: "btn btn-secondary", "data-action": "decline", onclick: () => { ui.declining = true; draw(); } }, t("decline")));
      } else {
        const reason = el("textarea", { id: "decline-reason", maxlength: 500, required: true });
        const error = el("p", { class: "field-error", hidden: true }, t("reason_needed"));
        parts.push(el("label", { class: "field", for: "decline-reason" }, el("span", {}, t("decline_reason")), reason), error,
          el("div", { class: "btn-row" },
            el("button", { type: "button", class: "btn btn-secondary", onclick: () => { ui.declining = false; draw(); } }, t("cancel")),
            el("button", { type: "button", class: "btn btn-danger", "data-action": "decline-confirm", onclick: () => {
              if (!reason.value.trim()) { error.hidden = false; reason.setAttribute("aria-invalid", "true"); return; }
              ui.declining = false;
              queue("decline", { reason: reason.value.trim() });
            } }, t("decline_confirm"))));
      }
    } else if (s.status === "accepted") {
      parts.push(button(t("depart"), "depart", { onclick: () => moveWithPosition("depart") }));
    } else if (s.status === "en_route") {
      parts.push(button(t("arrive"), "arrive", { onclick: () => moveWithPosition("arrive") }));
    } else if (s.status === "on_site") {
      const since = s.checked_in_at ? new Date(s.checked_in_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : "";
      parts.push(el("p", { class: "step-line" }, el("strong", {}, (T.status || {}).on_site), since ? " · " + since : ""));
      if (s.distance_m !== null && s.distance_m !== undefined) {
        parts.push(el("p", { class: s.distance_m > s.far_m ? "note note-warning" : "muted small" }, t("distance", { distance: s.distance })));
      }
    } else if (s.status === "on_hold") {
      parts.push(el("p", {}, (T.status || {}).on_hold), button(t("resume"), "resume", { onclick: () => queue("resume", {}) }));
    } else if (s.status === "completed" || s.status === "closed" || s.completed) {
      parts.push(el("p", { class: "note note-success" }, s.completedHere ? t("completed_pending") : t("completed")));
    } else {
      parts.push(el("p", { class: "note" }, t("gone")));
    }
    if (ui.locating && (s.status === "en_route" || s.status === "on_site")) parts.push(el("p", { class: "muted small", id: "locating" }, ui.locating));
    if (["accepted", "en_route", "on_site"].includes(s.status) && !s.completed) {
      if (!ui.holding) {
        parts.push(el("button", { type: "button", class: "btn btn-link", "data-action": "hold", onclick: () => { ui.holding = true; draw(); } }, t("hold")));
      } else {
        const select = el("select", { id: "hold-reason" }, Object.entries(T.hold_reasons || {}).map(([v, l]) => el("option", { value: v }, l)));
        const note = el("input", { type: "text", id: "hold-note", maxlength: 500 });
        const error = el("p", { class: "field-error", hidden: true }, t("reason_needed"));
        parts.push(el("label", { class: "field", for: "hold-reason" }, el("span", {}, t("hold_reason")), select),
          el("label", { class: "field", for: "hold-note" }, el("span", {}, t("hold_note")), note), error,
          el("div", { class: "btn-row" },
            el("button", { type: "button", class: "btn btn-secondary", onclick: () => { ui.holding = false; draw(); } }, t("cancel")),
            el("button", { type: "button", class: "btn btn-primary", "data-action": "hold-confirm", onclick: () => {
              if (!note.value.trim()) { error.hidden = false; return; }
              ui.holding = false;
              queue("hold", { hold_reason: select.value, reason: note.value.trim() });
            } }, t("hold_confirm"))));
      }
    }
    if (s.pendingCount) parts.push(el("p", { class: "muted small pending-note" }, t("pending_note")));
    box.replaceChildren(...parts);
  }

  function section(id, key, build) {
    // Redrawn only when what it shows changed, so typing or signing is never interrupted.
    if (drawn[id] === key) return;
    drawn[id] = key;
    const box = document.getElementById(id);
    const typing = typedIn(box);
    box.replaceChildren(...build().filter((node) => node !== null && node !== undefined));
    if (typing) typeOn(typing);
  }

  // A section can be redrawn while the technician is typing in it (the server's copy of an earlier answer has
  // come back): the field comes back as they left it, focused, with what they typed and the caret in place.
  // Not deferring the redraw: that kept the queue's view stale and broke the offline flow.
  function typedIn(box) {
    const field = document.activeElement;
    if (!field || !field.id || !box.contains(field) || !("selectionStart" in field)) return null;
    if (field.tagName !== "TEXTAREA" && !(field.tagName === "INPUT" && field.type === "text")) return null;
    // Taken out of the page, the browser would count the half-typed text as changed and send it.
    const hush = (e) => e.stopImmediatePropagation();
    field.addEventListener("change", hush, { capture: true });
    field.addEventListener("blur", hush, { capture: true });
    return { id: field.id, tag: field.tagName, value: field.value, start: field.selectionStart,
             end: field.selectionEnd, direction: field.selectionDirection };
  }

  function typeOn(typing) {
    const field = document.getElementById(typing.id);
    if (!field || field.tagName !== typing.tag) return;
    const copy = field.value;
    field.value = typing.value;
    field.focus({ preventScroll: true });
    try { field.setSelectionRange(typing.start, typing.end, typing.direction || "none"); } catch (e) { /* no caret */ }
    // What was typed is not the new copy's and not sent yet, but the browser counts a change from the moment the
    // field took focus, so leaving it now would send nothing: send it on leaving, once, unless its own change does.
    if (typing.value === copy) return;
    let changed = false;
    field.addEventListener("change", () => { changed = true; }, { once: true });
    field.addEventListener("blur", () => {
      if (!changed && field.value !== copy) field.dispatchEvent(new Event("change"));
    }, { once: true });
  }

  function drawChecklist(s) {
    section("checklist", JSON.stringify(s.checklist), () => [
      el("h2", { id: "checklist-title" }, t("checklist")),
      el("ul", { class: "checklist" }, s.checklist.map((item) => {
        const send = (value) => queue("checklist", { answers: [{ item_id: item.id, value }] });
        let control;
        if (item.kind === "check") {
          control = el("input", { type: "checkbox", id: "item-" + item.id, checked: item.value === "done",
                                  onchange: (e) => send(e.target.checked ? "done" : "") });
          return el("li", { class: "check-row" + (item.value ? " is-done" : "") },
            el("label", { class: "check", for: "item-" + item.id }, control, el("span", {}, item.label, item.required ? el("span", { class: "req" }, " *") : "")));
        }
        if (item.kind === "yes_no") {
          control = el("div", { class: "yesno", role: "group" },
            ["yes", "no"].map((v) => el("button", { type: "button", class: "choice-btn" + (item.value === v ? " is-on" : ""),
                                                    "aria-pressed": item.value === v ? "true" : "false", "data-value": v,
                                                    onclick: () => send(item.value === v ? "" : v) }, t(v))));
        } else {
          control = el("input", { type: item.kind === "number" ? "text" : "text", inputmode: item.kind === "number" ? "decimal" : null,
                                  id: "item-" + item.id, value: item.value, maxlength: 200,
                                  onchange: (e) => send(e.target.value.trim()) });
        }
        return el("li", { class: "item-row" + (item.value ? " is-done" : "") },
          el("label", { for: "item-" + item.id, class: "item-label" }, item.label, item.unit ? " (" + item.unit + ")" : "",
             item.required ? el("span", { class: "req" }, " *") : ""), control);
      })),
    ]);
  }

  async function shrink(file) {
    // A phone photo is several MB; 1600 px JPEG is what the server keeps anyway, and it uploads in seconds.
    try {
      const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
      const scale = Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height));
      const canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
      return blob || file;
    } catch (error) {
      return file;  // the server checks and converts it (HEIC, say)
    }
  }

  function photoPicker(code, label) {
    const id = "photo-" + (code || "extra");
    return el("label", { class: "btn btn-secondary photo-pick", for: id }, label,
      el("input", { type: "file", id, accept: "image/*", capture: "environment", "data-requirement": code,
                    onchange: async (e) => {
                      const file = e.target.files && e.target.files[0];
                      if (!file) return;
                      const blob = await shrink(file);
                      queue("photos", { requirement: code }, { photo: blob });
                    } }));
  }

  function thumbs(list) {
    return el("div", { class: "thumbs" }, list.map((p) => el("img", { src: p.url, alt: "", class: p.pending ? "thumb is-pending" : "thumb" })));
  }

  function drawPhotos(s) {
    const key = JSON.stringify([s.photos.map((p) => p.taken.map((x) => x.url)), s.extra_photos.map((x) => x.url)]);
    section("photos", key, () => [
      el("h2", { id: "photos-title" }, t("photos")),
      el("ul", { class: "photo-list" }, s.photos.map((p) => el("li", { class: "photo-row" + (p.taken.length ? " is-done" : ""), "data-code": p.code },
        el("div", { class: "photo-head" }, el("strong", {}, p.label), p.required ? el("span", { class: "req" }, " * " + t("required")) : ""),
        thumbs(p.taken), photoPicker(p.code, p.taken.length ? t("retake") : t("take_photo"))))),
      el("div", { class: "photo-row" }, el("div", { class: "photo-head" }, el("strong", {}, t("extra_photo"))),
        thumbs(s.extra_photos), photoPicker("", t("take_photo"))),
    ]);
  }

  function drawDiagnosis(s) {
    section("diagnosis", JSON.stringify([s.diagnosis, s.symptoms]), () => {
      const code = el("input", { type: "text", id: "fault-code", value: s.diagnosis.fault_code, maxlength: 40, list: "fault-codes", autocapitalize: "characters" });
      const chosen = s.diagnosis.symptom_code || s.reported_symptom;
      const symptom = el("select", { id: "symptom" }, el("option", { value: "" }, "—"),
        s.symptoms.map((x) => el("option", { value: x.code, selected: x.code === chosen }, x.label)));
      const note = el("textarea", { id: "diagnosis-note", maxlength: 1000 }, s.diagnosis.note);
      return [
        el("h2", { id: "diagnosis-title" }, t("diagnosis")),
        el("datalist", { id: "fault-codes" }, s.fault_codes.map((f) => el("option", { value: f.code }, f.label))),
        el("label", { class: "field", for: "fault-code" }, el("span", {}, t("fault_code")), code),
        el("label", { class: "field", for: "symptom" }, el("span", {}, t("symptom")), symptom),
        el("label", { class: "field", for: "diagnosis-note" }, el("span", {}, t("note")), note),
        el("button", { type: "button", class: "btn btn-secondary", "data-action": "diagnosis", onclick: () => queue("diagnosis", {
          fault_code: code.value.trim(), symptom_code: symptom.value, note: note.value.trim() }) }, t("save")),
      ];
    });
  }

  function drawParts(s) {
    section("parts", JSON.stringify([s.van, s.used]), () => [
      el("h2", { id: "parts-title" }, t("parts")),
      s.van.length ? el("ul", { class: "van" }, s.van.map((v) => {
        const qty = el("input", { type: "number", min: 1, max: Math.max(v.available, 1), value: 1, inputmode: "numeric",
                                  class: "qty", "aria-label": v.name, "data-part": v.code });
        return el("li", { class: "van-row", "data-part": v.code },
          el("div", { class: "van-name" }, el("strong", {}, v.name),
             el("div", { class: "small" }, t("on_van", { n: v.available }))),
          el("div", { class: "van-use" }, qty, el("button", { type: "button", class: "btn btn-secondary btn-small", disabled: v.available < 1,
            "data-action": "use", onclick: () => {
              const n = parseInt(qty.value, 10);
              if (!(n >= 1 && n <= v.available)) { qty.setAttribute("aria-invalid", "true"); return; }
              queue("parts", { lines: [{ part_id: v.part_id, quantity: n }] });
            } }, t("use"))));
      })) : el("p", { class: "muted" }, t("van_empty")),
      el("h3", {}, t("used")),
      s.used.length ? el("ul", { class: "used" }, s.used.map((u) => el("li", { "data-part": u.code }, u.name, " × ", el("strong", {}, u.quantity))))
        : el("p", { class: "muted" }, t("none_used")),
    ]);
  }

  // A call-out fee "to be confirmed" (the site has no location yet) has no amount to show, not ¥0.00.
  function amountOf(l, struck) {
    if (l.state === "to_confirm") return l.covered ? "¥0.00" : el("span", { class: "to-confirm" }, t("to_confirm"));
    return [struck && l.covered ? el("span", { class: "struck" }, money(l.gross)) : null, money(l.pays)];
  }

  function drawCharge(s, charge) {
    section("charge", JSON.stringify(charge), () => {
      const head = el("h2", { id: "charge-title" }, t("charge"));
      if (!charge.available) return [head, el("p", { class: "note note-warning" }, charge.reason || t("need_online_charge"))];
      return [
        head,
        charge.warranty ? el("p", { class: charge.warranty.covered ? "verdict verdict-ok" : "verdict verdict-no" }, charge.warranty.reason) : null,
        el("table", { class: "quote" }, el("tbody", {}, charge.lines.map((l) => el("tr", {},
          el("td", {}, l.description, l.quantity > 1 ? " × " + l.quantity : "", l.covered ? el("span", { class: "why" }, t("covered")) : null),
          el("td", { class: "amount" }, amountOf(l, true)))),
        ), el("tfoot", {}, el("tr", {}, el("td", {}, t("total")), el("td", { class: "amount", id: "charge-total" }, money(charge.total))))),
        charge.exact || charge.final ? null : el("p", { class: "muted small" }, t("provisional")),
      ];
    });
  }

  function drawPayment(s, charge) {
    const total = charge.available ? charge.total : null;
    section("payment", JSON.stringify([s.payment, total]), () => {
      const head = el("h2", { id: "payment-title" }, t("payment"));
      if (total === 0) return [head, el("p", { class: "note note-success" }, t("no_payment"))];
      // A choice not yet saved survives a redraw (the total may change while the customer decides).
      const current = ui.payMethod || (s.payment ? s.payment.method : "");
      const methods = el("div", { class: "methods", role: "radiogroup" }, Object.entries(T.methods || {}).map(([v, label]) =>
        el("label", { class: "choice" }, el("input", { type: "radio", name: "method", value: v, checked: v === current,
                                                       onchange: () => { ui.payMethod = v; } }), label)));
      const amount = el("input", { type: "text", inputmode: "decimal", id: "pay-amount", maxlength: 12,
                                   value: ui.payAmount !== null ? ui.payAmount
                                     : s.payment ? s.payment.amount : (total !== null ? yuan(total) : ""),
                                   oninput: (e) => { ui.payAmount = e.target.value; } });
      const reference = el("input", { type: "text", id: "pay-reference", maxlength: 60,
                                      value: ui.payReference !== null ? ui.payReference : s.payment ? s.payment.reference : "",
                                      oninput: (e) => { ui.payReference = e.target.value; } });
      const error = el("p", { class: "field-error", hidden: true }, t("method"));
      return [head, el("fieldset", { class: "choices" }, el("legend", {}, t("method")), methods),
        el("label", { class: "field", for: "pay-amount" }, el("span", {}, t("amount")), amount),
        el("label", { class: "field", for: "pay-reference" }, el("span", {}, t("reference")), reference), error,
        s.payment ? el("p", { class: "muted small" }, "✓ " + t("saved") + " · " + ((T.methods || {})[s.payment.method] || "") + " ¥" + s.payment.amount) : null,
        el("button", { type: "button", class: "btn btn-secondary", "data-action": "payment", onclick: () => {
          const method = methods.querySelector("input:checked");
          const value = amount.value.trim().replace(",", ".");
          if (!method || !/^\d{1,7}(\.\d{1,2})?$/.test(value)) { error.hidden = false; return; }
          ui.payMethod = "";
          ui.payAmount = null;
          ui.payReference = null;
          queue("payment", { method: method.value, amount: value, reference: reference.value.trim() });
        } }, t("record_payment"))];
    });
  }

  function signaturePad() {
    const canvas = el("canvas", { class: "pad", id: "signature-pad", "aria-label": t("sign_here") });
    let drawing = false;
    let ink = 0;
    const ctx = () => canvas.getContext("2d");
    function size() {
      const ratio = window.devicePixelRatio || 1;
      const width = canvas.clientWidth || 320;
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(200 * ratio);
      const c = ctx();
      c.setTransform(ratio, 0, 0, ratio, 0, 0);
      c.fillStyle = "#fff";
      c.fillRect(0, 0, width, 200);
      c.lineWidth = 3;
      c.lineCap = "round";
      c.lineJoin = "round";
      c.strokeStyle = "#0b1b3a";
      ink = 0;
    }
    function point(e) {
      const r = canvas.getBoundingClientRect();
      return [e.clientX - r.left, e.clientY - r.top];
    }
    canvas.addEventListener("pointerdown", (e) => {
      drawing = true;
      canvas.setPointerCapture(e.pointerId);
      const [x, y] = point(e);
      ctx().beginPath();
      ctx().moveTo(x, y);
    });
    canvas.addEventListener("pointermove", (e) => {
      if (!drawing) return;
      const [x, y] = point(e);
      ctx().lineTo(x, y);
      ctx().stroke();
      ink += 1;
    });
    const stop = () => { drawing = false; };
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    requestAnimationFrame(size);
    return { canvas, clear: size, hasInk: () => ink > 2 };
  }

  function drawSignature(s) {
    section("signature", JSON.stringify(s.signature), () => {
      const pad = signaturePad();
      const signer = el("input", { type: "text", id: "signer", maxlength: 80, value: s.signature ? s.signature.signer : "" });
      const error = el("p", { class: "field-error", hidden: true }, t("sign_first"));
      return [
        el("h2", { id: "signature-title" }, t("signature")),
        s.signature ? el("figure", { class: "signed" }, el("img", { src: s.signature.url, alt: t("signed"), class: "signed-img" }),
          el("figcaption", { class: "muted small" }, "✓ " + t("signed") + (s.signature.signer ? " · " + s.signature.signer : ""))) : null,
        el("p", { class: "muted small" }, t("sign_here")), pad.canvas,
        el("div", { class: "btn-row" }, el("button", { type: "button", class: "btn btn-secondary", onclick: pad.clear }, t("clear"))),
        el("label", { class: "field", for: "signer" }, el("span", {}, t("signer")), signer), error,
        el("button", { type: "button", class: "btn btn-secondary", "data-action": "signature", onclick: () => {
          if (!pad.hasInk()) { error.hidden = false; return; }
          pad.canvas.toBlob((blob) => queue("signature", { signer: signer.value.trim() }, { signature: blob }), "image/png");
        } }, t("save_signature")),
      ];
    });
  }

  // An installation: the unit's serial, scanned or typed, checked here as the server will check it
  // (the model's pattern, the order's unit) so a wrong scan is caught while still in front of the unit.
  let typedSerial = "";
  function serialProblem(install, raw) {
    const serial = raw.replace(/\s+/g, "").toUpperCase();
    if (!serial) return "need_serial";
    if (install.pattern) {
      try { if (!new RegExp("^(?:" + install.pattern + ")$").test(serial)) return "serial_not_model"; } catch (e) { /* the server checks */ }
    }
    if (install.serial && serial !== install.serial.toUpperCase()) return "serial_not_order";
    return null;
  }

  function serialField(install) {
    const input = el("input", { type: "text", id: "install-serial", maxlength: 40, autocomplete: "off", autocapitalize: "characters",
                                spellcheck: "false", class: "mono", value: typedSerial });
    const error = el("p", { class: "field-error", id: "install-serial-error", hidden: true });
    input.addEventListener("input", () => { typedSerial = input.value; error.hidden = true; });
    const nodes = [el("label", { class: "field", for: "install-serial" }, el("span", {}, t("install_serial")), input,
                      el("span", { class: "muted small" }, t("install_serial_help", { model: install.model }))),
                   install.serial ? el("p", { class: "muted small" }, t("install_serial_order", { serial: install.serial })) : null,
                   error];
    return { nodes, input, error };
  }

  // Any other job on a unit: the serial read off its nameplate, optional. One that is not the serial on record
  // is only noted here, never refused: settlement's reviewer judges it, not the phone.
  let typedNameplate = null;
  function nameplateField(nameplate) {
    if (typedNameplate === null) typedNameplate = nameplate.seen || "";
    const input = el("input", { type: "text", id: "nameplate-serial", maxlength: 40, autocomplete: "off", autocapitalize: "characters",
                                spellcheck: "false", class: "mono", value: typedNameplate });
    const note = el("p", { class: "muted small", id: "nameplate-serial-note", hidden: true });
    const check = () => {
      const serial = input.value.replace(/\s+/g, "").toUpperCase();
      const recorded = nameplate.serial ? nameplate.serial.replace(/\s+/g, "").toUpperCase() : "";
      note.hidden = !(serial && recorded && serial !== recorded);
      if (!note.hidden) note.textContent = t("nameplate_serial_other", { serial: nameplate.serial });
    };
    input.addEventListener("input", () => { typedNameplate = input.value; check(); });
    check();
    const nodes = [el("label", { class: "field", for: "nameplate-serial" }, el("span", {}, t("nameplate_serial")), input,
                      el("span", { class: "muted small" }, t("nameplate_serial_help"))),
                   note];
    return { nodes, input };
  }

  function drawFinish(s, charge) {
    const missing = missingOf(s, charge);
    section("finish", JSON.stringify([missing, charge.total, s.install, s.nameplate]), () => {
      const serial = s.install ? serialField(s.install) : null;
      const nameplate = !s.install && s.nameplate ? nameplateField(s.nameplate) : null;
      const complete = () => {
        const body = { shown_total: charge.available ? yuan(charge.total) : null };
        if (serial) {
          const problem = serialProblem(s.install, serial.input.value);
          if (problem) { serial.error.textContent = t(problem); serial.error.hidden = false; serial.input.focus(); return; }
          body.serial = serial.input.value.trim();
        }
        if (nameplate && nameplate.input.value.trim()) body.serial = nameplate.input.value.trim();
        queue("complete", body);
      };
      return [
        ...(serial ? serial.nodes : []),
        ...(nameplate ? nameplate.nodes : []),
        missing.length ? el("div", { class: "note note-warning", id: "missing" }, el("strong", {}, t("still_needed")),
          el("ul", {}, missing.map((m) => el("li", { "data-missing": m }, t(m))))) : null,
        el("button", { type: "button", class: "btn btn-primary btn-big", "data-action": "complete", disabled: missing.length > 0,
                       onclick: complete }, t("complete")),
      ];
    });
  }

  function drawSummary(s, charge) {
    const box = document.getElementById("summary");
    if (!(s.completed || s.status === "completed" || s.status === "closed")) { box.replaceChildren(); drawn.summary = null; return; }
    const parts = [el("h2", {}, t("charge"))];
    if (charge.available) {
      parts.push(el("table", { class: "quote" }, el("tbody", {}, charge.lines.map((l) => el("tr", {},
        el("td", {}, l.description, l.quantity > 1 ? " × " + l.quantity : "", l.covered ? el("span", { class: "why" }, t("covered")) : null),
        el("td", { class: "amount" }, amountOf(l, false))))),
      el("tfoot", {}, el("tr", {}, el("td", {}, t("total")), el("td", { class: "amount", id: "charge-total" }, money(charge.total))))));
    } else parts.push(el("p", { class: "muted" }, charge.reason));
    if (s.payment) parts.push(el("p", {}, t("payment") + ": " + ((T.methods || {})[s.payment.method] || "") + " ¥" + s.payment.amount));
    if (s.install && s.install.install_date) {
      parts.push(el("p", { class: "note note-success", id: "installed-unit", "data-status": s.install.status },
        t("installed", { serial: s.install.serial, status: s.install.status_label, date: s.install.install_date,
                         end: s.install.warranty_end || "—" })));
    }
    if (s.labour && s.labour.minutes !== null) parts.push(el("p", { class: "muted" }, t("labour", { minutes: s.labour.minutes, standard: s.labour.standard ?? "—" })));
    if (s.report_url) parts.push(el("a", { class: "btn btn-secondary", href: s.report_url, id: "report-link" }, t("report")));
    else if (!s.completedHere) parts.push(el("p", { class: "muted small" }, t("report_pending")));
    box.replaceChildren(el("section", { class: "card" }, ...parts));
  }

  function draw() {
    if (!view) return;
    const s = view;
    drawStep(s);
    const working = s.status === "on_site" && !s.completed;
    document.getElementById("work").hidden = !working;
    const charge = chargeOf(s);
    if (working) {
      drawChecklist(s);
      drawPhotos(s);
      drawDiagnosis(s);
      drawParts(s);
      drawCharge(s, charge);
      drawPayment(s, charge);
      drawSignature(s);
      drawFinish(s, charge);
    }
    drawSummary(s, charge);
  }

  async function refresh() {
    if (!jobPage) return;
    view = await derive();
    draw();
  }

  async function reload() {
    // The queue is empty for this job: take the server's word for it again, and keep that copy offline.
    const seen = sentHere.length;  // sent before this request: the answer includes them
    try {
      const response = await fetch(document.body.dataset.api + server.id, { credentials: "same-origin", cache: "no-store",
                                                                    headers: { Accept: "application/json" } });
      if (!response.ok) return;
      server = await response.json();
      sentHere.splice(0, seen);
      await refresh();
      // Keep the worker's copies of this page and of the list in step with the server for the next signal loss.
      [location.href, "/field/"].forEach((url) => fetch(url, { credentials: "same-origin", cache: "no-store" }).catch(() => {}));
    } catch (error) { /* still offline: the next drain tries again */ }
  }

  if (jobPage) {
    server = JSON.parse(document.getElementById("job-state").textContent);
    refresh();
  }

  let sentForJob = false;
  if (outbox) {
    outbox.subscribe(async (kind, item) => {
      if (kind === "sent" && jobPage && item.order === server.id) { sentForJob = true; sentHere.push(item); await refresh(); }
      if (kind === "change" || kind === "sent" || kind === "failed") { drawSync(); drawJobs(); }
      if (kind === "failed" && jobPage && item.order === server.id) { await refresh(); }
      if (kind === "drained" && jobPage && sentForJob) {
        const left = (await outbox.all()).filter((i) => i.order === server.id && i.state === "pending");
        if (!left.length) { sentForJob = false; await reload(); }
      }
      if (kind === "drained") prefetchJobs();
    });
    drawSync();
    drawJobs();
    outbox.sync();
  }
})();
