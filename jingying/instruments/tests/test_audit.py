"""AUDIT and AUDIT-C (instruments.md §6)."""

from __future__ import annotations

import pytest

from jingying.instruments import InvalidAnswersError, InvalidParameterError, score

# Zone I 0–7, II 8–15, III 16–19, IV 20–40. Vectors keep Q4–6 ≤1 and Q9–10 <4 unless stated.
ZONES = [
    ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 0, "zone_1"),
    ([4, 3, 0, 0, 0, 0, 0, 0, 0, 0], 7, "zone_1"),
    ([4, 4, 0, 0, 0, 0, 0, 0, 0, 0], 8, "zone_2"),
    ([4, 4, 4, 1, 1, 1, 0, 0, 0, 0], 15, "zone_2"),
    ([4, 4, 4, 0, 0, 0, 4, 0, 0, 0], 16, "zone_3"),
    ([4, 4, 4, 0, 0, 0, 4, 3, 0, 0], 19, "zone_3"),
    ([4, 4, 4, 0, 0, 0, 4, 4, 0, 0], 20, "zone_4"),
    ([4, 4, 4, 4, 4, 4, 4, 4, 4, 4], 40, "zone_4"),
]


@pytest.mark.parametrize(("answers", "total", "band"), ZONES)
def test_audit_zone_edges(answers, total, band):
    result = score("AUDIT", answers)
    assert (result.total, result.band) == (total, band)
    assert ("referral" in result.flags) is (band in ("zone_3", "zone_4"))


def test_audit_domains():
    result = score("AUDIT", [1, 2, 3, 1, 0, 2, 1, 0, 2, 4])
    assert result.subscales == {"consumption": 6, "dependence": 3, "harm": 7}
    assert (result.total, result.band) == (16, "zone_3")


@pytest.mark.parametrize(
    ("answers", "next_level"),
    [
        ([0, 0, 0, 2, 0, 0, 0, 0, 0, 0], True),  # Q4 ≥2
        ([0, 0, 0, 0, 0, 2, 0, 0, 0, 0], True),  # Q6 ≥2
        ([0, 0, 0, 1, 1, 1, 0, 0, 0, 0], False),  # subtotal 3, no item ≥2
        ([0, 0, 0, 1, 1, 2, 0, 0, 0, 0], True),
        ([0, 0, 0, 0, 0, 0, 0, 0, 2, 2], False),  # "yes, but not in the last year"
        ([0, 0, 0, 0, 0, 0, 0, 0, 4, 0], True),  # Q9 = 4
        ([0, 0, 0, 0, 0, 0, 0, 0, 0, 4], True),  # Q10 = 4
    ],
)
def test_audit_next_level_flag_leaves_zone_alone(answers, next_level):
    result = score("AUDIT", answers)
    assert ("next_level" in result.flags) is next_level
    assert result.band == "zone_1"  # all these totals are ≤7


@pytest.mark.parametrize(("item", "value"), [(9, 1), (9, 3), (10, 1), (10, 3)])
def test_audit_q9_q10_accept_only_0_2_4(item, value):
    answers = [0] * 10
    answers[item - 1] = value
    with pytest.raises(InvalidAnswersError, match="0、2、4") as exc:
        score("AUDIT", answers)
    assert exc.value.item == str(item)
    assert exc.value.allowed == (0, 2, 4)


def test_audit_q1_value_5_rejected():
    with pytest.raises(InvalidAnswersError, match="0、1、2、3、4"):
        score("AUDIT", [5, 0, 0, 0, 0, 0, 0, 0, 0, 0])


@pytest.mark.parametrize(("sex", "positive"), [("male", False), ("female", True), (None, True)])
def test_audit_derives_auditc_with_sex_specific_cutoff(sex, positive):
    assert ("auditc_positive" in score("AUDIT", [1, 1, 1, 0, 0, 0, 0, 0, 0, 0], sex=sex).flags) is positive


def test_audit_skip_logic_never_drinks():
    # [M]: Q1 = 0 ⇒ skipped Q2–8 scored 0; Q9–10 still asked
    result = score("AUDIT", [0, None, None, None, None, None, None, None, 4, 2])
    assert (result.scorable, result.total, result.band) == (True, 6, "zone_1")
    assert result.filled == ("2", "3", "4", "5", "6", "7", "8")
    assert "next_level" in result.flags


def test_audit_skip_logic_needs_q1_never_and_q9_q10():
    assert score("AUDIT", [1, None, None, None, None, None, None, None, 0, 0]).scorable is False
    assert score("AUDIT", [0, None, None, None, None, None, None, None, None, 0]).scorable is False


def test_audit_missing_item_not_scorable():
    result = score("AUDIT", [4, 4, 4, 0, 0, 0, 4, 4, 0, None])
    assert (result.scorable, result.band) == (False, None)
    assert result.subscales["harm"] is None
    assert result.subscales["consumption"] == 12


# AUDIT-C: positive ≥4 men, ≥3 women, ≥3 sex unknown [P]; configurable.
@pytest.mark.parametrize(
    ("answers", "sex", "band"),
    [
        ([1, 1, 1], "male", "negative"), ([2, 1, 1], "male", "positive"),
        ([1, 1, 0], "female", "negative"), ([1, 1, 1], "female", "positive"),
        ([1, 1, 0], None, "negative"), ([1, 1, 1], None, "positive"),
        ([0, 0, 0], "male", "negative"), ([4, 4, 4], "female", "positive"),
    ],
)
def test_auditc_sex_specific_cutoffs(answers, sex, band):
    result = score("AUDIT-C", answers, sex=sex)
    assert (result.total, result.band) == (sum(answers), band)
    assert ("auditc_positive" in result.flags) is (band == "positive")
    assert result.cutoff == {"male": 4, "female": 3, None: 3}[sex]


@pytest.mark.parametrize(("answers", "sex", "band"), [([2, 1, 1], "male", "negative"), ([2, 2, 1], "male", "positive"),
                                                      ([2, 1, 1], "female", "negative")])
def test_auditc_cutoff_override_5(answers, sex, band):
    # Yip 2015 (Hong Kong men): ≥5; an explicit cut-off applies whatever the sex
    assert score("AUDIT-C", answers, sex=sex, cutoff=5).band == band


@pytest.mark.parametrize("cutoff", [0, 13])
def test_auditc_cutoff_out_of_range(cutoff):
    with pytest.raises(InvalidParameterError):
        score("AUDIT-C", [0, 0, 0], cutoff=cutoff)


def test_auditc_sex_must_be_known_value():
    with pytest.raises(InvalidParameterError):
        score("AUDIT-C", [0, 0, 0], sex="other")


def test_auditc_skip_logic():
    result = score("AUDIT-C", [0, None, None])
    assert (result.total, result.band, result.scorable) == (0, "negative", True)
    assert score("AUDIT-C", [1, None, 1]).scorable is False
