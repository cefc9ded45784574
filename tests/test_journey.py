"""Progress through the journey, and the plan's Thai dates."""
from __future__ import annotations

from datetime import date

from gecc_kit.journey import DONE, MODULES, STARTED, TODO, progress
from gecc_kit.plan import PlanItem, thai_date
from gecc_kit.quiz import load_questions
from gecc_kit.scoring import Answer, Status


def test_a_new_participant_has_only_the_welcome_done(standard):
    states = progress(standard, {}, {}, {}, load_questions())
    assert states["00-welcome.ipynb"] == DONE
    assert all(states[m.notebook] == TODO for m in MODULES[1:])


def test_a_factor_is_done_when_every_criterion_has_a_status(standard):
    questions = load_questions()
    ids = [c.id for c in standard.for_factor("personnel")]
    some = {cid: Answer(cid, Status.MET) for cid in ids[:3]}
    assert progress(standard, some, {}, {}, questions)["02-personnel.ipynb"] == STARTED
    notes_only = {cid: Answer(cid, None, "x") for cid in ids}
    assert progress(standard, notes_only, {}, {}, questions)["02-personnel.ipynb"] == TODO
    full = {cid: Answer(cid, Status.NA) for cid in ids}
    assert progress(standard, full, {}, {}, questions)["02-personnel.ipynb"] == DONE


def test_the_summary_is_done_with_one_written_action(standard):
    questions = load_questions()
    assert progress(standard, {}, {"L01": PlanItem("L01", chosen=True)}, {}, questions)["05-summary.ipynb"] == TODO
    assert progress(standard, {}, {"L01": PlanItem("L01", chosen=False, action="x")}, {}, questions)["05-summary.ipynb"] == TODO
    assert progress(standard, {}, {"L01": PlanItem("L01", action="ติดป้าย")}, {}, questions)["05-summary.ipynb"] == DONE


def test_the_knowledge_check_is_done_after_pre_and_post(standard):
    questions = load_questions()
    all_a = {q.id: "a" for q in questions}
    assert progress(standard, {}, {}, {"pre": all_a}, questions)["06-knowledge-check.ipynb"] == STARTED
    assert progress(standard, {}, {}, {"pre": all_a, "post": all_a}, questions)["06-knowledge-check.ipynb"] == DONE


def test_dates_show_the_buddhist_year():
    assert thai_date(date(2027, 1, 15)) == "15 ม.ค. 2570"
    assert thai_date(date(2026, 11, 25), "en") == "25 Nov 2026 (B.E. 2569)"
    assert thai_date(None) == ""


def test_the_summary_is_done_when_there_is_nothing_to_plan(standard):
    questions = load_questions()
    all_met = {c.id: Answer(c.id, Status.MET) for c in standard.criteria}
    assert progress(standard, all_met, {}, {}, questions)["05-summary.ipynb"] == DONE
    one_gap = dict(all_met, L01=Answer("L01", Status.PARTIAL))
    assert progress(standard, one_gap, {}, {}, questions)["05-summary.ipynb"] == TODO
