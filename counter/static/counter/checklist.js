/* The document checklist's filter box: hides the rows whose name does not
   contain what the clerk typed (ticked rows always stay). A file, not an inline
   script, so the Content-Security-Policy lets it run; the filter survives
   htmx re-rendering the checklist after every tick. */
(function () {
  "use strict";
  var text = "";

  function apply() {
    var box = document.querySelector("[data-checklist-filter]");
    if (!box) { return; }
    if (box.value !== text) { box.value = text; }
    var needle = text.trim();
    document.querySelectorAll(".id-checklist-class").forEach(function (table) {
      var shown = 0;
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        var ticked = tr.classList.contains("ticked");
        var match = !needle || ticked || (tr.dataset.name || "").indexOf(needle) !== -1;
        tr.hidden = !match;
        if (match) { shown += 1; }
      });
      table.hidden = shown === 0;
    });
  }

  document.addEventListener("input", function (e) {
    if (e.target.matches && e.target.matches("[data-checklist-filter]")) {
      text = e.target.value;
      apply();
    }
  });
  /* Typing in the filter box is not a change of the checklist: no re-render. */
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("[data-checklist-filter]")) {
      e.stopPropagation();
    }
  }, true);
  /* Enter in the filter box must not submit the checklist. */
  document.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && e.target.matches && e.target.matches("[data-checklist-filter]")) {
      e.preventDefault();
    }
  });
  document.addEventListener("htmx:afterSettle", apply);
  apply();
})();
