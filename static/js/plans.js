// Thematic plans: ask before a form marked data-confirm replaces or deletes rows.
// (No inline scripts: the CSP allows only our own files.)
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  const question = form.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
