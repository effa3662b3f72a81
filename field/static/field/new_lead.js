// The customer agrees to the words for the offer chosen: show (and send back) exactly those.
// A file, not an inline script: the Content-Security-Policy runs scripts from this site's files only.
(function () {
  var wordings = JSON.parse(document.getElementById("consent-wordings").textContent);
  var form = document.getElementById("lead-form");
  form.addEventListener("change", function (event) {
    if (event.target.name !== "kind") return;
    var text = wordings[event.target.value] || "";
    document.getElementById("consent-wording").textContent = text;
    form.elements.consent_wording.value = text;
  });
})();
