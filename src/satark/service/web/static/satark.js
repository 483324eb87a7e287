/* Satark: small enhancements on top of htmx. Every page works without this file.
   htmx swaps nothing on an error response, so without this a failed request would look like
   nothing happened; the messages come translated from data attributes in base.html. */
(function () {
  "use strict";

  function errorBox() { return document.getElementById("htmx-error"); }

  function show(kind) {
    var box = errorBox();
    if (!box) { return; }
    box.textContent = box.getAttribute("data-" + kind) || "";
    box.hidden = false;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var box = errorBox();
    if (box) { box.hidden = true; }
    var target = event.detail && event.detail.target;
    if (target) { target.setAttribute("aria-busy", "true"); }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var target = event.detail && event.detail.target;
    if (target) { target.removeAttribute("aria-busy"); }
  });

  document.addEventListener("htmx:responseError", function () { show("error"); });
  document.addEventListener("htmx:sendError", function () { show("offline"); });
})();
