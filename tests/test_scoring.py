"""Scoring: percent of applicable weight, levels held back by unmet mandatory
criteria, gaps in the order a unit should work on them."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gecc_kit import Status, load_standard, score, score_all
from gecc_kit.criteria import FACTORS, Criterion, Level, Standard
from conftest import SAMPLE_CRITERIA

STANDARD = load_standard(SAMPLE_CRITERIA)
IDS = [c.id for c in STANDARD.criteria]
LOCATION = [c.id for c in STANDARD.for_factor("location")]


def small_standard():
    crit = (
        Criterion("A", "location", "ก", mandatory=True, weight=2),
        Criterion("B", "location", "ข", weight=1),
        Criterion("C", "location", "ค", weight=3),
        Criterion("D", "location", "ง", mandatory=True, weight=1),
    )
    levels = (Level("basic", "พื้นฐาน", "Basic", 50, True), Level("top", "เป็นเลิศ", "Top", 90, True))
    return Standard(criteria=crit, levels=levels)


def test_percent_is_earned_over_applicable_weight_with_partial_as_half():
    """Met earns the weight, partly met half of it, not applicable leaves the item out."""
    s = score(small_standard(), {"A": "met", "B": "partial", "C": "na", "D": "not_yet"}, "location")
    # applicable weight 2 + 1 + 1 = 4; earned 2 + 0.5 = 2.5
    assert s.applicable_weight == 4 and s.earned == 2.5
    assert s.percent == 62.5
    assert s.counts == {"met": 1, "partial": 1, "not_yet": 1, "na": 1, "unanswered": 0}


def test_unanswered_counts_as_not_yet_met():
    s = score(small_standard(), {"A": "met"}, "location")
    assert s.percent == pytest.approx(100 * 2 / 7)
    assert s.counts["unanswered"] == 3


def test_unmet_mandatory_holds_back_the_level():
    """At 85.7% the basic level needs every mandatory item met: D is not, so no level."""
    s = score(small_standard(), {"A": "met", "B": "met", "C": "met", "D": "not_yet"}, "location")
    assert s.percent > 50
    assert s.level is None
    assert [c.id for c in s.mandatory_unmet] == ["D"]
    s = score(small_standard(), {"A": "met", "B": "not_yet", "C": "met", "D": "met"}, "location")
    assert s.level.id == "basic"  # 6/7 = 85.7% < 90


def test_gaps_put_mandatory_first_then_heaviest():
    s = score(small_standard(), {"A": "partial", "B": "not_yet", "C": "not_yet"}, "location")
    assert [g.criterion.id for g in s.gaps] == ["A", "D", "C", "B"]
    assert s.gaps[1].status is None  # D unanswered


def test_overall_and_each_factor():
    """Does score_all give the four factors and an overall score over all 40 criteria?"""
    answers = {cid: Status.MET for cid in LOCATION}
    result = score_all(STANDARD, answers)
    assert set(result) == {"location", "personnel", "service", "technology", "overall"}
    assert result["location"].percent == 100 and result["location"].level.id == "excellence"
    assert result["personnel"].percent == 0 and result["personnel"].level is None
    assert result["overall"].total == 40
    location_weight = sum(c.weight for c in STANDARD.for_factor("location"))
    total_weight = sum(c.weight for c in STANDARD.criteria)
    assert abs(result["overall"].percent - 100 * location_weight / total_weight) < 1e-9


def test_unknown_ids_in_answers_are_ignored():
    assert score(STANDARD, {"ZZZ": "met"}).percent == 0


def test_nothing_applicable_reaches_no_level():
    """A factor answered all 'not applicable' has nothing to score: no level, even a 0% one."""
    std = Standard(criteria=small_standard().criteria, levels=(Level("zero", "ศูนย์", "Zero", 0, False),))
    s = score(std, {c: "na" for c in "ABCD"}, "location")
    assert not s.applicable and s.level is None


# --- properties, over generated standards as well as the sample -----------------------

FACTOR_IDS = [f.id for f in FACTORS]


@st.composite
def standards(draw):
    """Any valid standard: 4 to 24 criteria over the four factors, 1 to 4 levels from 0 to 100."""
    n = draw(st.integers(4, 24))
    criteria = tuple(
        Criterion(
            f"C{i}",
            FACTOR_IDS[i] if i < 4 else draw(st.sampled_from(FACTOR_IDS)),
            "เกณฑ์",
            mandatory=draw(st.booleans()),
            weight=draw(st.floats(0.01, 100, allow_nan=False, allow_infinity=False)),
        )
        for i in range(n)
    )
    thresholds = sorted(draw(st.sets(st.integers(0, 100), min_size=1, max_size=4)))
    levels = tuple(Level(f"l{j}", "ระดับ", "Level", float(t), draw(st.booleans())) for j, t in enumerate(thresholds))
    return Standard(criteria=criteria, levels=levels)


@st.composite
def cases(draw):
    """A standard (generated, or the sample), answers to it, and a scope."""
    standard = draw(st.one_of(st.just(STANDARD), standards()))
    ids = [c.id for c in standard.criteria]
    answers = draw(st.dictionaries(st.sampled_from(ids), st.sampled_from([None, *Status])))
    factor = draw(st.sampled_from([None, *FACTOR_IDS]))
    return standard, answers, factor, ids


def level_rank(standard, level):
    return [None, *standard.levels].index(level)


@settings(max_examples=400, deadline=None)
@given(cases())
def test_percent_stays_within_0_and_100(case):
    standard, answers, factor, _ = case
    s = score(standard, answers, factor)
    assert 0 <= s.earned <= s.applicable_weight
    assert 0 <= s.percent <= 100
    assert s.total == len(standard.criteria if factor is None else standard.for_factor(factor))


@settings(max_examples=300, deadline=None)
@given(cases(), st.data())
def test_all_met_gives_the_top_level(case, data):
    """All applicable criteria met reaches the top level, whatever is marked not applicable."""
    standard, _, factor, ids = case
    na = data.draw(st.sets(st.sampled_from(ids)))
    answers = {cid: (Status.NA if cid in na else Status.MET) for cid in ids}
    s = score(standard, answers, factor)
    if s.applicable:
        assert s.percent == 100
        assert s.level == standard.levels[-1]


@settings(max_examples=400, deadline=None)
@given(cases(), st.data())
def test_not_applicable_items_do_not_count(case, data):
    """Marking an item not applicable is the same as removing it from the standard."""
    standard, answers, factor, ids = case
    cid = data.draw(st.sampled_from(ids))
    answers = {**answers, cid: Status.NA}
    reduced = Standard(criteria=tuple(c for c in standard.criteria if c.id != cid), levels=standard.levels)
    a, b = score(standard, answers, factor), score(reduced, answers, factor)
    assert a.percent == pytest.approx(b.percent)
    assert (a.level, [g.criterion.id for g in a.gaps]) == (b.level, [g.criterion.id for g in b.gaps])


@settings(max_examples=400, deadline=None)
@given(cases(), st.data())
def test_adding_a_met_answer_never_lowers_the_score(case, data):
    standard, answers, factor, ids = case
    cid = data.draw(st.sampled_from(ids))
    before = score(standard, answers, factor)
    after = score(standard, {**answers, cid: Status.MET}, factor)
    assert after.percent >= before.percent - 1e-9
    assert level_rank(standard, after.level) >= level_rank(standard, before.level)
