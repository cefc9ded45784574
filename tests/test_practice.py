"""Practice data: fictional offices and full demonstration answer sets, loaded by `gecc-kit demo`."""
from __future__ import annotations

import subprocess
import sys

import pytest

from gecc_kit import score_all
from gecc_kit.practice import (
    PracticeDataError,
    SAMPLES,
    load_demo_answers,
    load_demo_knowledge,
    load_offices,
    seed_demo,
)
from gecc_kit.quiz import grade, load_questions
from conftest import ROOT, read_rows, write_rows


def test_sample_offices_are_fictional_and_6_to_10():
    offices = load_offices()
    assert 6 <= len(offices) <= 10
    assert all("สมมติ" in o.name_th for o in offices)
    assert all(o.table for o in offices)


def test_every_sample_office_answers_every_criterion_at_different_maturity(standard):
    offices = load_offices()
    answers = load_demo_answers(standard, offices)
    overall = {}
    for o in offices:
        assert set(answers[o.id]) == {c.id for c in standard.criteria}
        overall[o.id] = score_all(standard, answers[o.id])["overall"]
    percents = sorted(s.percent for s in overall.values())
    assert percents[-1] - percents[0] > 40, "the units should range from weak to strong"
    assert any(s.level for s in overall.values()) and any(not s.level for s in overall.values())


def test_demo_knowledge_shows_a_gain_for_most_units():
    questions, offices = load_questions(), load_offices()
    knowledge = load_demo_knowledge(questions, offices)
    gains = [grade(questions, k["post"]).correct - grade(questions, k["pre"]).correct for k in knowledge.values()]
    assert all(grade(questions, k[p]).complete for k in knowledge.values() for p in ("pre", "post"))
    assert sum(g > 0 for g in gains) > len(gains) / 2


def test_a_broken_answers_file_names_row_and_column(standard, tmp_path):
    rows = read_rows(SAMPLES / "demo-answers.csv")
    rows[5][2] = "maybe"
    rows[7][1] = "Z99"
    del rows[9]
    path = write_rows(tmp_path / "demo-answers.csv", rows)
    with pytest.raises(PracticeDataError) as info:
        load_demo_answers(standard, load_offices(), path)
    found = {(p.row, p.column) for p in info.value.problems}
    assert (6, "status") in found and (8, "criterion_id") in found
    assert any("no answer for" in p.message for p in info.value.problems)


def test_an_office_without_a_name_is_reported(tmp_path):
    path = write_rows(tmp_path / "offices.csv", [["id", "name_th"], ["O1", "ก"], ["O2", ""]])
    with pytest.raises(PracticeDataError) as info:
        load_offices(path)
    assert [(p.file, p.row, p.column) for p in info.value.problems] == [("offices.csv", 3, "name_th")]


def test_seed_demo_fills_a_workshop_through_the_store(store, standard):
    created = seed_demo(store, "DEMO", standard, load_questions())
    people = store.participants("DEMO")
    assert [p.id for p in people] == [p.id for p in created] and len(people) == len(load_offices())
    expected = load_demo_answers(standard, load_offices())
    first = load_offices()[0]
    assert store.answers(people[0].id) == expected[first.id]
    assert people[0].table_label == first.table
    assert grade(load_questions(), store.quiz_choices(people[0].id)["post"]).complete


def test_the_demo_command_loads_a_workshop(tmp_path):
    url = "sqlite:///" + str(tmp_path / "g.sqlite")
    out = subprocess.run(
        [sys.executable, "-m", "gecc_kit.cli", "demo", "--workshop", "room-1", "--store", url],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "ROOM-1" in out.stdout and "สมมติ" in out.stdout
    from gecc_kit.store import Store

    assert len(Store(url).participants("ROOM-1")) == len(load_offices())
