// The lesson's page: «Everyone else is present» records as present every student with no attendance on
// the lesson. What the teacher typed in the course journal's grid and the server has not stored (a save
// still retried, a refused text) is kept by the grid in the browser (localStorage "journal.unsent", see
// grid.js); those cells of this lesson are named here, and the first press of the button only says so.
// (No inline scripts: the CSP allows only our own files.)
(() => {
  "use strict";

  const form = document.querySelector("form[data-unsent-check]");
  const notice = document.getElementById("lesson-unsent");
  if (!form || !notice) return;
  const lesson = form.dataset.unsentCheck;

  function unsent() {
    let all = {};
    try {
      all = JSON.parse(window.localStorage.getItem("journal.unsent") || "{}") || {};
    } catch (e) {
      return [];
    }
    return Object.values(all).filter((entry) => entry && String(entry.lesson) === lesson && entry.text);
  }

  function drop(entries) {
    try {
      const all = JSON.parse(window.localStorage.getItem("journal.unsent") || "{}") || {};
      for (const entry of entries) delete all[entry.lesson + ":" + entry.student];
      window.localStorage.setItem("journal.unsent", JSON.stringify(all));
    } catch (e) {
      // nothing kept, nothing to drop
    }
  }

  function show(entries, pressed) {
    notice.replaceChildren();
    const head = document.createElement("p");
    head.className = "mb-1";
    head.textContent = notice.dataset.msgUnsent;
    const list = document.createElement("ul");
    list.className = "mb-1";
    for (const entry of entries) {
      const item = document.createElement("li");
      item.textContent = (entry.name || "—") + ": «" + entry.text + "»";
      list.appendChild(item);
    }
    const tail = document.createElement("p");
    tail.className = "mb-0";
    tail.textContent = pressed ? notice.dataset.msgAgain : notice.dataset.msgOpen;
    notice.append(head, list, tail);
    notice.hidden = false;
  }

  const found = unsent();
  if (found.length) show(found, false);

  let warned = false;
  form.addEventListener("submit", (event) => {
    const entries = unsent();
    if (!entries.length) return;
    if (!warned) {
      event.preventDefault();
      warned = true;
      show(entries, true);
      notice.setAttribute("role", "alert");
      return;
    }
    drop(entries); // the teacher went on knowing: the typed cells are not asked about again
  });
})();
