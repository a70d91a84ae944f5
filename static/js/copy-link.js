// Copy buttons for read-only share links (e.g. /me/referrals/).
// Progressive enhancement: the button is hidden until this runs; without JavaScript the link is still
// a read-only field to select and copy by hand. Clicking the field selects the whole link.
(function () {
  "use strict";

  function status(id, text) {
    var element = document.querySelector('[data-copy-status="' + id + '"]');
    if (element) element.textContent = text;
  }

  function copy(field) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(field.value);
    }
    // Plain http (a local run): the older API still works on a selected field.
    field.select();
    return document.execCommand("copy") ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-copy-source]"), function (field) {
      field.addEventListener("focus", function () { field.select(); });
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-copy-target]"), function (button) {
      var id = button.getAttribute("data-copy-target");
      var field = document.getElementById(id);
      if (!field) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        copy(field).then(
          function () { status(id, "Link copied."); },
          function () { field.select(); status(id, "Press Ctrl+C (or ⌘C) to copy the selected link."); }
        );
      });
    });
  });
})();
