// The portal works without this file; it only says how many photos were chosen.
document.addEventListener("change", function (event) {
  if (event.target.id !== "id_photos") return;
  var out = document.getElementById("photo-count");
  var n = event.target.files ? event.target.files.length : 0;
  out.textContent = n ? out.dataset.template.replace("{count}", n) : "";
});
