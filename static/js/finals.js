// The final-marks pages are one form with «Save all» and a «Save» button per mark: Enter in a mark's
// field saves that mark (its own button), as it did when each mark was a form of its own; without this
// script Enter saves the whole page.
(() => {
  "use strict";
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.defaultPrevented || event.isComposing) return;
    const field = event.target instanceof Element ? event.target : null;
    if (!field || !field.matches("input, select")) return;
    const own = field.closest("[data-own-submit]");
    const button = own ? own.querySelector("button[type=submit]") : null;
    if (!button) return;
    event.preventDefault();
    button.click();
  });
})();
