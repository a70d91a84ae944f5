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

    // The cohort mix (when the queue shows one challenge) previews the levels with the ticked rows added:
    // what accepting or shortlisting them would make of the one-third aim, and whether the seats suffice.
    var mix = document.querySelector("[data-mix]");
    var preview = mix && mix.querySelector("[data-mix-preview]");
    var COUNTED = ["accepted", "shortlisted"];

    function previewMix() {
      if (!preview) return;
      var added = boxes.filter(function (box) {
        return box.checked && COUNTED.indexOf(box.getAttribute("data-status")) === -1;
      });
      if (!added.length) {
        preview.hidden = true;
        preview.textContent = "";
        return;
      }
      var total = parseInt(mix.getAttribute("data-mix-total"), 10) + added.length;
      var parts = Array.prototype.map.call(mix.querySelectorAll("[data-mix-level]"), function (row) {
        var level = row.getAttribute("data-mix-level");
        var count = parseInt(row.getAttribute("data-mix-count"), 10) + added.filter(function (box) {
          return box.getAttribute("data-level") === level;
        }).length;
        return row.getAttribute("data-mix-label") + " " + Math.round((100 * count) / total) + "%";
      });
      var seatsLeft = parseInt(mix.getAttribute("data-seats-left"), 10);
      var text = "With the " + added.length + " ticked: " + parts.join(" · ") + ".";
      if (added.length > seatsLeft) {
        text += " Only " + seatsLeft + " seat" + (seatsLeft === 1 ? "" : "s") +
          " left: accepting stops at the capacity.";
      }
      preview.textContent = text;
      preview.hidden = false;
    }

    function refresh() {
      previewMix();
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
