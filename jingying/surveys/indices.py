"""Indices defined from questions (issue 4 point 6), e.g. a morale index 0–100.

Stored as data on the questionnaire version (`QuestionnaireVersion.indices`), edited in the
questionnaire editor and carried in the exchange file:

    [{"code": "morale", "name": "士气指数",
      "items": [{"question": "mood"}, {"question": "stress", "reverse": true},
                {"question": "grid", "row": "pay"}]}]

An item is a rating or single-choice question whose option values are numbers, a matrix row
(same), or a number question with a minimum and a maximum. Each answer is rescaled to 0–100
between the lowest and the highest value ((v − min) / (max − min) × 100; a reverse item gives
100 minus that); a response's index is the mean of its rescaled items and counts only when at
least half of the items (rounded up) were answered; a group's index is the mean over its
responses, with the number of responses beside it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jingying.surveys.choices import QuestionKind

CODE_RE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
MAX_INDICES = 20
MAX_ITEMS = 60


@dataclass(frozen=True)
class Item:
    question: str
    row: str
    reverse: bool
    low: Decimal
    high: Decimal
    question_id: int

    def scaled(self, value: Decimal) -> Decimal:
        x = (value - self.low) * 100 / (self.high - self.low)
        return Decimal(100) - x if self.reverse else x


@dataclass(frozen=True)
class Index:
    code: str
    name: str
    items: tuple[Item, ...]

    @property
    def needed(self) -> int:
        return math.ceil(len(self.items) / 2)

    def score(self, answers: Mapping[tuple[int, str], Decimal]) -> Decimal | None:
        """One response's index from its answers {(question id, row): value}."""
        values = [item.scaled(answers[(item.question_id, item.row)]) for item in self.items
                  if (item.question_id, item.row) in answers]
        if len(values) < self.needed:
            return None
        return sum(values, Decimal(0)) / len(values)


def _numeric_range(values: Iterable[Any]) -> tuple[Decimal, Decimal] | None:
    try:
        numbers = [Decimal(str(v)) for v in values]
    except (ArithmeticError, ValueError):
        return None
    if len(numbers) < 2 or min(numbers) == max(numbers):
        return None
    return min(numbers), max(numbers)


def _item_range(question: Any, row: str) -> tuple[Decimal, Decimal] | str:
    """(low, high) for an item, or the reason it cannot be one."""
    kind = question.kind
    if kind == QuestionKind.NUMBER:
        if row:
            return _("数字题没有矩阵行")
        if question.min_value is None or question.max_value is None or question.min_value >= question.max_value:
            return _("数字题须设置最小值和最大值才能计入指数")
        return Decimal(question.min_value), Decimal(question.max_value)
    if kind == QuestionKind.MATRIX:
        if row not in {str(r.get("code")) for r in question.rows or []}:
            return _("请写明矩阵行，如 %(code)s.行代码") % {"code": question.code}
    elif kind in (QuestionKind.RATING, QuestionKind.SINGLE):
        if row:
            return _("只有矩阵题有行")
    else:
        return _("只有量表、单选、矩阵和数字题可以计入指数")
    found = _numeric_range(o.get("value") for o in question.options or [])
    if found is None:
        return _("选项的值须为数字（至少两个不同的值）")
    return found


def build(definitions: Any, questions: Sequence[Any]) -> list[Index]:
    """Check index definitions against a version's questions; ValidationError in Chinese."""
    if definitions in (None, ""):
        return []
    if not isinstance(definitions, list):
        raise ValidationError(_("指数定义应为列表"))
    if len(definitions) > MAX_INDICES:
        raise ValidationError(_("指数最多 %(n)d 个") % {"n": MAX_INDICES})
    by_code = {q.code: q for q in questions}
    out: list[Index] = []
    seen: set[str] = set()
    for number, raw in enumerate(definitions, start=1):
        where = _("第 %(n)d 个指数") % {"n": number}
        if not isinstance(raw, Mapping):
            raise ValidationError(_("%(where)s 应为对象") % {"where": where})
        code = str(raw.get("code") or "").strip()
        name = str(raw.get("name") or "").strip()
        if not CODE_RE.match(code):
            raise ValidationError({"code": [_("指数代码以小写字母开头，只含小写字母、数字、下划线和连字符，最长 32 位")]})
        if code in seen:
            raise ValidationError({"code": [_("指数代码“%(code)s”重复") % {"code": code}]})
        seen.add(code)
        if not name or len(name) > 60:
            raise ValidationError({"name": [_("%(where)s：名称不能为空，最长 60 字") % {"where": where}]})
        items_raw = raw.get("items")
        if not isinstance(items_raw, list) or not items_raw:
            raise ValidationError({"items": [_("%(where)s：至少要有一道题") % {"where": where}]})
        if len(items_raw) > MAX_ITEMS:
            raise ValidationError({"items": [_("%(where)s：最多 %(n)d 道题") % {"where": where, "n": MAX_ITEMS}]})
        items: list[Item] = []
        for item in items_raw:
            if not isinstance(item, Mapping):
                raise ValidationError({"items": [_("%(where)s：题目应为对象") % {"where": where}]})
            qcode = str(item.get("question") or "")
            row = str(item.get("row") or "")
            question = by_code.get(qcode)
            if question is None:
                raise ValidationError({"items": [_("%(where)s：没有题目“%(code)s”") % {"where": where, "code": qcode}]})
            found = _item_range(question, row)
            if isinstance(found, str):
                raise ValidationError({"items": [f"{qcode}{'.' + row if row else ''}：{found}"]})
            if any(i.question == qcode and i.row == row for i in items):
                raise ValidationError({"items": [_("%(where)s：题目“%(code)s”重复") % {"where": where, "code": qcode}]})
            items.append(Item(qcode, row, bool(item.get("reverse", False)), found[0], found[1], question.pk))
        out.append(Index(code, name, tuple(items)))
    return out


def normalise(indices: Sequence[Index]) -> list[dict[str, Any]]:
    """The stored (and exported) form of checked indices."""
    return [{"code": i.code, "name": i.name,
             "items": [{"question": it.question, **({"row": it.row} if it.row else {}),
                        **({"reverse": True} if it.reverse else {})} for it in i.items]} for i in indices]


def parse_items(text: str) -> list[dict[str, Any]]:
    """The editor's short form: "mood -stress grid.pay" (a leading minus = reverse item)."""
    items = []
    for token in re.split(r"[\s,，、;；]+", text.strip()):
        if not token:
            continue
        reverse = token.startswith("-")
        token = token.lstrip("-")
        question, _dot, row = token.partition(".")
        items.append({"question": question, **({"row": row} if row else {}), **({"reverse": True} if reverse else {})})
    return items


def format_items(items: Sequence[Mapping[str, Any]]) -> str:
    return " ".join(("-" if i.get("reverse") else "") + str(i.get("question")) + (f".{i['row']}" if i.get("row") else "")
                    for i in items)
