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
  document.addEventListener("htmx:beforeRequest", function () {
    var box = document.getElementById("console-problem");
    if (box) box.hidden = true;
  });
})();
