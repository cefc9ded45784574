"""Criteria as data: the four GECC factors, the criteria of a standard and its levels.

A *standard* is read from a spreadsheet a facilitator can edit:

- a CSV file (UTF-8, a BOM is fine; or Thai Windows-874, as older Excel saves
  it) with one row per criterion, plus two small files beside it:
  ``<name>.levels.csv`` (the certification levels and their thresholds) and,
  optionally, ``<name>.meta.csv`` (title, fiscal year, the "illustrative" notice);
- or one XLSX workbook with the sheets ``criteria``, ``levels`` and, optionally,
  ``meta``, laid out the same way.

:func:`load_standard` checks everything and reports every problem at once,
each with the file, the row (as a spreadsheet counts, header = row 1) and the
column, in Thai with the English after it; what is accepted but risky (an id
that Excel turns into a date) comes back as ``Standard.warnings``.
This module imports no widgets and no storage.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CriteriaError, Problem
from .tables import (
    Table as _Table,
    read_csv as _read_csv,
    read_xlsx as _read_xlsx,
    check_columns as _check_columns,
    yes_no as _yes_no,
    number as _number,
    unique_id as _unique_id,
    id_warning as _id_warning,
    visible as _visible,
)

__all__ = [
    "FACTORS",
    "Factor",
    "Criterion",
    "Level",
    "Standard",
    "load_standard",
    "sample_criteria_path",
]


@dataclass(frozen=True)
class Factor:
    """One of the four GECC factors (fixed by the FY2568 standard)."""

    id: str
    number: int
    name_th: str
    name_en: str


FACTORS: tuple[Factor, ...] = (
    Factor("location", 1, "ด้านสถานที่", "Location"),
    Factor("personnel", 2, "ด้านบุคลากร", "Personnel"),
    Factor("service", 3, "ด้านบริการ", "Service"),
    Factor("technology", 4, "ด้านเทคโนโลยี", "Technology"),
)
_FACTOR_BY_NAME = {name: f for f in FACTORS for name in (f.id, f.name_th, f.name_en.lower())}


@dataclass(frozen=True)
class Criterion:
    """One criterion (indicator) of the standard."""

    id: str
    factor: str
    title_th: str
    title_en: str = ""
    guidance_th: str = ""
    guidance_en: str = ""
    evidence_th: str = ""
    evidence_en: str = ""
    mandatory: bool = False
    weight: float = 1.0
    act_ref: str = ""


@dataclass(frozen=True)
class Level:
    """A certification level reached at ``min_percent`` or more.

    With ``all_mandatory`` the level also needs every applicable mandatory
    criterion met.
    """

    id: str
    name_th: str
    name_en: str
    min_percent: float
    all_mandatory: bool = True


@dataclass(frozen=True)
class Standard:
    """A validated set of criteria and levels, as read from one source."""

    criteria: tuple[Criterion, ...]
    levels: tuple[Level, ...]  # ascending min_percent
    title_th: str = "เกณฑ์ศูนย์ราชการสะดวก (GECC)"
    title_en: str = "Government Easy Contact Center (GECC) criteria"
    fiscal_year: int | None = None
    illustrative: bool = True
    notice_th: str = "เกณฑ์ น้ำหนัก และเกณฑ์ระดับในชุดนี้เป็นตัวอย่างเพื่อการฝึก ไม่ใช่แบบประเมินทางการ"
    notice_en: str = "Illustrative criteria, weights and thresholds for practice; not the official form."
    source: str = ""
    warnings: tuple[Problem, ...] = field(default=(), compare=False, repr=False)  # accepted, but worth changing
    _by_id: dict = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_by_id", {c.id: c for c in self.criteria})

    @property
    def factors(self) -> tuple[Factor, ...]:
        """The factors, in teaching order."""
        return FACTORS

    def for_factor(self, factor_id: str) -> tuple[Criterion, ...]:
        """The criteria of one factor, in file order."""
        factor(factor_id)  # raises KeyError on an unknown id
        return tuple(c for c in self.criteria if c.factor == factor_id)

    def criterion(self, criterion_id: str) -> Criterion:
        """The criterion with this id (KeyError if unknown)."""
        return self._by_id[criterion_id]

    def __contains__(self, criterion_id: str) -> bool:
        return criterion_id in self._by_id


def factor(factor_id: str) -> Factor:
    """The factor with this id, Thai name or English name (KeyError if unknown)."""
    return _FACTOR_BY_NAME[factor_id.strip().lower() if factor_id.isascii() else factor_id.strip()]


def sample_criteria_path() -> Path:
    """The criteria file in use: ``$GECC_CRITERIA`` or the shipped sample."""
    env = os.environ.get("GECC_CRITERIA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "data" / "samples" / "criteria-2568.csv"


# --- reading tables -----------------------------------------------------------------

CRITERIA_COLUMNS = {
    "id": True,
    "factor": True,
    "title_th": True,
    "title_en": False,
    "guidance_th": False,
    "guidance_en": False,
    "evidence_th": False,
    "evidence_en": False,
    "mandatory": True,
    "weight": True,
    "act_ref": False,
}
LEVEL_COLUMNS = {"id": True, "name_th": True, "name_en": False, "min_percent": True, "all_mandatory": False}
META_COLUMNS = {"key": True, "value": True}
META_KEYS = {"title_th", "title_en", "fiscal_year", "illustrative", "notice_th", "notice_en"}


def _parse_criteria(table: _Table, problems: list[Problem], warnings: list[Problem]) -> list[Criterion]:
    if not _check_columns(table, CRITERIA_COLUMNS, problems):
        return []
    criteria: list[Criterion] = []
    first_row: dict[str, int] = {}
    per_factor: dict[str, int] = {}
    for row, v in table.rows:
        before = len(problems)
        fac = _factor_or_none(v.get("factor", "")) or ""
        per_factor[fac] = per_factor.get(fac, 0) + 1
        # the id the sample would give this row: the factor's letter and its number in the factor (L01)
        suggestion = f"{factor(fac).name_en[0] if fac else 'L'}{per_factor[fac]:02d}"
        cid = _unique_id(table, row, v.get("id", ""), first_row, problems, suggestion)
        _id_warning(table, row, cid, warnings, suggestion)
        if not fac:
            allowed = ", ".join(f"{f.id} ({f.name_th})" for f in FACTORS)
            given = _visible(v.get("factor", ""))
            problems.append(Problem(
                table.name, row, "factor",
                f"unknown factor '{given}'; use one of: {allowed}.",
                f"ไม่รู้จักด้าน '{given}': ใช้ค่าใดค่าหนึ่งต่อไปนี้ {allowed}",
                kind="factor"))
        if not v.get("title_th"):
            problems.append(Problem(
                table.name, row, "title_th",
                "the Thai text of the criterion is empty; write what the criterion asks for.",
                "ข้อความภาษาไทยของเกณฑ์ว่าง: เขียนว่าเกณฑ์ข้อนี้ถามอะไร",
                kind="title-empty"))
        weight = _number(table, row, "weight", v.get("weight", ""), problems)
        if weight is not None and weight <= 0:
            problems.append(Problem(
                table.name, row, "weight",
                f"the weight must be a positive number, not {v.get('weight')}.",
                f"น้ำหนักต้องเป็นจำนวนที่มากกว่า 0 ไม่ใช่ {v.get('weight')}",
                kind="weight"))
        mandatory = _yes_no(table, row, "mandatory", v.get("mandatory", ""), problems, default=None)
        if len(problems) == before:
            criteria.append(
                Criterion(
                    id=cid,
                    factor=fac,
                    title_th=v["title_th"],
                    title_en=v.get("title_en", ""),
                    guidance_th=v.get("guidance_th", ""),
                    guidance_en=v.get("guidance_en", ""),
                    evidence_th=v.get("evidence_th", ""),
                    evidence_en=v.get("evidence_en", ""),
                    mandatory=mandatory,
                    weight=float(weight),
                    act_ref=v.get("act_ref", ""),
                )
            )
    if not table.rows:
        problems.append(Problem(
            table.name, None, None,
            "the file has a header but no criteria.",
            "ไฟล์มีแถวหัวตารางแต่ไม่มีเกณฑ์: เพิ่มเกณฑ์แถวละหนึ่งข้อใต้แถวหัวตาราง",
            structural=True))
        return criteria
    used = {fac for row, v in table.rows for fac in [_factor_or_none(v.get("factor", ""))] if fac}
    for f in FACTORS:
        if f.id not in used:
            problems.append(Problem(
                table.name, None, "factor",
                f"factor '{f.id}' ({f.name_th}) has no criteria; add at least one row for it.",
                f"{f.name_th} ({f.id}) ยังไม่มีเกณฑ์: เพิ่มอย่างน้อยหนึ่งแถว",
                structural=True))
    return criteria


def _factor_or_none(name: str) -> str | None:
    try:
        return factor(name).id if name else None
    except KeyError:
        return None


def _parse_levels(table: _Table, problems: list[Problem], warnings: list[Problem]) -> list[Level]:
    if not _check_columns(table, LEVEL_COLUMNS, problems):
        return []
    levels: list[Level] = []
    seen: dict[str, int] = {}
    previous: tuple[int, float] | None = None
    thresholds: list[tuple[int, float]] = []
    for number, (row, v) in enumerate(table.rows, start=1):
        before = len(problems)
        lid = _unique_id(table, row, v.get("id", ""), seen, problems, "basic")
        _id_warning(table, row, lid, warnings, f"level{number}")
        if not v.get("name_th"):
            problems.append(Problem(table.name, row, "name_th", "the Thai name of the level is empty.", "ชื่อภาษาไทยของระดับว่าง: เขียนชื่อระดับ", kind="name-empty"))
        pct = _number(table, row, "min_percent", v.get("min_percent", ""), problems)
        if pct is not None:
            if not 0 <= pct <= 100:
                problems.append(Problem(
                    table.name, row, "min_percent",
                    f"the threshold {v['min_percent']} is outside 0 to 100.",
                    f"เกณฑ์ผ่านระดับ {v['min_percent']} อยู่นอกช่วง 0 ถึง 100",
                    kind="threshold-range"))
            elif previous is not None and pct <= previous[1]:
                problems.append(Problem(
                    table.name, row, "min_percent",
                    f"thresholds must go up row by row: {v['min_percent']} is not above {previous[1]:g} on row {previous[0]}.",
                    f"เกณฑ์ผ่านระดับต้องสูงขึ้นทีละแถว: {v['min_percent']} ไม่สูงกว่า {previous[1]:g} ในแถว {previous[0]}",
                    kind="threshold-order"))
            previous = (row, pct)
            thresholds.append((row, pct))
        all_mandatory = _yes_no(table, row, "all_mandatory", v.get("all_mandatory", ""), problems, default=True)
        if len(problems) == before:
            levels.append(Level(lid, v["name_th"], v.get("name_en", ""), pct, all_mandatory))
    if not table.rows:
        problems.append(Problem(
            table.name, None, None,
            "the levels file has a header but no levels; add at least one.",
            "ไฟล์ระดับมีแถวหัวตารางแต่ไม่มีระดับ: เพิ่มอย่างน้อยหนึ่งระดับ",
            structural=True))
    elif thresholds and all(pct <= 1 for _, pct in thresholds) and any(pct > 0 for _, pct in thresholds):
        # 0.6 typed in a plain cell: a fraction where a percent is expected (Excel's 60% cell is read as 60)
        for row, pct in thresholds:
            meant = f"{pct * 100:g}"
            problems.append(Problem(
                table.name, row, "min_percent",
                f"{pct:g} means {pct:g} %, and every threshold is 1 or less, so they look like fractions: for {meant} % type {meant}.",
                f"{pct:g} หมายถึง {pct:g} % และเกณฑ์ผ่านทุกระดับไม่เกิน 1 จึงดูเหมือนพิมพ์เป็นสัดส่วน: ถ้าหมายถึง {meant} % ให้พิมพ์ {meant}",
                kind="threshold-fraction"))
    return levels


def _parse_meta(table: _Table, problems: list[Problem]) -> dict:
    if not _check_columns(table, META_COLUMNS, problems):
        return {}
    meta: dict = {}
    for row, v in table.rows:
        key, value = v.get("key", ""), v.get("value", "")
        if key not in META_KEYS:
            allowed = ", ".join(sorted(META_KEYS))
            problems.append(Problem(
                table.name, row, "key",
                f"unknown key '{_visible(key)}'. Allowed keys: {allowed}.",
                f"ไม่รู้จักคีย์ '{_visible(key)}' คีย์ที่ใช้ได้: {allowed}",
                kind="meta-key"))
        elif key == "fiscal_year":
            if value.isdigit() and 2500 <= int(value) <= 2700:
                meta[key] = int(value)
            else:
                problems.append(Problem(
                    table.name, row, "value",
                    f"the fiscal year '{_visible(value)}' should be a Buddhist-era year such as 2568.",
                    f"ปีงบประมาณ '{_visible(value)}' ควรเป็นปี พ.ศ. เช่น 2568",
                    kind="fiscal-year"))
        elif key == "illustrative":
            meta[key] = _yes_no(table, row, "value", value, problems, default=True)
        elif value:
            meta[key] = value
    return meta


def load_standard(path: str | os.PathLike | None = None) -> Standard:
    """Read and validate a standard (criteria, levels, meta).

    Parameters
    ----------
    path
        A ``.csv`` criteria file (with ``<name>.levels.csv`` and optionally
        ``<name>.meta.csv`` beside it) or an ``.xlsx`` workbook with the sheets
        ``criteria``, ``levels`` and optionally ``meta``. Defaults to
        :func:`sample_criteria_path`.

    Returns
    -------
    Standard

    Raises
    ------
    CriteriaError
        With every problem found, each naming the file, row and column.
    """
    path = Path(path) if path is not None else sample_criteria_path()
    problems: list[Problem] = []
    warnings: list[Problem] = []
    suffix = path.suffix.lower()
    if not path.is_file():
        raise CriteriaError([Problem(path.name or str(path), None, None, f"no such file: {path}", f"ไม่พบไฟล์: {path}", structural=True)])
    tables: dict[str, _Table | None]
    if suffix == ".csv":
        tables = {"criteria": _read_csv(path, problems, CRITERIA_COLUMNS)}
        stem = path.name[: -len(path.suffix)]
        levels_path = path.with_name(f"{stem}.levels.csv")
        meta_path = path.with_name(f"{stem}.meta.csv")
        if levels_path.is_file():
            tables["levels"] = _read_csv(levels_path, problems, LEVEL_COLUMNS)
        else:
            problems.append(Problem(
                levels_path.name, None, None,
                f"the levels file is missing: put it beside {path.name} (columns: {', '.join(LEVEL_COLUMNS)}).",
                f"ไม่พบไฟล์ระดับ: วางไฟล์นี้ไว้ในโฟลเดอร์เดียวกับ {path.name} (คอลัมน์: {', '.join(LEVEL_COLUMNS)})",
                structural=True))
        if meta_path.is_file():
            tables["meta"] = _read_csv(meta_path, problems, META_COLUMNS)
        for table in tables.values():
            if table is not None and table.encoding == "cp874":
                warnings.append(Problem(
                    table.name, None, None,
                    "read as Thai Windows-874 (TIS-620), the encoding older Excel saves; 'Save As' > 'CSV UTF-8 (Comma delimited)' keeps Thai safe in every program.",
                    "อ่านเป็นภาษาไทยแบบ Windows-874 (TIS-620) ซึ่ง Excel รุ่นเก่าใช้บันทึก: 'บันทึกเป็น' (Save As) > 'CSV UTF-8 (Comma delimited)' จะทำให้ภาษาไทยถูกต้องในทุกโปรแกรม",
                    kind="encoding"))
    elif suffix in (".xlsx", ".xlsm"):
        tables = _read_xlsx(path, problems, ("criteria", "levels", "meta"),
                            {"criteria": CRITERIA_COLUMNS, "levels": LEVEL_COLUMNS, "meta": META_COLUMNS}) or {}
        for name, columns in (("criteria", CRITERIA_COLUMNS), ("levels", LEVEL_COLUMNS)):
            if tables and name not in tables:
                problems.append(Problem(
                    path.name, None, None,
                    f"the workbook has no sheet named '{name}'; add one with the columns " + ", ".join(columns) + ".",
                    f"สมุดงานไม่มีชีตชื่อ '{name}': เพิ่มชีตนี้ โดยมีคอลัมน์ " + ", ".join(columns),
                    structural=True))
    else:
        raise CriteriaError([Problem(
            path.name, None, None,
            "this is not a CSV or XLSX file; save the criteria as CSV UTF-8 or XLSX.",
            "ไฟล์นี้ไม่ใช่ CSV หรือ XLSX: บันทึกเกณฑ์เป็น CSV UTF-8 หรือ XLSX",
            structural=True)])

    criteria = _parse_criteria(tables["criteria"], problems, warnings) if tables.get("criteria") else []
    levels = _parse_levels(tables["levels"], problems, warnings) if tables.get("levels") else []
    meta = _parse_meta(tables["meta"], problems) if tables.get("meta") else {}
    if problems:
        raise CriteriaError(problems, warnings)
    return Standard(criteria=tuple(criteria), levels=tuple(levels), source=str(path), warnings=tuple(warnings), **meta)
