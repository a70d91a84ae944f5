// Staff review queue: select all on the page without a reload, and a live count of ticked rows.
// Progressive enhancement only: without JavaScript the "select all" link reloads the page with every box ticked.
(function () {
  "use strict";

  function setUp(form) {
    var boxes = Array.prototype.slice.call(form.querySelectorAll('input[type="checkbox"][name="applications"]'));
    var toggle = form.querySelector("[data-select-toggle]");
    var counter = form.querySelector("[data-selected-count]");
    if (!boxes.length) return;

    function ticked() {
      return boxes.filter(function (box) { return box.checked; }).length;
    }

    function refresh() {
      var n = ticked();
      if (counter) counter.textContent = n === 1 ? "1 ticked" : n + " ticked";
      if (toggle) {
        var all = n === boxes.length;
        toggle.textContent = all ? "Clear selection" : "Select all on this page";
        toggle.setAttribute("data-select-toggle", all ? "none" : "all");
      }
    }

    if (toggle) {
      toggle.setAttribute("role", "button");
      toggle.addEventListener("click", function (event) {
        event.preventDefault();
        var check = toggle.getAttribute("data-select-toggle") === "all";
        boxes.forEach(function (box) { box.checked = check; });
        refresh();
      });
    }
    boxes.forEach(function (box) { box.addEventListener("change", refresh); });
    refresh();
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-bulk-form]"), setUp);
  });
})();
