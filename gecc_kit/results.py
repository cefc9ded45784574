"""A workshop's results as pandas DataFrames, for the facilitator's analysis in JupyterLab.

``results(code)`` reads the store once (:meth:`gecc_kit.store.Store.room`) and gives back:

- the export's sheets (:func:`gecc_kit.export.results_tables`) as typed frames, one row per
  participant, answer, score, plan item...: ``participants``, ``answers``, ``scores``, ``plans``,
  ``knowledge``, ``consensus``, ``consensus_scores``. Personal data, for the facilitator only;
- the room's figures as the dashboard shows them (:func:`gecc_kit.room.overview`) and as the
  executives' summary has them (:func:`gecc_kit.export.summary_tables`): ``factors``, ``criteria``,
  ``offices``, ``gain``, ``tables``. No names, and every figure from fewer than
  :data:`gecc_kit.room.MIN_GROUP` people is hidden (NaN, ``hidden`` True).

Nothing is computed twice: a value here is the value the export writes and the dashboard shows.
Column names are the English half of the export's headers (``display_name``, ``percent``...);
statuses and factors are pandas categories (in the standard's order), timestamps are tz-aware
datetimes in Asia/Bangkok.

This module imports pandas: no participant page imports it (a participant kernel never loads
pandas); the dashboard does not either.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from .criteria import Standard, load_standard
from .errors import GeccError, UnknownWorkshop
from .quiz import Question, load_questions
from .reports import level_text
from .room import BINS, Overview, overview
from .scoring import Status

__all__ = ["Results", "results", "from_room", "open_room", "TZ", "STATUSES", "sheet_frame"]

TZ = "Asia/Bangkok"
STATUSES = tuple(s.value for s in Status)  # met, partial, not_yet, na

# The English half of an export header ("ชื่อที่แสดง / display name") -> the frame's column.
# A header not listed here becomes its English half in snake case.
_COLUMNS = {
    "no.": "no",
    "display name": "display_name",
    "joined": "joined_at",
    "last active": "last_active_at",
    "criterion": "criterion_id",
    "criterion title": "title_th",
    "factor": "factor_th",
    "factor id": "factor",
    "status": "status_th",
    "agreed status": "status_th",
    "status code": "status",
    "score (%)": "percent",
    "criteria": "total",
    "due (B.E.)": "due_be",
    "pre (%)": "pre_percent",
    "post (%)": "post_percent",
    "change (percentage points)": "change",
    "participants": "participants",
    "mean overall score (%)": "mean_overall",
    "pre-test (%)": "pre",
    "post-test (%)": "post",
}
_TIMES = ("joined_at", "last_active_at")
_FLOATS = ("weight", "percent", "pre_percent", "post_percent", "change", "mean_overall", "pre", "post")
_COUNTS = ("answered", "total", "pre_answered", "pre_correct", "post_answered", "post_correct", "participants")


@dataclass(frozen=True)
class Results:
    """One workshop's results (see the module docstring)."""

    workshop: str
    standard: Standard
    overview: Overview
    # personal data: for the facilitator only
    participants: pd.DataFrame
    answers: pd.DataFrame
    scores: pd.DataFrame
    plans: pd.DataFrame
    knowledge: pd.DataFrame
    consensus: pd.DataFrame
    consensus_scores: pd.DataFrame
    # the room's figures: no names, groups under MIN_GROUP hidden
    factors: pd.DataFrame
    criteria: pd.DataFrame
    offices: pd.DataFrame
    gain: pd.DataFrame
    tables: pd.DataFrame

    @property
    def joined(self) -> int:
        return self.overview.joined

    def __repr__(self) -> str:
        return (f"<Results of workshop {self.workshop}: {self.joined} participants, {len(self.answers)} answers; "
                "participants, answers, scores, plans, knowledge, consensus, consensus_scores (personal data); "
                "factors, criteria, offices, gain, tables (the room's figures)>")


def _column(header: str) -> str:
    text = re.sub(r"\s*\([^()]*\s/\s[^()]*\)\s*$", "", header)  # a trailing "(เวลาประเทศไทย / Bangkok time)"
    english = text.split(" / ", 1)[1].strip() if " / " in text else text.strip()
    if english in _COLUMNS:
        return _COLUMNS[english]
    slug = re.sub(r"[^0-9a-z]+", "_", english.lower()).strip("_")
    return slug or "column"


def _bangkok(value) -> pd.Timestamp:
    """A stored or exported timestamp as a tz-aware time in Asia/Bangkok (NaT when there is none).

    Aware values are converted; the export's text (``2025-01-29 02:15:00 UTC``) is read as what it
    says; a naive datetime is Thai local time (what a spreadsheet cell holds)."""
    if value is None or value == "" or (isinstance(value, float) and pd.isna(value)):
        return pd.NaT
    if isinstance(value, str):
        ts = pd.Timestamp(value.replace(" UTC", "+00:00") if value.endswith(" UTC") else value)
    elif isinstance(value, datetime):
        ts = pd.Timestamp(value)
    elif isinstance(value, date):
        ts = pd.Timestamp(datetime(value.year, value.month, value.day))
    else:
        return pd.NaT
    return ts.tz_localize(TZ) if ts.tzinfo is None else ts.tz_convert(TZ)


def _number(value):
    """A figure, or NaN for an empty or hidden cell ("ไม่แสดง… / hidden…")."""
    if value is None or isinstance(value, str) or isinstance(value, bool):
        return float("nan")
    return float(value)


def sheet_frame(sheet, standard: Standard) -> pd.DataFrame:
    """One export sheet (:class:`gecc_kit.export.Sheet`) as a typed DataFrame (columns: see :data:`_COLUMNS`)."""
    names, seen = [], set()
    for header in sheet.headers:
        name = _column(header)
        while name in seen:
            name += "_"
        seen.add(name)
        names.append(name)
    frame = pd.DataFrame([list(r) for r in sheet.rows], columns=names, dtype=object)
    factor_ids = [f.id for f in standard.factors]
    for name in names:
        col = frame[name]
        if name in _TIMES:
            frame[name] = pd.Series([_bangkok(v) for v in col], index=frame.index, dtype=f"datetime64[ns, {TZ}]")
        elif name == "status":
            frame[name] = pd.Categorical([v or None for v in col], categories=STATUSES)
        elif name == "factor":
            extra = ["overall"] if "overall" in set(col) else []
            frame[name] = pd.Categorical(list(col), categories=factor_ids + extra)
        elif name == "factor_th":
            th = [f.name_th for f in standard.factors]
            extra = [v for v in dict.fromkeys(col) if v not in th]
            frame[name] = pd.Categorical(list(col), categories=th + extra)
        elif name == "mandatory":
            frame[name] = pd.Series([v is True or v == "ใช่" for v in col], index=frame.index, dtype=bool)
        elif name == "due":
            frame[name] = pd.to_datetime(pd.Series([v if isinstance(v, (date, datetime)) else None for v in col],
                                                   index=frame.index, dtype=object))
        elif name in _FLOATS:
            frame[name] = pd.Series([_number(v) for v in col], index=frame.index, dtype=float)
        elif name in _COUNTS:
            frame[name] = pd.Series([None if isinstance(v, str) or v is None else int(v) for v in col],
                                    index=frame.index, dtype="Int64")
    return frame


def _sheets(sheets) -> dict:
    return {s.name: s for s in sheets}


def _factor_frame(standard: Standard, ov: Overview, scores: pd.DataFrame) -> pd.DataFrame:
    """Each factor across the room (:func:`gecc_kit.room.factor_stats`) with the spread (standard
    deviation) of the same people's scores as the export has them."""
    rows = []
    for fs in ov.factors:
        mine = scores[(scores["factor"] == fs.factor) & (scores["answered"] > 0) & scores["percent"].notna()]["percent"]
        row = {"factor": fs.factor, "factor_th": _factor_th(standard, fs.factor), "n": fs.n,
               "mean": float("nan") if fs.hidden else fs.mean,
               "sd": float("nan") if fs.hidden else float(mine.std(ddof=0)), "hidden": fs.hidden}
        for (lo, hi), n in zip(BINS, fs.bins):
            row[f"{lo}-{hi}"] = pd.NA if fs.hidden else n
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame["factor"] = pd.Categorical(frame["factor"], categories=[f.id for f in standard.factors])
    for lo, hi in BINS:
        frame[f"{lo}-{hi}"] = frame[f"{lo}-{hi}"].astype("Int64")
    return frame


def _factor_th(standard: Standard, fid: str) -> str:
    return next(f.name_th for f in standard.factors if f.id == fid)


def _criteria_frame(standard: Standard, ov: Overview) -> pd.DataFrame:
    """Every criterion across the room (:func:`gecc_kit.room.criterion_stats`), in file order."""
    rows = []
    for s in ov.criteria:
        c = s.criterion
        rows.append({
            "criterion_id": c.id, "factor": c.factor, "title_th": c.title_th, "title_en": c.title_en,
            "mandatory": c.mandatory, "weight": c.weight, "n": s.n,
            "mean": float("nan") if s.hidden else s.mean, "spread": float("nan") if s.hidden else s.spread,
            **{k: (pd.NA if s.hidden else s.counts[k]) for k in (*STATUSES, "unanswered")},
            "hidden": s.hidden,
            "weakest": any(w.criterion.id == c.id for w in ov.weakest),
            "disputed": any(d.criterion.id == c.id for d in ov.disputed),
        })
    frame = pd.DataFrame(rows)
    frame["factor"] = pd.Categorical(frame["factor"], categories=[f.id for f in standard.factors])
    for k in (*STATUSES, "unanswered"):
        frame[k] = frame[k].astype("Int64")
    return frame


def _offices_frame(sheet, standard: Standard, ov: Overview) -> pd.DataFrame:
    """By office, from the executives' summary (:func:`gecc_kit.export.summary_tables`): offices
    under MIN_GROUP people are one unnamed line (``merged``), with no figures."""
    frame = sheet_frame(sheet, standard)
    frame = frame.rename(columns={frame.columns[0]: "office"})
    frame["merged"] = [g.merged for g in ov.by_office]  # the sheet's lines are the dashboard's groups, in order
    frame.loc[frame["merged"] > 0, "office"] = ""
    frame["hidden"] = frame["mean_overall"].isna() & frame["pre"].isna() & frame["post"].isna() & frame["change"].isna()
    return frame


def _gain_frame(ov: Overview) -> pd.DataFrame:
    g = ov.gain
    nan = float("nan")
    return pd.DataFrame([
        {"phase": "pre", "n": g.n_pre, "percent": nan if g.pre is None else g.pre, "hidden": g.pre is None},
        {"phase": "post", "n": g.n_post, "percent": nan if g.post is None else g.post, "hidden": g.post is None},
        {"phase": "change", "n": g.n_both, "percent": nan if g.gain is None else g.gain, "hidden": g.gain is None},
    ])


def _tables_frame(standard: Standard, ov: Overview) -> pd.DataFrame:
    """Each table's consensus scored like a participant (:func:`gecc_kit.room.table_results`)."""
    rows = []
    for t in ov.tables:
        row = {"table": t.table, "members": t.members, "answered": t.answered, "hidden": t.hidden}
        for key in [f.id for f in standard.factors] + ["overall"]:
            s = t.scores[key] if t.scores is not None else None
            row[key] = s.percent if s is not None and s.applicable and t.answered else float("nan")
        row["level"] = level_text(standard, t.scores["overall"], "th") if t.scores is not None and t.answered else ""
        rows.append(row)
    columns = ["table", "members", "answered", "hidden", *[f.id for f in standard.factors], "overall", "level"]
    return pd.DataFrame(rows, columns=columns)


def from_room(standard: Standard, room, questions: tuple[Question, ...]) -> Results:
    """The results of a room already read (what :meth:`gecc_kit.store.Store.room` returns)."""
    from .export import results_tables, summary_tables

    ov = overview(standard, room, questions)
    sheets = _sheets(results_tables(standard, room, questions))
    summary = _sheets(summary_tables(standard, room, questions))
    frames = {name: sheet_frame(sheets[name], standard) for name in
              ("participants", "answers", "scores", "plans", "knowledge", "consensus", "consensus_scores")}
    return Results(
        workshop=room.workshop.code, standard=standard, overview=ov, **frames,
        factors=_factor_frame(standard, ov, frames["scores"]),
        criteria=_criteria_frame(standard, ov),
        offices=_offices_frame(summary["offices"], standard, ov),
        gain=_gain_frame(ov),
        tables=_tables_frame(standard, ov),
    )


def open_room(code: str, store=None):
    """Read one workshop from a store (a :class:`~gecc_kit.store.Store`, a URL, or None for
    ``$GECC_STORE_URL`` / ``var/gecc.sqlite``). An unknown workshop, or one nobody joined, is a
    :class:`~gecc_kit.errors.GeccError` saying so in Thai and English."""
    from sqlalchemy.exc import SQLAlchemyError

    from .store import Store

    code = (code or "").strip()
    if not code:
        raise GeccError("ยังไม่ได้ระบุรหัสการอบรม (ตั้ง GECC_WORKSHOP หรือใส่ --workshop) / "
                        "no workshop given: set GECC_WORKSHOP or pass --workshop CODE.")
    try:
        opened = store if isinstance(store, Store) else Store(store or None)
    except SQLAlchemyError as exc:
        raise GeccError(f"เปิดที่เก็บข้อมูลไม่ได้ / the store could not be opened ({type(exc).__name__}).") from None
    try:
        room = opened.room(code)
    except UnknownWorkshop as exc:  # also JupyterLab's preview workshop, which is never analysed
        raise GeccError(f"ไม่พบการอบรมรหัส {code.upper()} ในที่เก็บข้อมูลนี้ / {exc}") from None
    except SQLAlchemyError as exc:
        raise GeccError(f"อ่านที่เก็บข้อมูลไม่ได้ / the store could not be read ({type(exc).__name__}).") from None
    finally:
        if opened is not store:
            opened.close()
    if not room.participants:
        raise GeccError(f"การอบรม {room.workshop.code} ยังไม่มีผู้เข้าร่วม จึงยังไม่มีผลให้สรุป / "
                        f"workshop {room.workshop.code} has no participants yet: there is nothing to analyse.")
    return room


def results(code: str, store=None, *, standard: Standard | None = None,
            questions: tuple[Question, ...] | None = None) -> Results:
    """One workshop's results as DataFrames (see the module docstring).

    ``store``: a :class:`~gecc_kit.store.Store`, a SQLAlchemy URL, or None (``$GECC_STORE_URL``,
    else ``var/gecc.sqlite``). ``standard`` and ``questions`` default to ``$GECC_CRITERIA`` /
    ``$GECC_QUESTIONS`` or the kit's files, as the server uses them.
    """
    room = open_room(code, store)
    standard = standard if standard is not None else load_standard(os.environ.get("GECC_CRITERIA") or None)
    questions = questions if questions is not None else load_questions()
    return from_room(standard, room, questions)
