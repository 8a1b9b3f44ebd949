"""ISI (§7) and PSS-10 (§8)."""

from __future__ import annotations

import pytest

from jingying.instruments import InvalidAnswersError, score
from jingying.instruments.tests.vectors import filled

ISI_EDGES = [(0, "none"), (7, "none"), (8, "subthreshold"), (14, "subthreshold"), (15, "moderate"),
             (21, "moderate"), (22, "severe"), (28, "severe")]


@pytest.mark.parametrize(("total", "band"), ISI_EDGES)
def test_isi_band_edges(total, band):
    result = score("ISI", filled(total, 7, 4))
    assert (result.total, result.band) == (total, band)
    assert ("referral" in result.flags) is (total >= 15)  # §12.2: ISI ≥15


def test_isi_values_and_missing():
    with pytest.raises(InvalidAnswersError):
        score("ISI", [0, 0, 0, 0, 0, 0, 5])
    assert score("ISI", [4, 4, 4, 4, 4, 4, None]).scorable is False


def test_pss10_all_zero_scores_16():
    # the trap named in §8: items 4, 5, 7, 8 reverse to 4 each
    result = score("PSS-10", [0] * 10)
    assert (result.total, result.band) == (16, "moderate")


@pytest.mark.parametrize(
    ("answers", "total", "band"),
    [
        ([0, 0, 0, 4, 4, 0, 4, 4, 0, 0], 0, "low"),  # reversed items answered 4 score 0
        ([4, 4, 4, 4, 4, 4, 4, 4, 4, 4], 24, "moderate"),  # 6 × 4 + 4 × 0
        ([4, 4, 4, 0, 0, 4, 0, 0, 4, 4], 40, "high"),
        ([4, 4, 4, 4, 4, 1, 4, 4, 0, 0], 13, "low"),
        ([4, 4, 4, 4, 4, 2, 4, 4, 0, 0], 14, "moderate"),
        ([4, 4, 4, 2, 4, 4, 4, 4, 4, 4], 26, "moderate"),  # 24 + (4 − 2)
        ([4, 4, 4, 1, 4, 4, 4, 4, 4, 4], 27, "high"),  # 24 + (4 − 1)
    ],
)
def test_pss10_reversal_and_band_edges(answers, total, band):
    result = score("PSS-10", answers)
    assert (result.total, result.band) == (total, band)
    assert result.flags == ()  # non-clinical: no referral


@pytest.mark.parametrize("item", [4, 5, 7, 8])
def test_pss10_each_reversed_item(item):
    answers = [0] * 10
    answers[item - 1] = 1  # 4 − 1 = 3 instead of 4: the total drops from 16 to 15
    assert score("PSS-10", answers).total == 15


@pytest.mark.parametrize("item", [1, 2, 3, 6, 9, 10])
def test_pss10_each_plain_item(item):
    answers = [0] * 10
    answers[item - 1] = 1
    assert score("PSS-10", answers).total == 17


def test_pss10_missing_and_values():
    assert score("PSS-10", [0, 0, 0, 0, 0, 0, 0, 0, 0, None]).scorable is False
    with pytest.raises(InvalidAnswersError):
        score("PSS-10", [0, 0, 0, 5, 0, 0, 0, 0, 0, 0])
