"""The dashboard's figures: recomputed independently with pandas straight from the store's
tables, and the anonymity rule (no aggregate of fewer than 3 participants)."""
from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import select

from gecc_kit.practice import seed_demo
from gecc_kit.quiz import load_questions
from gecc_kit.room import MIN_GROUP, overview
from gecc_kit.scoring import Answer, Status
from gecc_kit.store import answers, participants, quiz_answers, workshops

CREDIT = {"met": 1.0, "partial": 0.5, "not_yet": 0.0}


@pytest.fixture
def demo(store, standard):
    """The 8 fictional units with full answers, plus a ninth who has only just started."""
    questions = load_questions()
    seed_demo(store, "ROOM", standard, questions)
    late = store.join("ROOM", "คนมาสาย", "หน่วยงานสมมติ", "โต๊ะ 2")
    store.save_answer(late.id, "L01", status="met")
    store.save_answer(late.id, "L02", status="na")
    return store, questions


def frames(store):
    """The store's tables for one workshop as pandas frames (read with SQL, not through gecc_kit)."""
    ws = pd.read_sql(select(workshops).where(workshops.c.code == "ROOM"), store.engine)
    people = pd.read_sql(select(participants).where(participants.c.workshop_id == int(ws.id[0])), store.engine)
    ans = pd.read_sql(select(answers), store.engine)
    ans = ans[ans.participant_id.isin(people.id)]
    quiz = pd.read_sql(select(quiz_answers), store.engine)
    quiz = quiz[quiz.participant_id.isin(people.id)]
    return people, ans, quiz


def criteria_frame(standard):
    return pd.DataFrame([{"criterion_id": c.id, "factor": c.factor, "weight": c.weight, "mandatory": c.mandatory,
                          "order": i} for i, c in enumerate(standard.criteria)])


def test_factor_means_and_distributions_equal_pandas(demo, standard):
    store, questions = demo
    ov = overview(standard, store.room("ROOM"), questions)
    people, ans, _ = frames(store)
    crit = criteria_frame(standard)
    grid = people[["id"]].rename(columns={"id": "participant_id"}).merge(crit, how="cross")
    grid = grid.merge(ans[["participant_id", "criterion_id", "status"]], on=["participant_id", "criterion_id"], how="left")
    grid = grid[grid.status != "na"]
    grid["earned"] = grid.status.map(CREDIT).fillna(0.0) * grid.weight
    grid["answered"] = grid.status.notna()
    per = grid.groupby(["participant_id", "factor"]).agg(earned=("earned", "sum"), weight=("weight", "sum"), answered=("answered", "any"))
    per = per[per.answered]
    per["percent"] = 100 * per.earned / per.weight
    for fs in ov.factors:
        expected = per.xs(fs.factor, level="factor").percent
        assert fs.n == len(expected)
        assert not fs.hidden
        assert fs.mean == pytest.approx(expected.mean())
        bins = pd.cut(expected, [0, 20, 40, 60, 80, 100.0001], right=False).value_counts(sort=False).tolist()
        assert list(fs.bins) == bins
    # The late joiner counts for location (one answer) but not for the factors they have not touched.
    assert ov.factors[0].n == 9 and all(fs.n == 8 for fs in ov.factors[1:])


def test_weakest_and_most_disputed_criteria_equal_pandas(demo, standard):
    store, questions = demo
    ov = overview(standard, store.room("ROOM"), questions)
    _, ans, _ = frames(store)
    crit = criteria_frame(standard).set_index("criterion_id")
    rated = ans[ans.status.isin(list(CREDIT))].assign(credit=lambda d: d.status.map(CREDIT))
    stats = rated.groupby("criterion_id").credit.agg(n="count", mean="mean", spread=lambda s: s.std(ddof=0))
    stats = stats.join(crit)
    stats = stats[stats.n >= MIN_GROUP]
    by_id = {s.criterion.id: s for s in ov.criteria}
    for cid, row in stats.iterrows():
        assert by_id[cid].n == row.n
        assert by_id[cid].mean == pytest.approx(100 * row["mean"])
        assert by_id[cid].spread == pytest.approx(row.spread)
    weakest = stats[stats["mean"] < 1].assign(notmand=lambda d: ~d.mandatory).sort_values(["mean", "notmand", "order"]).head(5)
    assert [s.criterion.id for s in ov.weakest] == list(weakest.index)
    disputed = stats[stats.spread > 0].sort_values(["spread", "order"], ascending=[False, True]).head(5)
    assert [s.criterion.id for s in ov.disputed] == list(disputed.index)
    # Counts per status, as a facilitator reads them next to each criterion.
    s04 = by_id["S04"]
    assert s04.counts["not_yet"] == int(((ans.criterion_id == "S04") & (ans.status == "not_yet")).sum())


def test_knowledge_gain_and_progress_equal_pandas(demo, standard):
    store, questions = demo
    ov = overview(standard, store.room("ROOM"), questions)
    people, ans, quiz = frames(store)
    right = pd.DataFrame([{"question_id": q.id, "right": q.answer} for q in questions])
    q = quiz.merge(right, on="question_id")
    q["correct"] = q.choice == q.right
    per = q.groupby(["participant_id", "phase"]).agg(answered=("choice", "count"), correct=("correct", "sum")).reset_index()
    per = per[per.answered == len(questions)]
    per["percent"] = 100 * per.correct / len(questions)
    pre = per[per.phase == "pre"].set_index("participant_id").percent
    post = per[per.phase == "post"].set_index("participant_id").percent
    both = (post - pre).dropna()
    assert (ov.gain.n_pre, ov.gain.n_post, ov.gain.n_both) == (len(pre), len(post), len(both))
    assert ov.gain.pre == pytest.approx(pre.mean()) and ov.gain.post == pytest.approx(post.mean())
    assert ov.gain.gain == pytest.approx(both.mean())
    assert ov.gain.gain > 0  # the demo room learned something

    # Progress: a factor is done by whoever answered every one of its criteria.
    crit = criteria_frame(standard)
    answered = ans[ans.status.notna()].merge(crit, on="criterion_id").groupby(["participant_id", "factor"]).size()
    for mp in ov.progress:
        if mp.module.kind != "factor":
            continue
        size = int((crit.factor == mp.module.factor).sum())
        done = int((answered.xs(mp.module.factor, level="factor") == size).sum())
        started = int(((answered.xs(mp.module.factor, level="factor") > 0) & (answered.xs(mp.module.factor, level="factor") < size)).sum())
        assert (mp.done, mp.started, mp.todo) == (done, started, len(people) - done - started)
    assert ov.joined == len(people) == 9


def test_attendance_by_table_merges_small_groups(demo, standard):
    store, questions = demo
    ov = overview(standard, store.room("ROOM"), questions)
    people, _, _ = frames(store)
    counts = people.table_label.value_counts()
    shown = {g.label: g.n for g in ov.by_table if not g.merged}
    assert shown == {t: int(n) for t, n in counts.items() if n >= MIN_GROUP}
    merged = [g for g in ov.by_table if g.merged]
    assert len(merged) == 1 and merged[0].n == int(counts[counts < MIN_GROUP].sum())
    # Every demo office has one person: no office is shown by name.
    assert [g.label for g in ov.by_office] == [""]


def test_attendance_lines_add_up_and_small_groups_are_not_named(store, standard):
    from gecc_kit.dashboard import attendance_html

    store.ensure_workshop("ATT")
    for i in range(5):
        store.join("ATT", f"ไม่มีโต๊ะ {i}", "หน่วยงาน ก", "")
    store.join("ATT", "คนเดียว", "หน่วยงาน ข", "โต๊ะเดี่ยว")
    ov = overview(standard, store.room("ATT"), ())
    assert [(g.label, g.n) for g in ov.by_office] == [("หน่วยงาน ก", 5), ("", 1)]
    assert [(g.label, g.n) for g in ov.by_table] == [("", 6)]
    assert sum(g.n for g in ov.by_table) == ov.joined == 6
    html = attendance_html(ov, "th")
    assert "โต๊ะเดี่ยว" not in html and "หน่วยงาน ข" not in html and "หน่วยงาน ก" in html


def test_fewer_than_three_people_reveal_nothing(store, standard):
    """Two participants: no mean, distribution, progress, criterion figure, gain or heatmap."""
    from gecc_kit.room import heatmap_rows

    questions = load_questions()
    store.ensure_workshop("SMALL")
    a = store.join("SMALL", "ก", "หน่วยงาน ก", "โต๊ะ 1")
    b = store.join("SMALL", "ข", "หน่วยงาน ข", "โต๊ะ 1")
    for p, status in ((a, "met"), (b, "not_yet")):
        store.save_answers(p.id, [Answer(c.id, Status(status)) for c in standard.criteria])
        for phase in ("pre", "post"):
            for q in questions:
                store.save_quiz_choice(p.id, phase, q.id, q.answer)
    store.save_consensus("SMALL", "โต๊ะ 1", "L01", status="met")
    room = store.room("SMALL")
    ov = overview(standard, room, questions)
    assert ov.joined == 2
    assert all(fs.hidden and fs.mean is None and not any(fs.bins) for fs in ov.factors)
    assert all(mp.hidden and (mp.done, mp.started, mp.todo) == (0, 0, 0) for mp in ov.progress)
    assert all(cs.hidden and cs.mean is None and cs.spread is None for cs in ov.criteria)
    assert ov.weakest == () and ov.disputed == ()
    assert (ov.gain.pre, ov.gain.post, ov.gain.gain) == (None, None, None)
    assert [t.hidden for t in ov.tables] == [True] and ov.tables[0].scores is None and ov.tables[0].answered == 0
    from gecc_kit.dashboard import tables_html

    row = tables_html(standard, ov, "th", lambda t: "#")
    assert ">2<" not in row and "น้อยกว่า 3" in row and "/40" not in row, "no member count or progress of a small table"
    assert heatmap_rows(standard, room.participants, room.answers) is None

    # A third person makes the room's figures visible; a criterion only two rated stays hidden.
    c = store.join("SMALL", "ค", "หน่วยงาน ค", "โต๊ะ 1")
    store.save_answers(c.id, [Answer(cr.id, Status.NA if cr.id == "L01" else Status.PARTIAL) for cr in standard.criteria])
    ov = overview(standard, store.room("SMALL"), questions)
    assert not ov.factors[0].hidden and ov.factors[0].n == 3
    by_id = {s.criterion.id: s for s in ov.criteria}
    assert by_id["L01"].hidden and by_id["L01"].n == 2
    assert not by_id["L02"].hidden and by_id["L02"].mean == pytest.approx(50.0)
    assert not ov.tables[0].hidden and ov.tables[0].answered == 1


def test_table_consensus_is_scored_like_a_participant(store, standard):
    from gecc_kit.scoring import score_all

    store.ensure_workshop("CONS")
    for name in ("ก", "ข", "ค"):
        store.join("CONS", name, "", "โต๊ะ A")
    agreed = {c.id: Status.MET if i % 3 else Status.PARTIAL for i, c in enumerate(standard.criteria)}
    for cid, st in agreed.items():
        store.save_consensus("CONS", "โต๊ะ A", cid, status=st)
    store.save_consensus("CONS", "โต๊ะ A", "L01", note="ป้ายหน้าอาคาร <b>ชัด</b>")
    t = overview(standard, store.room("CONS"), ()).tables[0]
    expected = score_all(standard, agreed)
    assert t.answered == len(standard.criteria)
    assert t.scores["overall"].percent == pytest.approx(expected["overall"].percent)
    assert t.scores["location"].level == expected["location"].level
    assert store.consensus("CONS", "โต๊ะ A")["L01"].note == "ป้ายหน้าอาคาร <b>ชัด</b>"
