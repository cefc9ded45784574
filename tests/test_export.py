"""`gecc-kit export` and `gecc-kit workshop list|delete`: the files are opened and read back."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from gecc_kit.cli import main
from gecc_kit.export import BANGKOK, looks_like_formula, results_tables, results_xlsx, summary_tables, write_csv
from gecc_kit.practice import seed_demo
from gecc_kit.room import participant_numbers
from gecc_kit.quiz import load_questions
from gecc_kit.scoring import score_all
from gecc_kit.store import Store

FORMULA = '=HYPERLINK("http://evil.example","คลิก")'


@pytest.fixture
def room(store, standard):
    seed_demo(store, "EXP", standard, load_questions())
    people = store.participants("EXP")
    first = people[0]
    store.save_plan_item(first.id, "S04", action=FORMULA, owner="หัวหน้าศูนย์ <script>", due=date(2027, 1, 15), indicator="แจ้งครบทุกราย")
    store.save_plan_item(first.id, "T04", chosen=False, action="ไม่อยู่ในแผนแล้ว")
    store.save_consensus("EXP", "โต๊ะ 1", "L01", status="met", note="+เห็นตรงกัน")
    store.save_consensus("EXP", "โต๊ะ 1", "L02", status="partial")
    store.ensure_workshop("OTHER")
    store.join("OTHER", "คนอื่น", "", "")
    return store, people


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_export_xlsx_holds_every_sheet_with_thai_intact(room, standard, tmp_path, capsys):
    store, people = room
    out = tmp_path / "results.xlsx"
    code, text, _ = run(capsys, "export", "--workshop", "exp", "--out", str(out), "--store", store.url)
    assert code == 0 and "8 participants" in text
    book = load_workbook(out)
    assert book.sheetnames == ["เกี่ยวกับไฟล์", "ผู้เข้าร่วม", "คำตอบ", "คะแนน", "แผนพัฒนา", "แบบทดสอบความรู้",
                               "ฉันทามติรายโต๊ะ", "คะแนนฉันทามติ"]

    sheet = book["ผู้เข้าร่วม"]
    rows = list(sheet.values)
    assert rows[0][:4] == ("ลำดับ / no.", "ชื่อที่แสดง / display name", "หน่วยงาน / office", "โต๊ะ / table")
    assert [r[1] for r in rows[1:]] == [p.display_name for p in people]
    assert all(p.token not in str(rows) for p in people), "personal links are never exported"

    answers = list(book["คำตอบ"].values)[1:]
    assert len(answers) == sum(len(store.answers(p.id)) for p in people) == 320
    assert {r[1] for r in answers} == {p.display_name for p in people}

    scores = {(r[0], r[5]): r[6] for r in list(book["คะแนน"].values)[1:]}
    for i, p in enumerate(people, start=1):
        expected = score_all(standard, store.answers(p.id))
        for key in ("location", "personnel", "service", "technology", "overall"):
            assert scores[(f"P{i:02d}", key)] == pytest.approx(round(expected[key].percent, 1))

    plan = list(book["แผนพัฒนา"].values)
    assert len(plan) == 2, "only items still in the plan"
    assert plan[1][4] == FORMULA and plan[1][5] == "หัวหน้าศูนย์ <script>" and plan[1][7] == "15 ม.ค. 2570"
    cell = book["แผนพัฒนา"]["E2"]
    assert cell.data_type == "s", "a typed formula stays text"

    knowledge = list(book["แบบทดสอบความรู้"].values)[1:]
    assert len(knowledge) == 8 and all(r[8] is not None for r in knowledge)

    consensus = list(book["ฉันทามติรายโต๊ะ"].values)[1:]
    assert [(r[0], r[1], r[5]) for r in consensus] == [("โต๊ะ 1", "L01", "met"), ("โต๊ะ 1", "L02", "partial")]
    table_scores = {r[2]: r[3] for r in list(book["คะแนนฉันทามติ"].values)[1:]}
    assert table_scores["overall"] == pytest.approx(round(score_all(standard, store.consensus("EXP", "โต๊ะ 1"))["overall"].percent, 1))
    about = dict(list(book["เกี่ยวกับไฟล์"].values)[1:])
    assert about["รหัสการอบรม / workshop"] == "EXP" and "ตัวอย่าง" in about["หมายเหตุ / note"]
    # The file says what it is: personal data, for the facilitator, with the summary for executives.
    assert "ข้อมูลส่วนบุคคล" in about["ข้อมูลส่วนบุคคล / personal data"] and "--summary" in about["ข้อมูลส่วนบุคคล / personal data"]
    assert "Personal data" in text and "--summary" in text


def test_the_summary_for_executives_holds_no_names_and_hides_small_groups(room, standard, tmp_path, capsys):
    """`gecc-kit export --summary`: the room's figures for people who were not there. No display
    name, office of fewer than 3, personal note or individual answer is in it; an office of 3
    gets its line; a table of 2 is hidden."""
    store, people = room
    trio = [store.join("EXP", f"สมาชิกสำนักงาน {i}", "สำนักงานทดลองสาม", "") for i in range(3)]
    for i, p in enumerate(trio):
        store.save_answer(p.id, "L01", status=("met", "partial", "not_yet")[i], note=f"บันทึกส่วนตัว {i}")
    out = tmp_path / "summary.xlsx"
    code, text, _ = run(capsys, "export", "--workshop", "EXP", "--summary", "--out", str(out), "--store", store.url)
    assert code == 0 and "executives" in text
    book = load_workbook(out)
    everything = " ".join(str(v) for ws in book.worksheets for row in ws.values for v in row if v is not None)
    for p in [*people, *trio]:
        assert p.display_name not in everything, f"{p.display_name} is named in the summary"
        assert p.token not in everything
    assert "บันทึกส่วนตัว" not in everything and FORMULA not in everything, "no participant's typed text"
    small_offices = {p.office for p in people if p.office} - {"สำนักงานทดลองสาม"}
    assert small_offices and not any(o in everything for o in small_offices), "offices of 1 or 2 are not named"
    offices = {r[0]: r for r in list(book["ตามหน่วยงาน"].values)[1:]}
    assert offices["สำนักงานทดลองสาม"][1] == 3 and isinstance(offices["สำนักงานทดลองสาม"][2], float)
    criteria = {r[0]: r for r in list(book["รายเกณฑ์"].values)[1:]}
    assert criteria["L01"][4] == len(people) + 3
    tables = {r[0]: r for r in list(book["ฉันทามติรายโต๊ะ"].values)[1:]}
    small = [t for t, r in tables.items() if r[1] < 3]
    assert small and all("ไม่แสดง" in str(tables[t][-1]) for t in small)
    about = dict(list(book["เกี่ยวกับไฟล์"].values)[1:])
    assert "ไม่มีชื่อ" in about["ความเป็นส่วนตัว / privacy"]


def test_export_csv_is_one_file_per_sheet_readable_by_spreadsheets(room, tmp_path, capsys):
    store, people = room
    folder = tmp_path / "csv"
    code, text, _ = run(capsys, "export", "--workshop", "EXP", "--out", str(folder), "--format", "csv", "--store", store.url)
    assert code == 0
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(f"{n}.csv" for n in ("about", "participants", "answers", "scores", "plans", "knowledge", "consensus", "consensus_scores"))
    raw = (folder / "plans.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "a byte-order mark, so Excel reads Thai as Thai"
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][4] == "สิ่งที่จะทำ / action"
    assert rows[1][4] == "'" + FORMULA, "a typed formula is not run by a spreadsheet"
    consensus = list(csv.reader(io.StringIO((folder / "consensus.csv").read_text(encoding="utf-8-sig"))))
    assert consensus[1][6] == "+เห็นตรงกัน", "ordinary text that starts with + is left alone"
    participants = list(csv.reader(io.StringIO((folder / "participants.csv").read_text(encoding="utf-8-sig"))))
    assert [r[1] for r in participants[1:]] == [p.display_name for p in people]


@pytest.mark.parametrize("out, fmt", [("results.csv", None), ("results.txt", None), ("results.xlsx", "csv"), ("results", "xlsx")])
def test_export_refuses_a_name_that_does_not_match_the_format(room, tmp_path, capsys, out, fmt):
    store, _ = room
    code, _, err = run(capsys, "export", "--workshop", "EXP", "--out", str(tmp_path / out), "--store", store.url,
                       *(["--format", fmt] if fmt else []))
    assert code == 2 and "--out" in err and "Traceback" not in err
    assert not (tmp_path / out).exists()


def test_csv_neutralises_a_leading_tab_or_carriage_return(store, tmp_path, capsys):
    store.ensure_workshop("TAB")
    p = store.join("TAB", "\t=1+1", "\r=2+2", "")  # names lose control characters when kept
    store.save_answer(p.id, "L01", status="met", note="\t=3+3")  # notes are kept as typed
    code, _, _ = run(capsys, "export", "--workshop", "TAB", "--out", str(tmp_path / "csv"), "--store", store.url)
    with open(tmp_path / "csv" / "participants.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert code == 0 and rows[1][1] == "'=1+1" and rows[1][2] == "'=2+2"
    with open(tmp_path / "csv" / "answers.csv", encoding="utf-8-sig", newline="") as f:
        notes = [cell for row in csv.reader(f) for cell in row if "3+3" in cell]
    assert notes == ["'\t=3+3"]


@pytest.mark.parametrize("text", ["- ทำแล้ว", "+66 2 123 4567", "-5", "-10%", "+เห็นตรงกัน", "@home", "- จัดอบรม (2 ครั้ง)",
                                  "- ทำแล้ว 1-2 สัปดาห์", "-A1", "", "-"])
def test_csv_leaves_ordinary_text_alone(text):
    assert not looks_like_formula(text)


@pytest.mark.parametrize("text", [FORMULA, "=1+1", "+SUM(A1)", "-2+3", "+A1*2", "+66-2-123-4567", "@SUM(1+1)*cmd|' /C calc'!A0",
                                  "-cmd|' /C calc'!A0", "+Sheet2!A1", "- see note(2)", "\t=3+3", "  =1", "\r\n-2+3"])
def test_csv_neutralises_what_a_spreadsheet_would_run(text):
    assert looks_like_formula(text)


def test_participant_numbers_sort_as_text():
    def people(n):
        return [SimpleNamespace(id=100 + i) for i in range(n)]

    numbers = list(participant_numbers(people(11)).values())
    assert numbers[0] == "P01" and numbers[10] == "P11" and sorted(numbers) == numbers
    numbers = list(participant_numbers(people(120)).values())
    assert numbers[0] == "P001" and numbers[99] == "P100" and sorted(numbers) == numbers


def test_timestamps_are_thai_local_time_and_every_sheet_prints_on_a4(room, standard, tmp_path):
    """Typed values for tables (gecc_kit.results): timestamps timezone-aware in Asia/Bangkok; in the
    workbook naive Bangkok dates with the Buddhist year; every sheet set up to print."""
    store, people = room
    data = store.room("EXP")
    data.joined_at[people[0].id] = datetime(2026, 11, 25, 2, 30, tzinfo=timezone.utc)
    data.active_at[people[0].id] = datetime(2026, 11, 25, 17, 45)  # naive: UTC, as SQLite may give it back
    sheets = results_tables(standard, data, load_questions(), exported_at=datetime(2026, 11, 25, 3, 0, tzinfo=timezone.utc))
    participants = next(s for s in sheets if s.name == "participants")
    joined, active = participants.rows[0][4:6]
    assert joined == datetime(2026, 11, 25, 9, 30, tzinfo=BANGKOK) and joined.utcoffset() == timedelta(hours=7)
    assert active == datetime(2026, 11, 26, 0, 45, tzinfo=BANGKOK), "17:45 UTC is the next day in Bangkok"
    assert all("Bangkok time" in h for h in participants.headers[4:6])
    assert participants.rows[0][0] == "P01"
    plans = next(s for s in sheets if s.name == "plans")
    assert plans.rows[0][6] == date(2027, 1, 15)

    book = load_workbook(io.BytesIO(results_xlsx(sheets)))
    cell = book["ผู้เข้าร่วม"]["E2"]
    assert cell.value == datetime(2026, 11, 25, 9, 30) and cell.number_format == "[$-107041E]d mmm yyyy hh:mm"
    exported = dict(list(book["เกี่ยวกับไฟล์"].values)[1:])["ส่งออกเมื่อ / exported at (เวลาประเทศไทย / Bangkok time)"]
    assert exported == datetime(2026, 11, 25, 10, 0)
    due = book["แผนพัฒนา"]["G2"]
    assert due.value.date() == date(2027, 1, 15) and due.number_format == "[$-107041E]d/mm/yyyy"
    summary = load_workbook(io.BytesIO(results_xlsx(summary_tables(standard, data, load_questions()))))
    for ws in [*book.worksheets, *summary.worksheets]:
        setup = ws.page_setup
        assert (setup.orientation, int(setup.paperSize), setup.fitToWidth, setup.fitToHeight) == ("landscape", 9, 1, 0), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$1:$1", ws.title
        assert ws["A1"].font.b and ws["A1"].alignment.wrap_text, ws.title
        widths = [ws.column_dimensions[c].width for c in ws.column_dimensions]
        assert sum(widths) <= 150, f"{ws.title}: {sum(widths)} columns wide"
        assert all(ws.row_dimensions[r].height for r in range(1, ws.max_row + 1)), f"{ws.title}: a row without its height"
    # A long criterion title wraps onto a taller row than a short one.
    answers = book["คำตอบ"]
    assert max(answers.row_dimensions[r].height for r in range(2, answers.max_row + 1)) >= 3 * 15

    write_csv(sheets, tmp_path / "csv")
    with open(tmp_path / "csv" / "participants.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[1][4:6] == ["2026-11-25 09:30:00", "2026-11-26 00:45:00"]


def test_export_of_an_unknown_workshop_is_one_clear_line(store, tmp_path, capsys):
    code, _, err = run(capsys, "export", "--workshop", "NOPE", "--out", str(tmp_path / "x.xlsx"), "--store", store.url)
    assert code == 2 and "NOPE" in err and "Traceback" not in err
    assert not (tmp_path / "x.xlsx").exists()


def test_workshop_list_and_delete_with_confirmation(room, capsys, monkeypatch):
    store, people = room
    code, text, _ = run(capsys, "workshop", "list", "--store", store.url)
    lines = text.splitlines()
    assert code == 0 and lines[0].startswith("code")
    exp = next(line for line in lines if line.startswith("EXP"))
    assert " 8 " in exp and "/25" in exp  # 8 participants, Buddhist-era year (25xx)
    assert any(line.startswith("OTHER") for line in lines)

    monkeypatch.setattr("sys.stdin", io.StringIO("wrong\n"))
    code, text, err = run(capsys, "workshop", "delete", "EXP", "--store", store.url)
    assert code == 1 and "Not deleted" in err and "8 participants" in text
    assert len(store.participants("EXP")) == 8

    monkeypatch.setattr("sys.stdin", io.StringIO("exp\n"))
    code, text, _ = run(capsys, "workshop", "delete", "EXP", "--store", store.url)
    assert code == 0 and "Deleted workshop EXP (8 participants)" in text
    from sqlalchemy import func, select

    from gecc_kit.store import answers, consensus_answers, plan_items, quiz_answers

    with store.engine.connect() as conn:
        for table in (answers, plan_items, quiz_answers, consensus_answers):
            assert conn.execute(select(func.count()).select_from(table)).scalar() == 0, table.name
    code, text, _ = run(capsys, "workshop", "list", "--store", store.url)
    assert "EXP" not in text and "OTHER" in text, "other workshops in the same store are untouched"
    assert len(store.participants("OTHER")) == 1

    code, _, err = run(capsys, "workshop", "delete", "OTHER", "--yes", "--store", store.url)
    assert code == 0 and store.workshop_list() == []


def test_schema_2_store_gains_consensus_in_place(tmp_path):
    """A store written before table consensus (schema 2) opens, keeps its answers and can take a consensus."""
    from sqlalchemy import create_engine

    from gecc_kit.store import metadata, schema_info

    url = "sqlite:///" + str(tmp_path / "old.sqlite")
    old = Store(url)
    ws = old.ensure_workshop("OLD")
    p = old.join("OLD", "ก", "", "โต๊ะ 1")
    old.save_answer(p.id, "L01", status="met")
    old.close()
    engine = create_engine(url)
    with engine.begin() as conn:
        metadata.tables["consensus_answers"].drop(conn)
        conn.execute(schema_info.update().values(version=2))
    engine.dispose()
    store = Store(url)
    assert store.schema_version() == 3
    assert store.answers(p.id)["L01"].status.value == "met"
    store.save_consensus(ws.code, "โต๊ะ 1", "L01", status="partial")
    assert store.consensus("OLD", "โต๊ะ 1")["L01"].status.value == "partial"
