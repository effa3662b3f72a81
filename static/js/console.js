// The console's only script. htmx does not swap 4xx responses by default; a refused
// lifecycle step comes back as a 4xx partial marked X-Domain-Error, and that one we show
// in place so the message sits beside the field. Other errors (e.g. a CSRF failure) are not swapped.
document.addEventListener("htmx:beforeSwap", function (event) {
  var xhr = event.detail.xhr;
  if (xhr.status >= 400 && xhr.getResponseHeader("X-Domain-Error")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
