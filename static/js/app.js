// Small page behaviours, kept out of the HTML so the Content-Security-Policy allows no inline script:
// - data-select-on-focus: select the field's text when it gets focus (a new API token, to copy it);
// - data-print: a button that prints the page (CAB minutes);
// - printing opens every folded section (<details>), so a printed change or minutes page is whole;
// - focus after an htmx swap: when the swap removed the element that had focus (the button just
//   pressed), focus moves to a sensible place instead of falling to <body> — the swapped-in alert or
//   autofocus field, else the element that replaced the old one, else its neighbour, else <main>.
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

window.addEventListener("beforeprint", () => {
  document.querySelectorAll("details:not([open])").forEach((details) => {
    details.setAttribute("open", "");
    details.setAttribute("data-opened-for-print", "");
  });
});
window.addEventListener("afterprint", () => {
  document.querySelectorAll("details[data-opened-for-print]").forEach((details) => {
    details.removeAttribute("open");
    details.removeAttribute("data-opened-for-print");
  });
});

let swapContext = null;

function focusOn(element) {
  if (!element || !element.isConnected) {
    return false;
  }
  if (!element.matches("a[href], button, input, select, textarea, summary, [tabindex]")) {
    element.setAttribute("tabindex", "-1");
  }
  element.focus();
  return document.activeElement === element;
}

document.addEventListener("htmx:beforeSwap", (event) => {
  const target = event.detail.target;
  const active = document.activeElement;
  // Only a swap that takes the focused element with it moves focus (a poll elsewhere never does).
  swapContext = target && active && active !== document.body && target.contains(active) ? {
    id: target.id,
    next: target.nextElementSibling,
    previous: target.previousElementSibling,
    parent: target.parentElement,
  } : null;
});

document.addEventListener("htmx:afterSwap", () => {
  const context = swapContext;
  swapContext = null;
  if (!context || (document.activeElement && document.activeElement !== document.body)) {
    return;
  }
  const replaced = context.id ? document.getElementById(context.id) : null;
  const candidates = [
    replaced && replaced.querySelector("[autofocus], [role=alert]"),
    replaced,
    context.next,
    context.previous,
    context.parent && context.parent.closest("section, table, main"),
    document.getElementById("main"),
  ];
  candidates.some((candidate) => focusOn(candidate));
});
