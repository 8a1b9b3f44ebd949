"""Question rules without the database: definitions, show-if, answer validation."""

from __future__ import annotations

from decimal import Decimal

from django.http import QueryDict

from jingying.surveys import logic
from jingying.surveys.tests.factories import good_answers, morale_questions

SPECS = [logic.Spec.of(q) for q in morale_questions()]


def test_the_morale_questionnaire_is_valid() -> None:
    assert logic.questionnaire_errors(SPECS) == {}


def test_good_answers_clean() -> None:
    clean, errors = logic.clean_answers(SPECS, good_answers())
    assert errors == {}
    assert clean["mood"] == "4"
    assert clean["why"] == ["duty", "overtime"]
    assert clean["hours"] == Decimal("6")
    assert clean["grid"] == {"pay": "3", "lead": "4"}
    assert "words" not in clean  # optional and empty


def test_hidden_question_answer_is_discarded_whatever_the_client_sent() -> None:
    clean, errors = logic.clean_answers(SPECS, good_answers(stress="no", why=["family"]))
    assert errors == {}
    assert "why" not in clean


def test_shown_required_question_must_be_answered() -> None:
    _clean, errors = logic.clean_answers(SPECS, good_answers(stress="yes", why=[]))
    assert errors == {"why": "此题为必答题"}


def test_hidden_required_question_is_not_required() -> None:
    _clean, errors = logic.clean_answers(SPECS, good_answers(stress="no", why=[]))
    assert errors == {}


def test_section_condition_hides_its_questions() -> None:
    specs = [
        logic.Spec(code="a", kind="single", text="有子女吗", options=({"value": "y", "label": "有"}, {"value": "n", "label": "无"})),
        logic.Spec(code="s", kind="section", text="子女", required=False, show_if={"question": "a", "op": "equals", "value": "y"}),
        logic.Spec(code="b", kind="number", text="几个", min_value=1, max_value=9),
        logic.Spec(code="t", kind="section", text="其他", required=False),
        logic.Spec(code="c", kind="text", text="其他", required=False),
    ]
    clean, errors = logic.clean_answers(specs, {"a": "n", "b": "3", "c": "好"})
    assert errors == {} and "b" not in clean and clean["c"] == "好"
    assert logic.visible_codes(specs, clean) == {"a", "t", "c"}
    _clean, errors = logic.clean_answers(specs, {"a": "y"})
    assert errors == {"b": "此题为必答题"}


def test_invalid_values_get_chinese_messages() -> None:
    _clean, errors = logic.clean_answers(SPECS, good_answers(mood="9", hours="101", grid={"pay": "3"}))
    assert errors["mood"] == "请从给出的选项中选择"
    assert errors["hours"] == "不能大于 100"
    assert errors["grid"] == "请每一行都作答"
    _clean, errors = logic.clean_answers(SPECS, good_answers(hours="abc", why=["nope"]))
    assert errors == {"hours": "请填写数字", "why": "请从给出的选项中选择"}
    _clean, errors = logic.clean_answers(SPECS, good_answers(words="字" * 2001, hours="1.234"))
    assert errors == {"words": "最多 2000 个字", "hours": "最多保留两位小数"}


def test_conditions() -> None:
    answers = {"n": Decimal("5"), "m": ["a", "b"], "s": "x"}
    assert logic.condition_holds({"question": "n", "op": "gte", "value": "5"}, answers)
    assert not logic.condition_holds({"question": "n", "op": "lte", "value": "4"}, answers)
    assert logic.condition_holds({"question": "m", "op": "in", "value": ["b", "z"]}, answers)
    assert logic.condition_holds({"question": "m", "op": "equals", "value": "a"}, answers)
    assert logic.condition_holds({"question": "s", "op": "not_equals", "value": "y"}, answers)
    assert logic.condition_holds({"question": "s", "op": "answered"}, answers)
    assert not logic.condition_holds({"question": "zz", "op": "answered"}, answers)
    assert logic.condition_holds({"question": "zz", "op": "not_equals", "value": "y"}, answers)


def test_definition_errors() -> None:
    earlier = [SPECS[1]]
    bad = logic.Spec(code="1x", kind="single", text="", options=({"value": "a", "label": ""}, {"value": "a", "label": "b"}),
                     show_if={"question": "later", "op": "equals", "value": "1"})
    errors = logic.definition_errors(bad, earlier)
    assert set(errors) == {"code", "text", "options", "show_if"}
    assert logic.definition_errors(logic.Spec(code="m", kind="matrix", text="t", options=({"value": "1", "label": "1"},)), [])["rows"]
    assert logic.definition_errors(logic.Spec(code="n", kind="number", text="t", min_value=5, max_value=1), [])["max_value"]
    assert logic.definition_errors(logic.Spec(code="k", kind="weird", text="t"), [])["kind"]
    dup = logic.Spec(code="mood", kind="text", text="t")
    assert logic.definition_errors(dup, earlier)["code"] == ["题目代码“mood”重复"]


def test_parse_form() -> None:
    data = QueryDict(mutable=True)
    data.setlist("q_why", ["duty", "family"])
    data.update({"q_mood": "3", "q_grid__pay": "2", "q_hours": ""})
    raw = logic.parse_form(SPECS, data)
    assert raw["why"] == ["duty", "family"]
    assert raw["grid"] == {"pay": "2"}
    assert raw["mood"] == "3" and raw["hours"] == ""
    assert "s1" not in raw
