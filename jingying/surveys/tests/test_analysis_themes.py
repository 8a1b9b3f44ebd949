"""Free-text themes (jieba) and index definitions: rules, errors and speed."""

from __future__ import annotations

import random
import time
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from jingying.surveys import indices, themes
from jingying.surveys.choices import QuestionKind

SCALE = [{"value": str(v), "label": str(v)} for v in range(1, 6)]


def test_keywords_use_the_domain_dictionary_and_stop_words() -> None:
    words = themes.keywords("最近加班太多，值班补助一直没发，希望增加警力")
    assert {"加班", "值班补助", "警力"} <= words
    assert not words & {"希望", "一直", "，"}


def test_group_counts_examples_and_k() -> None:
    texts = ["加班太多"] * 3 + ["加班多", "周末加班", "经常加班"] + ["食堂伙食差"] * 5 + ["宿舍漏水"] * 4 + ["谢谢"] * 2
    grouping = themes.group(texts, k=5, rng=random.Random(1))
    assert [(t.words[0], t.count) for t in grouping.themes] == [("加班", 6), ("食堂", 5)]
    assert grouping.other == 6  # 宿舍 (4) is below k: no theme, no example
    assert len(grouping.themes[0].examples) == 3 and len(set(grouping.themes[0].examples)) == 3
    assert grouping.themes[1].examples == ["食堂伙食差"]  # the same answer is never shown twice
    assert themes.group([], k=5).themes == []
    assert themes.group(["谢谢"] * 9, k=5).other == 9  # nothing but stop words
    long = themes.group(["加班" + "很" * 300] * 5, k=5).themes[0].examples[0]
    assert len(long) == themes.EXAMPLE_CHARS + 1 and long.endswith("…")


@pytest.mark.django_db
def test_ten_thousand_answers() -> None:
    base = ["最近加班太多，值班补助一直没发，希望增加警力", "食堂伙食一般，希望改善宿舍条件", "职级晋升太慢，辅警待遇偏低",
            "基层台账太多，形式主义严重", "心理压力大，希望有心理疏导", "装备老旧，警车不够用", "感谢组织关心"]
    rng = random.Random(7)
    texts = [f"{rng.choice(base)}{rng.choice(['', '。', '！', '，请领导重视'])}{n % 97}" for n in range(10_000)]
    themes.keywords("预热")  # the dictionary is loaded once per process
    started = time.perf_counter()
    grouping = themes.group(texts, k=5)
    elapsed = time.perf_counter() - started
    print(f"themes over 10,000 answers: {elapsed:.2f} s")
    assert sum(t.count for t in grouping.themes) + grouping.other == 10_000
    assert elapsed < 15


def _q(code: str, kind: str, **extra: object) -> SimpleNamespace:
    return SimpleNamespace(pk=hash(code) % 1000, code=code, kind=kind, options=extra.get("options", SCALE),
                           rows=extra.get("rows", []), min_value=extra.get("min_value"), max_value=extra.get("max_value"))


QUESTIONS = [_q("mood", QuestionKind.RATING), _q("grid", QuestionKind.MATRIX, rows=[{"code": "pay", "label": "p"}]),
             _q("hours", QuestionKind.NUMBER, min_value=0, max_value=40), _q("open", QuestionKind.NUMBER),
             _q("yn", QuestionKind.SINGLE, options=[{"value": "yes"}, {"value": "no"}]),
             _q("words", QuestionKind.TEXT, options=[])]


def test_index_scores_exactly_with_reverse_items_and_the_half_rule() -> None:
    [index] = indices.build([{"code": "m", "name": "士气", "items": [
        {"question": "mood"}, {"question": "grid", "row": "pay", "reverse": True}, {"question": "hours", "reverse": True},
    ]}], QUESTIONS)
    ids = {q.code: q.pk for q in QUESTIONS}
    answers = {(ids["mood"], ""): Decimal(4), (ids["grid"], "pay"): Decimal(2), (ids["hours"], ""): Decimal(10)}
    # 75, 100 − 25 = 75, 100 − 25 = 75
    assert index.score(answers) == Decimal(75)
    assert index.score({(ids["mood"], ""): Decimal(5), (ids["hours"], ""): Decimal(40)}) == Decimal(50)
    assert index.score({(ids["mood"], ""): Decimal(5)}) is None  # 1 of 3 items: fewer than half
    assert indices.normalise([index])[0]["items"][1] == {"question": "grid", "row": "pay", "reverse": True}


@pytest.mark.parametrize(("definition", "message"), [
    ("x", "指数定义应为列表"),
    (["x"], "应为对象"),
    ([{"code": "Bad", "name": "x", "items": [{"question": "mood"}]}], "指数代码以小写字母开头"),
    ([{"code": "m", "name": "", "items": [{"question": "mood"}]}], "名称不能为空"),
    ([{"code": "m", "name": "x", "items": []}], "至少要有一道题"),
    ([{"code": "m", "name": "x", "items": ["mood"]}], "题目应为对象"),
    ([{"code": "m", "name": "x", "items": [{"question": "nope"}]}], "没有题目"),
    ([{"code": "m", "name": "x", "items": [{"question": "words"}]}], "只有量表、单选、矩阵和数字题"),
    ([{"code": "m", "name": "x", "items": [{"question": "yn"}]}], "选项的值须为数字"),
    ([{"code": "m", "name": "x", "items": [{"question": "open"}]}], "最小值和最大值"),
    ([{"code": "m", "name": "x", "items": [{"question": "hours", "row": "a"}]}], "数字题没有矩阵行"),
    ([{"code": "m", "name": "x", "items": [{"question": "grid"}]}], "请写明矩阵行"),
    ([{"code": "m", "name": "x", "items": [{"question": "mood", "row": "a"}]}], "只有矩阵题有行"),
    ([{"code": "m", "name": "x", "items": [{"question": "mood"}, {"question": "mood"}]}], "重复"),
    ([{"code": "m", "name": "x", "items": [{"question": "mood"}]}] * 2, "重复"),
    ([{"code": f"m{n}", "name": "x", "items": [{"question": "mood"}]} for n in range(21)], "指数最多"),
    ([{"code": "m", "name": "x", "items": [{"question": "mood"}] * 61}], "最多 60 道题"),
])
def test_index_definition_errors(definition: object, message: str) -> None:
    with pytest.raises(ValidationError) as exc:
        indices.build(definition, QUESTIONS)
    assert message in " ".join(exc.value.messages)


def test_index_short_form() -> None:
    items = indices.parse_items("mood, -grid.pay  hours")
    assert items == [{"question": "mood"}, {"question": "grid", "row": "pay", "reverse": True}, {"question": "hours"}]
    assert indices.format_items(items) == "mood -grid.pay hours"
    assert indices.build(None, QUESTIONS) == []
