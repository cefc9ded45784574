"""`gecc_kit.results`: a workshop's results as typed pandas frames whose figures are the export's
and the dashboard's, on SQLite and PostgreSQL; participant kernels still never load pandas."""
from __future__ import annotations

import math
import subprocess
import sys
from datetime import date, datetime, timezone

import pandas as pd
import pytest

from gecc_kit.errors import GeccError
from gecc_kit.export import results_tables, summary_tables
from gecc_kit.practice import seed_demo
from gecc_kit.quiz import load_questions
from gecc_kit.results import STATUSES, TZ, results, sheet_frame
from gecc_kit.room import MIN_GROUP, overview

OFFICE = "กองทดสอบผลลัพธ์ (สมมติ)"


@pytest.fixture
def demo(store, standard):
    """The 8 fictional units, a table's consensus, a plan, and a fourth table of three people
    from one office (so an office is big enough to be shown) with their knowledge checks."""
    questions = load_questions()
    seed_demo(store, "RES", standard, questions)
    first = store.participants("RES")[0]
    store.save_plan_item(first.id, "S04", action="- แจ้งผู้ยื่นทุก 7 วัน", owner="หัวหน้าศูนย์", due=date(2027, 1, 15))
    for i, c in enumerate(standard.criteria[:12]):
        store.save_consensus("RES", "โต๊ะ 1", c.id, status=("met", "partial", "not_yet")[i % 3], note="ตกลงกัน" if i == 0 else "")
    for i in range(3):
        p = store.join("RES", f"ผู้ทดสอบผลลัพธ์ {i}", OFFICE, "โต๊ะ 4")
        for j, c in enumerate(standard.criteria[:15]):
            store.save_answer(p.id, c.id, status=("met", "partial", "not_yet", "na")[(i + j) % 4])
        for j, q in enumerate(questions):
            store.save_quiz_choice(p.id, "pre", q.id, q.answer if (i + j) % 2 else "a")
            store.save_quiz_choice(p.id, "post", q.id, q.answer if (i + j) % 4 else "b")
    store.ensure_workshop("OTHER")
    store.join("OTHER", "คนอื่น", OFFICE, "โต๊ะ 4")  # another workshop: never in RES's results
    return store, questions


def same(a, b) -> bool:
    """A frame's value equals an export cell's: numbers, text, categories, instants, empty."""
    missing = lambda v: v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)) or v == ""  # noqa: E731
    if missing(a) or missing(b):
        return missing(a) and missing(b)
    if isinstance(a, pd.Timestamp):
        if isinstance(b, str) and b.endswith(" UTC"):  # the export's text form
            b = datetime.fromisoformat(b[:-4]).replace(tzinfo=timezone.utc)
        if isinstance(b, datetime) and b.tzinfo is None:
            b = pd.Timestamp(b).tz_localize(TZ)
        return a == pd.Timestamp(b)
    if isinstance(b, (date, datetime)) and not isinstance(b, str):
        return pd.Timestamp(a) == pd.Timestamp(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return bool(a) == (b is True or b == "ใช่")
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == pytest.approx(b)
    return str(a) == str(b)


def test_results_are_the_exports_sheets_value_for_value(demo, standard):
    store, questions = demo
    res = results("res", store, standard=standard, questions=questions)
    sheets = {s.name: s for s in results_tables(standard, store.room("RES"), questions)}
    for name in ("participants", "answers", "scores", "plans", "knowledge", "consensus", "consensus_scores"):
        frame, sheet = getattr(res, name), sheets[name]
        assert len(frame) == len(sheet.rows) and len(frame.columns) == len(sheet.headers), name
        for row, (_, values) in zip(sheet.rows, frame.iterrows()):
            for i, (cell, value) in enumerate(zip(row, values)):
                if frame.columns[i] == "mandatory":
                    assert value == (cell == "ใช่" or cell is True), (name, i)
                else:
                    assert same(value, cell), (name, frame.columns[i], value, cell)
    assert len(res.participants) == 11 and "คนอื่น" not in set(res.participants["display_name"])
    assert len(res.answers) == 8 * 40 + 3 * 15
    assert len(res.plans) == 1 and res.plans["action"][0] == "- แจ้งผู้ยื่นทุก 7 วัน"
    assert len(res.consensus) == 12 and set(res.consensus["table"]) == {"โต๊ะ 1"}


def test_results_columns_are_typed(demo, standard):
    store, questions = demo
    res = results("RES", store.url, standard=standard, questions=questions)  # a URL works as well as a Store
    factor_ids = [f.id for f in standard.factors]
    assert list(res.answers["status"].cat.categories) == list(STATUSES)
    assert list(res.answers["factor_th"].cat.categories)[:4] == [f.name_th for f in standard.factors]
    assert list(res.scores["factor"].cat.categories) == factor_ids + ["overall"]
    assert list(res.factors["factor"].cat.categories) == factor_ids
    assert list(res.consensus["status"].cat.categories) == list(STATUSES)
    for column in ("joined_at", "last_active_at"):
        assert str(res.participants[column].dtype) == f"datetime64[ns, {TZ}]"
        assert res.participants[column].notna().all()
    stored = store.room("RES").joined_at[store.participants("RES")[0].id]
    stored = stored if stored.tzinfo else stored.replace(tzinfo=timezone.utc)
    assert res.participants["joined_at"][0] == pd.Timestamp(stored), "the same instant, shown in Thai local time"
    assert res.participants["joined_at"][0].utcoffset().total_seconds() == 7 * 3600
    assert str(res.plans["due"].dtype).startswith("datetime64") and res.plans["due"][0] == pd.Timestamp(2027, 1, 15)
    assert res.answers["mandatory"].dtype == bool and res.answers["weight"].dtype == float
    assert str(res.scores["answered"].dtype) == "Int64" and res.scores["percent"].dtype == float
    # the numbers sort as the export numbers them
    assert list(res.participants["no"]) == sorted(res.participants["no"])


def test_results_figures_equal_the_dashboards(demo, standard):
    store, questions = demo
    res = results("RES", store, standard=standard, questions=questions)
    ov = overview(standard, store.room("RES"), questions)
    # factors: n, mean and distribution are room.py's; the spread is of the same people's scores
    for fs, (_, row) in zip(ov.factors, res.factors.iterrows()):
        assert row["factor"] == fs.factor and row["n"] == fs.n and bool(row["hidden"]) == fs.hidden
        assert row["mean"] == pytest.approx(fs.mean)
        assert tuple(int(row[f"{lo}-{hi}"]) for lo, hi in ((0, 20), (20, 40), (40, 60), (60, 80), (80, 100))) == fs.bins
        mine = res.scores[(res.scores["factor"] == fs.factor) & (res.scores["answered"] > 0) & res.scores["percent"].notna()]
        assert len(mine) == fs.n, "the export's per-person scores are the dashboard's population"
        assert mine["percent"].mean() == pytest.approx(fs.mean, abs=0.05), "the export rounds to 0.1"
    # criteria: room.py's figures, and the counts also from the answers frame
    counts = res.answers.groupby(["criterion_id", "status"], observed=False).size()
    for cs, (_, row) in zip(ov.criteria, res.criteria.iterrows()):
        assert row["criterion_id"] == cs.criterion.id and row["n"] == cs.n and bool(row["hidden"]) == cs.hidden
        if cs.hidden:
            assert math.isnan(row["mean"]) and row[list(STATUSES)].isna().all()
            continue
        assert row["mean"] == pytest.approx(cs.mean) and row["spread"] == pytest.approx(cs.spread)
        for status in STATUSES:
            assert row[status] == cs.counts[status] == counts.get((cs.criterion.id, status), 0)
    assert list(res.criteria.loc[res.criteria["weakest"], "criterion_id"]) == sorted(
        (s.criterion.id for s in ov.weakest), key=list(res.criteria["criterion_id"]).index)
    assert {s.criterion.id for s in ov.disputed} == set(res.criteria.loc[res.criteria["disputed"], "criterion_id"])
    # knowledge: the room's gain, and the per-person sheet agrees
    gain = res.gain.set_index("phase")
    assert gain.loc["pre", "percent"] == pytest.approx(ov.gain.pre) and gain.loc["post", "percent"] == pytest.approx(ov.gain.post)
    assert gain.loc["change", "percent"] == pytest.approx(ov.gain.gain) and gain.loc["change", "n"] == ov.gain.n_both == 11
    assert res.knowledge["change"].mean() == pytest.approx(ov.gain.gain, abs=0.05)
    # tables: each consensus scored like a participant, small tables hidden
    for t, (_, row) in zip(ov.tables, res.tables.iterrows()):
        assert row["table"] == t.table and row["members"] == t.members and bool(row["hidden"]) == t.hidden
        if not t.hidden and t.answered:
            assert row["overall"] == pytest.approx(t.scores["overall"].percent)
            assert row["location"] == pytest.approx(t.scores["location"].percent)
    consensus = res.consensus_scores[res.consensus_scores["table"] == "โต๊ะ 1"]
    consensus = dict(zip(consensus["factor"].astype(str), consensus["percent"]))
    agreed = res.tables.set_index("table").loc["โต๊ะ 1"]
    for key in [f.id for f in standard.factors] + ["overall"]:
        assert consensus[key] == pytest.approx(agreed[key], abs=0.05), "the export's consensus scores"
    assert bool(res.tables.set_index("table").loc["โต๊ะ 3", "hidden"]), "2 members: hidden"


def test_offices_are_the_executives_summary_with_small_ones_unnamed(demo, standard):
    store, questions = demo
    res = results("RES", store, standard=standard, questions=questions)
    sheet = {s.name: s for s in summary_tables(standard, store.room("RES"), questions)}["offices"]
    assert len(res.offices) == len(sheet.rows)
    named = res.offices[res.offices["merged"] == 0]
    assert list(named["office"]) == [OFFICE], "only the office of 3 is named"
    row = next(r for r in sheet.rows if r[0] == OFFICE)
    got = named.iloc[0]
    assert got["participants"] == row[1] == 3
    assert (got["mean_overall"], got["pre"], got["post"], got["change"]) == pytest.approx(tuple(row[2:6]))
    other = res.offices[res.offices["merged"] > 0].iloc[0]
    assert other["office"] == "" and other["participants"] == 8 and bool(other["hidden"])
    assert other[["mean_overall", "pre", "post", "change"]].isna().all()
    names = set(res.participants["display_name"])
    room_figures = pd.concat([res.factors, res.criteria, res.offices, res.gain, res.tables], axis=0).astype(str)
    assert not names & set(room_figures.to_numpy().ravel()), "no name in the room's figures"


def test_hidden_when_fewer_than_three(store, standard):
    store.ensure_workshop("TWO")
    questions = load_questions()
    for name in ("หนึ่ง", "สอง"):
        p = store.join("TWO", name, "สำนักงานเล็ก", "โต๊ะ เล็ก")
        store.save_answer(p.id, "L01", status="met")
    res = results("TWO", store, standard=standard, questions=questions)
    assert res.factors["hidden"].all() and res.factors["mean"].isna().all() and res.factors["sd"].isna().all()
    assert res.criteria["hidden"].all() and res.gain["hidden"].all() and res.tables["hidden"].all()
    assert (res.offices["office"] == "").all() and MIN_GROUP == 3


def test_unknown_workshop_and_empty_room_say_so_in_thai_and_english(store, standard):
    with pytest.raises(GeccError, match="ไม่พบการอบรมรหัส NOPE.*no workshop 'NOPE'"):
        results("nope", store, standard=standard)
    store.ensure_workshop("EMPTY")
    with pytest.raises(GeccError, match="ยังไม่มีผู้เข้าร่วม.*no participants"):
        results("EMPTY", store, standard=standard)
    with pytest.raises(GeccError, match="GECC_WORKSHOP"):
        results("", store, standard=standard)


def test_an_empty_sheet_keeps_its_columns(standard):
    from gecc_kit.export import Sheet

    frame = sheet_frame(Sheet("plans", "แผนพัฒนา", ("ลำดับ / no.", "กำหนดเสร็จ / due", "ผลประเมิน / status"), []), standard)
    assert list(frame.columns) == ["no", "due", "status_th"] and frame.empty


def test_participant_and_facilitator_kernels_never_load_pandas_or_matplotlib():
    """Only the analysis (and whoever imports gecc_kit.results) pays for pandas."""
    modules = "gecc_kit.pages, gecc_kit.summary, gecc_kit.knowledge, gecc_kit.widgets, gecc_kit.session, gecc_kit.store, gecc_kit.dashboard, gecc_kit.export"
    out = subprocess.run(
        [sys.executable, "-c", f"import sys, {modules}; print(sorted(m for m in sys.modules if m.split('.')[0] in ('pandas', 'matplotlib', 'gecc_kit') and m in ('pandas', 'matplotlib', 'gecc_kit.results', 'gecc_kit.analysis')))"],
        capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 0 and out.stdout.strip() == "[]", out.stdout + out.stderr
