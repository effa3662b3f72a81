// The label's print button (no inline handler: the Content-Security-Policy runs scripts from files only).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) window.print();
});
