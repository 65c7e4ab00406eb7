// The detainer form's agreement default (incidents/detainers/forms.py, AgreementSelect): where several agreements
// are in force, choosing the 287(g) action preselects the one whose model covers it (R1.6), as long as the person
// has not chosen an agreement themselves. Without this script the server applies the same default on saving.
(function () {
  "use strict";

  function covers(option, action) {
    return (" " + (option.getAttribute("data-actions") || "") + " ").indexOf(" " + action + " ") !== -1;
  }

  function setUp() {
    var action = document.getElementById("id_action");
    var agreement = document.getElementById("id_agreement");
    if (!action || !agreement) {
      return;
    }
    var chosenByPerson = agreement.value !== "";

    function preselect() {
      if (chosenByPerson) {
        return;
      }
      var covering = Array.prototype.filter.call(agreement.options, function (option) {
        return option.hasAttribute("data-in-force") && action.value !== "" && covers(option, action.value);
      });
      agreement.value = covering.length === 1 ? covering[0].value : "";
    }

    agreement.addEventListener("change", function () {
      chosenByPerson = agreement.value !== "";
    });
    action.addEventListener("change", preselect);
    preselect();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
