// Filters the recipient list of the compose form by name (the list may hold ~40 parents of a class).
(function () {
  "use strict";
  function norm(text) {
    return (text || "").toLowerCase().replace(/ё/g, "е");
  }
  document.querySelectorAll("[data-recipient-filter]").forEach(function (input) {
    var select = document.getElementById(input.getAttribute("data-recipient-filter"));
    if (!select) {
      return;
    }
    input.addEventListener("input", function () {
      var needle = norm(input.value.trim());
      select.querySelectorAll("optgroup").forEach(function (group) {
        var visible = 0;
        group.querySelectorAll("option").forEach(function (option) {
          var show = !needle || norm(option.textContent).indexOf(needle) !== -1;
          option.hidden = !show;
          option.disabled = !show;
          if (show) {
            visible += 1;
          }
        });
        group.hidden = visible === 0;
      });
      var first = select.querySelector("optgroup:not([hidden]) option:not([hidden])");
      var current = select.selectedOptions[0];
      if (needle && first && (!select.value || !current || current.hidden)) {
        select.value = first.value;
      }
    });
  });
})();
