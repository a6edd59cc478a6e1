// Keyboard shortcuts (listed on /help/shortcuts/, which "?" opens) and the live parts' manners.
// No key acts while the person types in a field or holds Ctrl, Alt or Meta.
(() => {
  const GO = { h: "/", c: "/changes/", a: "/approvals/queue/", i: "/inbox/" };
  const ROWS = "table.changes tbody tr, table.queue tbody tr";
  let pendingG = false;
  let pendingTimer = null;

  const typing = (el) => el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));
  const rows = () => Array.from(document.querySelectorAll(ROWS)).filter((row) => row.querySelector("a"));
  const currentRow = () => document.activeElement && document.activeElement.closest && document.activeElement.closest(ROWS);

  function focusRow(step) {
    const all = rows();
    if (!all.length) return;
    const index = all.indexOf(currentRow());
    const next = all[Math.min(all.length - 1, Math.max(0, index === -1 ? 0 : index + step))];
    next.querySelector("a").focus();
  }

  function clickShortcut(key) {
    const target = document.querySelector(`[data-shortcut="${key}"]`);
    if (target) target.click();
    return Boolean(target);
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.altKey || event.metaKey || typing(event.target)) return;
    const key = event.key;
    if (pendingG) {
      pendingG = false;
      clearTimeout(pendingTimer);
      if (GO[key]) { event.preventDefault(); window.location.assign(GO[key]); }
      return;
    }
    let handled = true;
    if (key === "g") { pendingG = true; pendingTimer = setTimeout(() => { pendingG = false; }, 1500); }
    else if (key === "?") window.location.assign("/help/shortcuts/");
    else if (key === "n") window.location.assign("/changes/new/");
    else if (key === "/") { const search = document.getElementById("id_q"); if (search) search.focus(); else handled = false; }
    else if (key === "j") focusRow(1);
    else if (key === "k") focusRow(-1);
    else if (key === "s") {
      const box = currentRow() && currentRow().querySelector('input[type="checkbox"]');
      if (box) box.click(); else handled = false;
    }
    else if (key === "c") { const box = document.getElementById("id_comment_body"); if (box) box.focus(); else handled = false; }
    else if (key === "w" || key === "x") handled = clickShortcut(key);
    else handled = false;
    if (handled) event.preventDefault();
  });

  // Live parts poll for news; a poll that would wipe what the person is doing waits for the next one:
  // a field being typed in, or rows selected for a bulk action, inside the part or the change page, or
  // the focus inside a live part (on the row just decided in place, say, which the next poll would drop).
  document.addEventListener("htmx:beforeRequest", (event) => {
    const source = event.detail.elt;
    if (!source || !(source.matches(".live") || source.id === "collaboration-thread")) return;
    const scope = source.id === "collaboration-thread" ? document.getElementById("main") : source;
    const busy = (scope && typing(document.activeElement) && scope.contains(document.activeElement))
      || (scope && scope.querySelector('input[type="checkbox"][form]:checked'))
      || (source.matches(".live") && source.contains(document.activeElement));
    if (busy) event.preventDefault();
  });
})();
