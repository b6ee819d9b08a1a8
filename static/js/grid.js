// The course journal's grid: cells are plain text; one input (the editor) moves into the cell that has the
// focus, and each cell is saved on its own. Keyboard first: Enter saves and goes down, Tab saves and goes
// right, arrows move, Esc restores the saved value. A cell shows its state with a class: jg-saving,
// jg-saved, jg-error (refused: the text stays), jg-conflict (someone else saved meanwhile: the stored value
// is shown), jg-pending (no connection, or the server is down for a while: the text stays and is retried
// with a growing delay). A server that answers and does not save is not a lost connection: the cell and
// the status line show the server's own words. Nothing typed is dropped silently: leaving the page with
// unsaved cells asks first, and the cells not saved yet are kept in the browser (localStorage,
// "journal.unsent") until they are, so the lesson's page warns before «Everyone else is present».
// One save is in flight at a time; the cells saved meanwhile go together as one request, each answered on
// its own (a column typed at speed is one transaction on the server, not one request a cell).
// The page sends each cell's rows' versions once (data-v="v1,v2,att" on the cells that hold something);
// the lesson is the column's (its <th data-l>), the student the row's (<tr data-s>).
// (No inline scripts: the CSP allows only our own files.)
(() => {
  "use strict";

  const table = document.getElementById("journal-grid");
  const editor = document.getElementById("jg-editor");
  if (!table || !editor) return;
  const statusLine = document.getElementById("grid-status");
  const saveUrl = table.dataset.saveUrl;
  const msg = table.dataset;
  const writable = table.dataset.writable === "1";
  const STATES = ["jg-saving", "jg-saved", "jg-error", "jg-conflict", "jg-pending"];
  const MAX_DELAY = 30000;
  const SAVE_TIMEOUT = 20000; // a save unanswered this long is given up and retried, not left to block its row
  const RETRIED = new Set([502, 503, 504]); // the server is down for a while: asked again, as a lost connection
  const UNSENT = "journal.unsent";

  // The lesson columns: their index in a row, the lesson and whether it is written here.
  const heads = Array.from(table.tHead.rows[0].cells);
  const lessonAt = new Map(); // cell index → {id, writes}
  const columnOf = new Map(); // lesson id → cell index
  heads.forEach((th, index) => {
    if (!th.dataset.l) return;
    lessonAt.set(index, { id: th.dataset.l, writes: writable && !th.classList.contains("jg-ro"), label: th.dataset.d });
    columnOf.set(th.dataset.l, index);
  });
  const rows = Array.from(table.tBodies[0] ? table.tBodies[0].rows : []).filter((row) => row.dataset.s);
  const rowOf = new Map(rows.map((row) => [row.dataset.s, row]));

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

  // --- Cells --------------------------------------------------------------------------------------

  const isCell = (td) => td instanceof HTMLTableCellElement && td.tagName === "TD" && lessonAt.has(td.cellIndex);
  const lessonOf = (td) => lessonAt.get(td.cellIndex).id;
  const studentOf = (td) => td.parentElement.dataset.s;
  const editable = (td) =>
    lessonAt.get(td.cellIndex).writes && !td.classList.contains("jg-out") && !td.classList.contains("jg-c");

  function cellOf(lesson, student) {
    const row = rowOf.get(String(student));
    const index = columnOf.get(String(lesson));
    return row && index !== undefined ? row.cells[index] : null;
  }

  // What a cell holds now: the editor's text while it sits there, else the cell's own.
  const textOf = (td) => (editor.parentElement === td ? editor.value : td.textContent).trim();
  const savedOf = (td) => (td.dataset.saved !== undefined ? td.dataset.saved : td.textContent.trim());

  function setText(td, text) {
    if (editor.parentElement === td) editor.value = text;
    else td.textContent = text;
  }

  function setState(td, state, title) {
    for (const name of STATES) td.classList.remove(name);
    if (state) td.classList.add(state);
    td.dataset.state = state || "";
    if (title) td.title = title;
    else td.removeAttribute("title");
  }

  function takeState(td, data) {
    const v = data.versions || {};
    const part = (x) => (x == null ? "" : String(x));
    td.dataset.v = [part(v["1"]), part(v["2"]), part(v.att)].join(",");
    td.dataset.saved = data.text || "";
    if (data.late !== undefined) td.classList.toggle("jg-late", Boolean(data.late));
  }

  function versions(td) {
    const [v1, v2, att] = (td.dataset.v || ",,").split(",");
    return JSON.stringify({ 1: v1 || null, 2: v2 || null, att: att || null });
  }

  // --- The editor ---------------------------------------------------------------------------------

  // Moving the focused editor makes the browser blur it on the way: that blur is not a leaving.
  let moving = false;

  // The editor leaves its cell: the cell shows what it holds (typed and not yet saved, too).
  function release() {
    const td = editor.parentElement;
    if (!isCell(td)) return;
    const text = editor.value;
    td.classList.remove("jg-current-edit");
    moving = true;
    try {
      document.body.appendChild(editor); // out of the cell before its text is put back
    } finally {
      moving = false;
    }
    editor.hidden = true;
    td.textContent = text;
  }

  function place(td, focus) {
    if (editor.parentElement !== td) {
      release();
      const text = td.textContent;
      if (td.dataset.saved === undefined) td.dataset.saved = text.trim();
      td.textContent = "";
      moving = true;
      try {
        td.appendChild(editor);
      } finally {
        moving = false;
      }
      editor.value = text;
      editor.hidden = false;
      td.classList.add("jg-current-edit");
    }
    editor.readOnly = !editable(td);
    const name = td.parentElement.cells[0] ? td.parentElement.cells[0].textContent.trim() : "";
    editor.setAttribute("aria-label", name + ", " + (lessonAt.get(td.cellIndex).label || ""));
    if (focus) {
      editor.focus({ preventScroll: false });
      editor.select();
    }
  }

  // --- Moving between cells -------------------------------------------------------------------------

  function move(td, dRow, dCol) {
    let row = rows.indexOf(td.parentElement);
    let col = td.cellIndex;
    for (let step = 0; step < 400; step++) {
      row += dRow;
      col += dCol;
      const line = rows[row];
      if (!line || col < 0 || col >= line.cells.length) return false;
      const next = line.cells[col];
      if (isCell(next) && (!writable || editable(next))) {
        place(next, true);
        return true;
      }
    }
    return false;
  }

  // Tab goes through the cells row by row, as it went through one input a cell.
  function step(td, forward) {
    const order = [];
    for (const line of rows) for (const cell of line.cells) if (isCell(cell) && (!writable || editable(cell))) order.push(cell);
    const next = order[order.indexOf(td) + (forward ? 1 : -1)];
    if (!next) return false;
    place(next, true);
    return true;
  }

  // --- Cells not saved yet, kept in the browser -----------------------------------------------------------

  // {"lesson:student": {lesson, student, name, text, at}}: what was typed and is not stored by the server
  // (on its way, retried or refused). The lesson's page reads it (static/js/lesson.js).
  function unsentAll() {
    try {
      return JSON.parse(window.localStorage.getItem(UNSENT) || "{}") || {};
    } catch (e) {
      return {};
    }
  }

  function unsentKeep(td, text) {
    try {
      const all = unsentAll();
      const key = lessonOf(td) + ":" + studentOf(td);
      if (text === null) delete all[key];
      else {
        const name = td.parentElement.cells[0] ? td.parentElement.cells[0].textContent.trim() : "";
        all[key] = { lesson: lessonOf(td), student: studentOf(td), name: name, text: text, at: Date.now() };
      }
      window.localStorage.setItem(UNSENT, JSON.stringify(all));
    } catch (e) {
      // no storage (private mode, full): the page's own warnings still hold
    }
  }

  // --- Saving ------------------------------------------------------------------------------------------

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

  const pendingCount = () => table.querySelectorAll("td.jg-pending, td.jg-saving").length;

  function retryLater(td, why) {
    const delay = Math.min(Number(td.dataset.delay || 1000), MAX_DELAY);
    td.dataset.delay = String(delay * 2);
    setState(td, "jg-pending", why);
    say(why, "danger");
    window.clearTimeout(Number(td.dataset.timer || 0));
    td.dataset.timer = String(window.setTimeout(() => save(td), delay));
  }

  // One save in flight at a time: the cells saved meanwhile wait in the queue and go together, as one
  // request (a column typed at speed costs the server one transaction, not one request a cell), each cell
  // answered on its own. One lane also keeps a row's answers in order: each carries the row's summary,
  // and answers coming back out of order could leave an average that misses a mark.
  const MAX_BATCH = 40;
  const queued = []; // cells waiting for the save in flight to be answered
  let sending = false;
  let lane = Promise.resolve();

  function inLane(send) {
    const next = lane.then(send);
    lane = next;
    return next;
  }

  function save(td) {
    if (td.dataset.busy === "1") {
      td.dataset.again = "1"; // saved once the save in flight is answered
      return;
    }
    window.clearTimeout(Number(td.dataset.timer || 0));
    td.dataset.busy = "1";
    unsentKeep(td, textOf(td));
    setState(td, "jg-saving");
    say(msg.msgSaving, "muted");
    queued.push(td);
    pump();
  }

  function pump() {
    if (sending || !queued.length) return;
    sending = true;
    const batch = queued.splice(0, MAX_BATCH);
    inLane(() => send(batch)).then(() => {
      sending = false;
      pump();
    });
  }

  // Posts the cells' texts as they are now: one cell as the single save's fields, more as ``cells``; the
  // returned promise never rejects.
  function send(batch) {
    const texts = batch.map(textOf);
    const body = new FormData();
    if (batch.length === 1) {
      const td = batch[0];
      body.append("lesson", lessonOf(td));
      body.append("student", studentOf(td));
      body.append("text", texts[0]);
      body.append("versions", versions(td));
    } else {
      const cells = batch.map((td, i) => ({
        lesson: lessonOf(td),
        student: studentOf(td),
        text: texts[i],
        versions: JSON.parse(versions(td)),
      }));
      body.append("cells", JSON.stringify(cells));
    }
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
      .then((response) =>
        response
          .json()
          .catch(() => ({}))
          .then((data) => ({ status: response.status, data: data })),
      )
      .then(({ status, data }) => {
        const each = batch.length > 1 && status === 200 && Array.isArray(data.cells) ? data.cells : null;
        batch.forEach((td, i) => {
          const answer = each ? each[i] || {} : data;
          answered(td, texts[i], each ? Number(answer.status) || 500 : status, answer);
        });
      })
      .catch(() => {
        for (const td of batch) {
          td.dataset.busy = "";
          retryLater(td, msg.msgOffline);
        }
      });
  }

  // A cell's answer, alone or in a batch: saved, a conflict, refused, or the server down (retried).
  function answered(td, text, status, data) {
    td.dataset.busy = "";
    if (status >= 500) {
      // The server answered without saving: its words (and its code), never «no connection».
      const words = msg.msgServer + " (" + status + ")" + (data.error ? ": " + data.error : "");
      if (RETRIED.has(status)) {
        retryLater(td, words + " " + msg.msgRetrying);
      } else {
        td.dataset.delay = "";
        setState(td, "jg-error", words);
        say(words, "danger");
      }
      return;
    }
    td.dataset.delay = "";
    const typedMeanwhile = textOf(td) !== text;
    if (data.summary) showSummary(studentOf(td), data.summary);
    if (status === 200) {
      takeState(td, data);
      if (!typedMeanwhile) setText(td, data.text || "");
      if (!typedMeanwhile) unsentKeep(td, null);
      setState(td, "jg-saved");
      say(msg.msgSaved, "success");
      refreshDetails(td);
    } else if (status === 409) {
      takeState(td, data);
      setText(td, data.text || "");
      unsentKeep(td, null); // the stored value is shown: nothing typed is left unsent

      if (editor.parentElement === td && document.activeElement === editor) editor.select();
      const who = [data.author, data.at].filter(Boolean).join(", ");
      const note = msg.msgChanged + ": " + (who || "—");
      setState(td, "jg-conflict", note + ". " + (data.error || ""));
      say(note + ". " + (data.error || ""), "danger");
      return;
    } else {
      const words = data.error || msg.msgError + " (" + status + ")";
      setState(td, "jg-error", words);
      say(words, "danger");
      return;
    }
    const stillTyping = editor.parentElement === td && document.activeElement === editor;
    if (td.dataset.again === "1" || (typedMeanwhile && !stillTyping)) {
      td.dataset.again = "";
      commit(td);
    }
  }

  function commit(td) {
    if (!isCell(td) || !editable(td)) return;
    const text = textOf(td);
    const state = td.dataset.state || "";
    if (text === savedOf(td) && state !== "jg-pending" && state !== "jg-error") return;
    if (text === savedOf(td) && state === "jg-error") {
      setState(td, "");
      unsentKeep(td, null);
      return;
    }
    save(td);
  }

  // --- Events --------------------------------------------------------------------------------------------

  editor.addEventListener("focus", () => editor.select());

  editor.addEventListener("blur", (event) => {
    if (moving) return;
    const td = editor.parentElement;
    if (isCell(td)) commit(td);
    const next = event.relatedTarget;
    if (!(next instanceof Node) || !table.contains(next)) release();
  });

  editor.addEventListener("keydown", (event) => {
    const td = editor.parentElement;
    if (!isCell(td)) return;
    const atStart = editor.selectionStart === 0 && editor.selectionEnd === 0;
    const atEnd = editor.selectionStart === editor.value.length;
    const whole = editor.selectionStart === 0 && editor.selectionEnd === editor.value.length;
    switch (event.key) {
      case "Enter":
        event.preventDefault();
        commit(td);
        if (!move(td, event.shiftKey ? -1 : 1, 0)) editor.select();
        break;
      case "Tab":
        commit(td);
        if (step(td, !event.shiftKey)) event.preventDefault();
        break;
      case "Escape":
        event.preventDefault();
        hidePop();
        editor.value = savedOf(td);
        window.clearTimeout(Number(td.dataset.timer || 0));
        unsentKeep(td, null);
        setState(td, "");
        say("", "");
        editor.select();
        break;
      case "ArrowUp":
        event.preventDefault();
        commit(td);
        move(td, -1, 0);
        break;
      case "ArrowDown":
        event.preventDefault();
        commit(td);
        move(td, 1, 0);
        break;
      case "ArrowLeft":
        if (atStart || whole) {
          event.preventDefault();
          commit(td);
          move(td, 0, -1);
        }
        break;
      case "ArrowRight":
        if (atEnd || whole) {
          event.preventDefault();
          commit(td);
          move(td, 0, 1);
        }
        break;
      default:
        break;
    }
  });

  // A tap or a click on a cell puts the editor there (and the panel shows the cell). On a phone the picker
  // opens beside the cell and the keyboard stays closed until its «⌨» button asks for it.
  table.addEventListener("click", (event) => {
    const td = event.target instanceof Element ? event.target.closest("td") : null;
    if (!isCell(td)) return;
    const touch = phoneLike();
    if (touch && !keysWanted) editor.inputMode = "none";
    if (editor.parentElement !== td) {
      const previous = editor.parentElement;
      if (isCell(previous)) commit(previous);
      place(td, true);
    }
    current = td;
    if (touch) showPop(td);
    showDetails(td);
  });

  // --- The phone's picker beside the tapped cell -----------------------------------------------------------

  const pop = document.getElementById("jg-pop");
  const phoneQuery = window.matchMedia("(pointer: coarse), (max-width: 767.98px)");
  const phoneLike = () => phoneQuery.matches && pop !== null;
  let keysWanted = false; // the teacher asked for the keyboard: it stays until the page is left

  function showPop(td) {
    if (!pop || !editable(td)) {
      hidePop();
      return;
    }
    pop.hidden = false;
    const cell = td.getBoundingClientRect();
    const width = pop.offsetWidth;
    const left = Math.max(4, Math.min(cell.left, document.documentElement.clientWidth - width - 4));
    const below = cell.bottom + pop.offsetHeight + 4 <= window.innerHeight;
    const top = below ? cell.bottom + 2 : cell.top - pop.offsetHeight - 2;
    pop.style.left = left + window.scrollX + "px";
    pop.style.top = Math.max(0, top + window.scrollY) + "px";
    pop.dataset.cell = lessonOf(td) + ":" + studentOf(td);
  }

  function hidePop() {
    if (pop) pop.hidden = true;
  }

  if (pop) {
    // The picker's buttons do not take the focus from the editor (the cell stays the current one).
    pop.addEventListener("pointerdown", (event) => event.preventDefault());
    pop.addEventListener("click", (event) => {
      const target = event.target instanceof Element ? event.target : null;
      const td = current;
      if (!target || !isCell(td) || !editable(td)) return;
      if (target.closest(".jg-keys")) {
        keysWanted = true;
        editor.inputMode = "text";
        hidePop();
        editor.blur();
        editor.focus();
        return;
      }
      const pick = target.closest(".jg-pick");
      if (!pick) return;
      setText(td, pick.dataset.pick || "");
      commit(td);
      // On to the next student of the same lesson, the picker with it: a column is filled tap after tap.
      if (move(td, 1, 0)) {
        current = editor.parentElement;
        showPop(current);
        showDetails(current);
        current.scrollIntoView({ block: "nearest", inline: "nearest" });
        showPop(current);
      } else {
        hidePop();
      }
    });
    document.addEventListener("click", (event) => {
      const target = event.target instanceof Node ? event.target : null;
      if (target && !pop.contains(target) && !table.contains(target)) hidePop();
    });
    const follow = () => {
      if (!pop.hidden && isCell(current)) showPop(current);
    };
    window.addEventListener("resize", follow);
    const box = table.closest(".journal-grid-wrap");
    if (box) box.addEventListener("scroll", follow, { passive: true });
  }

  // --- The cell panel: a cell's marks (work type, comment), its history, the phone's picker -------

  const panelBody = document.getElementById("cell-panel-body");
  const detailsButton = document.getElementById("cell-details-btn");
  const detailsUrl = table.dataset.detailsUrl;
  let current = null; // the <td> last focused or tapped
  let shown = null; // the <td> whose details the panel shows

  function showDetails(td) {
    if (!td || !panelBody || !detailsUrl) return;
    const url =
      detailsUrl + "?lesson=" + encodeURIComponent(lessonOf(td)) + "&student=" + encodeURIComponent(studentOf(td));
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

  editor.addEventListener("focus", () => {
    if (isCell(editor.parentElement)) current = editor.parentElement;
  });

  editor.addEventListener("keydown", (event) => {
    const td = editor.parentElement;
    if (isCell(td) && (event.ctrlKey || event.metaKey) && event.code === "KeyH") {
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
      const post = () =>
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
            if (code === 200) {
              form.elements.version.value = String(data.version);
              if (td) takeState(td, data);
              if (data.summary) showSummary(student, data.summary); // a work type's weight moves the average
              tell(msg.msgSaved, "success");
            } else if (code === 409) {
              if (td) {
                takeState(td, data);
                setText(td, data.text || "");
              }
              const who = [data.author, data.at].filter(Boolean).join(", ");
              say(msg.msgChanged + ": " + (who || "—") + ". " + (data.error || ""), "danger");
              refreshDetails(td);
            } else {
              tell(data.error || msg.msgError, "danger");
            }
          })
          .catch(() => tell(msg.msgOffline, "danger"));
      inLane(post);
    });
  }

  window.addEventListener("online", () => {
    for (const td of table.querySelectorAll("td.jg-pending")) save(td);
  });

  window.addEventListener("beforeunload", (event) => {
    let unsaved = pendingCount() > 0;
    for (const line of rows) {
      if (unsaved) break;
      for (const td of line.cells) {
        if (isCell(td) && td.dataset.state !== "jg-conflict" && textOf(td) !== savedOf(td)) {
          unsaved = true;
          break;
        }
      }
    }
    if (unsaved) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // What was typed here before and never stored comes back in its cell, marked: Enter saves it, Esc drops it.
  // A cell whose stored text is what was typed was saved meanwhile: its entry goes.
  let restored = 0;
  for (const entry of Object.values(unsentAll())) {
    const td = entry && cellOf(entry.lesson, entry.student);
    if (!td) continue;
    const stored = td.textContent.trim();
    if (!editable(td) || entry.text === stored) {
      if (entry.text === stored) unsentKeep(td, null);
      continue;
    }
    td.dataset.saved = stored;
    td.textContent = entry.text;
    setState(td, "jg-error", msg.msgUnsent);
    restored += 1;
  }
  if (restored) say(msg.msgUnsent, "danger");

  // The editor starts in the first cell of today's column (else the first cell it may write), so the
  // keyboard reaches the grid with one Tab; nothing is focused until the teacher goes there.
  const today = table.dataset.todayLesson ? columnOf.get(table.dataset.todayLesson) : undefined;
  const start =
    (today !== undefined && rows.map((row) => row.cells[today]).find((td) => td && (!writable || editable(td)))) ||
    rows.flatMap((row) => Array.from(row.cells)).find((td) => isCell(td) && (!writable || editable(td)));
  if (start) place(start, false);
  // The grid is usable from here (read by the browser benchmark, bench_browser).
  if (window.performance && performance.mark) performance.mark("journal-grid-ready");
})();
