"""The journey's pages as widgets: does each control change the model and the store,
do links keep the workshop code, token and language, and is typed text shown as text?"""
from __future__ import annotations

import base64
import io
import os
import re
from datetime import date, datetime, timedelta, timezone

import openpyxl
import pytest

from gecc_kit import score_all
from gecc_kit.journey import MODULES
from gecc_kit.knowledge import KnowledgeApp
from gecc_kit.practice import load_offices
from gecc_kit.quiz import LETTERS, load_questions
from gecc_kit.session import Request, open_store
from gecc_kit.summary import SummaryApp
from gecc_kit.widgets import JoinForm, Nav, WelcomeApp

XSS = "<img src=x onerror=alert(1)>"
SQL = "'; DROP TABLE answers;--"
BASE = "http://host:8866/voila/render/"


@pytest.fixture
def who(store):
    store.ensure_workshop("J1")
    p = store.join("J1", XSS, "สำนักงาน " + SQL, "โต๊ะ <2>")
    return store, p


def request_for(page: str, token: str = "", lang: str = "th") -> Request:
    return Request("J1", token, BASE + page, lang)


def nav_for(standard, store, p, page: str, lang: str = "th") -> Nav:
    return Nav(request_for(page, p.token, lang), standard, store, p, load_questions(), lang)


# --- joining ------------------------------------------------------------------------------

def test_join_with_an_office_from_the_list_and_a_table(store):
    store.ensure_workshop("J1")
    offices = load_offices()
    form = JoinForm(store, request_for("00-welcome.ipynb"), "join_welcome", offices)
    assert [o for _label, o in form.office_pick.options][1:-1] == [o.id for o in offices]
    form.name.value = "สมหญิง"
    form.office_pick.value = offices[2].id
    assert form.table.value == offices[2].table, "the office's table is offered"
    form.table.value = "โต๊ะ 9"
    form.button.click()
    p = form.participant
    assert (p.display_name, p.office, p.table_label) == ("สมหญิง", offices[2].name_th, "โต๊ะ 9")
    assert f"url={BASE}00-welcome.ipynb?w=J1&amp;p={p.token}" in form.message.value


def test_join_with_another_office_typed_in(store):
    store.ensure_workshop("J1")
    form = JoinForm(store, request_for("00-welcome.ipynb"), "join_welcome", load_offices())
    assert form.office.layout.display == "none"
    form.office_pick.value = JoinForm.OTHER
    assert form.office.layout.display is None
    form.name.value = "ก"
    form.office.value = SQL
    form.button.click()
    assert store.participant("J1", form.participant.token).office == SQL


# --- navigation -----------------------------------------------------------------------------

def test_every_link_keeps_code_token_and_language(standard, who):
    store, p = who
    nav = nav_for(standard, store, p, "02-personnel.ipynb", "en")
    links = re.findall(r"href='([^']+)'", nav.widget.value)
    module_links = [link for link in links if "#" not in link]
    for m in MODULES:
        assert f"{BASE}{m.notebook}?w=J1&amp;p={p.token}&amp;l=en" in module_links
    switch = re.search(r"class='gecc-lang-switch' lang='th' href='([^']+)'", nav.widget.value).group(1)
    assert switch == f"{BASE}02-personnel.ipynb?w=J1&amp;p={p.token}"
    assert "Step 5 of 8 · Personnel" in nav.widget.value, "numbered in teaching order"


def test_the_bar_shows_what_is_done_and_follows_answers(standard, who):
    store, p = who
    nav = nav_for(standard, store, p, "01-location.ipynb")
    assert "ขั้นที่ 4 จาก 8 · ด้านสถานที่" in nav.widget.value
    assert "data-module='01-location.ipynb' data-state='todo'" in nav.widget.value
    for c in standard.for_factor("location"):
        store.save_answer(p.id, c.id, status="met")
    nav.refresh()
    assert "data-module='01-location.ipynb' data-state='done'" in nav.widget.value


def test_next_follows_the_teaching_order(standard, who):
    """Join, the pre-test, the background, the four factors, the summary, then back to the
    knowledge check for the post-test; the pre-test page is step 2, never "6 of 6"."""
    store, p = who
    welcome = nav_for(standard, store, p, "00-welcome.ipynb")
    assert welcome.next_module().kind == "knowledge"
    assert "ขั้นที่ 1 จาก 8" in welcome.widget.value
    assert "ขั้นที่ 2 จาก 8 · แบบทดสอบก่อนและหลังการอบรม" in nav_for(standard, store, p, "06-knowledge-check.ipynb").widget.value
    for q in load_questions():
        store.save_quiz_choice(p.id, "pre", q.id, "a")
    assert nav_for(standard, store, p, "06-knowledge-check.ipynb").next_module().notebook == "00-gecc-basics.ipynb"
    assert nav_for(standard, store, p, "00-gecc-basics.ipynb").next_module().notebook == "01-location.ipynb"
    assert nav_for(standard, store, p, "03-service.ipynb").next_module().notebook == "04-technology.ipynb"
    assert nav_for(standard, store, p, "04-technology.ipynb").next_module().notebook == "05-summary.ipynb"
    assert nav_for(standard, store, p, "05-summary.ipynb").next_module().notebook == "06-knowledge-check.ipynb", "the post-test"
    store.save_answer(p.id, "L01", status="met")  # once a factor is started, the pre-test leads to the first one not done
    assert nav_for(standard, store, p, "06-knowledge-check.ipynb").next_module().notebook == "01-location.ipynb"


def test_welcome_shows_who_and_every_module_escaped(standard, who):
    store, p = who
    app = WelcomeApp(request_for("00-welcome.ipynb", p.token), p, nav_for(standard, store, p, "00-welcome.ipynb"))
    html = "".join(getattr(w, "value", "") for w in app.widget.children[1:])
    assert XSS not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "โต๊ะ &lt;2&gt;" in html and "&#x27;; DROP TABLE answers;--" in html
    for m in MODULES[1:]:
        assert f"data-module='{m.notebook}'" in html


def test_the_qr_code_is_drawn_only_when_asked_for(standard, who):
    store, p = who
    request = request_for("00-welcome.ipynb", p.token)
    app = WelcomeApp(request, p, nav_for(standard, store, p, "00-welcome.ipynb"))
    assert app.qr.value == "" and "data-gecc-copy='" in app.widget.children[1].value
    app.qr_button.click()
    assert "<svg" in app.qr.value and app.qr_button.layout.display == "none"


# --- summary and plan -----------------------------------------------------------------------

def one_gap(standard, store, p):
    """A summary whose only gap is L01 (not yet met), and that gap's plan row."""
    store.save_answer(p.id, "L01", status="not_yet")
    app = SummaryApp(standard, store, p, request_for("05-summary.ipynb", p.token))
    return app, app.rows[0]


def answer_all(store, p, standard, status="met"):
    for c in standard.criteria:
        store.save_answer(p.id, c.id, status=status)


def test_summary_scores_equal_scoring_of_the_stored_answers(standard, who):
    store, p = who
    answer_all(store, p, standard)
    store.save_answer(p.id, "L08", status="partial")
    store.save_answer(p.id, "S04", status="not_yet")
    store.save_answer(p.id, "T03", status="na")
    app = SummaryApp(standard, store, p, request_for("05-summary.ipynb", p.token))
    expected = score_all(standard, store.answers(p.id))
    shown = dict(re.findall(r"data-factor='(\w+)' data-percent='([\d.]+)'", app.scores_html.value))
    assert shown == {k: f"{s.percent:.1f}" for k, s in expected.items()}
    assert [r.criterion_id for r in app.rows] == [g.criterion.id for g in expected["overall"].gaps]
    assert "S04" in app.scores_html.value  # mandatory and not met: named


def test_the_plan_is_saved_field_by_field(standard, who):
    store, p = who
    answer_all(store, p, standard)
    store.save_answer(p.id, "L08", status="partial")
    app = SummaryApp(standard, store, p, request_for("05-summary.ipynb", p.token))
    row = app.rows[0]
    assert row.criterion_id == "L08" and not row.widgets
    row.choose.value = True
    row.widgets["action"].value = XSS
    row.widgets["owner"].value = SQL
    row.widgets["due"].value = date(2027, 1, 15)
    row.widgets["indicator"].value = "ร้อยละ 100"
    item = store.plan(p.id)["L08"]
    assert (item.chosen, item.action, item.owner, item.due, item.indicator) == (True, XSS, SQL, date(2027, 1, 15), "ร้อยละ 100")
    assert "15 ม.ค. 2570" in row.due_text.value
    row.choose.value = False
    assert store.plan(p.id)["L08"].chosen is False and store.plan(p.id)["L08"].action == XSS, "unticking keeps what was written"
    again = SummaryApp(standard, store, p, request_for("05-summary.ipynb", p.token))
    assert again.rows[0].choose.value is False


def test_too_long_plan_text_is_refused_in_thai_and_stays_on_screen(standard, who):
    store, p = who
    app, row = one_gap(standard, store, p)
    row.choose.value = True
    row.widgets["action"].value = "ก" * 3000
    assert "ยาวเกินไป" in app.saved.value and row.widgets["action"].value == "ก" * 3000
    assert store.plan(p.id)["L01"].action == ""


def test_downloads_are_built_from_the_store(standard, who):
    store, p = who
    answer_all(store, p, standard)
    store.save_answer(p.id, "P04", status="not_yet", note=XSS)
    store.save_plan_item(p.id, "P04", action="ใช้แบบตรวจเอกสารครั้งเดียว", owner="หัวหน้างาน", due=date(2027, 3, 31))
    app = SummaryApp(standard, store, p, request_for("05-summary.ipynb", p.token))
    app.prepare_downloads()
    links = dict(re.findall(r"download='([^']+)' href='data:[^;]+(?:;charset=utf-8)?;base64,([^']+)'", app.downloads.value))
    report = base64.b64decode(links["gecc-my-report.html"]).decode()
    assert "ใช้แบบตรวจเอกสารครั้งเดียว" in report and "31 มี.ค. 2570" in report and XSS not in report
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(links["gecc-my-plan.xlsx"])))
    values = [c for r in book.worksheets[0].iter_rows(values_only=True) for c in r]
    assert "ใช้แบบตรวจเอกสารครั้งเดียว" in values and "หัวหน้างาน" in values
    # "My report" also as an A4 PDF with the same content, printed by the machine's browser.
    pdf = base64.b64decode(links["gecc-my-report.pdf"])
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "ใช้แบบตรวจเอกสารครั้งเดียว" in text and "รายงานผลการฝึกประเมินตนเอง" in text and "31มี.ค.2570" in text


def pdf_text(pdf: bytes) -> str:
    """The PDF's text as pdftotext -raw reads it, without whitespace (it splits some Thai clusters)."""
    import subprocess

    # -raw: the order text was set in, so a wrapped table cell reads as one piece
    out = subprocess.run(["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return re.sub(r"\s+", "", out)


def test_without_a_browser_the_report_pdf_gives_a_thai_hint(standard, who, monkeypatch):
    store, p = who
    answer_all(store, p, standard)
    monkeypatch.setenv("GECC_BROWSER", "/nonexistent/chromium")
    app = SummaryApp(standard, store, p, request_for("05-summary.ipynb", p.token))
    app.prepare_downloads()
    assert "gecc-download-report'" in app.downloads.value and "gecc-download-plan" in app.downloads.value
    assert "gecc-download-report-pdf" not in app.downloads.value
    assert "สั่งพิมพ์เป็น PDF" in app.downloads.value and "Traceback" not in app.downloads.value


def test_prepare_clicks_sent_again_build_one_set_of_files(standard, who, monkeypatch):
    """A page replaying "prepare my files" cannot queue print after print for itself."""
    store, p = who
    monkeypatch.setenv("GECC_BROWSER", "/nonexistent/chromium")  # no printing needed to count builds
    app = SummaryApp(standard, store, p, request_for("05-summary.ipynb", p.token))
    built = []
    monkeypatch.setattr(app, "_build_downloads", lambda: built.append(1))
    for _ in range(20):
        app.download_button._handle_button_msg(None, {"event": "click"}, [])
    assert len(built) == 1


def test_a_print_that_waits_too_long_for_a_slot_says_so_in_thai(standard, who, tmp_path, monkeypatch):
    import fcntl
    import tempfile

    from gecc_kit import printing

    store, p = who
    answer_all(store, p, standard)
    folder = tmp_path / "slots"
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(folder))
    (folder / f"gecc-kit-print-{os.getuid()}").mkdir(parents=True)
    held = [open(folder / f"gecc-kit-print-{os.getuid()}" / f"slot-{i}.lock", "a") for i in range(printing.SLOTS)]
    for f in held:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)  # every slot busy (others printing)
    monkeypatch.setattr(printing, "SLOT_WAIT", 0.5)
    try:
        app = SummaryApp(standard, store, p, request_for("05-summary.ipynb", p.token))
        app.prepare_downloads()
    finally:
        for f in held:
            f.close()
    assert "gecc-download-report'" in app.downloads.value, "the HTML report and the plan are still there"
    assert "gecc-pdf-busy" in app.downloads.value and "อีกครั้งในอีกสักครู่" in app.downloads.value


# --- knowledge check ------------------------------------------------------------------------

def test_knowledge_check_saves_locks_and_shows_the_gain(who):
    store, p = who
    questions = load_questions()
    app = KnowledgeApp(questions, store, p)
    assert app.sections["post"].layout.display == "none"
    wrong = {q.id: next(x for x in LETTERS if x != q.answer) for q in questions}
    for i, q in enumerate(questions):
        app.radios["pre"][q.id].value = q.answer if i < 4 else wrong[q.id]
    assert store.quiz_choices(p.id)["pre"] == {q.id: app.radios["pre"][q.id].value for q in questions}
    assert app.result("pre").correct == 4 and "คะแนน 4 จาก" in app.status["pre"].value
    # The post-test waits for the end of the day behind its button (no sliding into it).
    assert app.sections["post"].layout.display == "none" and app.start_post.layout.display is None
    assert "จบการอบรม" in app.post_later.value
    app.start_post.click()
    assert app.sections["post"].layout.display is None and app.start_post.layout.display == "none"
    app.radios["post"][questions[0].id].value = questions[0].answer
    assert all(r.disabled for r in app.radios["pre"].values()), "the pre-test is fixed once the post-test starts"
    assert "quiz_gain" not in app.results.value
    for q in questions:
        app.radios["post"][q.id].value = q.answer
    gain = len(questions) - 4
    assert f"data-gain='{gain}'" in app.results.value and f"+{gain}" in app.results.value
    assert all(q.id in app.results.value for q in questions)
    again = KnowledgeApp(questions, store, p)
    assert again.result("post").correct == len(questions)


def test_the_post_test_opens_with_the_plan_or_at_the_agendas_time(standard, who, monkeypatch):
    """After the pre-test, the post-test's button waits until the participant has done the summary
    and plan, or the day's agenda reaches the post-test (15.20 in the full day, 11.40 in the half)."""
    from types import SimpleNamespace
    from gecc_kit.pages import _post_opens

    store, p = who
    questions = load_questions()
    for q in questions:
        store.save_quiz_choice(p.id, "pre", q.id, "a")
    bangkok = timezone(timedelta(hours=7))

    def app_at(hour, minute, plan="full"):
        monkeypatch.setenv("GECC_AGENDA_PLAN", plan)
        nav = nav_for(standard, store, p, "06-knowledge-check.ipynb")
        ctx = SimpleNamespace(nav=nav, lang="th")
        at = lambda: datetime(2026, 12, 1, hour, minute, tzinfo=bangkok)
        return KnowledgeApp(questions, store, p, nav, post_opens=_post_opens(ctx, now=at))

    morning = app_at(9, 30)
    assert morning.start_post.layout.display == "none" and "15.20 น." in morning.post_later.value
    assert app_at(11, 45, "half").start_post.layout.display is None, "the half day's post-test is at 11.40"
    assert app_at(15, 20).start_post.layout.display is None
    store.save_plan_item(p.id, "L01", chosen=True, action="ติดป้ายบอกทาง")  # the summary and plan done
    done = app_at(9, 30)
    assert done.start_post.layout.display is None
    done.start_post.click()
    assert done.sections["post"].layout.display is None


def test_english_labels_when_asked(standard, who):
    store, p = who
    app = KnowledgeApp(load_questions(), store, p, lang="en")
    assert "pre-test" in app.widget.children[1].children[0].value
    q = load_questions()[0]
    assert app.radios["pre"][q.id].options[0][0].startswith("a. " + q.choices[0][1])


def test_pages_from_url_dispatch(monkeypatch, store_url):
    from gecc_kit import pages

    monkeypatch.setenv("GECC_STORE_URL", store_url)
    open_store.cache_clear()
    s = open_store()
    s.ensure_workshop("J2")
    p = s.join("J2", "ผู้ทดสอบ")
    monkeypatch.setenv("QUERY_STRING", f"w=J2&p={p.token}&l=en")
    monkeypatch.setenv("VOILA_REQUEST_URL", BASE + "05-summary.ipynb?w=J2")
    assert type(pages.summary_page()).__name__ == "PreTestFirst", "teaching pages open after the pre-test"
    monkeypatch.setenv("GECC_PRE_TEST_FIRST", "0")  # gecc-kit serve --no-pre-test-first: a session without one
    assert type(pages.summary_page()).__name__ == "SummaryApp"
    monkeypatch.delenv("GECC_PRE_TEST_FIRST")
    for q in load_questions():
        s.save_quiz_choice(p.id, "pre", q.id, "b")
    assert type(pages.welcome_page()).__name__ == "WelcomeApp"
    summary = pages.summary_page()
    assert type(summary).__name__ == "SummaryApp" and summary.lang == "en"
    assert type(pages.knowledge_page()).__name__ == "KnowledgeApp"
    monkeypatch.setenv("QUERY_STRING", "w=J2")
    assert type(pages.summary_page()).__name__ == "JoinForm"


# --- review findings: each of these failed before its fix -----------------------------------

def test_changing_the_picked_office_changes_its_offered_table(store):
    store.ensure_workshop("J1")
    offices = load_offices()
    a, b = next((x, y) for x in offices for y in offices if x.table != y.table)
    form = JoinForm(store, request_for("00-welcome.ipynb"), "join_welcome", offices)
    form.office_pick.value = a.id
    form.office_pick.value = b.id
    assert form.table.value == b.table
    form.table.value = "โต๊ะหน้าเวที"
    form.office_pick.value = a.id
    assert form.table.value == "โต๊ะหน้าเวที", "a table the participant typed is kept"


def test_text_typed_under_other_is_not_stored_once_other_is_unpicked(store):
    store.ensure_workshop("J1")
    form = JoinForm(store, request_for("00-welcome.ipynb"), "join_welcome", load_offices())
    form.office_pick.value = JoinForm.OTHER
    form.office.value = "หน่วยงานที่พิมพ์"
    form.office_pick.value = ""
    assert form.office_name() == ""


def test_a_failed_tick_goes_back_and_says_so(standard, who, monkeypatch):
    store, p = who
    app, row = one_gap(standard, store, p)

    def broken(*a, **k):
        raise RuntimeError("disk full")

    real = store.save_plan_item
    monkeypatch.setattr(store, "save_plan_item", broken)
    row.choose.value = True
    assert row.choose.value is False and "บันทึกแผนไม่สำเร็จ" in app.saved.value
    assert "L01" not in store.plan(p.id)
    monkeypatch.setattr(store, "save_plan_item", real)
    row.choose.value = True
    assert store.plan(p.id)["L01"].chosen is True


def test_a_buddhist_year_in_the_date_box_is_refused_with_a_hint(standard, who):
    store, p = who
    app, row = one_gap(standard, store, p)
    row.choose.value = True
    row.widgets["due"].value = date(2570, 1, 15)
    assert row.widgets["due"].value is None and store.plan(p.id)["L01"].due is None
    assert "พ.ศ." in row.due_text.value


@pytest.mark.parametrize("typed", [date(6, 2, 2), date(1999, 12, 31), date(2300, 1, 1)])
def test_a_year_out_of_range_is_refused_with_a_hint(standard, who, typed):
    # A year typed on (60501) arrives as year 6, once shown as "2 ก.พ. 549" with no warning.
    store, p = who
    app, row = one_gap(standard, store, p)
    row.choose.value = True
    row.widgets["due"].value = date(2027, 3, 31)
    row.widgets["due"].value = typed
    assert row.widgets["due"].value == date(2027, 3, 31) and store.plan(p.id)["L01"].due == date(2027, 3, 31)
    assert "ปีของวันที่ไม่ถูกต้อง" in row.due_text.value and "549" not in row.due_text.value


def test_the_top_bar_counts_every_step(standard, who):
    store, p = who
    assert "(✓ 1/8)" in nav_for(standard, store, p, "01-location.ipynb").widget.value, "joined: step 1 is done"


def test_the_knowledge_page_sends_nowhere_before_the_pre_test_is_done(standard, who):
    store, p = who
    assert nav_for(standard, store, p, "06-knowledge-check.ipynb").next_module() is None


def test_finishing_the_pre_test_shows_the_way_on_in_place(standard, who):
    """The last pre-test answer brings the "next" link (to the background) without a reload."""
    store, p = who
    nav = nav_for(standard, store, p, "06-knowledge-check.ipynb")
    app = KnowledgeApp(load_questions(), store, p, nav)
    following = nav.next_widget()
    assert following.value == ""
    for q in load_questions():
        app.radios["pre"][q.id].value = "a"
    assert "data-module='00-gecc-basics.ipynb'" in following.value


def test_official_criteria_drop_the_illustrative_marks(standard, who):
    import dataclasses

    store, p = who
    official = dataclasses.replace(standard, illustrative=False)
    store.save_answer(p.id, "L01", status="met")
    app = SummaryApp(official, store, p, request_for("05-summary.ipynb", p.token))
    assert "ตัวอย่าง" not in app.scores_html.value and "gecc-illustrative" not in app.widget.children[1].value
    illustrative = SummaryApp(standard, store, p, request_for("05-summary.ipynb", p.token))
    assert "คะแนนรายด้าน (ตัวอย่าง)" in illustrative.scores_html.value


def test_a_broken_questions_file_breaks_only_the_knowledge_check(monkeypatch, store_url, tmp_path):
    from gecc_kit import pages
    from gecc_kit.session import open_questions

    monkeypatch.setenv("GECC_STORE_URL", store_url)
    monkeypatch.setenv("GECC_QUESTIONS", str(tmp_path / "missing.csv"))
    open_store.cache_clear()
    open_questions.cache_clear()
    s = open_store()
    s.ensure_workshop("J3")
    p = s.join("J3", "ก")
    monkeypatch.setenv("QUERY_STRING", f"w=J3&p={p.token}")
    try:
        assert type(pages.assessment_page("location")).__name__ == "AssessmentApp"
        quiz = pages.knowledge_page()
        assert "ยังไม่มีคำถาม" in quiz.widget.children[1].value
    finally:
        open_questions.cache_clear()


def test_a_failed_quiz_save_goes_back_to_the_stored_choice(who, monkeypatch):
    store, p = who
    q = load_questions()[0]
    app = KnowledgeApp(load_questions(), store, p)
    app.radios["pre"][q.id].value = "a"
    real = store.save_quiz_choice
    monkeypatch.setattr(store, "save_quiz_choice", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("disk full")))
    app.radios["pre"][q.id].value = "b"
    assert app.radios["pre"][q.id].value == "a" and "บันทึกไม่สำเร็จ" in app.saved.value
    monkeypatch.setattr(store, "save_quiz_choice", real)
    app.radios["pre"][q.id].value = "c"
    assert store.quiz_choices(p.id)["pre"][q.id] == "c"


def test_joining_on_a_kit_page_turns_the_form_into_the_page(monkeypatch, store_url):
    """No second page load after joining: the same kernel builds the page, and marks the personal
    link for the page template to put in the address bar."""
    from gecc_kit import pages

    monkeypatch.setenv("GECC_STORE_URL", store_url)
    open_store.cache_clear()
    open_store().ensure_workshop("J4")
    monkeypatch.setenv("QUERY_STRING", "w=J4")
    monkeypatch.setenv("VOILA_REQUEST_URL", BASE + "06-knowledge-check.ipynb?w=J4")
    form = pages.knowledge_page()
    assert isinstance(form, JoinForm)
    form.name.value = XSS
    form.button.click()
    p = form.participant
    assert type(form.page).__name__ == "KnowledgeApp" and form.page.widget in form.widget.children
    assert f"data-gecc-url='{BASE}06-knowledge-check.ipynb?w=J4&amp;p={p.token}'" in form.message.value
    assert "http-equiv" not in form.message.value
    q = load_questions()[0]
    form.page.radios["pre"][q.id].value = "b"
    assert open_store().quiz_choices(p.id)["pre"][q.id] == "b"
    assert f"p={p.token}" in form.page.widget.children[0].value, "the bar's links carry the new token"
    # Joining on a teaching page before the pre-test: the page sends the newcomer to the pre-test.
    monkeypatch.setenv("VOILA_REQUEST_URL", BASE + "02-personnel.ipynb?w=J4")
    form = pages.assessment_page("personnel")
    form.name.value = "คนใหม่"
    form.button.click()
    assert type(form.page).__name__ == "PreTestFirst"
    assert f"06-knowledge-check.ipynb?w=J4&amp;p={form.participant.token}" in form.page.widget.children[1].value
