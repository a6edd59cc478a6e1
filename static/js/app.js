// Small page behaviours, kept out of the HTML so the Content-Security-Policy allows no inline script:
// - data-select-on-focus: select the field's text when it gets focus (a new API token, to copy it);
// - data-print: a button that prints the page (CAB minutes).
document.addEventListener("focusin", (event) => {
  if (event.target.matches && event.target.matches("[data-select-on-focus]")) {
    event.target.select();
  }
});
document.addEventListener("click", (event) => {
  const button = event.target.closest && event.target.closest("[data-print]");
  if (button) {
    event.preventDefault();
    window.print();
  }
});
