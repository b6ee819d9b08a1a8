// The accounts list: tick or untick every person at once.
(function () {
  "use strict";
  function setAll(name, value) {
    document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
      if (!box.disabled) box.checked = value;
    });
  }
  document.addEventListener("click", function (event) {
    var all = event.target.closest("[data-check-all]");
    var none = event.target.closest("[data-check-none]");
    if (all) setAll(all.getAttribute("data-check-all"), true);
    if (none) setAll(none.getAttribute("data-check-none"), false);
  });
})();
