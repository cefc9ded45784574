"""Criteria as data: does the sample load, and does every mistake a facilitator
can make in the spreadsheet get one clear problem naming file, row and column?"""
from __future__ import annotations

import openpyxl
import pytest

from gecc_kit import FACTORS, CriteriaError, load_standard
from conftest import SAMPLE_CRITERIA, read_rows, write_rows


def problems_of(path):
    with pytest.raises(CriteriaError) as info:
        load_standard(path)
    return info.value.problems


def edit_cell(path, row, column, value):
    """Set one cell (row as a spreadsheet counts it, header = 1) of a CSV file."""
    rows = read_rows(path)
    rows[row - 1][rows[0].index(column)] = value
    write_rows(path, rows)


def test_sample_loads_with_four_factors_of_8_to_12_criteria():
    """Does the shipped sample load, with every factor holding 8 to 12 criteria?"""
    s = load_standard(SAMPLE_CRITERIA)
    assert [f.id for f in s.factors] == ["location", "personnel", "service", "technology"]
    for f in FACTORS:
        assert 8 <= len(s.for_factor(f.id)) <= 12
    assert s.illustrative and "ตัวอย่าง" in s.notice_th
    assert s.fiscal_year == 2568
    assert [lv.name_th for lv in s.levels] == ["ระดับพื้นฐาน", "ระดับก้าวหน้า", "ระดับเป็นเลิศ"]
    assert all(c.title_th and c.title_en for c in s.criteria)
    assert any(c.act_ref for c in s.criteria)


def test_sample_is_utf8_with_bom_so_excel_keeps_thai():
    """Does the sample start with a UTF-8 BOM, which Excel needs to show Thai?"""
    assert SAMPLE_CRITERIA.read_bytes().startswith(b"\xef\xbb\xbf")


def test_file_without_bom_loads_too(sample_copy):
    """Is a UTF-8 file without a BOM accepted as well?"""
    write_rows(sample_copy, read_rows(sample_copy), encoding="utf-8")
    assert len(load_standard(sample_copy).criteria) == 40


def test_xlsx_workbook_is_accepted(tmp_path, sample_copy):
    """Does an XLSX workbook with criteria, levels and meta sheets give the same standard?"""
    book = openpyxl.Workbook()
    book.active.title = "criteria"
    for name, suffix in (("criteria", ".csv"), ("levels", ".levels.csv"), ("meta", ".meta.csv")):
        sheet = book[name] if name in book.sheetnames else book.create_sheet(name)
        for row in read_rows(sample_copy.with_name("criteria-2568" + suffix)):
            sheet.append([float(v) if name == "criteria" and v.isdigit() else v for v in row])
    path = tmp_path / "criteria.xlsx"
    book.save(path)
    from_xlsx, from_csv = load_standard(path), load_standard(sample_copy)
    assert from_xlsx.criteria == from_csv.criteria
    assert from_xlsx.levels == from_csv.levels
    assert from_xlsx.title_th == from_csv.title_th


def test_every_problem_is_reported_not_just_the_first(sample_copy):
    """With several mistakes in different rows, are they all listed with row and column?"""
    edit_cell(sample_copy, 2, "weight", "-1")
    edit_cell(sample_copy, 5, "mandatory", "maybe")
    edit_cell(sample_copy, 9, "title_th", "")
    found = {(p.row, p.column) for p in problems_of(sample_copy)}
    assert {(2, "weight"), (5, "mandatory"), (9, "title_th")} <= found
    for p in problems_of(sample_copy):
        assert p.file == "criteria-2568.csv"


@pytest.mark.parametrize(
    "row, column, value, words, thai",
    [
        (3, "id", "L01", "duplicate id 'L01'", "รหัส 'L01' ซ้ำ"),
        (3, "id", "", "id is empty", "รหัส (id) ว่าง"),
        (4, "factor", "parking", "unknown factor 'parking'", "ไม่รู้จักด้าน 'parking'"),
        (6, "title_th", "   ", "Thai text", "ข้อความภาษาไทยของเกณฑ์ว่าง"),
        (7, "weight", "heavy", "not a number", "'heavy' ไม่ใช่ตัวเลข"),
        (7, "weight", "0", "positive number", "มากกว่า 0"),
        (8, "mandatory", "perhaps", "not yes or no", "'perhaps' ไม่ใช่ yes หรือ no"),
        # values that would be misread if guessed: refused instead
        (2, "mandatory", "", "empty; write yes or no", "ช่องนี้ว่าง"),
        (3, "weight", "1,5", "use a dot for decimals", "ใช้จุดเป็นจุดทศนิยม"),
        (4, "id", "1.1", "only letters, digits, - and _", "ใช้ได้เฉพาะตัวอักษรอังกฤษ ตัวเลข - และ _"),
        (5, "id", "L 05", "only letters, digits, - and _", "ใช้ได้เฉพาะตัวอักษรอังกฤษ"),
        (6, "id", "X" * 40, "up to 32", "ไม่เกิน 32"),
    ],
)
def test_bad_cell_names_file_row_and_column(sample_copy, row, column, value, words, thai):
    """Does each kind of bad cell give a problem at that row and column that says what to fix, in Thai then English?"""
    edit_cell(sample_copy, row, column, value)
    problems = problems_of(sample_copy)
    match = [p for p in problems if p.row == row and p.column == column]
    assert match, problems
    assert words in match[0].message
    text = str(match[0])
    assert text.startswith(f"criteria-2568.csv แถว {row} คอลัมน์ {column}: ") and thai in text.split(" / ")[0]
    assert f" / criteria-2568.csv, row {row}, column '{column}': " in text


def test_thai_factor_names_are_accepted(sample_copy):
    """May the factor column say ด้านสถานที่ instead of location?"""
    edit_cell(sample_copy, 2, "factor", "ด้านสถานที่")
    assert load_standard(sample_copy).criterion("L01").factor == "location"


def test_missing_and_unknown_columns(sample_copy):
    """Are a missing required column and an unknown column both named?"""
    rows = read_rows(sample_copy)
    rows[0][rows[0].index("weight")] = "wieght"
    write_rows(sample_copy, rows)
    problems = problems_of(sample_copy)
    assert any(p.column == "weight" and "missing" in p.message for p in problems)
    assert any(p.column == "wieght" and "unknown column" in p.message for p in problems)


def test_factor_with_no_criteria(sample_copy):
    """Is a factor left without criteria reported?"""
    rows = read_rows(sample_copy)
    write_rows(sample_copy, [r for r in rows if not r[0].startswith("T")])
    problems = problems_of(sample_copy)
    assert any("technology" in p.message and "no criteria" in p.message for p in problems)


def test_empty_file(sample_copy):
    """Is an empty file reported as empty, not as a crash?"""
    sample_copy.write_bytes(b"")
    assert any("empty" in p.message for p in problems_of(sample_copy))


def test_header_only_file(sample_copy):
    """Is a file with a header but no rows reported?"""
    write_rows(sample_copy, read_rows(sample_copy)[:1])
    assert any("no criteria" in p.message for p in problems_of(sample_copy))


def test_neither_utf8_nor_thai(sample_copy):
    """Is a file in an encoding that is neither UTF-8 nor Thai Windows-874 refused with how to fix it?"""
    sample_copy.write_bytes("id,factor,title_th\nL01,location,Café\n".encode("latin-1"))
    problems = problems_of(sample_copy)
    assert (problems[0].row, problems[0].column) == (2, None)
    assert "not UTF-8" in problems[0].message and "CSV UTF-8" in problems[0].message
    assert str(problems[0]).startswith("criteria-2568.csv แถว 2: ไฟล์ไม่ใช่ข้อความ UTF-8")


def test_not_csv_or_xlsx(tmp_path):
    """Is a file of another type refused with a clear message?"""
    path = tmp_path / "criteria.docx"
    path.write_bytes(b"PK\x03\x04 not really")
    assert "not a CSV or XLSX" in problems_of(path)[0].message


def test_broken_xlsx(tmp_path):
    """Is a damaged XLSX reported, not a traceback from openpyxl?"""
    path = tmp_path / "criteria.xlsx"
    path.write_bytes(b"this is not a zip file")
    assert "not a readable XLSX" in problems_of(path)[0].message


def test_missing_file(tmp_path):
    assert "no such file" in problems_of(tmp_path / "nope.csv")[0].message


@pytest.mark.parametrize(
    "row, value, words",
    [(2, "120", "outside 0 to 100"), (2, "-5", "outside 0 to 100"), (3, "50", "must go up"), (4, "x", "not a number")],
)
def test_bad_thresholds(sample_copy, row, value, words):
    """Are thresholds outside 0..100 or out of order reported in the levels file?"""
    levels = sample_copy.with_name("criteria-2568.levels.csv")
    edit_cell(levels, row, "min_percent", value)
    problems = problems_of(sample_copy)
    match = [p for p in problems if p.file == levels.name and p.row == row and p.column == "min_percent"]
    assert match and words in match[0].message, problems


def test_missing_levels_file(sample_copy):
    """Is a criteria CSV without its levels file reported, naming the file to add?"""
    sample_copy.with_name("criteria-2568.levels.csv").unlink()
    problems = problems_of(sample_copy)
    assert problems[0].file == "criteria-2568.levels.csv" and "missing" in problems[0].message


def test_meta_is_optional_and_defaults_to_illustrative(sample_copy):
    """Without a meta file, does the standard still say it is illustrative?"""
    sample_copy.with_name("criteria-2568.meta.csv").unlink()
    assert load_standard(sample_copy).illustrative


def test_unknown_meta_key(sample_copy):
    meta = sample_copy.with_name("criteria-2568.meta.csv")
    write_rows(meta, read_rows(meta) + [["colour", "blue"]])
    assert any(p.column == "key" and "unknown key 'colour'" in p.message for p in problems_of(sample_copy))


def test_line_breaks_inside_a_cell_are_kept(sample_copy):
    """Excel's Alt+Enter inside a cell survives loading."""
    edit_cell(sample_copy, 2, "guidance_th", "บรรทัดแรก\nบรรทัดที่สอง")
    assert load_standard(sample_copy).criterion("L01").guidance_th == "บรรทัดแรก\nบรรทัดที่สอง"


def test_text_outside_the_named_columns_is_reported(sample_copy):
    rows = read_rows(sample_copy)
    rows[4].append("หมายเหตุหลงคอลัมน์")
    write_rows(sample_copy, rows)
    match = [p for p in problems_of(sample_copy) if p.row == 5]
    assert match and match[0].column == "L" and "no column name" in match[0].message  # 11 named columns, A to K


def test_thresholds_written_as_fractions_are_refused(sample_copy):
    levels = sample_copy.with_name("criteria-2568.levels.csv")
    for row, value in ((2, "0.6"), (3, "0.75"), (4, "0.9")):
        edit_cell(levels, row, "min_percent", value)
    assert any("fractions" in p.message for p in problems_of(sample_copy))


def test_xlsx_thresholds_formatted_as_percent_mean_percent(tmp_path, sample_copy):
    """60% typed in Excel is stored as 0.6 with a % format: it must mean 60, not 0.6."""
    book = openpyxl.Workbook()
    crit = book.active
    crit.title = "criteria"
    for row in read_rows(sample_copy):
        crit.append(row)
    levels = book.create_sheet("levels")
    levels.append(["id", "name_th", "min_percent"])
    for i, (lid, name, pct) in enumerate((("basic", "ระดับพื้นฐาน", 0.6), ("top", "ระดับเป็นเลิศ", 0.9)), start=2):
        levels.append([lid, name, pct])
        levels.cell(row=i, column=3).number_format = "0%"
    path = tmp_path / "percent.xlsx"
    book.save(path)
    assert [lv.min_percent for lv in load_standard(path).levels] == [60, 90]
