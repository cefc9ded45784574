"""The whole participant journey in a real Chromium, as a newcomer would do it:
join on the welcome page, do the pre-test, read the background, answer all four factors,
reach the summary, write a plan, download it; on a laptop and at a phone's width, with
hostile text typed in."""
from __future__ import annotations

import re
import subprocess
from datetime import date
from itertools import cycle
from urllib.parse import unquote

import nbformat
import openpyxl
import pytest

from gecc_kit import load_standard, score_all
from gecc_kit.journey import MODULES
from gecc_kit.quiz import load_questions
from gecc_kit.reports import level_text
from gecc_kit.scoring import Status
from gecc_kit.store import Store
from conftest import NOTEBOOKS, ROOT, SAMPLE_CRITERIA
from test_server import browser, server, status_button, active_label, pre_tested, wait_until  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser
XSS = "<img src=x onerror=alert(1)>"
SQL = "'; DROP TABLE answers;--"
LABELS = {Status.MET: "ผ่าน", Status.PARTIAL: "ผ่านบางส่วน", Status.NOT_YET: "ยังไม่ผ่าน", Status.NA: "ไม่เกี่ยวข้อง"}
FACTOR_PAGES = [m for m in MODULES if m.kind == "factor"]


def following(m):
    """The module after ``m`` in the teaching order (MODULES' order)."""
    return MODULES[MODULES.index(m) + 1]


def heading(notebook: str) -> str:
    """The first H1 of a module's notebook: the start of its teaching content."""
    cells = nbformat.read(NOTEBOOKS / notebook, as_version=4).cells
    return next(line[2:].strip() for c in cells if c.cell_type == "markdown" for line in c.source.splitlines() if line.startswith("# "))


SHOTS = ROOT / "build" / "screenshots"  # kept out of git (build/ is ignored); looked at by people
SHOTS.mkdir(parents=True, exist_ok=True)


def new_page(browser, width=1100, height=900):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="th-TH", accept_downloads=True)
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    return context, page


def join(page, base: str, name: str, table: str) -> str:
    """Join on the welcome page; return the token of the personal link the browser lands on."""
    page.goto(f"{base}/voila/render/00-welcome.ipynb?w=E2E")
    page.wait_for_selector(".gecc-join-name input", timeout=60_000)
    page.fill(".gecc-join-name input", name)
    page.select_option(".gecc-join-office-pick select", index=1)
    page.fill(".gecc-join-table input", table)
    page.click(".gecc-join-button")
    page.wait_for_url("**p=**", timeout=20_000)
    page.wait_for_selector(".gecc-welcome", timeout=60_000)
    return re.search(r"[?&]p=([^&]+)", page.url).group(1)


def answer_the_pre_test(page, questions) -> dict[str, str]:
    """Click a radio of every pre-test question (a, b, c, d, a, ...); wait until each says saved."""
    letters = cycle("abcd")
    chosen = {q.id: next(letters) for q in questions}
    for q in questions:
        page.locator(f".gecc-quiz-pre-{q.id} input[type=radio]").nth("abcd".index(chosen[q.id])).check()
    for q in questions:
        page.wait_for_selector(f".gecc-question-pre-{q.id}[data-gecc-save='saved']", timeout=15_000)
    return chosen


def assert_typed_text_is_text(page, name: str) -> None:
    assert name in page.inner_text(".gecc-participant-name")
    assert page.locator(".gecc-app img").count() == 0
    assert page.dialogs == []


def test_from_the_welcome_page_to_a_downloaded_plan(server, browser, tmp_path):
    standard = load_standard(SAMPLE_CRITERIA)
    store = Store(server.store_url)
    context, page = new_page(browser)
    name = f"{XSS}{SQL}"
    token = join(page, server.base, name, "โต๊ะ <b>7</b>")
    p = store.participant("E2E", token)
    assert (p.display_name, p.table_label) == (name, "โต๊ะ <b>7</b>")
    assert_typed_text_is_text(page, name)
    assert page.inner_text(".gecc-personal-link") == page.url
    # The personal link can be copied, shown as a QR code for a phone, or sent on LINE.
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.base)
    page.click(".gecc-copy-link")
    page.wait_for_function("document.querySelector('.gecc-copy-status').textContent.length > 0", timeout=10_000)
    assert page.inner_text(".gecc-copy-status") == "คัดลอกลิงก์แล้ว"
    assert page.evaluate("navigator.clipboard.readText()") == page.url
    assert page.url in unquote(page.get_attribute(".gecc-share-line", "href"))
    page.click(".gecc-show-qr")
    page.wait_for_selector(".gecc-personal-qr svg", timeout=20_000)
    png = tmp_path / "personal-qr.png"
    page.locator(".gecc-personal-qr svg").screenshot(path=str(png))
    decoded = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True, timeout=30)
    assert decoded.stdout.strip() == page.url, decoded.stderr
    # Joining turned the form into the page and put the personal link in the address bar:
    # a reload resumes as the same participant.
    page.reload()
    page.wait_for_selector(".gecc-welcome", timeout=60_000)
    assert_typed_text_is_text(page, name)
    # The bar at the top of the window says where the participant is, before any scrolling.
    topbar = page.locator(".gecc-topbar")
    assert topbar.is_visible() and topbar.bounding_box()["y"] <= 1
    assert "ยินดีต้อนรับ" in topbar.inner_text()
    bar = topbar.bounding_box()
    assert page.locator("h1").first.bounding_box()["y"] >= bar["y"] + bar["height"] - 1, "the title is not hidden under the bar"
    page.mouse.move(500, 500)
    page.mouse.wheel(0, 2000)
    page.wait_for_timeout(300)
    assert topbar.bounding_box()["y"] <= 1, "the bar stays when the page scrolls"

    # "Next" on the welcome page leads to the pre-test (step 2).
    knowledge = next(m for m in MODULES if m.kind == "knowledge")
    basics = next(m for m in MODULES if m.kind == "basics")
    questions = load_questions()
    assert page.get_attribute(".gecc-welcome a.gecc-next", "data-module") == knowledge.notebook
    page.click(".gecc-welcome a.gecc-next")
    page.wait_for_url(f"**/{knowledge.notebook}?*", timeout=20_000)
    page.wait_for_selector(".gecc-view-06-knowledge-check .gecc-quiz-pre .gecc-quiz-choice", timeout=60_000)
    assert f"ขั้นที่ {knowledge.number} จาก 8" in page.inner_text(".gecc-topbar")
    # Before the pre-test, a factor's link opens a box that sends the participant to the
    # pre-test, and none of the factor's teaching content (its text would answer the test).
    page.goto(f"{server.base}/voila/render/{FACTOR_PAGES[0].notebook}?w=E2E&p={token}")
    page.wait_for_selector(".gecc-view-01-location .gecc-pre-test-first", timeout=60_000)
    assert page.locator(".gecc-view-01-location .gecc-assessment").count() == 0
    assert page.locator(".gecc-view-01-location h1").count() == 0
    assert heading(FACTOR_PAGES[0].notebook) not in page.inner_text("body")
    assert page.get_attribute(".gecc-pre-test-first a.gecc-next", "data-module") == knowledge.notebook
    page.click(".gecc-pre-test-first a.gecc-next")
    page.wait_for_url(f"**/{knowledge.notebook}?*", timeout=20_000)

    # The pre-test, answered by clicking the radios; then on to the background, through the top
    # bar's list of steps (the knowledge page's own "next": test_the_pre_test_leads_on_to_the_background).
    page.wait_for_selector(".gecc-view-06-knowledge-check .gecc-quiz-pre .gecc-quiz-choice", timeout=60_000)
    chosen = answer_the_pre_test(page, questions)
    assert wait_until(lambda: store.quiz_choices(p.id).get("pre") == chosen)
    step = page.locator(f".gecc-topbar .gecc-step[data-module='{basics.notebook}']")
    assert wait_until(lambda: step.get_attribute("data-state") == "done"), "the bar marks the background open"
    page.click(".gecc-topbar summary.gecc-nav-where")
    step.locator("a").click()
    page.wait_for_url(f"**/{basics.notebook}?*", timeout=20_000)
    page.wait_for_selector(".gecc-view-00-gecc-basics .gecc-basics", timeout=60_000)
    assert page.locator(".gecc-pre-test-first").count() == 0
    assert heading(basics.notebook) in page.inner_text(".gecc-view-00-gecc-basics"), "the background's content is shown now"
    assert f"ขั้นที่ {basics.number} จาก 8" in page.inner_text(".gecc-topbar")
    assert page.get_attribute(".gecc-view-00-gecc-basics a.gecc-next", "data-module") == FACTOR_PAGES[0].notebook

    # Each factor, reached from the background's "next", then "next".
    statuses = cycle([Status.MET, Status.PARTIAL, Status.MET, Status.NOT_YET, Status.MET, Status.NA, Status.MET])
    page.click(".gecc-view-00-gecc-basics a.gecc-next")
    for i, m in enumerate(FACTOR_PAGES):
        # The page moves to the module in place (same kernel): wait for that module's view.
        page.wait_for_selector(f".gecc-view-{m.notebook.removesuffix('.ipynb')} .gecc-assessment .gecc-status", timeout=60_000)
        assert f"ขั้นที่ {m.number} จาก 8" in page.inner_text(".gecc-topbar")
        assert heading(m.notebook) in page.inner_text(f".gecc-view-{m.notebook.removesuffix('.ipynb')}"), "its content is shown"
        assert_typed_text_is_text(page, name)
        criteria = standard.for_factor(m.factor)
        for c in criteria:
            status_button(page, c.id, LABELS[next(statuses)]).click()
        page.fill(f".gecc-note-{criteria[0].id} textarea", XSS)
        ids = {c.id for c in criteria}
        assert wait_until(lambda: ids <= {k for k, a in store.answers(p.id).items() if a.status} and store.answers(p.id)[criteria[0].id].note == XSS)
        step = page.locator(f".gecc-step[data-module='{m.notebook}']").first
        assert wait_until(lambda: step.get_attribute("data-state") == "done"), "the bar marks the factor done"
        page.click(".gecc-next")
        page.wait_for_url(f"**/{following(m).notebook}?*", timeout=20_000)

    # The summary shows what gecc_kit's scoring makes of the stored answers.
    page.wait_for_selector(".gecc-summary .gecc-score-table", timeout=60_000)
    assert_typed_text_is_text(page, name)
    expected = score_all(standard, store.answers(p.id))
    for key, s in expected.items():
        shown = page.get_attribute(f".gecc-factor-score[data-factor='{key}']", "data-percent")
        assert float(shown) == pytest.approx(s.percent, abs=0.05), key
        bar = page.get_attribute(f".gecc-bar[data-scope='{key}']", "data-percent")
        assert float(bar) == pytest.approx(s.percent, abs=0.05), key
    assert page.inner_text(".gecc-overall-level") == level_text(standard, expected["overall"])
    assert standard.notice_th in page.inner_text(".gecc-summary .gecc-illustrative")

    # A plan for the most important gap: tick, write, pick a date (shown in the Buddhist year).
    gap = expected["overall"].gaps[0].criterion.id
    page.click(f".gecc-plan-choose-{gap} input")
    page.wait_for_selector(f".gecc-plan-action-{gap} textarea", timeout=20_000)
    page.fill(f".gecc-plan-action-{gap} textarea", f"ติดคู่มือฉบับใหม่ {XSS}")
    page.fill(f".gecc-plan-owner-{gap} input", SQL)
    page.fill(f".gecc-plan-due-{gap} input", "2027-01-15")
    page.fill(f".gecc-plan-indicator-{gap} input", "คู่มือตรงกับ info.go.th ครบ 100%")
    assert wait_until(lambda: (item := store.plan(p.id).get(gap)) and item.indicator == "คู่มือตรงกับ info.go.th ครบ 100%"
                      and item.due == date(2027, 1, 15) and item.owner == SQL and item.action == f"ติดคู่มือฉบับใหม่ {XSS}")
    assert wait_until(lambda: "15 ม.ค. 2570" in page.inner_text(f".gecc-plan-row-{gap}"))

    page.click(".gecc-prepare-downloads")
    page.wait_for_selector(".gecc-download-plan", timeout=30_000)
    with page.expect_download() as info:
        page.click(".gecc-download-plan")
    plan_file = tmp_path / info.value.suggested_filename
    info.value.save_as(plan_file)
    book = openpyxl.load_workbook(plan_file)
    rows = [r for r in book.worksheets[0].iter_rows(values_only=True)]
    header = next(r for r in rows if r[0] == "เกณฑ์ (id)")
    assert "สิ่งที่จะทำ" in header and "ผู้รับผิดชอบ" in header
    mine = [r for r in rows if r[0] == gap]
    assert mine and mine[0][4] == f"ติดคู่มือฉบับใหม่ {XSS}" and mine[0][5] == SQL and mine[0][7] == "15 ม.ค. 2570"
    with page.expect_download() as info:
        page.click(".gecc-download-report")
    report = (tmp_path / "report.html")
    info.value.save_as(report)
    text = report.read_text(encoding="utf-8")
    assert "ติดคู่มือฉบับใหม่ &lt;img" in text and XSS not in text
    # The report opens offline as a page of its own and shows the name as text.
    report_page = context.new_page()
    report_page.goto(report.as_uri())
    assert name in report_page.inner_text(".participant-name") and report_page.locator("img").count() == 0

    # A reload on any page resumes where the participant was.
    page.reload()
    page.wait_for_selector(f".gecc-plan-action-{gap} textarea", timeout=60_000)
    assert page.input_value(f".gecc-plan-action-{gap} textarea") == f"ติดคู่มือฉบับใหม่ {XSS}"
    assert page.locator(".gecc-step[data-module='05-summary.ipynb']").first.get_attribute("data-state") == "done"
    for m in FACTOR_PAGES[1:2]:
        page.goto(f"{server.base}/voila/render/{m.notebook}?w=E2E&p={token}")
        c = standard.for_factor(m.factor)[0]
        page.wait_for_selector(f".gecc-status-{c.id}", timeout=60_000)
        assert active_label(page, c.id) == LABELS[store.answers(p.id)[c.id].status]
    page.goto(f"{server.base}/voila/render/00-welcome.ipynb?w=E2E&p={token}")
    page.wait_for_selector(".gecc-welcome", timeout=60_000)
    done = page.locator(".gecc-welcome a.gecc-step-done").count()
    assert done == 6  # the background, four factors and the summary (the knowledge check waits for its post-test)
    assert_typed_text_is_text(page, name)
    context.close()
    store.close()


def test_the_knowledge_check_before_and_after(server, browser):
    from gecc_kit.quiz import load_questions

    questions = load_questions()
    store = Store(server.store_url)
    p = store.join("E2E", "ทดสอบความรู้")
    store.save_plan_item(p.id, "L01", chosen=True, action="ติดป้าย")  # the summary and plan done: the post-test may open
    context, page = new_page(browser)
    page.goto(f"{server.base}/voila/render/06-knowledge-check.ipynb?w=E2E&p={p.token}")
    page.wait_for_selector(".gecc-quiz-pre .gecc-quiz-choice", timeout=60_000)
    assert not page.locator(".gecc-quiz-post").is_visible()
    for q in questions:
        page.locator(f".gecc-quiz-pre-{q.id} input[type=radio]").nth(0).check()
    assert wait_until(lambda: len(store.quiz_choices(p.id)["pre"]) == len(questions))
    # Every choice says the server has it.
    for q in questions:
        page.wait_for_selector(f".gecc-question-pre-{q.id}[data-gecc-save='saved']", timeout=15_000)
    assert "บันทึกแล้ว" in page.inner_text(f".gecc-question-pre-{questions[0].id} .gecc-save-mark")
    right_first = sum(q.answer == "a" for q in questions)
    assert wait_until(lambda: page.get_attribute(".gecc-quiz-status-pre .gecc-quiz-progress", "data-correct") == str(right_first))
    # The post-test is for the end of the day: it waits behind its button.
    page.wait_for_selector(".gecc-quiz-start-post", state="visible", timeout=20_000)
    assert not page.locator(".gecc-quiz-post").is_visible()
    page.click(".gecc-quiz-start-post")
    page.wait_for_selector(".gecc-quiz-post .gecc-quiz-choice", state="visible", timeout=20_000)
    letters = "abcd"
    for q in questions:
        page.locator(f".gecc-quiz-post-{q.id} input[type=radio]").nth(letters.index(q.answer)).check()
    page.wait_for_selector(".gecc-quiz-gain", timeout=20_000)
    assert page.get_attribute(".gecc-quiz-gain", "data-gain") == str(len(questions) - right_first)
    page.reload()
    page.wait_for_selector(".gecc-quiz-gain", timeout=60_000)
    assert store.quiz_choices(p.id)["post"] == {q.id: q.answer for q in questions}
    context.close()
    store.close()


def test_the_pre_test_leads_on_to_the_background(server, browser):
    """Once the last pre-test question is answered, the knowledge page offers "next" to the
    background (step 3), in place: the participant has nothing to reload."""
    store = Store(server.store_url)
    p = store.join("E2E", "ทำแบบทดสอบก่อนการอบรม")
    context, page = new_page(browser)
    page.goto(f"{server.base}/voila/render/06-knowledge-check.ipynb?w=E2E&p={p.token}")
    page.wait_for_selector(".gecc-quiz-pre .gecc-quiz-choice", timeout=60_000)
    # The tab names the step (the teaching order), not the notebook's file name.
    assert wait_until(lambda: page.title() == "ขั้นที่ 2 จาก 8 · แบบทดสอบก่อนและหลังการอบรม · ศูนย์ราชการสะดวก (GECC)"), page.title()
    assert page.locator("a.gecc-next").count() == 0, "no way on before the pre-test is done"
    answer_the_pre_test(page, load_questions())
    page.wait_for_selector("a.gecc-next[data-module='00-gecc-basics.ipynb']", timeout=20_000)
    page.click("a.gecc-next")
    page.wait_for_url("**/00-gecc-basics.ipynb?*", timeout=20_000)
    page.wait_for_selector(".gecc-view-00-gecc-basics .gecc-basics", timeout=60_000)
    assert wait_until(lambda: page.title().startswith("ขั้นที่ 3 จาก 8 · ")), "the title follows a module opened in place"
    context.close()
    store.close()


@pytest.mark.parametrize("notebook", ["00-welcome.ipynb", "00-gecc-basics.ipynb", "01-location.ipynb", "05-summary.ipynb", "06-knowledge-check.ipynb"])
def test_a_phone_never_scrolls_sideways(server, browser, notebook):
    """At 390 px (a phone) nothing on the page is wider than the screen."""
    store = Store(server.store_url)
    p = pre_tested(store, store.join("E2E", "โทรศัพท์ " + "ยาว" * 30, "หน่วยงานที่มีชื่อยาวมาก" * 4))
    for c in load_standard(SAMPLE_CRITERIA).criteria[::3]:
        store.save_answer(p.id, c.id, status="not_yet")
    store.save_plan_item(p.id, "L01", action="ก" * 300)
    context, page = new_page(browser, 390, 844)
    page.goto(f"{server.base}/voila/render/{notebook}?w=E2E&p={p.token}")
    page.wait_for_selector(".gecc-nav", timeout=60_000)
    page.wait_for_timeout(300)
    width = page.evaluate("Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollWidth > e.clientWidth && getComputedStyle(e).overflowX !== 'hidden' ? e.scrollWidth : 0), document.documentElement.scrollWidth)")
    assert width <= 390, f"{notebook} is {width} px wide on a 390 px phone"
    bar = page.locator(".gecc-topbar").bounding_box()
    assert bar["y"] <= 1 and page.locator("h1").first.bounding_box()["y"] >= bar["y"] + bar["height"] - 1
    context.close()
    store.close()


def test_the_score_and_saved_stay_in_view_while_answering_on_a_phone(server, browser):
    """On a phone the first criterion is 3,000 px above the score: answering it must show,
    where the participant is looking, that it was saved and how far they are."""
    store = Store(server.store_url)
    p = pre_tested(store, store.join("E2E", "ดูคะแนนระหว่างตอบ"))
    context, page = new_page(browser, 390, 844)
    page.goto(f"{server.base}/voila/render/01-location.ipynb?w=E2E&p={p.token}")
    first = load_standard(SAMPLE_CRITERIA).for_factor("location")[0]
    total = len(load_standard(SAMPLE_CRITERIA).for_factor("location"))
    status_button(page, first.id, "ผ่าน").scroll_into_view_if_needed()
    status_button(page, first.id, "ผ่าน").click()
    live = page.locator(".gecc-sticky-summary")
    assert wait_until(lambda: f"ตอบแล้ว 1 จาก {total} ข้อ" in live.inner_text() and "บันทึกแล้ว" in live.inner_text()), live.inner_text()
    box, button = live.bounding_box(), status_button(page, first.id, "ผ่าน").bounding_box()

    assert box["y"] >= 0 and box["y"] + box["height"] <= 844 + 1, f"the summary is off screen: {box}"
    assert button["y"] + button["height"] <= box["y"] + 1, "the summary does not cover the button just pressed"
    page.screenshot(path=str(SHOTS / "sticky-summary-390.png"))
    context.close()
    store.close()


def test_the_language_switch_keeps_the_participant_and_the_answers(server, browser):
    """Switch a page to English and back: same person, same answers, links keep code, token and language."""
    store = Store(server.store_url)
    p = pre_tested(store, store.join("E2E", XSS))
    store.save_answer(p.id, "P01", status="partial")
    context, page = new_page(browser)
    page.goto(f"{server.base}/voila/render/02-personnel.ipynb?w=E2E&p={p.token}")
    page.wait_for_selector(".gecc-status-P01", timeout=60_000)
    page.click(".gecc-topbar .gecc-lang-switch")
    page.wait_for_url("**l=en**", timeout=20_000)
    topbar_says = "(text) => { const bar = document.querySelector('.gecc-topbar'); return bar && bar.innerText.includes(text); }"
    page.wait_for_function(topbar_says, arg="Step 5 of 8", timeout=60_000)  # the page switches in place
    page.wait_for_selector(".gecc-status-P01", timeout=60_000)
    assert "Step 5 of 8 · Personnel" in page.inner_text(".gecc-topbar")
    assert active_label(page, "P01") == "Partly met"
    assert_typed_text_is_text(page, XSS)
    page.click(".gecc-next")
    page.wait_for_url("**/03-service.ipynb?*l=en*", timeout=20_000)
    page.wait_for_selector(".gecc-view-03-service .gecc-assessment", timeout=60_000)
    assert f"p={p.token}" in page.url and "Service" in page.inner_text(".gecc-topbar")
    page.click(".gecc-topbar .gecc-lang-switch")
    page.wait_for_function(topbar_says, arg="ขั้นที่ 6 จาก 8", timeout=60_000)
    assert "l=en" not in page.url and "ขั้นที่ 6 จาก 8" in page.inner_text(".gecc-topbar")
    context.close()
    store.close()
