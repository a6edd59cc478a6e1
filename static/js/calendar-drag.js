// The calendar's week and day grids: drag a change you may move onto an hour to open its reschedule
// form with that hour (and the change's duration) filled in. The form posts to the same reschedule
// path as without JavaScript; nothing is written until it is sent. Without scripts the Reschedule link
// on each change does the same.
(function () {
  "use strict";

  function plus(local, minutes) {
    // Wall-clock arithmetic on "YYYY-MM-DDTHH:MM" in the organisation's time zone.
    var moved = new Date(Date.parse(local + ":00Z") + minutes * 60000);
    return moved.toISOString().slice(0, 16);
  }

  function closest(target, selector) {
    return target && target.closest ? target.closest(selector) : null;
  }

  document.addEventListener("dragstart", function (event) {
    var block = closest(event.target, ".cal-block[data-reschedule]");
    if (!block) return;
    event.dataTransfer.setData("text/plain", block.dataset.reschedule + "|" + block.dataset.minutes);
    event.dataTransfer.effectAllowed = "move";
  });

  document.addEventListener("dragover", function (event) {
    if (closest(event.target, ".cal-timegrid td[data-start]")) event.preventDefault();
  });

  document.addEventListener("drop", function (event) {
    var cell = closest(event.target, ".cal-timegrid td[data-start]");
    if (!cell) return;
    var parts = (event.dataTransfer.getData("text/plain") || "").split("|");
    if (parts.length !== 2 || parts[0].charAt(0) !== "/" || parts[0].charAt(1) === "/") return;
    event.preventDefault();
    var start = cell.dataset.start;
    var end = plus(start, parseInt(parts[1], 10) || 60);
    window.location.assign(parts[0] + "?planned_start=" + encodeURIComponent(start) +
                           "&planned_end=" + encodeURIComponent(end));
  });
})();
