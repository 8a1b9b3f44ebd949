"""PHQ-9, PHQ-8, PHQ-2 (instruments.md §2, §12). Expected values worked out by hand."""

from __future__ import annotations

import pytest

from jingying.instruments import InvalidAnswersError, score
from jingying.instruments.tests.vectors import filled

# §1/§2: 0–4 minimal, 5–9 mild, 10–14 moderate, 15–19 moderately severe, 20–27 severe.
PHQ9_EDGES = [
    (0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
    (15, "moderately_severe"), (19, "moderately_severe"), (20, "severe"), (27, "severe"),
]


@pytest.mark.parametrize(("total", "band"), PHQ9_EDGES)
def test_phq9_band_edges(total, band):
    result = score("PHQ-9", filled(total, 9, 3))
    assert (result.total, result.raw_total, result.band, result.scorable) == (total, total, band, True)


@pytest.mark.parametrize(("total", "band"), [(t, b) for t, b in PHQ9_EDGES if t <= 24])
def test_phq9_band_edges_without_item_9(total, band):
    # items 1–8 only carry the score; item 9 = 0 so no safety flag muddles the check
    result = score("PHQ-9", [*filled(total, 8, 3), 0])
    assert result.band == band
    assert "safety_escalation" not in result.flags


@pytest.mark.parametrize(("total", "referral"), [(9, False), (10, True), (24, True)])
def test_phq9_referral_default_cutoff_10(total, referral):
    result = score("PHQ-9", [*filled(total, 8, 3), 0])
    assert ("referral" in result.flags) is referral
    assert result.cutoff == 10


@pytest.mark.parametrize(("total", "referral"), [(6, False), (7, True)])
def test_phq9_cutoff_override_moves_referral_not_band(total, referral):
    # Wang 2014: ≥7 in a Shanghai community sample; bands stay Kroenke's (7 is mild)
    result = score("PHQ-9", [*filled(total, 8, 3), 0], cutoff=7)
    assert ("referral" in result.flags) is referral
    assert result.band == "mild"
    assert result.cutoff == 7


@pytest.mark.parametrize(
    ("item9", "flags", "priority"),
    [
        (0, [], None),
        (1, ["safety_escalation"], "urgent"),
        (2, ["safety_escalation", "safety_emergent"], "emergent"),
        (3, ["safety_escalation", "safety_emergent"], "emergent"),
        (None, ["safety_escalation"], "urgent"),  # unanswered ⇒ risk cannot be excluded [P]
    ],
)
def test_phq9_safety_item(item9, flags, priority):
    result = score("PHQ-9", [0, 0, 0, 0, 0, 0, 0, 0, item9])
    assert list(result.flags) == flags
    assert result.safety_priority == priority
    assert result.safety_escalation is bool(flags)


def test_phq9_safety_is_independent_of_the_total():
    result = score("PHQ-9", [0, 0, 0, 0, 0, 0, 0, 0, 1])
    assert (result.total, result.band) == (1, "minimal")
    assert result.flags == ("safety_escalation",)


def test_phq9_safety_even_when_not_scorable():
    result = score("PHQ-9", [None, None, None, 0, 0, 0, 0, 0, 3])
    assert result.scorable is False and result.total is None
    assert result.flags == ("safety_escalation", "safety_emergent")
    assert score("PHQ-9", [None] * 9).flags == ("safety_escalation",)


def test_phq9_one_missing_item_is_prorated():
    # 8 answered, sum 7: 7/8 × 9 = 7.875 → 8 (mild); raw_total is the plain sum
    result = score("PHQ-9", [None, 1, 1, 1, 1, 1, 1, 1, 0])
    assert (result.total, result.raw_total, result.band, result.prorated) == (8, 7, "mild", True)
    assert result.missing == ("1",)


def test_phq9_two_missing_items_is_just_scorable():
    # 7 answered, sum 12: 12/7 × 9 = 15.43 → 15 (moderately severe)
    result = score("PHQ-9", [None, None, 2, 2, 2, 2, 2, 2, 0])
    assert (result.total, result.raw_total, result.band, result.scorable) == (15, 12, "moderately_severe", True)
    assert "referral" in result.flags


def test_phq9_three_missing_items_is_just_not_scorable():
    result = score("PHQ-9", [None, None, None, 2, 2, 2, 2, 2, 0])
    assert (result.total, result.raw_total, result.band, result.scorable) == (None, None, None, False)
    assert "referral" not in result.flags


def test_phq9_prorated_total_rounds_half_up_before_banding():
    # 8 answered, sum 4: 4/8 × 9 = 4.5 → 5 (half-up [P]) → mild, not minimal
    result = score("PHQ-9", [None, 1, 1, 1, 1, 0, 0, 0, 0])
    assert (result.total, result.band) == (5, "mild")
    # 8 answered, sum 12: 13.5 → 14, still moderate (and ≥10 referral)
    assert score("PHQ-9", [None, 3, 3, 3, 3, 0, 0, 0, 0]).total == 14


def test_phq9_missing_item_9_is_prorated_and_escalated():
    result = score("PHQ-9", [1, 1, 1, 1, 1, 1, 1, 1, None])
    assert (result.total, result.raw_total) == (9, 8)  # 8/8 × 9
    assert result.flags == ("safety_escalation",)


@pytest.mark.parametrize(("item1", "item2", "positive", "sub"), [(1, 1, False, 2), (2, 1, True, 3), (3, 3, True, 6)])
def test_phq9_derives_phq2(item1, item2, positive, sub):
    result = score("PHQ-9", [item1, item2, 0, 0, 0, 0, 0, 0, 0])
    assert ("phq2_positive" in result.flags) is positive
    assert result.subscales == {"PHQ-2": sub}


def test_phq9_phq2_not_derived_when_item_missing():
    result = score("PHQ-9", [None, 3, 0, 0, 0, 0, 0, 0, 0])
    assert result.subscales == {"PHQ-2": None}
    assert "phq2_positive" not in result.flags


def test_phq9_question_10_is_recorded_not_scored():
    assert score("PHQ-9", [1, 1, 1, 1, 1, 1, 1, 1, 0, 3]).total == 8
    with pytest.raises(InvalidAnswersError) as exc:
        score("PHQ-9", [1, 1, 1, 1, 1, 1, 1, 1, 0, 4])
    assert exc.value.item == "10"


# PHQ-8: same bands up to 20–24 (§12.2), no safety item, forced response.
PHQ8_EDGES = [
    (0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
    (15, "moderately_severe"), (19, "moderately_severe"), (20, "severe"), (24, "severe"),
]


@pytest.mark.parametrize(("total", "band"), PHQ8_EDGES)
def test_phq8_band_edges(total, band):
    result = score("PHQ-8", filled(total, 8, 3))
    assert (result.total, result.band) == (total, band)
    assert not {"safety_escalation", "safety_emergent", "referral"} & set(result.flags)


def test_phq8_missing_item_not_scorable_and_no_item_9():
    assert score("PHQ-8", [0, 0, 0, 0, 0, 0, 0, None]).scorable is False
    with pytest.raises(InvalidAnswersError):
        score("PHQ-8", [0] * 9)


def test_phq8_derives_phq2():
    assert "phq2_positive" in score("PHQ-8", [2, 1, 0, 0, 0, 0, 0, 0]).flags


@pytest.mark.parametrize(
    ("answers", "total", "band"),
    [([0, 0], 0, "negative"), ([1, 1], 2, "negative"), ([2, 1], 3, "positive"), ([3, 3], 6, "positive")],
)
def test_phq2_edges(answers, total, band):
    result = score("PHQ-2", answers)
    assert (result.total, result.band) == (total, band)
    assert ("phq2_positive" in result.flags) is (band == "positive")


def test_phq2_missing_not_scorable():
    result = score("PHQ-2", [3, None])
    assert (result.scorable, result.band, result.flags) == (False, None, ())
