"""WHO-5 (instruments.md §5): raw 0–25, percentage = raw × 4, ≤50 % poor wellbeing, ≤28 % likely depression."""

from __future__ import annotations

import pytest

from jingying.instruments import InvalidAnswersError, score
from jingying.instruments.tests.vectors import filled


@pytest.mark.parametrize(
    ("raw", "percent", "band"),
    [
        (0, 0, "likely_depression"),
        (7, 28, "likely_depression"),
        (8, 32, "poor_wellbeing"),
        (12, 48, "poor_wellbeing"),
        (13, 52, "not_low"),
        (25, 100, "not_low"),
    ],
)
def test_who5_percentage_and_band_edges(raw, percent, band):
    result = score("WHO-5", filled(raw, 5, 5))
    assert (result.raw_total, result.total, result.band) == (raw, percent, band)


@pytest.mark.parametrize(("raw", "referral"), [(7, True), (8, False)])
def test_who5_referral_at_28_percent(raw, referral):
    assert ("referral" in score("WHO-5", filled(raw, 5, 5)).flags) is referral


@pytest.mark.parametrize(
    ("answers", "low_item"),
    [([2, 2, 2, 2, 2], False), ([3, 3, 3, 3, 1], True), ([5, 5, 5, 5, 0], True), ([5, 5, 5, 5, 2], False)],
)
def test_who5_any_item_0_or_1(answers, low_item):
    assert ("low_item" in score("WHO-5", answers).flags) is low_item


def test_who5_not_low_band_can_still_carry_low_item():
    result = score("WHO-5", [5, 5, 5, 5, 0])
    assert (result.total, result.band, result.flags) == (80, "not_low", ("low_item",))


def test_who5_missing_item_not_scorable():
    result = score("WHO-5", [5, 5, 5, 5, None])
    assert (result.scorable, result.total, result.raw_total) == (False, None, None)


def test_who5_value_6_rejected():
    with pytest.raises(InvalidAnswersError, match="0、1、2、3、4、5"):
        score("WHO-5", [5, 5, 5, 5, 6])
