"""Knowledge-check questions: is the shipped file valid, is a broken one reported
with file, row and column, and is grading right?"""
from __future__ import annotations

import pytest

from gecc_kit.quiz import LETTERS, QuestionsError, grade, load_questions, questions_path
from conftest import read_rows, write_rows


def test_the_shipped_questions_are_valid_and_cover_every_topic():
    questions = load_questions()
    assert 10 <= len(questions) <= 15
    assert {"location", "personnel", "service", "technology", "act"} <= {q.topic for q in questions}
    for q in questions:
        assert len(q.choices) == 4 and all(th for th, _en in q.choices)
        assert q.answer in LETTERS and q.explanation_th
    # The right answers are not all the same letter: guessing "a" must not pass.
    assert len({q.answer for q in questions}) == 4


@pytest.fixture
def questions_copy(tmp_path):
    rows = read_rows(questions_path())
    return tmp_path / "knowledge-check.csv", rows


def test_every_problem_names_file_row_and_column(questions_copy):
    path, rows = questions_copy
    header = rows[0]
    rows[2][header.index("answer")] = "e"
    rows[3][header.index("choice_c_th")] = ""
    rows[4][header.index("topic")] = "weather"
    rows[5][header.index("id")] = rows[1][header.index("id")]
    write_rows(path, rows)
    with pytest.raises(QuestionsError) as info:
        load_questions(path)
    found = {(p.file, p.row, p.column) for p in info.value.problems}
    assert {
        ("knowledge-check.csv", 3, "answer"),
        ("knowledge-check.csv", 4, "choice_c_th"),
        ("knowledge-check.csv", 5, "topic"),
        ("knowledge-check.csv", 6, "id"),
    } <= found
    assert "a, b, c or d" in str(info.value)


def test_a_missing_column_is_named(questions_copy):
    path, rows = questions_copy
    i = rows[0].index("explanation_th")
    write_rows(path, [r[:i] + r[i + 1:] for r in rows])
    with pytest.raises(QuestionsError, match="explanation_th"):
        load_questions(path)


def test_grading_counts_answered_and_right():
    questions = load_questions()
    right = {q.id: q.answer for q in questions}
    assert grade(questions, right).correct == len(questions)
    assert grade(questions, right).complete
    wrong = {q.id: next(x for x in LETTERS if x != q.answer) for q in questions}
    assert grade(questions, wrong).correct == 0 and grade(questions, wrong).complete
    half = dict(list(right.items())[:3])
    result = grade(questions, half)
    assert (result.answered, result.correct, result.complete) == (3, 3, False)
