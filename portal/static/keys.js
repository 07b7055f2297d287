/* Keyboard helpers, loaded from static/ with defer (no inline code, CSP):
   - a testing day's row: choosing the value named by a select's data-opens-row (阳性) puts the row's
     [data-row-extra] fields into the Tab order, any other value takes them out again, so Tab goes from
     one result to the next;
   - a [data-roving] group (the attendance toggles): ArrowLeft/ArrowRight move between its buttons, only
     one of which is in the Tab order, so Tab goes from one person to the next. */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-opens-row]")) { return; }
    var open = select.value === select.getAttribute("data-opens-row");
    select.closest("tr").querySelectorAll("[data-row-extra]").forEach(function (field) {
      if (open) { field.removeAttribute("tabindex"); } else { field.setAttribute("tabindex", "-1"); }
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") { return; }
    var group = event.target.closest && event.target.closest("[data-roving]");
    if (!group) { return; }
    var buttons = Array.prototype.slice.call(group.querySelectorAll("button"));
    var next = buttons[buttons.indexOf(event.target) + (event.key === "ArrowRight" ? 1 : -1)];
    if (!next) { return; }
    event.preventDefault();
    buttons.forEach(function (b) { b.setAttribute("tabindex", b === next ? "0" : "-1"); });
    next.focus();
  });
}());
