"""GAD-7 and GAD-2 (instruments.md §3)."""

from __future__ import annotations

import pytest

from jingying.instruments import score
from jingying.instruments.tests.vectors import filled

# 0–4 minimal, 5–9 mild, 10–14 moderate, 15–21 severe.
GAD7_EDGES = [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
              (15, "severe"), (21, "severe")]


@pytest.mark.parametrize(("total", "band"), GAD7_EDGES)
def test_gad7_band_edges(total, band):
    result = score("GAD-7", filled(total, 7, 3))
    assert (result.total, result.band, result.scorable) == (total, band, True)


@pytest.mark.parametrize(("total", "referral"), [(9, False), (10, True)])
def test_gad7_referral_at_10(total, referral):
    assert ("referral" in score("GAD-7", filled(total, 7, 3)).flags) is referral


def test_gad7_no_safety_flags_at_maximum():
    assert not {"safety_escalation", "safety_emergent"} & set(score("GAD-7", [3] * 7).flags)


def test_gad7_missing_item_not_scorable():
    result = score("GAD-7", [3, 3, 3, 3, 3, 3, None])
    assert (result.scorable, result.total, result.band) == (False, None, None)
    assert "referral" not in result.flags


@pytest.mark.parametrize(("first_two", "positive"), [([1, 1], False), ([2, 1], True), ([0, 3], True)])
def test_gad7_derives_gad2(first_two, positive):
    result = score("GAD-7", [*first_two, 0, 0, 0, 0, 0])
    assert ("gad2_positive" in result.flags) is positive
    assert result.subscales == {"GAD-2": sum(first_two)}


@pytest.mark.parametrize(("answers", "band"), [([0, 0], "negative"), ([2, 0], "negative"), ([2, 1], "positive"),
                                               ([3, 3], "positive")])
def test_gad2_edges(answers, band):
    result = score("GAD-2", answers)
    assert result.band == band
    assert ("gad2_positive" in result.flags) is (band == "positive")


def test_gad2_missing_not_scorable():
    assert score("GAD-2", [None, 3]).scorable is False
