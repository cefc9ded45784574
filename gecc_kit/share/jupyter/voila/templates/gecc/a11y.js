/* gecc-kit: what a screen reader and a keyboard need, which ipywidgets does not give (issue 15).

   ipywidgets draws buttons, radios and text boxes with no ARIA hooks. The kernel marks what it
   builds with classes and ids (gecc-status, gecc-criterion-title with an id, gecc-question-text,
   data-gecc-exercise, data-gecc-focus); this script turns them into what assistive technology
   reads, whenever the widgets draw or redraw them (one MutationObserver, looking only at what
   was added, and at class changes of toggle buttons):
   - the page's <main> (role on Voila's #rendered_cells) and a skip link, the first thing a Tab
     reaches, to the exercise ([data-gecc-exercise]; the join form; else the content);
   - each status choice (ToggleButtons) a group named after its criterion (aria-labelledby its
     title), each button aria-pressed; each question's radios a radiogroup named by the question, one Tab stop (a shared name);
   - live regions: the factor's score so far (polite), the knowledge check's result, the join
     form's error (alert); each row's save mark is in place, empty, before it first speaks;
   - focus: an element the kernel marks data-gecc-focus (after joining, when the files are ready)
     takes the focus when it appears; after moving to another module in place, its title does;
   - the page's language (lang="en" with l=en; the Thai teaching text keeps lang="th");
   - on a phone, the teaching's sections folded to their titles (but the overview and the exercise's);
   - the fixed top bar's height, so the page starts below it at any width. */
(function () {
  "use strict";
  var gecc = window.gecc = window.gecc || {};
  var TEXT = {
    th: { exercise: "ข้ามไปที่แบบฝึก", content: "ข้ามไปที่เนื้อหา" },
    en: { exercise: "Skip to the exercise", content: "Skip to the content" }
  };
  var LIVE = { "gecc-live-score": "status", "gecc-quiz-results": "status", "gecc-join-feedback": "alert" };
  var ROWS = ".gecc-criterion, .gecc-question, .gecc-plan-row";
  var WATCH = ".gecc-status, .gecc-question, .gecc-criterion, .gecc-plan-row, .gecc-live-score, .gecc-quiz-results, " +
              ".gecc-join-feedback, .gecc-teaching, .gecc-topbar, [data-gecc-focus], .gecc-view";

  function lang() {
    try { return (new URL(window.location.href).searchParams.get("l") || "").toLowerCase() === "en" ? "en" : "th"; }
    catch (e) { return "th"; }
  }

  /* --- what a widget is --- */
  function titleOf(el, selector) {
    var row = el.closest ? el.closest(ROWS) : null;
    return row ? row.querySelector(selector) : null;
  }
  function statusGroup(box) {
    if (!box.classList.contains("widget-toggle-buttons")) { return; }
    box.setAttribute("role", "group");
    var title = titleOf(box, ".gecc-criterion-title[id]");
    if (title) { box.setAttribute("aria-labelledby", title.id); }
    box.querySelectorAll("button").forEach(pressed);
  }
  function pressed(button) {
    var on = button.classList.contains("mod-active") ? "true" : "false";
    if (button.getAttribute("aria-pressed") !== on) { button.setAttribute("aria-pressed", on); }
  }
  function question(row) {
    var box = row.querySelector(".widget-radio-box");
    var text = row.querySelector(".gecc-question-text[id]");
    if (!box || !text) { return; }
    box.setAttribute("role", "radiogroup");
    box.setAttribute("aria-labelledby", text.id);
    /* One name per question: the browser then makes its choices one Tab stop, moved with the arrow
       keys (which click the radio, as ipywidgets listens for). */
    box.querySelectorAll("input[type=radio]").forEach(function (r) { if (r.name !== "gecc-" + text.id) { r.name = "gecc-" + text.id; } });
  }
  /* On a phone a module's teaching folds to its section titles (a tap opens one), except the
     overview and the exercise's instructions (.gecc-section-keep): 5,000 px of text otherwise
     stands between a participant and the exercise. Once per drawn text; a laptop shows it all. */
  function fold(el) {
    if (el.hasAttribute("data-gecc-folded") || !window.matchMedia || !window.matchMedia("(max-width: 600px)").matches) { return; }
    el.setAttribute("data-gecc-folded", "");
    el.querySelectorAll("details.gecc-section:not(.gecc-section-keep)").forEach(function (d) { d.open = false; });
  }
  function saveMark(row) {  /* a live region speaks changes, not its first content: be there, empty, first */
    if (row.querySelector(":scope > .gecc-save-mark")) { return; }
    var m = document.createElement("div");
    m.className = "gecc-save-mark";
    m.setAttribute("role", "status");
    row.appendChild(m);
  }
  function live(el) {
    for (var cls in LIVE) {
      if (el.classList.contains(cls) && el.getAttribute("role") !== LIVE[cls]) {
        el.setAttribute("role", LIVE[cls]);
        el.setAttribute("aria-live", LIVE[cls] === "alert" ? "assertive" : "polite");
      }
    }
  }
  /* The focus is moved only from nowhere (the control that had it was redrawn or disabled) or from the
     button just pressed: never away from a field someone has gone on to type in. */
  function free() {
    var a = document.activeElement;
    return !a || a === document.body || a.tagName === "BUTTON";
  }
  /* ``now``: at once (the skip link: a Tab pressed right after must start from there); else after the
     page's next turn, once what was just drawn is in place. */
  function focusOn(el, now) {
    if (!el) { return; }
    if (!el.hasAttribute("tabindex") && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA|SUMMARY)$/.test(el.tagName)) { el.setAttribute("tabindex", "-1"); }
    if (now) { el.focus(); return; }
    setTimeout(function () { if (el.isConnected) { el.focus(); } }, 0);
  }

  function decorate(el) {
    if (el.matches(".gecc-status")) { statusGroup(el); }
    if (el.matches(".gecc-question")) { question(el); }
    if (el.matches(ROWS)) { saveMark(el); }
    if (el.matches(".gecc-live-score, .gecc-quiz-results, .gecc-join-feedback")) { live(el); }
    if (el.matches(".gecc-teaching")) { el.setAttribute("lang", "th"); fold(el); }
    if (el.matches(".gecc-topbar")) { topbar(el); }
    if (el.matches("[data-gecc-focus]") && free()) { focusOn(el); }
    if (el.matches(".gecc-view")) { viewShown(el); }
  }
  function added(node) {
    if (node.nodeType !== 1 || node.nodeName === "WBR" || node.nodeName.lastIndexOf("GECC-", 0) === 0) { return; }  /* thai-breaks.js's word marks */
    if (node.matches(WATCH)) { decorate(node); }
    if (node.firstElementChild) { node.querySelectorAll(WATCH).forEach(decorate); }
    /* redrawn inside a row (a title after a refused save, a radio box, toggle buttons drawn late) */
    var inside = node.parentElement && node.parentElement.closest(".gecc-status, .gecc-question, .gecc-criterion");
    if (inside) { decorate(inside); if (inside.matches(".gecc-criterion")) { inside.querySelectorAll(".gecc-status").forEach(statusGroup); } }
  }

  /* --- the page: main, language, skip link, the top bar's height --- */
  function page() {
    var main = document.getElementById("rendered_cells");
    if (main && main.getAttribute("role") !== "main") { main.setAttribute("role", "main"); }
    var l = lang();
    if (document.documentElement.lang !== l) { document.documentElement.lang = l; }
    if (document.body && !document.querySelector(".gecc-skip")) {
      var skip = document.createElement("a");
      skip.className = "gecc-skip";
      skip.href = "#rendered_cells";
      skip.addEventListener("focus", function () { skip.textContent = TEXT[lang()][target().exercise ? "exercise" : "content"]; });
      skip.addEventListener("click", function (event) {
        event.preventDefault();
        var t = target();
        focusOn(t.el, true);
        if (t.el) { t.el.scrollIntoView({ block: "start" }); }
      });
      skip.textContent = TEXT[l].exercise;
      document.body.insertBefore(skip, document.body.firstChild);
    }
  }
  function visible(el) { return !!el && el.getClientRects().length > 0; }
  function target() {
    var marked = Array.prototype.filter.call(document.querySelectorAll("[data-gecc-exercise], #gecc-join"), visible)[0];
    if (marked) { return { el: marked, exercise: true }; }
    var heading = Array.prototype.filter.call(document.querySelectorAll(".gecc-view h1, #rendered_cells h1"), visible)[0];
    return { el: heading || document.getElementById("rendered_cells"), exercise: false };
  }
  var bars = typeof ResizeObserver === "function" ? new ResizeObserver(function (entries) {
    entries.forEach(function (entry) {
      var bar = entry.target;
      var menu = bar.querySelector("details");
      if (!bar.isConnected || (menu && menu.open)) { return; }  /* an open menu lies over the page */
      document.documentElement.style.setProperty("--gecc-topbar-height", Math.ceil(bar.getBoundingClientRect().height) + "px");
    });
  }) : null;
  function topbar(bar) { if (bars) { bars.observe(bar); } }
  function viewShown(view) {
    page();
    if (gecc.routed && Date.now() - gecc.routed < 60000) {  /* a module opened in place: its title takes the focus */
      gecc.routed = 0;
      var tries = 0;
      (function title() {  /* the view's parts are drawn just after the view itself */
        var found = Array.prototype.filter.call(view.querySelectorAll("h1, [data-gecc-exercise]"), visible)[0];
        if (!free()) { return; }
        if (found || tries++ > 30 || !view.isConnected) { focusOn(found || (view.isConnected ? view : null)); return; }
        setTimeout(title, 100);
      })();
    }
  }

  new MutationObserver(function (mutations) {
    for (var i = 0; i < mutations.length; i++) {
      var m = mutations[i];
      if (m.type === "attributes") {  /* ipywidgets gives a widget its classes once it is in the page */
        if (m.target.classList.contains("widget-toggle-button")) { pressed(m.target); }
        else if (m.target.matches && m.target.matches(WATCH)) { decorate(m.target); }
        continue;
      }
      for (var j = 0; j < m.addedNodes.length; j++) { added(m.addedNodes[j]); }
    }
  }).observe(document.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: ["class"] });
  document.addEventListener("DOMContentLoaded", page);
  window.addEventListener("popstate", function () { setTimeout(page, 0); });
})();
