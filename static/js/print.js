// A button with the data-print attribute prints the page (the CSP allows no inline handlers).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
