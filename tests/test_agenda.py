"""The day's กำหนดการ (data/agenda.csv): it loads, its times add up, a broken file says where,
the notebooks state the same minutes, and the deck's agenda slide shows it."""
from __future__ import annotations

import re
import shutil
from datetime import time

import nbformat
import pytest
from bs4 import BeautifulSoup

from conftest import NOTEBOOKS, ROOT, read_rows, write_rows
from gecc_kit.agenda import KINDS, PLANS, AgendaError, agenda, agenda_html, load_agenda, minutes_for_page, slot_text
from gecc_kit.slides import SlidesError, build_slides, fill_deck

AGENDA = ROOT / "data" / "agenda.csv"
# The time line every participant notebook states: "**เวลา:** … (รวม N นาที)" (Thai only: no English gloss, issue 15).
TIME_LINE = re.compile(r"^\*\*เวลา:\*\*.*$", re.M)
TOTAL = re.compile(r"\(รวม (\d+) นาที\)\s*$")
FULL_PAGES = sorted({i.page for i in agenda("full") if i.page})


def minute(t: time) -> int:
    return t.hour * 60 + t.minute


@pytest.fixture
def agenda_copy(tmp_path):
    """A copy of the agenda that a test may break."""
    path = tmp_path / "agenda.csv"
    shutil.copy(AGENDA, path)
    return path


def test_the_agenda_loads_with_both_plans():
    """Does the kit's agenda load, with a full day and a half day of known kinds?"""
    plans = load_agenda()
    assert set(plans) == set(PLANS)
    for plan, items in plans.items():
        assert items, plan
        assert all(i.kind in KINDS and i.item_th and i.item_en for i in items), plan
        assert items[0].kind == "registration" and items[-1].kind == "closing", plan


@pytest.mark.parametrize("plan, latest", [("full", time(16, 30)), ("half", time(12, 30))])
def test_each_plans_times_add_up_and_end_in_time(plan, latest):
    """Does every item start when the one before it ends, and does the day end in time?"""
    items = agenda(plan)
    for before, after in zip(items, items[1:]):
        assert after.start == before.end, (before, after)
    assert minute(items[-1].end) - minute(items[0].start) == sum(i.minutes for i in items)
    assert items[-1].end <= latest, f"the {plan} plan ends at {items[-1].end}, after {latest}"


def test_the_consensus_round_has_its_place_and_minutes_in_both_plans():
    """Is the table-consensus round timed in both plans, and placed after the cases and before the plan?"""
    for plan in PLANS:
        items = agenda(plan)
        kinds = [i.kind for i in items]
        assert kinds.count("consensus") == 1, plan
        consensus = items[kinds.index("consensus")]
        assert consensus.minutes >= 30 and consensus.item_th == "ฉันทามติรายโต๊ะ", plan
        later = [i.page for i in items[kinds.index("consensus"):]]
        assert "05-summary.ipynb" in later, f"{plan}: the improvement plan comes after the consensus round"
    assert slot_text("consensus") == "เต็มวัน 13.50–14.30 น. (40 นาที) · ครึ่งวัน 10.35–11.15 น. (40 นาที)"


def test_the_half_day_says_the_self_assessments_are_pre_work():
    """Does the half day tell participants to do modules 01–04 before the day?"""
    half = agenda("half")
    assert not {"01-location.ipynb", "02-personnel.ipynb", "03-service.ipynb", "04-technology.ipynb"} & {i.page for i in half}
    notes = " ".join(i.note_th for i in half)
    assert "ก่อนวันอบรม" in notes and "01–04" in notes


def test_minutes_for_page_adds_the_pre_test_and_the_post_test():
    """Does the knowledge check count its pre-test and post-test rows together?"""
    assert minutes_for_page("06-knowledge-check.ipynb") == 25
    assert minutes_for_page(NOTEBOOKS / "06-knowledge-check.ipynb") == 25
    assert minutes_for_page("01-location") == 45
    assert minutes_for_page("no-such-page.ipynb") == 0


@pytest.mark.parametrize("page", FULL_PAGES)
def test_each_notebook_states_the_agendas_minutes(page):
    """Does each notebook's time line end with "(รวม N นาที)", N being its minutes in the full day?"""
    path = NOTEBOOKS / page
    assert path.is_file(), f"the agenda opens {page}, which is not in notebooks/"
    nb = nbformat.read(path, as_version=4)
    lines = [m.group(0) for c in nb.cells if c.cell_type == "markdown" for m in TIME_LINE.finditer(c.source)]
    assert len(lines) == 1, f"{page}: one '**เวลา:** …' line expected, found {len(lines)}"
    stated = TOTAL.search(lines[0])
    assert stated, f"{page}: the time line does not end with '(รวม N นาที)': {lines[0]!r}"
    assert int(stated.group(1)) == minutes_for_page(page), (
        f"{page} states {stated.group(1)} minutes; the full-day agenda gives it {minutes_for_page(page)}")


def _broken(path, row: int, column: str, value: str):
    rows = read_rows(path)
    rows[row - 1][rows[0].index(column)] = value
    write_rows(path, rows)


@pytest.mark.parametrize("column, value, message", [
    ("start", "09:10", "ends at 09:15"),        # row 4 starts while row 3 is still running
    ("start", "9.5", "not a clock time"),
    ("minutes", "ten", "not a whole number"),
    ("plan", "morning", "not a plan"),
    ("kind", "lecture", "unknown kind"),
    ("page", "../secret.ipynb", "not a notebook"),
    ("item_th", "", "empty"),
])
def test_a_malformed_agenda_names_file_row_and_column(agenda_copy, column, value, message):
    """Does a broken cell come back as one line naming the file, the row and the column?"""
    _broken(agenda_copy, 4, column, value)
    with pytest.raises(AgendaError) as err:
        load_agenda(agenda_copy)
    where = f"agenda.csv, row 4, column '{column}'"
    assert any(str(p).startswith(where) and message in str(p) for p in err.value.problems), err.value


def test_a_missing_plan_and_a_missing_column_are_named(agenda_copy, tmp_path):
    """Are a plan with no rows and a missing required column each reported?"""
    rows = read_rows(agenda_copy)
    write_rows(agenda_copy, [r for r in rows if r[0] != "half"])
    with pytest.raises(AgendaError, match=r"agenda.csv, column 'plan': no row is in the half plan"):
        load_agenda(agenda_copy)
    no_kind = tmp_path / "no-kind.csv"
    write_rows(no_kind, [[c for i, c in enumerate(r) if i != rows[0].index("kind")] for r in rows])
    with pytest.raises(AgendaError, match=r"no-kind.csv, row 1, column 'kind': this required column is missing"):
        load_agenda(no_kind)


def test_the_html_table_is_escaped_and_shows_end_times(agenda_copy):
    """Is every text escaped, and does each row show its start and end time?"""
    _broken(agenda_copy, 3, "item_th", "พิธีเปิด <script>alert(1)</script> & ต้อนรับ")
    table = agenda_html("full", path=agenda_copy)
    assert "<script>" not in table and "&lt;script&gt;" in table and "&amp; ต้อนรับ" in table
    soup = BeautifulSoup(table, "html.parser")
    rows = soup.select("tbody tr")
    assert len(rows) == len(agenda("full"))
    assert rows[0].select_one(".gecc-agenda-time").get_text() == "08.30–09.00 น."
    assert rows[-1].select_one(".gecc-agenda-time").get_text() == "15.35–16.00 น."
    assert "\n\n" not in table, "no blank line: the table sits inside a Markdown cell"
    english = agenda_html("half", lang="en", caption=True)
    assert "<caption>Agenda (Half day, 08:30–12:00)</caption>" in english and "Table consensus" in english


@pytest.fixture(scope="module")
def built_deck(tmp_path_factory):
    out = tmp_path_factory.mktemp("slides")
    [deck] = build_slides(out)
    return BeautifulSoup(deck.read_text(encoding="utf-8"), "html.parser")


def test_the_agenda_slide_shows_every_item_of_the_full_plan(built_deck):
    """Does the deck's กำหนดการ slide list every full-day item with its times, from the data file?"""
    slides = [s for s in built_deck.find_all("section") if not s.find("section")]  # a stack's own slides
    sections = [s for s in slides if s.find("h2") and "กำหนดการ" in s.find("h2").get_text()]
    assert len(sections) == 1, "one กำหนดการ slide"
    table = sections[0].find("table", attrs={"data-plan": "full"})
    shown = [(r.select_one(".gecc-agenda-time").get_text(), r.select_one(".gecc-agenda-item").contents[0].strip())
             for r in table.select("tbody tr")]
    assert shown == [(i.time_text(), i.item_th) for i in agenda("full")]
    half = built_deck.find("table", attrs={"data-plan": "half"})
    assert half is not None and len(half.select("tbody tr")) == len(agenda("half")), "the half day on the slide below"
    text = built_deck.get_text()
    assert "gecc:" not in str(built_deck), "every placeholder filled"
    assert "13.50–14.30 น." in text and "09.45–10.30 น." in text, "the consensus slide and the notes carry their slots"


def test_the_join_slide_takes_the_link_or_shows_a_placeholder(built_deck):
    """Without a link the join slide asks the facilitator for one; with one it shows it and its QR code."""
    assert "gecc-kit serve" in built_deck.find(class_="gecc-join-missing").get_text()
    nb = nbformat.read(ROOT / "slides" / "gecc-workshop.ipynb", as_version=4)
    link = "https://gecc.example.go.th/voila/render/00-welcome.ipynb?w=MOI-68"
    filled = "\n".join(c.source for c in fill_deck(nb, join_url=link).cells)
    assert f'<p class="gecc-join-link">{link}</p>' in filled and 'src="data:image/svg+xml' in filled
    assert all(not c.get("outputs") for c in nb.cells), "the deck is committed without outputs"
    for bad in ("javascript:alert(1)", "gecc.example.go.th/x", 'https://x/"><script>'):
        with pytest.raises(SlidesError, match="not an http"):
            fill_deck(nb, join_url=bad)


def test_a_placeholder_typo_names_the_cell():
    """Does a misspelt placeholder stop the build with the cell it is in?"""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("## กำหนดการ\n\n<!-- gecc:agenda ful -->")])
    with pytest.raises(SlidesError, match=r"cell 1 \(## กำหนดการ\): unknown placeholder"):
        fill_deck(nb)
