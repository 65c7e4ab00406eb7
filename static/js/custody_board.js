// The custody board's self-refresh (templates/incidents/_custody_board_rows.html): htmx asks for the rows
// every minute and swaps them in. A refresh is skipped while it would take something from the person:
// a quick-action form open in a row, or the keyboard focus inside the rows. When the tab was hidden the
// board refreshes as soon as it is shown again. The poll does not extend the session
// (compliance.core.sessions.passive_request); once the session has ended the server answers with
// HX-Redirect and the page goes to the sign-in page.
(function () {
  "use strict";
  var ROWS_ID = "custody-board-rows";

  function busy(rows) {
    if (rows.querySelector(".app-quick-action-slot form")) {
      return true;
    }
    var active = document.activeElement;
    return Boolean(active && active !== document.body && rows.contains(active));
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var rows = event.detail.elt;
    if (!rows || rows.id !== ROWS_ID) {
      return;
    }
    if (document.hidden || busy(rows)) {
      event.preventDefault(); // skip this refresh; the next one comes in a minute
    }
  });

  document.addEventListener("visibilitychange", function () {
    var rows = document.getElementById(ROWS_ID);
    if (!document.hidden && rows && window.htmx) {
      window.htmx.trigger(rows, "refresh");
    }
  });
})();
