"""CBI (instruments.md §9): three scale means 0–100, W7 reversed, non-responder rules, ≥50 high burnout."""

from __future__ import annotations

from fractions import Fraction

import pytest

from jingying.instruments import InvalidAnswersError, score

N = None


def cbi(personal, work, client):
    assert (len(personal), len(work), len(client)) == (6, 7, 6)
    return [*personal, *work, *client]


def test_cbi_all_always_with_w7_never():
    # W7 "Never" (raw 0) is scored 100: every scale is 100
    result = score("CBI", cbi([100] * 6, [100] * 6 + [0], [100] * 6))
    assert result.subscales == {"personal": 100, "work": 100, "client": 100}
    assert result.flags == ("high_burnout_personal", "high_burnout_work", "high_burnout_client")
    assert (result.total, result.raw_total, result.band, result.scorable) == (None, None, None, True)


def test_cbi_w7_is_reversed():
    # W1–W6 "Always" (100), W7 "Always" (raw 100 → 0): (6 × 100 + 0) / 7
    result = score("CBI", cbi([0] * 6, [100] * 7, [0] * 6))
    assert result.subscales["work"] == pytest.approx(float(Fraction(600, 7)))
    # all "Never" except W7 "Never" (raw 0 → 100): 100 / 7
    result = score("CBI", cbi([0] * 6, [0] * 7, [0] * 6))
    assert result.subscales == {"personal": 0, "work": pytest.approx(100 / 7), "client": 0}
    assert result.flags == ()


@pytest.mark.parametrize(
    ("personal", "mean", "high"),
    [
        ([50, 50, 50, 50, 50, 25], Fraction(275, 6), False),  # 45.83
        ([75, 50, 50, 50, 50, 25], Fraction(50), True),  # exactly 50
        ([50] * 6, Fraction(50), True),
        ([25] * 6, Fraction(25), False),
    ],
)
def test_cbi_personal_50_edge(personal, mean, high):
    result = score("CBI", cbi(personal, [0] * 6 + [100], [0] * 6))
    assert result.subscales["personal"] == pytest.approx(float(mean))
    assert ("high_burnout_personal" in result.flags) is high


@pytest.mark.parametrize(
    ("work", "mean", "high"),
    [
        # W7 raw 100 scores 0; (5 × 75 + 0 + 0) / 7 = 53.57; six answered with one 25 → 48.21 below
        ([75, 75, 75, 75, 75, 0, 100], Fraction(375, 7), True),
        ([75, 75, 50, 50, 50, 25, 100], Fraction(325, 7), False),
        ([75, 75, 75, 50, 50, 25, 100], Fraction(350, 7), True),  # 50 exactly
    ],
)
def test_cbi_work_50_edge(work, mean, high):
    result = score("CBI", cbi([0] * 6, work, [0] * 6))
    assert result.subscales["work"] == pytest.approx(float(mean))
    assert ("high_burnout_work" in result.flags) is high


def test_cbi_client_scale_flag():
    result = score("CBI", cbi([0] * 6, [0] * 6 + [100], [50, 50, 50, 50, 50, 50]))
    assert result.flags == ("high_burnout_client",)


def test_cbi_personal_missing_rule():
    # 3 of 6 answered: mean of the answered; 2 of 6: non-responder
    assert score("CBI", cbi([100, 100, 50, N, N, N], [0] * 7, [0] * 6)).subscales["personal"] == pytest.approx(250 / 3)
    result = score("CBI", cbi([100, 100, N, N, N, N], [0] * 7, [0] * 6))
    assert result.subscales["personal"] is None
    assert "high_burnout_personal" not in result.flags


def test_cbi_work_missing_rule():
    # 4 of 7 answered (W7 raw 0 → 100): (0 + 0 + 0 + 100) / 4 = 25; 3 of 7: non-responder
    assert score("CBI", cbi([0] * 6, [0, 0, 0, N, N, N, 0], [0] * 6)).subscales["work"] == 25
    assert score("CBI", cbi([0] * 6, [0, 0, N, N, N, N, 0], [0] * 6)).subscales["work"] is None


def test_cbi_client_missing_rule_and_people_without_clients():
    assert score("CBI", cbi([0] * 6, [0] * 7, [75, 75, 50, N, N, N])).subscales["client"] == pytest.approx(200 / 3)
    result = score("CBI", cbi([0] * 6, [0] * 7, [75, 75, N, N, N, N]))
    assert result.subscales["client"] is None
    no_clients = score("CBI", cbi([25] * 6, [25] * 6 + [75], [N] * 6))
    assert no_clients.scorable is True
    assert no_clients.subscales == {"personal": 25, "work": 25, "client": None}


def test_cbi_nothing_answered_is_not_scorable():
    result = score("CBI", [N] * 19)
    assert result.scorable is False
    assert result.subscales == {"personal": None, "work": None, "client": None}
    assert result.flags == ()


@pytest.mark.parametrize("value", [1, 4, 60, 101, -25])
def test_cbi_values_are_the_printed_codes(value):
    with pytest.raises(InvalidAnswersError, match="0、25、50、75、100") as exc:
        score("CBI", cbi([0] * 6, [0] * 6 + [value], [0] * 6))
    assert exc.value.item == "W7"
    assert "第 13 题（W7）" in exc.value.zh


def test_cbi_mapping_by_item_id():
    answers = {f"P{i}": 100 for i in range(1, 7)} | {f"W{i}": 0 for i in range(1, 8)}
    result = score("CBI", answers)
    assert result.subscales == {"personal": 100, "work": pytest.approx(100 / 7), "client": None}
