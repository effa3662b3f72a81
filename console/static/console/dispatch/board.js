// The dispatcher board: drag a job onto a technician's lane, or click it for the ranked candidates.
(function () {
  "use strict";
  function board() { return document.getElementById("board"); }
  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }
  function url(attr, id) { return board().dataset[attr].replace("/0/", "/" + id + "/"); }
  function filters() {
    var form = document.getElementById("board-filters"), values = {};
    if (form) new FormData(form).forEach(function (v, k) { values[k] = v; });
    return values;
  }
  document.addEventListener("click", function (event) {
    var pick = event.target.closest("[data-pick]");
    if (pick && board() && board().contains(pick)) {
      htmx.ajax("GET", url("candidatesUrl", pick.dataset.pick) + "?date=" + board().dataset.day,
                {target: "#dispatch-panel", swap: "outerHTML"});
      return;
    }
    if (event.target.closest("[data-close-panel]")) {
      var panel = document.getElementById("dispatch-panel");
      panel.outerHTML = '<div id="dispatch-panel"></div>';
    }
  });
  var dragged = null;
  document.addEventListener("dragstart", function (event) {
    var item = event.target.closest && event.target.closest("[draggable=true][data-order]");
    if (!item) return;
    dragged = {order: item.dataset.order, version: item.dataset.version};
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.dataset.order);
    item.classList.add("is-dragging");
  });
  document.addEventListener("dragend", function (event) {
    if (event.target.classList) event.target.classList.remove("is-dragging");
  });
  function lane(event) {
    var found = event.target.closest && event.target.closest(".is-live .dlane[data-technician]");
    return found && !found.classList.contains("is-off") ? found : null;
  }
  document.addEventListener("dragover", function (event) {
    var target = lane(event);
    if (!target || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    document.querySelectorAll(".dlane.is-over").forEach(function (l) { if (l !== target) l.classList.remove("is-over"); });
    target.classList.add("is-over");
  });
  document.addEventListener("dragleave", function (event) {
    var target = lane(event);
    if (target && !target.contains(event.relatedTarget)) target.classList.remove("is-over");
  });
  document.addEventListener("drop", function (event) {
    var target = lane(event);
    if (!target || !dragged) return;
    event.preventDefault();
    target.classList.remove("is-over");
    var values = filters();
    values.technician = target.dataset.technician;
    values.version = dragged.version;
    htmx.ajax("POST", url("assignUrl", dragged.order),
              {target: "#board", swap: "outerHTML", values: values, headers: {"X-CSRFToken": csrf()}});
    dragged = null;
  });
})();
