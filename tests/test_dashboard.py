"""The facilitator's dashboard and consensus view as widgets: what they show, what they save,
and that they open only with the key."""
from __future__ import annotations

import base64
import io
import re

import pytest

from gecc_kit.dashboard import ConsensusApp, DashboardApp, TablePicker, consensus_page, dashboard_page
from gecc_kit.practice import seed_demo
from gecc_kit.quiz import load_questions
from gecc_kit.room import overview
from gecc_kit.scoring import score_all
from gecc_kit.session import Request

KEY = "k" * 32
XSS = "<img src=x onerror=alert(1)>"
PAGE = "http://10.0.0.5:8866/voila/render/facilitator/dashboard.ipynb"


@pytest.fixture
def room(store, standard):
    questions = load_questions()
    seed_demo(store, "DASH", standard, questions)
    return store, questions


def request(lang="th"):
    return Request("DASH", "", PAGE, lang)


def text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_dashboard_shows_the_rooms_figures(room, standard):
    store, questions = room
    app = DashboardApp(standard, store, request(), KEY, questions, interval=None)
    ov = overview(standard, store.room("DASH"), questions)
    s = app.sections
    assert "gecc-dash-joined'>8<" in s["attendance"].value
    for fs in ov.factors:
        assert f"data-mean='{fs.mean:.1f}'" in s["factors"].value
    for cs in ov.weakest:
        assert f"data-criterion='{cs.criterion.id}'" in s["weakest"].value
    assert f"{ov.gain.gain:+.0f} จุด" in text(s["knowledge"].value)
    assert "โต๊ะ 1" in s["tables"].value and "ซ่อนไว้" in s["tables"].value  # table 3 has two members
    assert "เป็นตัวอย่าง" in app.widget.children[0].value  # the illustrative line
    # Names are hidden until asked for.
    names = [p.display_name for p in store.participants("DASH")]
    assert not any(n in s["heatmap"].value for n in names) and ">P01<" in s["heatmap"].value
    app.show_names.value = True
    assert all(n in s["heatmap"].value for n in names)


def test_dashboard_refresh_shows_new_answers_and_escapes_names(room, standard):
    store, questions = room
    app = DashboardApp(standard, store, request(), KEY, questions, interval=None)
    before = app.sections["progress"].value
    p = store.join("DASH", XSS, XSS, XSS)
    store.save_answer(p.id, "L01", status="met")
    app.refresh()
    assert "gecc-dash-joined'>9<" in app.sections["attendance"].value
    assert app.sections["progress"].value != before
    app.show_names.value = True
    every = "".join(w.value for w in app.sections.values())
    assert "<img" not in every and "&lt;img src=x" in every


def test_dashboard_keeps_figures_and_says_so_when_the_store_fails(room, standard, monkeypatch):
    store, questions = room
    app = DashboardApp(standard, store, request(), KEY, questions, interval=None)
    shown = app.sections["factors"].value

    def broken(code):
        raise RuntimeError("database is gone")

    monkeypatch.setattr(store, "room", broken)
    app.refresh()
    assert app.sections["factors"].value == shown
    assert "อ่านข้อมูลล่าสุดไม่ได้" in app.updated.value and "gecc-error" in app.updated._dom_classes
    assert "database is gone" not in app.updated.value


def test_dashboard_export_button_offers_the_workbook(room, standard):
    from openpyxl import load_workbook

    store, questions = room
    app = DashboardApp(standard, store, request(), KEY, questions, interval=None)
    app.export_button.click()
    m = re.search(r"href='data:[^;]+;base64,([^']+)'", app.export_links.value)
    book = load_workbook(io.BytesIO(base64.b64decode(m.group(1))))
    assert "คะแนน" in book.sheetnames and len(list(book["ผู้เข้าร่วม"].values)) == 9
    assert "download='gecc-results-DASH-" in app.export_links.value
    assert "ข้อมูลส่วนบุคคล" in app.export_links.value, "the named file says it is personal data"
    # Beside it, the summary for executives: no participant is named in it.
    m = re.search(r"class='gecc-download-summary' download='gecc-summary-DASH-[^']+' href='data:[^;]+;base64,([^']+)'", app.export_links.value)
    summary = load_workbook(io.BytesIO(base64.b64decode(m.group(1))))
    cells = " ".join(str(v) for ws in summary.worksheets for row in ws.values for v in row if v is not None)
    assert "ผู้เข้าร่วม / participants" in cells
    assert not any(p.display_name in cells for p in store.participants("DASH"))


def test_consensus_view_saves_agreed_answers_scored_like_a_participant(room, standard):
    store, questions = room
    app = ConsensusApp(standard, store, request(), KEY, "โต๊ะ 1", interval=None)
    members = [p.display_name for p in store.participants("DASH") if p.table_label == "โต๊ะ 1"]
    assert len(members) == 3 and all(m in app.member_list.value for m in members)
    row = app.rows["L02"]
    for m in members:
        assert m in row.head.value  # each member's answer, side by side
    row.status.value = "partial"
    row.note.value = "ที่จอดคนพิการยังไกลทางเข้า <b>"
    agreed = store.consensus("DASH", "โต๊ะ 1")
    assert agreed["L02"].status.value == "partial" and agreed["L02"].note == "ที่จอดคนพิการยังไกลทางเข้า <b>"
    assert set(app.rows) == {c.id for c in standard.for_factor("location")}, "one factor at a time"
    for f in standard.factors:  # the table moves through the factors with the links at the top
        page = ConsensusApp(standard, store, request(), KEY, "โต๊ะ 1", interval=None, factor_id=f.id)
        for cid, row in page.rows.items():
            row.status.value = "met"
    expected = score_all(standard, store.consensus("DASH", "โต๊ะ 1"))["overall"]
    assert expected.answered == len(standard.criteria)
    assert f">{expected.percent:.0f}%<" in page.score.value
    links = re.findall(r"class='gecc-consensus-factor-link' href='([^']+)'", app.widget.children[0].value)
    assert len(links) == 3 and all("f=" in link and f"key={KEY}" in link for link in links)
    dash = DashboardApp(standard, store, request(), KEY, questions, interval=None)
    assert f"{len(standard.criteria)}/{len(standard.criteria)}" in dash.sections["tables"].value
    assert f"<b>{expected.percent:.0f}%</b>" in dash.sections["tables"].value


def test_consensus_starts_from_the_answers_the_whole_table_shares(room, standard):
    """A table clicks only where its members differ: unanimous answers are pre-selected and saved,
    split ones and ones already agreed are left to the table."""
    store, _ = room
    table = "โต๊ะ 1"
    members = [p for p in store.participants("DASH") if p.table_label == table]
    location = [c.id for c in standard.for_factor("location")]
    same, split, decided = location[0], location[1], location[2]
    for i, p in enumerate(members):
        store.save_answer(p.id, same, status="partial")
        store.save_answer(p.id, split, status="met" if i else "not_yet")
        store.save_answer(p.id, decided, status="met")
    store.save_consensus("DASH", table, decided, status="not_yet")  # the table already chose otherwise
    app = ConsensusApp(standard, store, request(), KEY, table, interval=None)
    agreed = store.consensus("DASH", table)
    assert app.rows[same].status.value == "partial" and agreed[same].status.value == "partial"
    assert "ทุกคนที่โต๊ะตอบตรงกัน" in app.rows[same].saved.value
    assert app.rows[split].status.value is None and (split not in agreed or agreed[split].status is None)
    assert app.rows[decided].status.value == "not_yet" and agreed[decided].status.value == "not_yet"
    app.rows[same].status.value = "met"  # the table can still change its mind
    assert store.consensus("DASH", table)[same].status.value == "met"
    app.refresh_members()
    assert store.consensus("DASH", table)[same].status.value == "met", "a refresh never overrides the table"


def test_consensus_failed_save_goes_back_to_what_is_stored(room, standard, monkeypatch):
    store, _ = room
    app = ConsensusApp(standard, store, request(), KEY, "โต๊ะ 2", interval=None)
    app.rows["L01"].status.value = "met"

    def fail(*a, **k):
        raise RuntimeError("locked")

    monkeypatch.setattr(store, "save_consensus", fail)
    app.rows["L01"].status.value = "not_yet"
    assert app.rows["L01"].status.value == "met"
    assert "gecc-error" in app.rows["L01"].saved._dom_classes


def test_pages_stay_small_enough_for_zeromq(room, standard):
    """Every widget is a model the browser is sent at once; past about a thousand, ZeroMQ's
    high-water mark drops messages under load and the page never finishes (seen with an
    800-model consensus view). Each page, with the most it can hold, stays well below."""
    from ipywidgets.widgets.widget import _instances  # every live widget model in this kernel

    from gecc_kit.knowledge import KnowledgeApp
    from gecc_kit.scoring import Answer, Status
    from gecc_kit.summary import SummaryApp
    from gecc_kit.widgets import AssessmentApp

    store, questions = room
    p = store.join("DASH", "ทุกข้อยังไม่ผ่าน", "", "โต๊ะ 1")
    store.save_answers(p.id, [Answer(c.id, Status.NOT_YET) for c in standard.criteria])
    for c in standard.criteria:
        store.save_plan_item(p.id, c.id, chosen=True, action="ทำ")

    def models(make):
        before = len(_instances)
        make()
        return len(_instances) - before

    r = Request("DASH", p.token, PAGE)
    counts = {
        "consensus": models(lambda: ConsensusApp(standard, store, request(), KEY, "โต๊ะ 1", interval=None)),
        "dashboard": models(lambda: DashboardApp(standard, store, request(), KEY, questions, interval=None)),
        "summary, 40 gaps all in the plan": models(lambda: SummaryApp(standard, store, p, r)),
        "assessment": models(lambda: AssessmentApp(standard, "location", store, p, "x")),
        "knowledge": models(lambda: KnowledgeApp(questions, store, p)),
    }
    assert all(n <= 450 for n in counts.values()), counts
    assert counts["consensus"] <= 100 and counts["assessment"] <= 60, counts


def test_table_picker_links_carry_each_tables_own_key(room):
    from html import unescape
    from urllib.parse import parse_qs, urlsplit

    from gecc_kit.keys import table_key

    store, _ = room
    picker = TablePicker(store, request(), KEY, "th")
    links = [unescape(link) for link in re.findall(r"href='([^']+)'", picker.widget.value)]
    assert len(links) == 3 and all("consensus.ipynb" in link and KEY not in link for link in links)
    for link in links:
        query = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
        assert query["key"] == table_key(KEY, query["w"], query["t"])


@pytest.mark.parametrize("page", [dashboard_page, consensus_page])
def test_facilitator_pages_need_the_key(page, room, standard, monkeypatch):
    store, _ = room
    monkeypatch.setenv("GECC_STORE_URL", store.url)
    monkeypatch.setenv("GECC_FACILITATOR_KEY", KEY)
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    from gecc_kit import session

    for fn in (session.open_store, session.open_standard):
        fn.cache_clear()
    for query in ("w=DASH", "w=DASH&key=", "w=DASH&key=" + "x" * 32, "w=DASH&key=" + KEY[:-1]):
        monkeypatch.setenv("QUERY_STRING", query)
        shown = page(interval=None)
        assert "วิทยากร" in shown.value and "gecc-page-message" in shown._dom_classes
    monkeypatch.setenv("QUERY_STRING", "w=DASH&key=" + KEY)
    opened = page(interval=None)
    assert isinstance(opened, (DashboardApp, TablePicker))
    monkeypatch.setenv("GECC_FACILITATOR_KEY", "")
    assert "gecc-page-message" in page(interval=None)._dom_classes, "no key configured: closed to everyone"
    session.open_store.cache_clear()
