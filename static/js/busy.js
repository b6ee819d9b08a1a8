// A form whose work takes a while (a printout, a report, the bound journal): once sent, its button says
// so and cannot be pressed twice. <form data-busy="Формируется…">; the text is the page's language.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.busy || event.defaultPrevented) return;
  const button = event.submitter || form.querySelector("button[type=submit], button:not([type])");
  if (!button) return;
  // Disabled after the submit has been taken, so the button's own name/value still go with the form.
  setTimeout(() => {
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    button.textContent = form.dataset.busy;
  }, 0);
});
