"""K10 (§10) and PSQ-Op / PSQ-Org (§11)."""

from __future__ import annotations

import pytest

from jingying.instruments import InvalidAnswersError, score
from jingying.instruments.tests.vectors import filled

K10_EDGES = [(10, "low"), (15, "low"), (16, "moderate"), (21, "moderate"), (22, "high"), (29, "high"),
             (30, "very_high"), (50, "very_high")]


@pytest.mark.parametrize(("total", "band"), K10_EDGES)
def test_k10_band_edges(total, band):
    result = score("K10", filled(total, 10, 5, bottom=1))
    assert (result.total, result.band) == (total, band)
    assert ("referral" in result.flags) is (total >= 30)


@pytest.mark.parametrize("value", [0, 6])
def test_k10_is_coded_1_to_5(value):
    with pytest.raises(InvalidAnswersError, match="1、2、3、4、5"):
        score("K10", [1] * 9 + [value])


def test_k10_skip_logic():
    # [M]: item 2 "none of the time" ⇒ item 3 scored 1; item 5 "none" ⇒ item 6 scored 1
    result = score("K10", [1, 1, None, 1, 1, None, 1, 1, 1, 1])
    assert (result.total, result.band, result.filled) == (10, "low", ("3", "6"))
    assert score("K10", [1, 2, None, 1, 1, 1, 1, 1, 1, 1]).scorable is False
    assert score("K10", [1, 1, None, 1, 3, None, 1, 1, 1, 1]).scorable is False


def test_k10_missing_item_not_scorable():
    assert score("K10", [5] * 9 + [None]).scorable is False


@pytest.mark.parametrize("code", ["PSQ-OP", "PSQ-ORG"])
@pytest.mark.parametrize(
    ("raw", "mean", "band"),
    [
        (20, 1, "low"),
        (40, 2, "low"),  # ≤2.0
        (41, 2.05, "moderate"),  # >2.0
        (69, 3.45, "moderate"),  # <3.5 although it displays as 3.5 at one decimal
        (70, 3.5, "high"),  # ≥3.5
        (140, 7, "high"),
    ],
)
def test_psq_mean_band_edges(code, raw, mean, band):
    result = score(code, filled(raw, 20, 7, bottom=1))
    assert (result.raw_total, result.band) == (raw, band)
    assert result.total == pytest.approx(mean)
    assert result.flags == ()


@pytest.mark.parametrize("code", ["PSQ-OP", "PSQ-ORG"])
def test_psq_values_and_missing(code):
    with pytest.raises(InvalidAnswersError, match="1、2、3、4、5、6、7"):
        score(code, [0] + [1] * 19)
    with pytest.raises(InvalidAnswersError):
        score(code, [8] + [1] * 19)
    assert score(code, [None] + [7] * 19).scorable is False
