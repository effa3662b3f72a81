// Staff console behaviour that htmx does not give by itself.
(function () {
  "use strict";
  // A refused transition comes back as 409/412/422 with the order re-rendered and the message in place.
  // htmx leaves error responses unswapped by default; swap the ones the server marked as showable.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status >= 400 && xhr.getResponseHeader("X-Domain-Error")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // Anything else that fails (network down, server error) gets a plain message rather than silence.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.getResponseHeader("X-Domain-Error")) return;
    showProblem(document.body.dataset.msgServer);
  });
  document.addEventListener("htmx:sendError", function () {
    showProblem(document.body.dataset.msgNetwork);
  });
  function showProblem(text) {
    var box = document.getElementById("console-problem");
    if (!box || !text) return;
    box.textContent = text;
    box.hidden = false;
  }
  // A region marked data-keep-choice (the hotline's estimate and slots) is redrawn whenever the request
  // form changes; a radio the agent picked while that redraw was on its way is picked again in the new
  // copy when it is still offered there, so a slot clicked a moment too early is not silently dropped.
  // Kept only for a swap that happens, and put back only into the region that swap redrew.
  var keptChoice = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var old = event.detail.target;
    keptChoice = null;
    if (!event.detail.shouldSwap || !old || !old.hasAttribute || !old.hasAttribute("data-keep-choice")) return;
    var picked = old.querySelector("input[type=radio]:checked");
    if (picked && picked.value) keptChoice = {id: old.id, name: picked.name, value: picked.value};
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var kept = keptChoice;
    keptChoice = null;
    if (!kept || !event.detail.target || event.detail.target.id !== kept.id) return;
    var region = document.getElementById(kept.id);
    if (!region) return;
    region.querySelectorAll("input[type=radio]").forEach(function (input) {
      if (input.name === kept.name && input.value === kept.value) input.checked = true;
    });
  });
  // hx-disabled-elt speaks for the element it stands on (a form's "find button": its own buttons while it is
  // sent), never for the elements inside that make requests of their own (a preview's select, a link): those
  // would look for a button inside themselves, find none, and say so in the console. Said once here, for every
  // page and every partial htmx brings in, instead of hx-disinherit on each form.
  document.addEventListener("htmx:load", function (event) {
    var root = event.detail.elt;
    if (!root || !root.querySelectorAll) return;
    var holders = Array.prototype.slice.call(root.querySelectorAll("[hx-disabled-elt]"));
    if (root.matches("[hx-disabled-elt]")) holders.push(root);
    holders.forEach(function (el) {
      var kept = (el.getAttribute("hx-disinherit") || "").split(/\s+/).filter(Boolean);
      if (kept.indexOf("hx-disabled-elt") < 0 && kept.indexOf("*") < 0) {
        el.setAttribute("hx-disinherit", kept.concat("hx-disabled-elt").join(" "));
      }
    });
  });
  document.addEventListener("htmx:beforeRequest", function () {
    var box = document.getElementById("console-problem");
    if (box) box.hidden = true;
  });
})();
