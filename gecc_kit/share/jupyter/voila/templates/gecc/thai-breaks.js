/* gecc-kit: Thai lines break between words, never inside one (gecc_kit/thai.py).

   The browser's own dictionary (ICU) cuts words the kit uses all day (จอแส|ดงคิว, ผู้|สูงอายุ),
   and Chromium does not apply "word-break: keep-all" to Thai. `gecc-kit serve` writes every Thai
   run of the kit's texts with its words, cut by a dictionary segmenter (pythainlp), to
   /voila/static/gecc-thai-words.json; the kernels never load the segmenter. This script marks
   text as the widgets draw it, exactly as thai.mark_html marks printed pages: a word of two or
   more letters in <gecc-w> (no break inside: white-space: nowrap), <wbr> between words; a text
   node so marked becomes one <gecc-t> (one box, also in a flex label). Custom elements, not
   spans: the page's rules for spans must not reach them. A run the file does not know (typed by a participant) is marked only when it is a row
   of known runs; otherwise it is left to the browser. Text in scripts, styles, code, form fields
   and SVG is left alone, and the text itself (textContent) does not change. */
(function () {
  "use strict";
  var URL_ = "{{ resources.base_url }}voila/static/gecc-thai-words.json";
  var WORD = "GECC-W", TEXT = "GECC-T";
  /* the same expressions as in thai.py */
  var PIECE = /(?<![\u0E01-\u0E5B])(?:[\u0E01-\u0E2E][\u0E31-\u0E4E]?\.){2,}|[\u0E01-\u0E5B]+/g;
  var MARKS = /[\u0E31\u0E34-\u0E3A\u0E47-\u0E4E]/g;
  var THAI = /[\u0E01-\u0E5B]/;
  var SKIP = { SCRIPT: 1, STYLE: 1, TITLE: 1, TEXTAREA: 1, HEAD: 1, CODE: 1, PRE: 1, KBD: 1, SAMP: 1, SVG: 1, MATH: 1,
               SELECT: 1, OPTION: 1, NOSCRIPT: 1, TEMPLATE: 1, INPUT: 1 };
  var known = null;  /* run -> [words] */
  var LONGEST = 40;

  function letters(w) { return w.replace(MARKS, "").length; }
  function skipped(el) {
    var name = el.nodeName.toUpperCase();
    /* Lumino's virtual DOM (tab bars, menus) updates the text nodes it made: leave them to it */
    return SKIP[name] === 1 || name === WORD || name === TEXT || el.isContentEditable ||
      (el.classList && (el.classList.contains("lm-TabBar") || el.classList.contains("lm-Menu") || el.classList.contains("lm-MenuBar")));
  }
  /* a run that is a row of known runs (a label and a level's name put together), as their words */
  function joined(run) {
    var n = run.length, best = [0], prev = [0], i, j;
    for (i = 1; i <= n; i++) { best.push(-1); prev.push(0); }
    for (i = 0; i < n; i++) {
      if (best[i] < 0) { continue; }
      for (j = Math.min(n, i + LONGEST); j > i; j--) {
        if (known.has(run.slice(i, j)) && (best[j] < 0 || best[i] + 1 < best[j])) { best[j] = best[i] + 1; prev[j] = i; }
      }
    }
    if (best[n] < 0) { return null; }
    var parts = [];
    for (j = n; j > 0; j = prev[j]) { parts.unshift(known.get(run.slice(prev[j], j))); }
    return [].concat.apply([], parts);
  }
  function wordsOf(piece) {
    if (piece.indexOf(".") >= 0) { return [piece]; }
    return known.get(piece) || joined(piece);
  }
  function markNode(node) {
    var text = node.data, frag = null, last = 0, m;
    if (!THAI.test(text)) { return; }
    PIECE.lastIndex = 0;
    while ((m = PIECE.exec(text)) !== null) {
      var words = wordsOf(m[0]);
      if (!words || (words.length === 1 && letters(words[0]) < 2)) { continue; }
      frag = frag || document.createDocumentFragment();
      if (m.index > last) { frag.appendChild(document.createTextNode(text.slice(last, m.index))); }
      for (var k = 0; k < words.length; k++) {
        if (k) { frag.appendChild(document.createElement("wbr")); }
        if (letters(words[k]) > 1) {
          var word = document.createElement(WORD);
          word.textContent = words[k];
          frag.appendChild(word);
        } else {
          frag.appendChild(document.createTextNode(words[k]));
        }
      }
      last = m.index + m[0].length;
    }
    if (!frag) { return; }
    if (last < text.length) { frag.appendChild(document.createTextNode(text.slice(last))); }
    /* one inline box for the whole text: in a flex container (a radio's label) each word would
       otherwise be a flex item of its own, and the line could not wrap */
    var box = document.createElement(TEXT);
    box.appendChild(frag);
    node.parentNode.replaceChild(box, node);
  }
  function inSkipped(node) {
    for (var el = node.nodeType === 1 ? node : node.parentNode; el && el.nodeType === 1; el = el.parentNode) {
      if (skipped(el)) { return true; }
    }
    return false;
  }
  var spent = 0;  /* ms spent marking, for measurements (window.gecc.thaiMarkMs) */
  function mark(root) {
    var t0 = performance.now();
    markIn(root);
    spent += performance.now() - t0;
    if (window.gecc) { window.gecc.thaiMarkMs = spent; }
  }
  function markIn(root) {
    if (!known || !root || !root.parentNode || inSkipped(root)) { return; }
    if (root.nodeType === 3) { markNode(root); return; }
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
      acceptNode: function (n) {
        if (n.nodeType === 1) { return skipped(n) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_SKIP; }
        return THAI.test(n.data) ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP;
      }
    });
    var found = [], n;
    while ((n = walker.nextNode())) { found.push(n); }
    found.forEach(markNode);
  }
  var style = document.createElement("style");
  style.textContent = "gecc-w { white-space: nowrap; }";
  document.head.appendChild(style);
  new MutationObserver(function (records) {
    if (!known) { return; }
    records.forEach(function (r) {
      if (r.type === "characterData") { mark(r.target); return; }
      for (var i = 0; i < r.addedNodes.length; i++) { mark(r.addedNodes[i]); }
    });
  }).observe(document.documentElement, { childList: true, subtree: true, characterData: true });
  var asked = performance.now();
  fetch(URL_, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
    if (!data || !data.words) { return; }
    var map = new Map();
    data.words.forEach(function (e) { map.set(e.replace(/\|/g, ""), e.split("|")); });
    known = map;
    window.gecc = window.gecc || {};
    window.gecc.thaiLoadMs = performance.now() - asked;  /* fetched and read */
    if (document.body) { mark(document.body); }
    else { document.addEventListener("DOMContentLoaded", function () { mark(document.body); }); }
    window.gecc.thaiWords = map.size;  /* for tests: the words are in */
  }).catch(function () {});
})();
