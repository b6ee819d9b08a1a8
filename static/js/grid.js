// The course journal's grid: each cell is an <input> saved on its own.
// Keyboard first: Enter saves and goes down, Tab saves and goes right, arrows
// move, Esc restores the saved value. A cell shows its state with a class:
// jg-saving, jg-saved, jg-error (refused: the text stays), jg-conflict (someone
// else saved meanwhile: the stored value is shown), jg-pending (no connection:
// the text stays and is retried with a growing delay). Nothing typed is dropped
// silently: leaving the page with unsaved cells asks first.
// (No inline scripts: the CSP allows only our own files.)
(() => {
  "use strict";

  const table = document.getElementById("journal-grid");
  if (!table) return;
  const statusLine = document.getElementById("grid-status");
  const saveUrl = table.dataset.saveUrl;
  const msg = table.dataset;
  const STATES = ["jg-saving", "jg-saved", "jg-error", "jg-conflict", "jg-pending"];
  const MAX_DELAY = 30000;
  const SAVE_TIMEOUT = 20000; // a save unanswered this long is given up and retried, not left to block its row

  function csrfToken() {
    try {
      const headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      if (headers["X-CSRFToken"]) return headers["X-CSRFToken"];
    } catch (e) {
      // fall back to the cookie
    }
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function say(text, kind) {
    if (!statusLine) return;
    statusLine.textContent = text;
    statusLine.className = "grid-status small mb-1" + (kind ? " text-" + kind : "");
  }

  function setState(input, state, title) {
    const cell = input.closest("td");
    for (const name of STATES) {
      input.classList.remove(name);
      if (cell) cell.classList.remove(name);
    }
    if (state) {
      input.classList.add(state);
      if (cell) cell.classList.add(state);
    }
    input.dataset.state = state || "";
    if (title) input.title = title;
    else input.removeAttribute("title");
  }

  // --- Moving between cells -------------------------------------------------------------

  const rows = Array.from(table.tBodies[0] ? table.tBodies[0].rows : []);

  function cellAt(rowIndex, colIndex) {
    const row = rows[rowIndex];
    if (!row) return null;
    const td = row.cells[colIndex];
    return td ? td.querySelector("input.jg-input") : null;
  }

  function position(input) {
    const td = input.closest("td");
    return { row: rows.indexOf(td.parentElement), col: td.cellIndex };
  }

  function move(input, dRow, dCol) {
    let { row, col } = position(input);
    const width = rows[row] ? rows[row].cells.length : 0;
    for (let step = 0; step < 400; step++) {
      row += dRow;
      col += dCol;
      if (row < 0 || row >= rows.length || col < 0 || col >= width) return false;
      const next = cellAt(row, col);
      if (next) {
        next.focus();
        next.select();
        return true;
      }
    }
    return false;
  }

  // --- Saving ------------------------------------------------------------------------------

  function versions(input) {
    return JSON.stringify({ 1: input.dataset.v1 || null, 2: input.dataset.v2 || null, att: input.dataset.va || null });
  }

  function takeState(input, data) {
    const v = data.versions || {};
    input.dataset.v1 = v["1"] == null ? "" : String(v["1"]);
    input.dataset.v2 = v["2"] == null ? "" : String(v["2"]);
    input.dataset.va = v.att == null ? "" : String(v.att);
    input.dataset.saved = data.text || "";
  }

  // The row's average, count of marks and suggested mark, as the server recomputed them after a save.
  function showSummary(student, summary) {
    const put = (name, text) => {
      const el = table.querySelector('[data-testid="' + name + "-" + student + '"]');
      if (el) el.textContent = text;
      return el;
    };
    put("avg", summary.average || "");
    put("suggested", summary.suggested || "");
    const minimum = Number(table.dataset.minimum || 0);
    const count = put("count", summary.count + "/" + minimum);
    if (count) count.classList.toggle("jg-below", summary.count < minimum);
  }

  function pendingCount() {
    return table.querySelectorAll("input.jg-pending, input.jg-saving").length;
  }

  function retryLater(input) {
    const delay = Math.min(Number(input.dataset.delay || 1000), MAX_DELAY);
    input.dataset.delay = String(delay * 2);
    setState(input, "jg-pending", msg.msgOffline);
    say(msg.msgOffline, "danger");
    window.clearTimeout(Number(input.dataset.timer || 0));
    input.dataset.timer = String(window.setTimeout(() => save(input), delay));
  }

  // One save in flight per row: each answer carries the row's summary, and the answers to
  // saves sent together can come back out of order and leave an average that misses a mark.
  const rowQueues = new Map();

  function inRowOrder(student, send) {
    const next = (rowQueues.get(student) || Promise.resolve()).then(send);
    rowQueues.set(student, next);
    next.then(() => {
      if (rowQueues.get(student) === next) rowQueues.delete(student);
    });
  }

  function save(input) {
    if (input.dataset.busy === "1") {
      input.dataset.again = "1"; // saved once the save in flight is answered
      return;
    }
    window.clearTimeout(Number(input.dataset.timer || 0));
    input.dataset.busy = "1";
    setState(input, "jg-saving");
    say(msg.msgSaving, "muted");
    inRowOrder(input.closest("td").dataset.student, () => send(input));
  }

  // Posts the cell's text as it is now; the returned promise never rejects.
  function send(input) {
    const text = input.value.trim();
    const td = input.closest("td");
    const body = new FormData();
    body.append("lesson", td.dataset.lesson);
    body.append("student", td.dataset.student);
    body.append("text", text);
    body.append("versions", versions(input));
    body.append("start", table.dataset.start || "");
    body.append("end", table.dataset.end || "");
    body.append("policy_day", table.dataset.policyDay || "");
    const controller = new AbortController();
    const timer = window.setTimeout(() => controller.abort(), SAVE_TIMEOUT);
    return fetch(saveUrl, {
      method: "POST",
      body: body,
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" },
      credentials: "same-origin",
      signal: controller.signal,
    })
      .finally(() => window.clearTimeout(timer))
      .then((response) => {
        if (response.status >= 500) throw new Error("server " + response.status);
        return response
          .json()
          .catch(() => ({ error: msg.msgError + " (" + response.status + ")" }))
          .then((data) => ({ status: response.status, data: data }));
      })
      .then(({ status, data }) => {
        input.dataset.busy = "";
        input.dataset.delay = "";
        const typedMeanwhile = input.value.trim() !== text;
        if (data.summary) showSummary(td.dataset.student, data.summary);
        if (status === 200) {
          takeState(input, data);
          if (!typedMeanwhile) input.value = data.text || "";
          setState(input, "jg-saved");
          say(msg.msgSaved, "success");
          refreshDetails(input.closest("td"));
        } else if (status === 409) {
          takeState(input, data);
          input.value = data.text || "";
          if (document.activeElement === input) input.select();
          const who = [data.author, data.at].filter(Boolean).join(", ");
          const note = msg.msgChanged + ": " + (who || "—");
          setState(input, "jg-conflict", note + ". " + (data.error || ""));
          say(note + ". " + (data.error || ""), "danger");
          return;
        } else {
          setState(input, "jg-error", data.error || msg.msgError);
          say(data.error || msg.msgError, "danger");
          return;
        }
        if (input.dataset.again === "1" || (typedMeanwhile && document.activeElement !== input)) {
          input.dataset.again = "";
          commit(input);
        }
      })
      .catch(() => {
        input.dataset.busy = "";
        retryLater(input);
      });
  }

  function commit(input) {
    const text = input.value.trim();
    const saved = input.dataset.saved || "";
    const state = input.dataset.state || "";
    if (text === saved && state !== "jg-pending" && state !== "jg-error") return;
    if (text === saved && state === "jg-error") {
      setState(input, "");
      return;
    }
    save(input);
  }

  // --- Events ---------------------------------------------------------------------------------

  for (const input of table.querySelectorAll("input.jg-input")) {
    input.dataset.saved = input.value;
  }

  table.addEventListener("focusin", (event) => {
    const input = event.target;
    if (input instanceof HTMLInputElement && input.classList.contains("jg-input")) input.select();
  });

  table.addEventListener("focusout", (event) => {
    const input = event.target;
    if (input instanceof HTMLInputElement && input.classList.contains("jg-input")) commit(input);
  });

  table.addEventListener("keydown", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.classList.contains("jg-input")) return;
    const atStart = input.selectionStart === 0 && input.selectionEnd === 0;
    const atEnd = input.selectionStart === input.value.length;
    const whole = input.selectionStart === 0 && input.selectionEnd === input.value.length;
    switch (event.key) {
      case "Enter":
        event.preventDefault();
        commit(input);
        if (!move(input, event.shiftKey ? -1 : 1, 0)) input.select();
        break;
      case "Escape":
        event.preventDefault();
        input.value = input.dataset.saved || "";
        window.clearTimeout(Number(input.dataset.timer || 0));
        setState(input, "");
        say("", "");
        input.select();
        break;
      case "ArrowUp":
        event.preventDefault();
        move(input, -1, 0);
        break;
      case "ArrowDown":
        event.preventDefault();
        move(input, 1, 0);
        break;
      case "ArrowLeft":
        if (atStart || whole) {
          event.preventDefault();
          move(input, 0, -1);
        }
        break;
      case "ArrowRight":
        if (atEnd || whole) {
          event.preventDefault();
          move(input, 0, 1);
        }
        break;
      default:
        break;
    }
  });

  // A tap anywhere in a cell focuses its input.
  table.addEventListener("click", (event) => {
    const td = event.target instanceof Element ? event.target.closest("td.jg-cell") : null;
    const input = td ? td.querySelector("input.jg-input") : null;
    if (input && event.target !== input) input.focus();
  });

  // --- The cell panel: a cell's marks (work type, comment), its history, the phone's picker -------

  const panelBody = document.getElementById("cell-panel-body");
  const detailsButton = document.getElementById("cell-details-btn");
  const detailsUrl = table.dataset.detailsUrl;
  let current = null; // the <td> last focused or tapped
  let shown = null; // the <td> whose details the panel shows

  function cellOf(lesson, student) {
    return table.querySelector('td.jg-cell[data-lesson="' + lesson + '"][data-student="' + student + '"]');
  }

  function showDetails(td) {
    if (!td || !panelBody || !detailsUrl) return;
    const url = detailsUrl + "?lesson=" + encodeURIComponent(td.dataset.lesson) + "&student=" + encodeURIComponent(td.dataset.student);
    for (const other of table.querySelectorAll("td.jg-current")) other.classList.remove("jg-current");
    td.classList.add("jg-current");
    shown = td;
    fetch(url, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.text() : Promise.reject(new Error(String(response.status)))))
      .then((html) => {
        if (shown === td) panelBody.innerHTML = html; // our own server's fragment
      })
      .catch(() => say(msg.msgError, "danger"));
  }

  function refreshDetails(td) {
    if (td && td === shown) showDetails(td);
  }

  table.addEventListener("focusin", (event) => {
    const td = event.target instanceof Element ? event.target.closest("td.jg-cell") : null;
    if (td) current = td;
  });

  table.addEventListener("click", (event) => {
    const td = event.target instanceof Element ? event.target.closest("td.jg-cell") : null;
    if (td && td.dataset.lesson) {
      current = td;
      showDetails(td);
    }
  });

  table.addEventListener("keydown", (event) => {
    const td = event.target instanceof Element ? event.target.closest("td.jg-cell") : null;
    if (!td) return;
    if ((event.ctrlKey || event.metaKey) && event.code === "KeyH") {
      event.preventDefault();
      showDetails(td);
    } else if (event.key === "Enter" && event.target === td) {
      event.preventDefault();
      showDetails(td);
    }
  });

  if (detailsButton) detailsButton.addEventListener("click", () => showDetails(current || shown));

  if (panelBody) {
    panelBody.addEventListener("click", (event) => {
      const target = event.target instanceof Element ? event.target : null;
      if (!target) return;
      const historyButton = target.closest(".jg-history-btn");
      if (historyButton) {
        const box = panelBody.querySelector(".jg-history");
        fetch(historyButton.dataset.url, {
          headers: { "HX-Request": "true", "X-Requested-With": "fetch" },
          credentials: "same-origin",
        })
          .then((response) => (response.ok ? response.text() : Promise.reject(new Error(String(response.status)))))
          .then((html) => {
            if (box) box.innerHTML = html;
          })
          .catch(() => say(msg.msgError, "danger"));
        return;
      }
      const pick = target.closest(".jg-pick");
      if (pick) {
        const details = pick.closest(".jg-details");
        const td = details ? cellOf(details.dataset.lesson, details.dataset.student) : null;
        const input = td ? td.querySelector("input.jg-input") : null;
        if (!input) return;
        input.value = pick.dataset.pick || "";
        commit(input);
      }
    });

    panelBody.addEventListener("submit", (event) => {
      const form = event.target;
      if (!(form instanceof HTMLFormElement) || !form.classList.contains("jg-mark-form")) return;
      event.preventDefault();
      const status = form.querySelector(".jg-mark-status");
      const tell = (text, kind) => {
        if (status) {
          status.textContent = text;
          status.className = "jg-mark-status small ms-1 text-" + kind;
        }
      };
      tell(msg.msgSaving, "muted");
      const student = form.elements.student.value;
      const body = new FormData(form);
      body.append("start", table.dataset.start || "");
      body.append("policy_day", table.dataset.policyDay || "");
      body.append("end", table.dataset.end || "");
      const send = () =>
        fetch(form.dataset.url, {
          method: "POST",
          body: body,
          headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" },
          credentials: "same-origin",
        })
          .then((response) =>
            response
              .json()
              .catch(() => ({ error: msg.msgError + " (" + response.status + ")" }))
              .then((data) => ({ status: response.status, data: data })),
          )
          .then(({ status: code, data }) => {
            const td = cellOf(form.elements.lesson.value, student);
            const input = td ? td.querySelector("input.jg-input") : null;
            if (code === 200) {
              form.elements.version.value = String(data.version);
              if (input) takeState(input, data);
              if (data.summary) showSummary(student, data.summary); // a work type's weight moves the average
              tell(msg.msgSaved, "success");
            } else if (code === 409) {
              if (input) {
                takeState(input, data);
                input.value = data.text || "";
              }
              const who = [data.author, data.at].filter(Boolean).join(", ");
              say(msg.msgChanged + ": " + (who || "—") + ". " + (data.error || ""), "danger");
              refreshDetails(td);
            } else {
              tell(data.error || msg.msgError, "danger");
            }
          })
          .catch(() => tell(msg.msgOffline, "danger"));
      inRowOrder(student, send);
    });
  }

  window.addEventListener("online", () => {
    for (const input of table.querySelectorAll("input.jg-pending")) save(input);
  });

  window.addEventListener("beforeunload", (event) => {
    const unsaved = Array.from(table.querySelectorAll("input.jg-input")).some(
      (input) => input.value.trim() !== (input.dataset.saved || "") && input.dataset.state !== "jg-conflict",
    );
    if (unsaved || pendingCount() > 0) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
