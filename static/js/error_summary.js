// The error summary of a long form (templates/includes/error_summary.html): it takes the focus when the page
// loads, so a screen reader reads it and a keyboard starts from it; a link in it moves the focus to its field,
// with the field's label scrolled into view (a plain link would only scroll).
(function () {
  "use strict";

  function focusSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusSummary);
  } else {
    focusSummary();
  }
  // A form posted from an address with a fragment (e.g. after the "Skip to main content" link) comes back with
  // it, and the browser's scroll to that fragment after loading leaves the focus on the page itself: take it again.
  window.addEventListener("load", function () {
    if (!document.activeElement || document.activeElement === document.body) {
      focusSummary();
    }
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) {
      return;
    }
    var input = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!input) {
      return;
    }
    event.preventDefault();
    var group = input.closest(".usa-form-group") || input;
    group.scrollIntoView();
    input.focus({ preventScroll: true });
  });
})();
