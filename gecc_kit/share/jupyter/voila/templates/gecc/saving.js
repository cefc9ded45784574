/* gecc-kit: every answer shows whether the server has it, and the page moves between modules
   without loading a new page.

   1. Saved marks. A row (a criterion, a question, a plan row) that the participant changes is
      marked "saving…" at once. The change travels to the kernel as a widget message; the kernel
      saves it to the store before it answers that message, so when the kernel reports the
      message done (an IOPub "idle" status whose parent is that message) the row is marked
      "✓ saved". A row whose change has not been confirmed stays marked as not saved: while the
      line is down it says so, and once the line is back a message that never got through is
      reported in Thai, with a reload that sends those answers again (kept in sessionStorage
      until they are confirmed).
      A row whose change the kernel refused or could not store (too long, the store down) gets
      the class "gecc-save-failed" from the kernel: it is marked "not saved", with the kernel's
      reason on the row itself. Text boxes with a "gecc-limit-N" class count their characters.
   2. Moving between modules. A link to another module of the same participant is sent to the
      page's kernel (the hidden "gecc-route" box) and put in the address bar; the kernel shows
      that module in place. Without a live kernel connection the link loads as usual. */
(function () {
  "use strict";
  var ROWS = ".gecc-criterion, .gecc-question, .gecc-plan-row";  /* the consensus view marks its own saves */
  /* Thai on the Thai view, English on the English one (l=en): no glosses in brackets. */
  var TEXTS = {
    th: { saving: "กำลังบันทึก…", saved: "✓ บันทึกแล้ว", waiting: "ยังไม่ได้บันทึก: รอสัญญาณ จะส่งให้เมื่อเชื่อมต่อได้",
          lost: "⚠ ยังไม่ได้บันทึก", failed: "⚠ ไม่ได้บันทึก ดูเหตุผลด้านบน", chars: "ตัวอักษร", tooLong: " — ยาวเกิน จะไม่ถูกบันทึก" },
    en: { saving: "Saving…", saved: "✓ Saved", waiting: "Not saved yet: waiting for the connection",
          lost: "⚠ Not saved", failed: "⚠ Not saved: see why above", chars: "characters", tooLong: " — too long: not saved" }
  };
  function english() { return (here().searchParams.get("l") || "").toLowerCase() === "en"; }
  function words() { return TEXTS[english() ? "en" : "th"]; }
  var LOST_AFTER_MS = 8000;  /* connected, but no confirmation this long after sending: not saved */
  var gecc = window.gecc = window.gecc || {};
  var pending = {};  /* msg_id -> {row, sent} */
  var lastTouch = { row: null, at: 0 };
  var sockets = [];
  var routeCount = 0;
  var queued = [];  /* rows changed while the line was down, in order: their messages go out on reconnect */
  var reconnectedAt = 0;

  function here() { return new URL(window.location.href); }
  function storageKey() {
    var u = here();
    return "gecc-unsaved:" + (u.searchParams.get("w") || "") + ":" + (u.searchParams.get("p") || "");
  }
  function openSockets() { return sockets.filter(function (ws) { return ws.readyState === 1; }).length; }

  /* --- reading Jupyter messages (JSON, or the v1 binary protocol) --- */
  var decoder = new TextDecoder();
  function parse(data) {
    try {
      if (typeof data === "string") { return JSON.parse(data); }
      var buf = data instanceof ArrayBuffer ? data : (data && data.buffer instanceof ArrayBuffer ? data.buffer : null);
      if (!buf) { return null; }
      var view = new DataView(buf);
      var n = view.getUint32(0, true);
      var offsets = [];
      for (var i = 0; i < n; i++) { offsets.push(view.getUint32(8 * (i + 1), true)); }
      function part(k) { return decoder.decode(new Uint8Array(buf, offsets[k], offsets[k + 1] - offsets[k])); }
      var msg = { channel: part(0), header: JSON.parse(part(1)), parent_header: JSON.parse(part(2)) };
      if (msg.header.msg_type === "status" || msg.header.msg_type === "comm_msg") { msg.content = JSON.parse(part(4)); }
      return msg;
    } catch (e) { return null; }
  }

  /* --- row marks --- */
  function rowOf(el) { return el && el.closest ? el.closest(ROWS) : null; }
  function mark(row, kind) {
    if (!row) { return; }
    row.setAttribute("data-gecc-save", kind);
    var m = row.querySelector(":scope > .gecc-save-mark");
    if (!m) {
      m = document.createElement("div");
      m.className = "gecc-save-mark";
      m.setAttribute("role", "status");
      row.appendChild(m);
    }
    m.textContent = words()[kind] || "";
  }
  function outstanding(row) {
    for (var id in pending) { if (pending[id].row === row) { return true; } }
    return false;
  }
  function unsavedRows() { return Array.prototype.slice.call(document.querySelectorAll("[data-gecc-save='saving'], [data-gecc-save='waiting'], [data-gecc-save='lost']")); }

  function touched(event) {
    var control = event.target.closest ? event.target.closest("button, input, textarea, select") : null;
    var row = control ? rowOf(control) : null;
    if (!row) { return; }
    lastTouch = { row: row, at: Date.now() };
    row.geccTouched = Date.now();
    if (openSockets()) { mark(row, "saving"); } else { mark(row, "waiting"); queued.push(row); }
    setTimeout(remember, 50);  /* once the control shows the new value */
  }
  ["click", "input", "change"].forEach(function (type) { document.addEventListener(type, touched, true); });

  function sent(data) {
    var msg = parse(data);
    if (!msg || !msg.header || msg.header.msg_type !== "comm_msg") { return; }
    var row = Date.now() - lastTouch.at < 1500 ? lastTouch.row : (queued.length ? queued.shift() : null);
    if (!row) { return; }
    pending[msg.header.msg_id] = { row: row, sent: Date.now() };
    mark(row, "saving");
  }
  function received(data) {
    var msg = parse(data);
    if (!msg || !msg.header || msg.header.msg_type !== "status" || !msg.parent_header) { return; }
    if (!msg.content || msg.content.execution_state !== "idle") { return; }
    var entry = pending[msg.parent_header.msg_id];
    if (!entry) { return; }
    delete pending[msg.parent_header.msg_id];
    if (outstanding(entry.row)) { return; }
    /* The kernel's answer to a refused change (a class on the row) comes before this status, but
       the page applies it a moment later: look once it has, and the observer below catches a later one. */
    setTimeout(function () {
      if (outstanding(entry.row)) { return; }
      if (entry.row.classList.contains("gecc-save-failed")) { mark(entry.row, "failed"); }
      else { mark(entry.row, "saved"); forget(entry.row); }
    }, 50);
  }
  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      var row = change.target;
      if (row.matches && row.matches(ROWS) && row.classList.contains("gecc-save-failed") && row.getAttribute("data-gecc-save") === "saved") {
        mark(row, "failed");
      }
    });
  }).observe(document.documentElement, { subtree: true, attributes: true, attributeFilter: ["class"] });

  /* --- counting characters in text boxes that have a limit --- */
  function count(field) {
    var holder = field.closest("[class*='gecc-limit-']");
    if (!holder) { return; }
    var limit = parseInt((holder.className.match(/gecc-limit-(\d+)/) || [])[1], 10);
    if (!limit) { return; }
    var counter = holder.querySelector(":scope > .gecc-count");
    if (!counter) {
      counter = document.createElement("div");
      counter.className = "gecc-count";
      counter.setAttribute("aria-live", "polite");
      holder.appendChild(counter);
    }
    var n = Array.from(field.value).length;
    var locale = english() ? "en" : "th-TH";
    counter.textContent = n.toLocaleString(locale) + " / " + limit.toLocaleString(locale) + " " + words().chars +
      (n > limit ? words().tooLong : "");
    counter.classList.toggle("gecc-count-over", n > limit);
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea, input[type=text]")) { count(event.target); }
  }, true);

  /* Unconfirmed changes survive a reload: kept per participant link until confirmed. */
  function controlsOf(row) {
    var out = [];
    row.querySelectorAll("[class*='gecc-']").forEach(function (el) {
      var cls = Array.prototype.filter.call(el.classList, function (c) { return /^gecc-(status|note|quiz-(pre|post)|plan-(choose|action|owner|due|indicator))-./.test(c); })[0];
      if (!cls) { return; }
      var active = el.querySelector(".widget-toggle-button.mod-active, button.mod-active");
      var radio = el.querySelector("input[type=radio]:checked");
      var box = el.querySelector("input[type=checkbox]");
      var field = el.querySelector("textarea, input[type=text], input[type=date]");
      if (el.classList.contains("widget-toggle-buttons")) { out.push({ cls: cls, kind: "toggle", value: active ? active.textContent.trim() : "" }); }
      else if (radio) { out.push({ cls: cls, kind: "radio", value: radio.value }); }
      else if (box) { out.push({ cls: cls, kind: "check", value: box.checked }); }
      else if (field) { out.push({ cls: cls, kind: "field", value: field.value }); }
    });
    return out;
  }
  function rowKey(row) {
    return Array.prototype.filter.call(row.classList, function (c) { return /^gecc-(criterion|question|plan-row)-./.test(c); })[0] || "";
  }
  function load() { try { return JSON.parse(sessionStorage.getItem(storageKey()) || "{}"); } catch (e) { return {}; } }
  function save(all) { try { sessionStorage.setItem(storageKey(), JSON.stringify(all)); } catch (e) { /* private mode: nothing kept */ } }
  function remember() {
    var all = load();
    unsavedRows().forEach(function (row) { var k = rowKey(row); if (k) { all[k] = controlsOf(row); } });
    save(all);
  }
  function forget(row) {
    var all = load();
    var k = rowKey(row);
    if (k && all[k]) { delete all[k]; save(all); }
  }
  /* Put one remembered control back; true when that changed something (a message is sent). */
  function apply(control) {
    var el = document.querySelector("." + CSS.escape(control.cls));
    if (!el) { return false; }
    if (control.kind === "toggle") {
      var buttons = el.querySelectorAll("button");
      for (var i = 0; i < buttons.length; i++) {
        if (buttons[i].textContent.trim() === control.value && !buttons[i].classList.contains("mod-active")) {
          buttons[i].click();
          return true;
        }
      }
      return false;
    }
    if (control.kind === "radio") {
      var r = el.querySelector("input[type=radio][value='" + CSS.escape(String(control.value)) + "']");
      if (r && !r.checked) { r.click(); return true; }
      return false;
    }
    if (control.kind === "check") {
      var b = el.querySelector("input[type=checkbox]");
      if (b && b.checked !== control.value) { b.click(); return true; }
      return false;
    }
    var f = el.querySelector("textarea, input[type=text], input[type=date]");
    if (f && f.value !== control.value) {
      f.focus();
      f.value = control.value;
      f.dispatchEvent(new Event("input", { bubbles: true }));
      f.dispatchEvent(new Event("change", { bubbles: true }));
      return true;
    }
    return false;
  }
  /* After a reload: send again what was not confirmed, once the page's controls are there. A row
     the rebuilt page already shows as remembered is in the store (the page is built from it). */
  var carried = load();  /* rows a previous page of this link could not get confirmed */
  function resend() {
    var all = carried;
    var keys = Object.keys(all);
    if (!keys.length || !openSockets()) { return; }
    keys.forEach(function (k) {
      var row = document.querySelector("." + CSS.escape(k));
      if (!row || row.geccResent) { return; }
      row.geccResent = true;
      var changed = false;
      all[k].forEach(function (control) { if (apply(control)) { changed = true; } });
      if (!changed) { mark(row, "saved"); forget(row); }
      delete carried[k];
    });
  }

  /* --- watching the kernel socket --- */
  gecc.watch = function (ws) {
    sockets.push(ws);
    var send = ws.send;
    ws.send = function (data) { sent(data); return send.apply(ws, arguments); };
    ws.addEventListener("message", function (event) {
      if (event.data instanceof Blob) { event.data.arrayBuffer().then(received); } else { received(event.data); }
    });
    ws.addEventListener("open", function () { reconnectedAt = Date.now(); });
    ws.addEventListener("close", function () { sockets = sockets.filter(function (s) { return s !== ws; }); });
  };

  gecc.unsavedCount = function () { return unsavedRows().length; };

  setInterval(function () {
    var now = Date.now();
    var connected = openSockets() > 0;
    Object.keys(pending).forEach(function (id) {
      var entry = pending[id];
      if (connected && now - entry.sent > LOST_AFTER_MS) { delete pending[id]; mark(entry.row, "lost"); }
    });
    unsavedRows().forEach(function (row) {
      var state = row.getAttribute("data-gecc-save");
      if (outstanding(row)) { if (!connected && state === "saving") { mark(row, "waiting"); } return; }
      /* Back online, and what was changed meanwhile never went out: say so (a reload sends it). */
      if (state === "waiting" && connected && now - Math.max(row.geccTouched || 0, reconnectedAt) > 4000) {
        queued = queued.filter(function (r) { return r !== row; });
        mark(row, "lost");
      }
      /* A touch that sent nothing (a click on the answer already chosen) changes nothing. */
      if (state === "saving" && connected && now - (row.geccTouched || 0) > 1500) { mark(row, "saved"); forget(row); }
    });
    if (unsavedRows().length) { remember(); }
    if (connected) { resend(); }
    if (gecc.onUnsaved) { gecc.onUnsaved(unsavedRows().length, document.querySelectorAll("[data-gecc-save='lost']").length); }
  }, 1000);

  /* --- moving between modules in the same kernel --- */
  var MODULE_PATH = /\/voila\/render\/\d\d-[A-Za-z0-9_-]+\.ipynb$/;
  function route(url, fromHistory) {
    var input = document.querySelector(".gecc-route input");
    if (!input || !MODULE_PATH.test(url.pathname) || !openSockets()) { return false; }
    var now = here();
    var token = now.searchParams.get("p");
    if (!token || url.searchParams.get("p") !== token || url.searchParams.get("w") !== now.searchParams.get("w")) { return false; }
    routeCount += 1;
    gecc.routed = Date.now();  /* a11y.js gives the module's title the focus once it is shown */
    input.value = url.pathname + url.search + "#" + routeCount;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
    if (!fromHistory) { history.pushState({ gecc: routeCount }, "", url.pathname + url.search); }
    window.scrollTo(0, 0);
    return true;
  }
  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) { return; }
    var a = event.target.closest ? event.target.closest("a[href]") : null;
    if (!a || (a.target && a.target !== "_self") || a.hasAttribute("download")) { return; }
    var url;
    try { url = new URL(a.getAttribute("href"), window.location.href); } catch (e) { return; }
    if (url.origin !== window.location.origin) { return; }
    var now = here();
    if (url.pathname === now.pathname && url.search === now.search && url.hash) { return; }  /* a jump within the page */
    if (route(url, false)) { event.preventDefault(); }
  });
  window.addEventListener("popstate", function () {
    if (!route(here(), true)) { window.location.reload(); }
  });
})();
