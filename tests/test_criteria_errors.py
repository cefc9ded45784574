"""Criteria mistakes a Thai author makes in Excel (issue 14, item 5): each one comes back
as a message in Thai with the English after it, naming the file, the row (header = row 1)
and the column, with the most useful message first. Every test writes a real CSV or XLSX."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from gecc_kit import CriteriaError, load_standard
from gecc_kit.cli import main
from conftest import read_rows, write_rows

SUFFIXES = {"criteria": ".csv", "levels": ".levels.csv", "meta": ".meta.csv"}


def problems_of(path):
    with pytest.raises(CriteriaError) as info:
        load_standard(path)
    return info.value.problems


def thai_then_english(problem) -> tuple[str, str]:
    """The two halves of a problem as printed: Thai first, then English."""
    thai, english = str(problem).split(" / ", 1)
    return thai, english


def validate(path, capsys) -> tuple[int, str, str]:
    code = main(["validate", str(path)])
    out, err = capsys.readouterr()
    return code, out, err


def sample_rows(sample_copy, key):
    return read_rows(sample_copy.with_name("criteria-2568" + SUFFIXES[key]))


def workbook(tmp_path, sample_copy, names=None, rows=None) -> Path:
    """The sample as one XLSX workbook; ``names`` renames sheets, ``rows`` replaces a sheet's rows."""
    names, rows = names or {}, rows or {}
    book = openpyxl.Workbook()
    for i, key in enumerate(SUFFIXES):
        sheet = book.active if i == 0 else book.create_sheet()
        sheet.title = names.get(key, key)
        for row in rows.get(key) or sample_rows(sample_copy, key):
            sheet.append(row)
    path = tmp_path / "criteria.xlsx"
    book.save(path)
    return path


# --- a title row above the header ------------------------------------------------------

def test_a_title_row_is_named_in_one_message_and_the_rest_is_still_checked(sample_copy, capsys):
    """A title typed above the header gives one message saying which row to delete, not 300;
    a real mistake further down is still found, on the row the spreadsheet shows."""
    rows = sample_rows(sample_copy, "criteria")
    rows[4][rows[0].index("weight")] = "หนัก"  # row 5 of the file as it was, row 6 under the title
    write_rows(sample_copy, [["เกณฑ์ศูนย์ราชการสะดวกของจังหวัด ปี 2568"]] + rows)
    problems = problems_of(sample_copy)
    assert len(problems) == 2, problems
    thai, english = thai_then_english(problems[0])
    assert thai == ("criteria-2568.csv แถว 1: แถวนี้ดูเหมือนเป็นชื่อเรื่อง แถวหัวตาราง (ชื่อคอลัมน์) อยู่ที่แถว 2: "
                    "ลบแถว 1 ให้ชื่อคอลัมน์อยู่ในแถว 1")
    assert english.startswith("criteria-2568.csv, row 1: this row looks like a title; the header is on row 2: delete row 1")
    assert (problems[1].row, problems[1].column) == (6, "weight")
    assert str(problems[1]).startswith("criteria-2568.csv แถว 6 คอลัมน์ weight: 'หนัก' ไม่ใช่ตัวเลข")

    code, _, err = validate(sample_copy, capsys)
    lines = err.splitlines()
    assert code == 1 and len(lines) == 5  # the count, then two problems of two lines each
    assert "แถวนี้ดูเหมือนเป็นชื่อเรื่อง" in lines[1] and "looks like a title" in lines[2]


def test_two_title_rows_above_a_levels_sheet(tmp_path, sample_copy):
    """In a workbook, a title and a blank line above the levels header: delete rows 1 to 2."""
    levels = [["ระดับการรับรอง"], []] + sample_rows(sample_copy, "levels")
    path = workbook(tmp_path, sample_copy, rows={"levels": levels})
    problems = problems_of(path)
    assert len(problems) == 1, problems
    thai, english = thai_then_english(problems[0])
    assert thai.startswith("criteria.xlsx ชีต 'levels' แถว 1: แถว 1 ถึง 2 ดูเหมือนเป็นชื่อเรื่อง แถวหัวตาราง (ชื่อคอลัมน์) อยู่ที่แถว 3: ลบแถว 1 ถึง 2")
    assert english.startswith("criteria.xlsx, sheet 'levels', row 1: rows 1 to 2 look like a title; the header is on row 3")


# --- the most useful first, a flood cut short --------------------------------------------

def test_structural_problems_come_first_and_a_flood_is_counted(sample_copy, capsys):
    """40 rows with the same mistake and a missing levels file: the missing file is said first,
    then five of the 40 and 'and 35 more of the same kind'."""
    rows = sample_rows(sample_copy, "criteria")
    for row in rows[1:]:
        row[rows[0].index("mandatory")] = "ต้องมี"
    write_rows(sample_copy, rows)
    sample_copy.with_name("criteria-2568.levels.csv").unlink()
    code, _, err = validate(sample_copy, capsys)
    lines = err.splitlines()
    assert code == 1
    assert lines[0] == f"{sample_copy}: ต้องแก้ 41 ปัญหา / 41 problem(s) to fix:"
    assert lines[1].startswith("  - criteria-2568.levels.csv: ไม่พบไฟล์ระดับ")
    assert lines[3].startswith("  - criteria-2568.csv แถว 2 คอลัมน์ mandatory: 'ต้องมี' ไม่ใช่ yes หรือ no")
    assert lines[4].startswith("    criteria-2568.csv, row 2, column 'mandatory': 'ต้องมี' is not yes or no")
    assert "แถว 6 คอลัมน์ mandatory" in lines[11] and "แถว 7" not in err
    assert lines[13:] == [
        "  - criteria-2568.csv คอลัมน์ mandatory: และอีก 35 รายการที่เป็นปัญหาแบบเดียวกัน",
        "    criteria-2568.csv, column 'mandatory': and 35 more of the same kind.",
    ]


# --- invisible characters ------------------------------------------------------------

@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00a0", "\u202f"])
def test_zero_width_and_non_breaking_spaces_are_removed(sample_copy, capsys, invisible):
    """'yes' followed by a zero-width or non-breaking space (pasted from a web page or LINE) is yes."""
    rows = sample_rows(sample_copy, "criteria")
    header = rows[0]
    rows[4][header.index("mandatory")] = "yes" + invisible
    rows[4][header.index("weight")] = invisible + "2"
    rows[4][header.index("id")] = "L04" + invisible
    header[header.index("factor")] = "factor" + invisible
    write_rows(sample_copy, rows)
    code, out, _ = validate(sample_copy, capsys)
    assert code == 0 and "criteria-2568.csv: OK" in out
    criterion = load_standard(sample_copy).criterion("L04")
    assert criterion.mandatory and criterion.weight == 2 and criterion.factor == "location"


def test_another_invisible_character_is_shown_in_the_message(sample_copy):
    """A soft hyphen is not removed (it is not one of the spaces), but the message shows it."""
    rows = sample_rows(sample_copy, "criteria")
    rows[4][rows[0].index("mandatory")] = "yes\u00ad"
    write_rows(sample_copy, rows)
    [problem] = problems_of(sample_copy)
    assert (problem.row, problem.column) == (5, "mandatory")
    assert str(problem).startswith("criteria-2568.csv แถว 5 คอลัมน์ mandatory: 'yes<U+00AD>' ไม่ใช่ yes หรือ no")


# --- Thai Windows-874 (TIS-620) CSV --------------------------------------------------------

def test_a_csv_saved_by_older_thai_excel_is_read(sample_copy, capsys):
    """A CSV in Windows-874 (older Thai Excel's 'CSV (Comma delimited)') loads with its Thai intact,
    and validate says how to save it as UTF-8 next time."""
    expected = load_standard(sample_copy)
    for key in SUFFIXES:
        write_rows(sample_copy.with_name("criteria-2568" + SUFFIXES[key]), sample_rows(sample_copy, key), encoding="cp874")
    raw = sample_copy.read_bytes()
    assert "ศูนย์ราชการสะดวก".encode("cp874") in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    standard = load_standard(sample_copy)
    assert standard.criteria == expected.criteria and standard.levels == expected.levels
    assert standard.title_th == expected.title_th
    code, out, err = validate(sample_copy, capsys)
    assert code == 0 and "criteria-2568.csv: OK" in out
    assert "criteria-2568.csv: อ่านเป็นภาษาไทยแบบ Windows-874 (TIS-620)" in err
    assert "CSV UTF-8" in err


# --- a sheet with another name --------------------------------------------------------------

@pytest.mark.parametrize("name", ["Meta info", "ข้อมูล"])
def test_a_renamed_meta_sheet_is_reported_with_the_names_expected(tmp_path, sample_copy, name):
    """A meta sheet renamed in Excel is not silently ignored: the message says to rename it to 'meta'."""
    path = workbook(tmp_path, sample_copy, names={"meta": name})
    [problem] = problems_of(path)
    assert (problem.file, problem.row, problem.column) == ("criteria.xlsx", None, None)
    thai, english = thai_then_english(problem)
    assert thai == (f"criteria.xlsx: ชีต '{name}' มีชื่อที่ไม่รู้จัก จึงไม่ถูกอ่าน: เปลี่ยนชื่อชีตเป็น 'meta' "
                    "(ชื่อชีตที่ใช้ได้: 'criteria', 'levels', 'meta') หรือลบชีตนี้")
    assert english.startswith(f"criteria.xlsx: the sheet '{name}' has an unknown name, so it is not read: rename it to 'meta'")


def test_a_first_sheet_with_any_name_is_the_criteria_and_empty_extra_sheets_are_fine(tmp_path, sample_copy):
    """Excel's default 'Sheet1' holding the criteria still works, and an empty 'Sheet2' is no problem."""
    path = workbook(tmp_path, sample_copy, names={"criteria": "Sheet1"})
    book = openpyxl.load_workbook(path)
    book.create_sheet("Sheet2")
    book.save(path)
    assert len(load_standard(path).criteria) == 40


# --- thresholds typed as fractions -------------------------------------------------------------

def _fraction_levels(sample_copy):
    rows = sample_rows(sample_copy, "levels")
    column = rows[0].index("min_percent")
    for row, value in zip(rows[1:], (0.6, 0.75, 0.9)):
        row[column] = value
    return rows


def test_thresholds_typed_as_fractions_in_a_csv(sample_copy):
    """0.6, 0.75 and 0.9 would mean 0.6 %: each row is named with the number to type instead."""
    write_rows(sample_copy.with_name("criteria-2568.levels.csv"), _fraction_levels(sample_copy))
    problems = problems_of(sample_copy)
    assert [(p.file, p.row, p.column) for p in problems] == [("criteria-2568.levels.csv", r, "min_percent") for r in (2, 3, 4)]
    thai, english = thai_then_english(problems[0])
    assert thai.startswith("criteria-2568.levels.csv แถว 2 คอลัมน์ min_percent: 0.6 หมายถึง 0.6 %")
    assert thai.endswith("ถ้าหมายถึง 60 % ให้พิมพ์ 60")
    assert english.startswith("criteria-2568.levels.csv, row 2, column 'min_percent': 0.6 means 0.6 %")
    assert english.endswith("for 60 % type 60.")
    assert "ให้พิมพ์ 75" in str(problems[1])


def test_thresholds_in_plain_xlsx_cells(tmp_path, sample_copy):
    """The same in a workbook whose cells are plain numbers, not formatted as percent."""
    path = workbook(tmp_path, sample_copy, rows={"levels": _fraction_levels(sample_copy)})
    problems = problems_of(path)
    assert [(p.row, p.column) for p in problems] == [(2, "min_percent"), (3, "min_percent"), (4, "min_percent")]
    assert str(problems[2]).startswith("criteria.xlsx ชีต 'levels' แถว 4 คอลัมน์ min_percent: 0.9 หมายถึง 0.9 %")
    assert "ให้พิมพ์ 90" in str(problems[2])


# --- ids that spreadsheets turn into dates ------------------------------------------------------

@pytest.mark.parametrize("value, becomes", [("1-1", "วันที่"), ("3-12", "วันที่"), ("Jan1", "วันที่"), ("1E5", "ตัวเลข"), ("01", "ตัวเลข")])
def test_an_id_excel_turns_into_a_date_is_a_warning_with_a_better_id(sample_copy, capsys, value, becomes):
    """The file is still accepted (exit 0), but validate warns on that row and suggests L01."""
    rows = sample_rows(sample_copy, "criteria")
    rows[1][0] = value
    write_rows(sample_copy, rows)
    standard = load_standard(sample_copy)
    assert value in standard
    [warning] = standard.warnings
    assert (warning.row, warning.column) == (2, "id")
    thai, english = thai_then_english(warning)
    assert thai.startswith(f"criteria-2568.csv แถว 2 คอลัมน์ id: Excel และโปรแกรมตารางคำนวณอื่นจะเปลี่ยนรหัส '{value}' เป็น{becomes}")
    assert thai.endswith("ใช้รหัสที่ขึ้นต้นด้วยตัวอักษร เช่น L01")
    assert english.endswith("use an id that starts with a letter, such as L01.")
    code, out, err = validate(sample_copy, capsys)
    assert code == 0 and "criteria-2568.csv: OK" in out
    assert "ข้อควรระวัง 1 ข้อ (ไฟล์ยังใช้ได้) / 1 warning(s)" in err
    assert f"criteria-2568.csv แถว 2 คอลัมน์ id: Excel และโปรแกรมตารางคำนวณอื่นจะเปลี่ยนรหัส '{value}'" in err


def test_the_suggested_id_follows_the_factor_and_the_row(sample_copy):
    """Ids 1-1, 1-2 ... of the personnel factor get P01, P02 ... as suggestions."""
    rows = sample_rows(sample_copy, "criteria")
    personnel = [r for r in rows[1:] if r[1] == "personnel"]
    for n, row in enumerate(personnel[:2], start=1):
        row[0] = f"2-{n}"
    write_rows(sample_copy, rows)
    warnings = load_standard(sample_copy).warnings
    assert [(w.row, w.message.rsplit(" ", 1)[-1]) for w in warnings] == [(12, "P01."), (13, "P02.")]


def test_an_id_with_a_slash_is_refused_and_says_it_would_become_a_date(sample_copy):
    rows = sample_rows(sample_copy, "criteria")
    rows[2][0] = "1/2"
    write_rows(sample_copy, rows)
    [problem] = problems_of(sample_copy)
    assert (problem.row, problem.column) == (3, "id")
    assert str(problem).startswith("criteria-2568.csv แถว 3 คอลัมน์ id: รหัส '1/2' ใช้ได้เฉพาะตัวอักษรอังกฤษ ตัวเลข - และ _")
    assert "(โปรแกรมตารางคำนวณจะเปลี่ยนรหัสนี้เป็นวันที่ด้วย)" in str(problem)


def test_an_id_already_turned_into_a_date_in_a_workbook(tmp_path, sample_copy):
    """1-1 typed into an Excel cell is stored as a date: the row is named with what to do."""
    rows = sample_rows(sample_copy, "criteria")
    rows[1][0] = dt.datetime(2025, 1, 1)
    path = workbook(tmp_path, sample_copy, rows={"criteria": rows})
    [problem] = problems_of(path)
    assert (problem.file, problem.row, problem.column) == ("criteria.xlsx, sheet 'criteria'", 2, "id")
    thai, english = thai_then_english(problem)
    assert thai == ("criteria.xlsx ชีต 'criteria' แถว 2 คอลัมน์ id: โปรแกรมตารางคำนวณเปลี่ยนรหัสในช่องนี้เป็นวันที่ (2025-01-01) แล้ว: "
                    "ตั้งรูปแบบคอลัมน์ id เป็นข้อความ (Text) แล้วพิมพ์รหัสที่ขึ้นต้นด้วยตัวอักษร เช่น L01")
    assert english.startswith("criteria.xlsx, sheet 'criteria', row 2, column 'id': the spreadsheet has turned this id into a date (2025-01-01)")
