"""Knowledge-check questions: is the shipped file valid, does it measure (no answer given away
by its length, the Act's duties asked and filed under `act`, English for an English reader), is a
broken one reported with file, row and column, and is grading right?"""
from __future__ import annotations

import re

import pytest

from gecc_kit.quiz import LETTERS, Question, QuestionsError, grade, load_questions, questions_path
from conftest import read_rows, write_rows


def right_choice(q: Question) -> tuple[str, str]:
    """The (Thai, English) text of the question's correct choice."""
    return dict(zip(LETTERS, q.choices))[q.answer]


def sections_cited(q: Question) -> set[int]:
    """The sections of the Act a question's source cites ("ม.7", "มาตรา 7" or "s.7")."""
    return {int(n) for n in re.findall(r"(?:ม\.|มาตรา|\bs\.)\s*(\d+)", q.source)}


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


def test_the_right_answer_is_not_given_away_by_its_length():
    """Can a test-wise participant score by picking the longest choice? The correct choice is
    longer (in Thai characters) than every distractor in at most a quarter of the questions."""
    questions = load_questions()
    longest = [
        q.id for q in questions
        if len(right_choice(q)[0]) > max(len(th) for letter, (th, _en) in zip(LETTERS, q.choices) if letter != q.answer)
    ]
    assert len(longest) <= len(questions) / 4, f"the right answer is the longest choice in {longest}"


def test_section_10_and_written_refusal_are_asked_and_act_questions_are_tagged_act():
    """Does the check ask what case 03 relies on (s.10: the result within 7 days of the decision,
    notice of delay every 7 days, a refusal in writing with reasons), and is every question on the
    Act, s.7 first, filed under the topic `act`?"""
    questions = load_questions()
    on_s10 = [q for q in questions if 10 in sections_cited(q)]
    assert any("7 วันนับแต่วันที่พิจารณาแล้วเสร็จ" in right_choice(q)[0] and "of the decision" in right_choice(q)[1] for q in on_s10)
    assert any("ทุก 7 วัน" in right_choice(q)[0] for q in on_s10), "notice of delay every 7 days"
    assert any("หนังสือ" in right_choice(q)[0] and "เหตุผล" in right_choice(q)[0] for q in on_s10), "a refusal in writing with reasons"
    on_s7 = [q.id for q in questions if 7 in sections_cited(q)]
    assert on_s7, "no question on s.7 (the citizen manual)"
    on_the_act = {q.id: q.topic for q in questions if sections_cited(q)}
    assert set(on_the_act.values()) == {"act"}, on_the_act


def test_an_english_reader_sees_english():
    """With ?l=en, is every question, choice and explanation in English, and is an Act source
    cited in English as well as Thai?"""
    for q in load_questions():
        assert q.question_en and q.explanation_en and all(en for _th, en in q.choices), q.id
        assert q.source, q.id
        if "ม." in q.source or "มาตรา" in q.source:
            assert re.search(r"\bs\.\s*\d+", q.source), f"{q.id}: the source names the section in Thai only"
