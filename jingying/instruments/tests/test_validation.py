"""Answer vectors that cannot be scored are refused with a reason naming the item and the allowed
values; nothing is clamped (instruments.md §0, §15, §19)."""

from __future__ import annotations

import pytest

from jingying.instruments import (
    InvalidAnswersError,
    InvalidParameterError,
    UnknownInstrumentError,
    get,
    score,
)

# code: (number of scored items, allowed values of the last item) — from §1 and each section.
SHAPES = {
    "PHQ-9": (9, (0, 1, 2, 3)), "PHQ-8": (8, (0, 1, 2, 3)), "PHQ-2": (2, (0, 1, 2, 3)),
    "GAD-7": (7, (0, 1, 2, 3)), "GAD-2": (2, (0, 1, 2, 3)), "PCL-5": (20, (0, 1, 2, 3, 4)),
    "WHO-5": (5, (0, 1, 2, 3, 4, 5)), "AUDIT": (10, (0, 2, 4)), "AUDIT-C": (3, (0, 1, 2, 3, 4)),
    "K10": (10, (1, 2, 3, 4, 5)), "CBI": (19, (0, 25, 50, 75, 100)), "PSS-10": (10, (0, 1, 2, 3, 4)),
    "ISI": (7, (0, 1, 2, 3, 4)), "PSQ-OP": (20, (1, 2, 3, 4, 5, 6, 7)), "PSQ-ORG": (20, (1, 2, 3, 4, 5, 6, 7)),
}


@pytest.mark.parametrize("code", SHAPES)
def test_wrong_length_refused(code):
    n, values = SHAPES[code]
    with pytest.raises(InvalidAnswersError, match=f"应有 {n}"):
        score(code, [values[0]] * (n - 1))
    too_many = n + 2 if code == "PHQ-9" else n + 1  # PHQ-9 may carry the unscored Q10
    with pytest.raises(InvalidAnswersError):
        score(code, [values[0]] * too_many)


@pytest.mark.parametrize("code", SHAPES)
def test_value_out_of_set_names_item_and_allowed_values(code):
    n, values = SHAPES[code]
    bad = values[-1] + 1
    with pytest.raises(InvalidAnswersError) as exc:
        score(code, [values[0]] * (n - 1) + [bad])
    last = get(code).items[-1]
    assert exc.value.item == last.id
    assert exc.value.allowed == values
    assert f"第 {n} 题" in str(exc.value)
    assert "、".join(map(str, values)) in str(exc.value)


@pytest.mark.parametrize("code", SHAPES)
def test_negative_value_not_clamped(code):
    n, values = SHAPES[code]
    with pytest.raises(InvalidAnswersError):
        score(code, [-1] + [values[0]] * (n - 1))


@pytest.mark.parametrize("bad", ["1", 1.0, True, 0.5])
def test_non_integer_refused(bad):
    with pytest.raises(InvalidAnswersError, match="不是整数"):
        score("PHQ-2", [bad, 0])


def test_mapping_by_item_id_and_unknown_item():
    assert score("PHQ-2", {"1": 2, "2": 1}).total == 3
    assert score("PHQ-2", {1: 2}).scorable is False  # item 2 unanswered
    with pytest.raises(InvalidAnswersError, match="没有题目"):
        score("PHQ-2", {"3": 1})


def test_unknown_instrument():
    with pytest.raises(UnknownInstrumentError, match="PHQ-9"):
        score("BDI-II", [0])


def test_code_is_case_insensitive():
    assert score("phq-2", [0, 0]).instrument == "PHQ-2"


@pytest.mark.parametrize("code", ["GAD-7", "WHO-5", "K10", "CBI", "PSS-10", "ISI", "PSQ-OP", "PHQ-2"])
def test_cutoff_refused_where_not_configurable(code):
    n, values = SHAPES[code]
    with pytest.raises(InvalidParameterError, match="没有可配置的切分值"):
        score(code, [values[0]] * n, cutoff=10)


def test_answers_must_be_a_list():
    with pytest.raises(InvalidAnswersError):
        score("PHQ-2", "0,0")  # type: ignore[arg-type]
