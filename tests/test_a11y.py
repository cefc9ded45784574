"""Accessibility and reading of the participant pages (issue 15, WCAG 2.2 AA), in a real Chromium.

- axe-core (npm, pinned in package.json, injected from node_modules) on every participant page in
  its main states, at a laptop's and a phone's width: no critical, serious or moderate violation;
- a keyboard-only walk (Tab, Shift+Tab, Space, Enter; no mouse) through joining, a factor's first
  criterion, a plan row and the downloads, the focused element always showing a ring of at least
  2 px with 3:1 contrast against what surrounds it;
- the accessibility tree: each status group is named after its criterion and says which status
  is chosen;
- screenshots at 390 px and 1366 px of every page (build/screenshots/, kept out of git), checked
  for: nothing wider than the screen, no text under 16 px, no quiz radio apart from its label.
"""
from __future__ import annotations

import re

import pytest

from gecc_kit import load_standard
from gecc_kit.quiz import load_questions
from gecc_kit.store import Store
from conftest import ROOT, SAMPLE_CRITERIA
from test_journey_browser import SHOTS, new_page
from test_server import browser, server, status_button, pre_tested, wait_until  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("critical", "serious", "moderate")
WIDTHS = ((1366, 768), (390, 844))
STANDARD = load_standard(SAMPLE_CRITERIA)
LOCATION = STANDARD.for_factor("location")
QUESTIONS = load_questions()


# --- what is checked on every page ------------------------------------------------------------

def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page as it is now (every rule axe runs by default)."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (the Makefile's node_modules/.installed)")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => {
        const r = await axe.run(document, { resultTypes: ['violations'] });
        return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 200)) }));
    }""")


def assert_axe_clean(page, what: str) -> None:
    found = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    report = "\n".join(f"[{v['impact']}] {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"][:8]) for v in found)
    print(f"axe on {what}: {len(found)} blocking violation(s)\n{report}")
    assert not found, f"axe on {what}:\n{report}"


# What a closed <details> holds is not drawn (Chromium still gives it boxes).
SHUT = "const shut = e => { const d = e.closest('details:not([open])'); return !!d && !e.closest('summary'); };"

WIDER_THAN_SCREEN = """() => {
    """ + SHUT + """
    const w = document.documentElement.clientWidth;
    const out = [];
    if (document.documentElement.scrollWidth > w) { out.push('the page scrolls sideways: ' + document.documentElement.scrollWidth); }
    for (const e of document.querySelectorAll('body *')) {
        if (shut(e)) { continue; }
        // a box of its own that scrolls sideways (a scroll bar inside the page)
        if (e.scrollWidth > e.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX) && e.clientWidth > 0) {
            out.push(e.tagName + '.' + [...e.classList].join('.') + ' scrolls sideways: ' + e.scrollWidth + ' > ' + e.clientWidth);
        }
        const r = e.getBoundingClientRect();
        if (r.width > 0 && r.height > 0 && (r.right > w + 1 || r.left < -1) && getComputedStyle(e).position !== 'fixed' && !e.closest('.gecc-skip')) {
            out.push(e.tagName + '.' + [...e.classList].join('.') + ' reaches past the screen: ' + Math.round(r.left) + '..' + Math.round(r.right));
        }
    }
    return out.slice(0, 10);
}"""

# Every visible text node's font size as drawn: the computed size, times the scale of an SVG picture it is in
# (an SVG's 16 px text is drawn smaller when the picture shrinks to a phone). No exceptions.
SMALL_TEXT = """() => {
    """ + SHUT + """
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (!n.textContent.trim()) { continue; }
        const el = n.parentElement;
        if (!el || el.closest('script, style, noscript, template, option') || shut(el)) { continue; }
        const range = document.createRange();
        range.selectNodeContents(n);
        const rects = [...range.getClientRects()].filter(r => r.width > 1 && r.height > 1);
        if (!rects.length) { continue; }
        const cs = getComputedStyle(el);
        if (cs.visibility !== 'visible' || cs.opacity === '0') { continue; }
        let size = parseFloat(cs.fontSize);
        const svg = el.closest('svg');
        if (svg && el.getScreenCTM) { const m = el.getScreenCTM(); if (m) { size *= Math.hypot(m.a, m.b); } }
        if (size < 15.9) {
            out.push(el.tagName.toLowerCase() + '.' + [...el.classList].join('.') + ' (' + size.toFixed(1) + ' px): ' + n.textContent.trim().slice(0, 40));
        }
    }
    return out;
}"""

# A radio whose box does not sit on its label's first line (vertically), right beside it.
RADIO_APART = """() => {
    const out = [];
    for (const r of document.querySelectorAll('input[type=radio]')) {
        const box = r.getBoundingClientRect();
        if (!box.width || !box.height) { continue; }
        const label = r.closest('label');
        if (!label) { out.push('a radio without a label'); continue; }
        const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);  // the words may be in spans (thai-breaks.js)
        const texts = [];
        for (let n = walker.nextNode(); n; n = walker.nextNode()) { if (n.textContent.trim()) { texts.push(n); } }
        if (!texts.length) { out.push('a radio with an empty label'); continue; }
        const range = document.createRange();
        range.selectNodeContents(texts[0]);
        const line = [...range.getClientRects()].filter(x => x.width > 1)[0];
        if (!line) { continue; }
        const overlap = Math.min(box.bottom, line.bottom) - Math.max(box.top, line.top);
        const gap = line.left - box.right;
        if (overlap <= 0 || gap < 0 || gap > 32) {
            out.push(texts[0].textContent.trim().slice(0, 30) + ': radio ' + JSON.stringify([box.left, box.top, box.right, box.bottom].map(Math.round))
                     + ', text ' + JSON.stringify([line.left, line.top, line.right, line.bottom].map(Math.round)));
        }
    }
    return out;
}"""

SMALL_TARGETS = """() => {
    """ + SHUT + """
    const out = [];
    for (const e of document.querySelectorAll('button, a[href], input, select, textarea, summary')) {
        if (shut(e)) { continue; }
        const r = e.getBoundingClientRect();
        if (!r.width || !r.height || getComputedStyle(e).visibility !== 'visible') { continue; }
        if (e.closest('.gecc-skip, .gecc-teaching p, .gecc-teaching li, .gecc-teaching td')) { continue; }  // links inside running text
        let w = r.width, h = r.height;
        if (e.matches('input[type=radio], input[type=checkbox]')) {  // the label is the target
            const l = e.closest('label'); if (l) { const lr = l.getBoundingClientRect(); w = lr.width; h = lr.height; }
        }
        if (h < 43.5 || w < 43.5) { out.push(e.tagName.toLowerCase() + '.' + [...e.classList].join('.') + ' ' + Math.round(w) + 'x' + Math.round(h) + ': ' + (e.textContent || e.value || '').trim().slice(0, 30)); }
    }
    return out;
}"""


# Voila's page scrolls inside #rendered_cells: for a picture of the whole page, let it grow instead.
UNROLL = ("#main, #jp-main-content-panel, #rendered_cells { position: static !important; height: auto !important; "
          "overflow: visible !important; contain: none !important; } body { overflow: visible !important; height: auto !important; }")


def screenshot(page, path) -> None:
    """The whole page, top to bottom (the fixed bar at the top)."""
    unrolled = page.add_style_tag(content=UNROLL)
    try:
        page.wait_for_timeout(200)
        page.screenshot(path=str(path), full_page=True)
    finally:
        unrolled.evaluate("e => e.remove()")


def check_page(page, state: str) -> None:
    """axe, then a screenshot and the reading checks, at a laptop's and a phone's width."""
    problems = []
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(400)
        assert_axe_clean(page, f"{state} at {width} px")
        screenshot(page, SHOTS / f"a11y-{state}-{width}.png")
        for name, script in (("wider than the screen", WIDER_THAN_SCREEN), ("text under 16 px", SMALL_TEXT),
                             ("radio apart from its label", RADIO_APART), ("tap target under 44 px", SMALL_TARGETS)):
            found = page.evaluate(script)
            if found:
                problems.append(f"{state} at {width} px, {name}:\n    " + "\n    ".join(found[:12]))
    assert not problems, "\n".join(problems)


# --- the pages, each in its main states -------------------------------------------------------

def open_page(page, base: str, notebook: str, token: str = "", ready: str = ".gecc-app", lang: str = "") -> None:
    query = "w=E2E" + (f"&p={token}" if token else "") + (f"&l={lang}" if lang else "")
    page.goto(f"{base}/voila/render/{notebook}?{query}")
    page.wait_for_selector(ready, timeout=60_000)
    page.wait_for_timeout(500)  # the page script has labelled what was drawn


def state_join(page, base, store):
    open_page(page, base, "00-welcome.ipynb", ready=".gecc-join-name input")
    # Every field is named by a label of its own, not by a placeholder.
    for role, name in (("textbox", "ชื่อที่แสดง"), ("combobox", "หน่วยงาน"), ("textbox", "โต๊ะหรือกลุ่ม (ถ้ามี)")):
        assert page.get_by_role(role, name=name, exact=True).count() == 1, name
        assert not (page.get_by_role(role, name=name, exact=True).get_attribute("placeholder") or "").strip("\u200b")


def state_join_error(page, base, store):
    state_join(page, base, store)
    page.click(".gecc-join-button")
    page.wait_for_selector(".gecc-join-feedback .gecc-error", timeout=20_000)


def state_welcome(page, base, store):
    state_join(page, base, store)
    page.fill(".gecc-join-name input", "ผู้ทดสอบการเข้าถึง")
    page.select_option(".gecc-join-office-pick select", index=1)
    page.click(".gecc-join-button")
    page.wait_for_selector(".gecc-welcome", timeout=60_000)
    page.wait_for_timeout(500)


def state_pre_test(page, base, store):
    p = store.join("E2E", "ทำแบบทดสอบ")
    open_page(page, base, "06-knowledge-check.ipynb", p.token, ".gecc-quiz-pre .gecc-quiz-choice")
    # Each question's choices are a radio group named by the question.
    tree = page.locator(f".gecc-question-pre-{QUESTIONS[0].id}").aria_snapshot()
    assert f'radiogroup "{QUESTIONS[0].id} ' in tree, tree
    page.locator(f".gecc-quiz-pre-{QUESTIONS[0].id} input[type=radio]").nth(1).check()
    page.wait_for_selector(f".gecc-question-pre-{QUESTIONS[0].id}[data-gecc-save='saved']", timeout=15_000)


def state_pre_test_first(page, base, store):
    p = store.join("E2E", "ยังไม่ได้ทำแบบทดสอบ")
    open_page(page, base, "01-location.ipynb", p.token, ".gecc-pre-test-first")


def state_background(page, base, store):
    p = pre_tested(store, store.join("E2E", "อ่านพื้นฐาน"))
    open_page(page, base, "00-gecc-basics.ipynb", p.token, ".gecc-basics")


def _factor(page, base, store, lang=""):
    p = pre_tested(store, store.join("E2E", "ตอบด้านสถานที่"))
    for c in LOCATION[1:4]:
        store.save_answer(p.id, c.id, status="partial", note="มีป้ายแต่เล็ก")
    open_page(page, base, "01-location.ipynb", p.token, f".gecc-status-{LOCATION[0].id}", lang)
    status_button(page, LOCATION[0].id, "Met" if lang else "ผ่าน").click()
    page.wait_for_selector(f".gecc-criterion-{LOCATION[0].id}[data-gecc-save='saved']", timeout=15_000)


def state_factor(page, base, store):
    _factor(page, base, store)
    mark = page.inner_text(f".gecc-criterion-{LOCATION[0].id} .gecc-save-mark")
    assert "บันทึกแล้ว" in mark and not re.search("[A-Za-z]", mark), f"English on the Thai view: {mark}"


def state_factor_en(page, base, store):
    _factor(page, base, store, "en")
    assert page.inner_text(f".gecc-criterion-{LOCATION[0].id} .gecc-save-mark").endswith("Saved")
    assert page.evaluate("document.documentElement.lang") == "en"


def state_summary(page, base, store):
    p = pre_tested(store, store.join("E2E", "สรุปผล"))
    for c in STANDARD.criteria[::4]:
        store.save_answer(p.id, c.id, status="not_yet")
    gap = STANDARD.criteria[0].id
    store.save_plan_item(p.id, gap, chosen=True, action="ติดป้ายใหม่", owner="งานอาคาร", indicator="ป้ายครบ")
    open_page(page, base, "05-summary.ipynb", p.token, f".gecc-plan-action-{gap} textarea")
    page.click(".gecc-prepare-downloads")
    page.wait_for_selector(".gecc-download-plan", timeout=30_000)


def state_post_test(page, base, store):
    p = pre_tested(store, store.join("E2E", "ทำแบบทดสอบหลัง"))
    # The summary and plan done: the post-test opens by progress, whatever the time of day (before
    # the agenda's post-test time, 15.20 Thai time, it would otherwise stay closed).
    store.save_plan_item(p.id, STANDARD.criteria[0].id, chosen=True, action="ติดป้ายใหม่")
    open_page(page, base, "06-knowledge-check.ipynb", p.token, ".gecc-quiz-start-post")
    page.click(".gecc-quiz-start-post")
    page.wait_for_selector(".gecc-quiz-post .gecc-quiz-choice", state="visible", timeout=20_000)
    page.locator(f".gecc-quiz-post-{QUESTIONS[0].id} input[type=radio]").nth(0).check()
    page.wait_for_selector(f".gecc-question-post-{QUESTIONS[0].id}[data-gecc-save='saved']", timeout=15_000)


STATES = {
    "join": state_join,
    "join-error": state_join_error,
    "welcome": state_welcome,
    "pre-test": state_pre_test,
    "pre-test-first": state_pre_test_first,
    "background": state_background,
    "factor": state_factor,
    "factor-en": state_factor_en,
    "summary": state_summary,
    "post-test": state_post_test,
}


@pytest.mark.parametrize("state", list(STATES))
def test_every_participant_page_passes_axe_and_reads_well(server, browser, state):
    store = Store(server.store_url)
    context, page = new_page(browser, *WIDTHS[0])
    try:
        STATES[state](page, server.base, store)
        check_page(page, state)
    finally:
        context.close()
        store.close()


def test_no_english_glosses_on_the_thai_view(server, browser):
    """English is for the English view: the Thai view's headings, labels and marks carry none."""
    store = Store(server.store_url)
    context, page = new_page(browser)
    p = pre_tested(store, store.join("E2E", "อ่านภาษาไทย"))
    gloss = re.compile(r"\((?:[A-Z][A-Za-z']*)(?: [A-Za-z'-]+)*\)")  # "(Overview)", "(What's next)", "(Pre-test)"
    NAMES = {"(GECC)", "(HTML)", "(PDF)", "(Excel)"}  # names, not glosses: the files' formats, the centre's name
    for notebook in ("00-welcome.ipynb", "06-knowledge-check.ipynb", "00-gecc-basics.ipynb", "01-location.ipynb", "05-summary.ipynb"):
        open_page(page, server.base, notebook, p.token, ".gecc-nav")
        found = page.evaluate("""() => [...document.querySelectorAll('h1, h2, h3, h4, summary, strong, b, label, .gecc-save-mark, .gecc-quiz-phase-title')]
                                       .map(e => e.textContent.trim())""")
        english = [t for t in found if set(gloss.findall(t)) - NAMES]
        assert not english, f"{notebook}: {english}"
    context.close()
    store.close()


# --- the keyboard, and what a screen reader is told -----------------------------------------

def relative_luminance(rgb) -> float:
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


FOCUS_RING = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) { return null; }
    const rgb = s => (s.match(/rgba?\\(([^)]+)\\)/) || [null, '0,0,0,0'])[1].split(',').map(Number);
    const opaque = c => c.length < 4 || c[3] > 0.5;
    const cs = getComputedStyle(el);
    let width = 0, color = null, outside = true;
    if (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) {
        width = parseFloat(cs.outlineWidth); color = rgb(cs.outlineColor); outside = parseFloat(cs.outlineOffset) >= 0;
    } else if (cs.boxShadow && cs.boxShadow !== 'none') {
        const m = cs.boxShadow.match(/(rgba?\\([^)]+\\))\\s+(-?[\\d.]+)px\\s+(-?[\\d.]+)px\\s+(-?[\\d.]+)px\\s+(-?[\\d.]+)px(\\s+inset)?/);
        if (m) { width = parseFloat(m[5]); color = rgb(m[1]); outside = !m[6]; }
    }
    let bg = [255, 255, 255];
    for (let e = outside ? el.parentElement : el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (opaque(c) && c[3] !== 0) { bg = c; break; }
    }
    return { tag: el.tagName.toLowerCase(), cls: String(el.className), text: (el.textContent || el.value || '').trim().slice(0, 30),
             width, color, bg, visible: el.getBoundingClientRect().height > 0 };
}"""


def focused(page) -> dict:
    ring = page.evaluate(FOCUS_RING)
    assert ring is not None, "focus was lost (it is on the page's body)"
    return ring


def assert_focus_ring(page, where: str) -> dict:
    ring = focused(page)
    assert ring["visible"], f"{where}: the focused element is not shown: {ring}"
    assert ring["width"] >= 2 and ring["color"], f"{where}: no focus ring of 2 px or more: {ring}"
    ratio = contrast(ring["color"], ring["bg"])
    assert ratio >= 3, f"{where}: the focus ring's contrast is {ratio:.2f}:1: {ring}"
    return ring


def tab_to(page, selector: str, where: str, limit: int = 40, back: bool = False) -> None:
    """Press Tab (Shift+Tab with ``back``) until the focus is on ``selector``, checking each stop's ring."""
    for _ in range(limit):
        if page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Shift+Tab" if back else "Tab")
        assert_focus_ring(page, f"{where} (on the way to {selector})")
    raise AssertionError(f"{where}: {selector} not reached in {limit} presses of Tab; on {focused(page)}")


def test_a_keyboard_only_walk_through_join_a_criterion_a_plan_row_and_the_downloads(server, browser):
    store = Store(server.store_url)
    context, page = new_page(browser, 1366, 768)
    # Joining: the first Tab is the skip link; it leads to the form.
    page.goto(f"{server.base}/voila/render/00-welcome.ipynb?w=E2E")
    page.wait_for_selector(".gecc-join-name input", timeout=60_000)
    page.wait_for_timeout(500)
    page.keyboard.press("Tab")
    assert "gecc-skip" in assert_focus_ring(page, "the first Tab")["cls"]
    page.keyboard.press("Enter")
    tab_to(page, ".gecc-join-name input", "the join form", limit=3)
    assert_focus_ring(page, "the name field")
    # An empty name is refused, and said (role=alert); the name is typed, the office picked.
    tab_to(page, ".gecc-join-button", "the join form")
    page.keyboard.press("Enter")
    page.wait_for_selector(".gecc-join-feedback [role=alert] .gecc-error, .gecc-join-feedback[role=alert] .gecc-error, [role=alert] .gecc-error", timeout=20_000)
    tab_to(page, ".gecc-join-name input", "back to the name", back=True)
    page.keyboard.type("คีย์บอร์ดอย่างเดียว")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "SELECT"
    assert_focus_ring(page, "the office")
    page.keyboard.press("ArrowDown")
    tab_to(page, ".gecc-join-table input", "the table")
    assert_focus_ring(page, "the table field")
    tab_to(page, ".gecc-join-button", "the join button")
    assert_focus_ring(page, "the join button")
    page.keyboard.press("Space")
    page.wait_for_selector(".gecc-welcome", timeout=60_000)
    # The focus goes to the new content, not back to the top of the page.
    assert wait_until(lambda: page.evaluate("!!document.activeElement && !!document.activeElement.closest('.gecc-join') && document.activeElement !== document.body"))
    assert_focus_ring(page, "after joining")
    token = re.search(r"[?&]p=([^&]+)", page.url).group(1)
    p = pre_tested(store, store.participant("E2E", token))

    # A factor: skip link, then the first criterion's first status, chosen with Space.
    first = LOCATION[0].id
    page.goto(f"{server.base}/voila/render/01-location.ipynb?w=E2E&p={token}")
    page.wait_for_selector(f".gecc-status-{first}", timeout=60_000)
    page.wait_for_timeout(500)
    page.keyboard.press("Tab")
    assert "gecc-skip" in assert_focus_ring(page, "the first Tab on a factor")["cls"]
    page.keyboard.press("Enter")
    presses = 0
    while not page.evaluate(f"document.activeElement.closest('.gecc-status-{first}') !== null"):
        page.keyboard.press("Tab")
        presses += 1
        assert_focus_ring(page, "to the first criterion")
        assert presses <= 3, f"{presses} Tabs from the skip link to the first status: on {focused(page)}"
    page.keyboard.press("Space")
    chosen = page.locator(f".gecc-status-{first} button[aria-pressed='true']")
    assert wait_until(lambda: chosen.count() == 1), "the chosen status is exposed (aria-pressed)"
    assert_focus_ring(page, "the chosen status button")
    assert wait_until(lambda: (a := store.answers(p.id).get(first)) and a.status is not None)
    tab_to(page, f".gecc-note-{first} textarea", "the note")
    assert_focus_ring(page, "the note")
    page.keyboard.type("ป้ายเล็ก")
    assert wait_until(lambda: store.answers(p.id)[first].note == "ป้ายเล็ก")

    # A plan row on the summary: tick with Space, write the action; then the downloads.
    store.save_answer(p.id, LOCATION[1].id, status="not_yet")  # a gap to plan for
    page.goto(f"{server.base}/voila/render/05-summary.ipynb?w=E2E&p={token}")
    page.wait_for_selector(".gecc-plan-row", timeout=60_000)
    page.wait_for_timeout(500)
    gap = page.evaluate("[...document.querySelector('.gecc-plan-row').classList].find(c => /^gecc-plan-row-./.test(c)).slice('gecc-plan-row-'.length)")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    tab_to(page, f".gecc-plan-choose-{gap} input", "the first plan row")
    assert_focus_ring(page, "the plan checkbox")
    page.keyboard.press("Space")
    page.wait_for_selector(f".gecc-plan-action-{gap} textarea", timeout=20_000)
    tab_to(page, f".gecc-plan-action-{gap} textarea", "the action")
    page.keyboard.type("ทำป้ายใหม่")
    assert wait_until(lambda: (item := store.plan(p.id).get(gap)) and item.action == "ทำป้ายใหม่")
    tab_to(page, ".gecc-prepare-downloads", "the prepare button", limit=60)
    assert_focus_ring(page, "the prepare button")
    page.keyboard.press("Enter")
    page.wait_for_selector(".gecc-download-plan", timeout=30_000)
    assert wait_until(lambda: page.evaluate("!!document.activeElement.closest('.gecc-downloads')")), f"the focus goes to the files: {focused(page)}"
    assert_focus_ring(page, "the files are ready")
    tab_to(page, ".gecc-download-report", "the first file")
    assert_focus_ring(page, "the first download link")
    context.close()
    store.close()


def test_a_quiz_question_is_one_tab_stop_answered_with_the_arrow_keys(server, browser):
    """A question's choices are one radio group: Tab reaches its first choice, the arrow keys move
    the choice (and it is saved), and the next Tab goes on to the next question, not the next choice."""
    store = Store(server.store_url)
    p = store.join("E2E", "แบบทดสอบด้วยคีย์บอร์ด")
    context, page = new_page(browser, 1366, 768)
    open_page(page, server.base, "06-knowledge-check.ipynb", p.token, ".gecc-quiz-pre .gecc-quiz-choice")
    first, second = QUESTIONS[0].id, QUESTIONS[1].id
    tab_to(page, f".gecc-quiz-pre-{first} input[type=radio]", "the first question", limit=40)
    assert_focus_ring(page, "the first question's choices")
    page.keyboard.press("ArrowDown")
    assert wait_until(lambda: store.quiz_choices(p.id).get("pre", {}).get(first) is not None), "an arrow key chooses, and it is saved"
    chosen = store.quiz_choices(p.id)["pre"][first]
    page.keyboard.press("ArrowDown")
    assert wait_until(lambda: store.quiz_choices(p.id)["pre"][first] != chosen), "the next arrow moves the choice"
    page.keyboard.press("Tab")
    assert page.evaluate(f"!!document.activeElement.closest('.gecc-quiz-pre-{second}')"), f"one Tab goes to the next question: on {focused(page)}"
    assert_focus_ring(page, "the second question's choices")
    context.close()
    store.close()


def test_on_a_phone_a_module_folds_to_its_section_titles(server, browser):
    """At 390 px a module's teaching shows its overview and the exercise's instructions, the other
    sections as titles a tap opens: the exercise is much nearer the top. A laptop shows it all."""
    store = Store(server.store_url)
    p = pre_tested(store, store.join("E2E", "อ่านบนมือถือ"))
    exercise = ("document.querySelector('.gecc-criterion-L01').getBoundingClientRect().top"
                " - document.querySelector('.gecc-view h1').getBoundingClientRect().top")
    context, page = new_page(browser, 1366, 768)
    open_page(page, server.base, "01-location.ipynb", p.token, f".gecc-status-{LOCATION[0].id}")
    assert page.locator("details.gecc-section").count() >= 8, "the teaching is in sections"
    assert page.locator("details.gecc-section:not([open])").count() == 0, "a laptop shows every section"
    context.close()

    context, page = new_page(browser, 390, 844)
    open_page(page, server.base, "01-location.ipynb", p.token, f".gecc-status-{LOCATION[0].id}")
    closed = page.locator("details.gecc-section:not([open])")
    titles = [t.strip() for t in closed.locator("summary").all_inner_texts()]
    assert {"ทำไมด้านสถานที่จึงสำคัญ", "กฎหมายที่เกี่ยวข้อง", "แหล่งข้อมูล"} <= set(titles), titles
    assert "ภาพรวม" not in titles and not any(t.startswith("แบบฝึกประเมินตนเอง") for t in titles), "overview and instructions stay open"
    folded = page.evaluate(exercise)
    law = page.locator("details.gecc-section", has=page.locator("summary", has_text="กฎหมายที่เกี่ยวข้อง"))
    assert not law.locator("p").first.is_visible()
    assert law.locator("summary").bounding_box()["height"] >= 44, "a title is a 44 px tap target"
    law.locator("summary").click()
    assert law.locator("p").first.is_visible(), "a tap on its title opens a section"
    page.evaluate("document.querySelectorAll('details.gecc-section').forEach(d => d.open = true)")
    unfolded = page.evaluate(exercise)
    print(f"at 390 px the exercise starts {folded:.0f} px below the title (all open: {unfolded:.0f} px)")
    assert folded < 0.6 * unfolded, (folded, unfolded)
    context.close()
    store.close()


def test_moving_to_another_module_in_place_gives_its_title_the_focus(server, browser):
    """The next module opens in the same page: the focus goes to its title, not back to the page's top;
    switching to English says so to the browser (lang) and keeps the focus there."""
    store = Store(server.store_url)
    p = pre_tested(store, store.join("E2E", "ไปขั้นถัดไปด้วยคีย์บอร์ด"))
    context, page = new_page(browser)
    open_page(page, server.base, "01-location.ipynb", p.token, f".gecc-status-{LOCATION[0].id}")
    page.focus("a.gecc-next")
    page.keyboard.press("Enter")
    page.wait_for_selector(".gecc-view-02-personnel .gecc-status", timeout=60_000)
    assert wait_until(lambda: page.evaluate("document.activeElement.tagName") == "H1"), focused(page)
    assert "ด้านบุคลากร" in page.evaluate("document.activeElement.textContent")
    assert_focus_ring(page, "the next module's title")
    page.focus(".gecc-topbar .gecc-lang-switch")
    page.keyboard.press("Enter")
    page.wait_for_function("() => (document.querySelector('.gecc-topbar') || {}).innerText.includes('Step 5 of 8')", timeout=60_000)
    assert wait_until(lambda: page.evaluate("document.documentElement.lang") == "en")
    assert wait_until(lambda: page.evaluate("document.activeElement.tagName") == "H1"), focused(page)
    context.close()
    store.close()


def test_status_groups_are_named_after_their_criterion_and_say_which_is_chosen(server, browser):
    store = Store(server.store_url)
    p = pre_tested(store, store.join("E2E", "ฟังด้วยโปรแกรมอ่านหน้าจอ"))
    first, second = LOCATION[0], LOCATION[1]
    store.save_answer(p.id, first.id, status="partial")
    context, page = new_page(browser)
    open_page(page, server.base, "01-location.ipynb", p.token, f".gecc-status-{first.id}")
    tree = page.locator(f".gecc-criterion-{first.id}").aria_snapshot()
    print(tree)
    assert re.search(rf'- (radiogroup|group) "{first.id} {re.escape(first.title_th)}', tree), tree
    assert re.search(r'- (radio|button) "ผ่านบางส่วน" \[(checked|pressed)\]', tree), tree
    assert not re.search(r'- (radio|button) "ผ่าน" \[(checked|pressed)\]', tree), tree
    # The note is a labelled text box, not one named only by its placeholder.
    assert re.search(r'- textbox "[^"]+"', tree), tree
    # Choosing another status moves the chosen state with it, in the tree too.
    status_button(page, second.id, "ยังไม่ผ่าน").click()
    group = page.locator(f".gecc-status-{second.id}")
    assert wait_until(lambda: re.search(r'(radio|button) "ยังไม่ผ่าน" \[(checked|pressed)\]', group.aria_snapshot())), group.aria_snapshot()
    # Every status group of the page is named.
    names = page.evaluate("""() => [...document.querySelectorAll('.gecc-status')].map(g => {
        const id = g.getAttribute('aria-labelledby'); const el = id && document.getElementById(id);
        return (g.getAttribute('role') || '') + ':' + (el ? el.textContent.trim() : g.getAttribute('aria-label') || ''); })""")
    assert len(names) == len(LOCATION)
    for c, name in zip(LOCATION, names):
        assert name.split(":", 1)[0] in ("group", "radiogroup") and name.split(":", 1)[1].startswith(c.id), name
    context.close()
    store.close()
