"""Question definitions and answers, without the database: the rules the services, the form,
the API and the importer share.

Answers are keyed by question code. Clean values: single/rating → option value (str); multiple
→ list of option values; number → Decimal; text → str; matrix → {row code: option value}.

Show-if: a question (or a whole section: a section heading's condition applies to every
question up to the next heading) is shown only when its condition on an *earlier* answer holds.
The server is the authority: an answer to a hidden question is discarded, a shown required
question must be answered (the browser script only hides and shows for convenience).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from jingying.surveys.choices import CHOICE_KINDS, TEXT_KINDS, QuestionKind, ShowIfOp

CODE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")
TEXT_MAX = {QuestionKind.TEXT: 200, QuestionKind.TEXTAREA: 2000}
MAX_OPTIONS = 50


@dataclass(frozen=True)
class Spec:
    """What the rules need of a question (a model instance or an imported dict both give it)."""

    code: str
    kind: str
    text: str
    required: bool = True
    options: tuple[dict[str, Any], ...] = ()
    rows: tuple[dict[str, Any], ...] = ()
    min_value: int | None = None
    max_value: int | None = None
    show_if: dict[str, Any] | None = None

    @classmethod
    def of(cls, q: Any) -> Spec:
        get = (lambda k, d=None: q.get(k, d)) if isinstance(q, Mapping) else (lambda k, d=None: getattr(q, k, d))
        return cls(
            code=str(get("code", "")), kind=str(get("kind", "")), text=str(get("text", "")),
            required=bool(get("required", True)), options=tuple(get("options") or ()), rows=tuple(get("rows") or ()),
            min_value=get("min_value"), max_value=get("max_value"), show_if=get("show_if") or None,
        )

    @property
    def values(self) -> list[str]:
        return [str(o.get("value")) for o in self.options]

    @property
    def row_codes(self) -> list[str]:
        return [str(r.get("code")) for r in self.rows]


# --- definitions ---------------------------------------------------------------------------


def definition_errors(spec: Spec, earlier: Sequence[Spec]) -> dict[str, list[str]]:
    """What is wrong with one question given the questions before it (empty when fine)."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if spec.kind not in QuestionKind.values:
        add("kind", _("不认识的题型“%(kind)s”") % {"kind": spec.kind})
        return errors
    if not CODE_RE.match(spec.code):
        add("code", _("题目代码须以字母开头，只含字母、数字、- 和 _，最长 32 位"))
    if any(e.code == spec.code for e in earlier):
        add("code", _("题目代码“%(code)s”重复") % {"code": spec.code})
    if not spec.text.strip():
        add("text", _("请填写题目"))
    if spec.kind in CHOICE_KINDS:
        values = spec.values
        if not values or any(not v.strip() for v in values):
            add("options", _("请至少填写一个选项，每个选项都要有值"))
        elif len(set(values)) != len(values):
            add("options", _("选项的值不能重复"))
        elif len(values) > MAX_OPTIONS:
            add("options", _("选项最多 %(n)d 个") % {"n": MAX_OPTIONS})
        if any(not str(o.get("label", "")).strip() for o in spec.options):
            add("options", _("每个选项都要有文字"))
        if any(len(v) > 64 for v in values):
            add("options", _("选项的值最长 64 个字符"))
    if spec.kind == QuestionKind.MATRIX:
        codes = spec.row_codes
        if not codes or any(not c.strip() for c in codes):
            add("rows", _("矩阵题至少要有一行"))
        elif len(set(codes)) != len(codes):
            add("rows", _("矩阵行的代码不能重复"))
    if spec.kind == QuestionKind.NUMBER and spec.min_value is not None and spec.max_value is not None \
            and spec.min_value > spec.max_value:
        add("max_value", _("最大值不能小于最小值"))
    if spec.show_if:
        cond = spec.show_if
        target = next((e for e in earlier if e.code == cond.get("question")), None)
        if target is None or target.kind == QuestionKind.SECTION:
            add("show_if", _("显示条件只能引用前面的题目"))
        if cond.get("op") not in ShowIfOp.values:
            add("show_if", _("显示条件的比较方式无效"))
        elif cond.get("op") != ShowIfOp.ANSWERED and cond.get("value") in (None, "", []):
            add("show_if", _("显示条件缺少比较值"))
    return errors


def questionnaire_errors(specs: Sequence[Spec]) -> dict[str, dict[str, list[str]]]:
    """Errors by question code for a whole list of questions."""
    out = {}
    for n, spec in enumerate(specs):
        errors = definition_errors(spec, specs[:n])
        if errors:
            out[spec.code or f"#{n + 1}"] = errors
    return out


# --- show-if -------------------------------------------------------------------------------


def _number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def condition_holds(cond: Mapping[str, Any] | None, answers: Mapping[str, Any]) -> bool:
    if not cond:
        return True
    answer = answers.get(str(cond.get("question")))
    op, expected = cond.get("op"), cond.get("value")
    if answer in (None, "", [], {}):
        return op == ShowIfOp.NOT_EQUALS and expected not in (None, "")
    given = [str(a) for a in answer] if isinstance(answer, list) else [str(answer)]
    if op == ShowIfOp.ANSWERED:
        return True
    if op == ShowIfOp.EQUALS:
        return str(expected) in given
    if op == ShowIfOp.NOT_EQUALS:
        return str(expected) not in given
    if op == ShowIfOp.IN:
        wanted = {str(v) for v in (expected if isinstance(expected, list) else [expected])}
        return bool(wanted & set(given))
    if op in (ShowIfOp.GTE, ShowIfOp.LTE):
        a, b = _number(given[0]), _number(expected)
        if a is None or b is None:
            return False
        return a >= b if op == ShowIfOp.GTE else a <= b
    return False


# --- answers -------------------------------------------------------------------------------


def parse_form(specs: Iterable[Spec], data: Any) -> dict[str, Any]:
    """Raw answers from a POSTed form: q_<code> (repeated for multiple), q_<code>__<row> for a matrix."""
    raw: dict[str, Any] = {}
    for spec in specs:
        name = f"q_{spec.code}"
        if spec.kind == QuestionKind.MULTIPLE:
            raw[spec.code] = [v for v in data.getlist(name) if v != ""]
        elif spec.kind == QuestionKind.MATRIX:
            raw[spec.code] = {r: data.get(f"{name}__{r}", "") for r in spec.row_codes if data.get(f"{name}__{r}", "")}
        elif spec.kind != QuestionKind.SECTION:
            raw[spec.code] = data.get(name, "")
    return raw


def _empty(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return value in (None, [], {})


def _clean_one(spec: Spec, value: Any) -> Any:
    """The clean value or a ValueError with the Chinese message."""
    if spec.kind in (QuestionKind.SINGLE, QuestionKind.RATING):
        if isinstance(value, (list, dict)) or str(value) not in spec.values:
            raise ValueError(_("请从给出的选项中选择"))
        return str(value)
    if spec.kind == QuestionKind.MULTIPLE:
        items = value if isinstance(value, list) else [value]
        chosen = [str(v) for v in items]
        if any(v not in spec.values for v in chosen):
            raise ValueError(_("请从给出的选项中选择"))
        return [v for v in spec.values if v in set(chosen)]  # option order, no duplicates
    if spec.kind == QuestionKind.NUMBER:
        if isinstance(value, bool):
            raise ValueError(_("请填写数字"))
        number = _number(str(value).strip())
        if number is None or not number.is_finite():
            raise ValueError(_("请填写数字"))
        if number != number.quantize(Decimal("0.01")):
            raise ValueError(_("最多保留两位小数"))
        if spec.min_value is not None and number < spec.min_value:
            raise ValueError(_("不能小于 %(n)s") % {"n": spec.min_value})
        if spec.max_value is not None and number > spec.max_value:
            raise ValueError(_("不能大于 %(n)s") % {"n": spec.max_value})
        if abs(number) >= Decimal("1e10"):
            raise ValueError(_("数值过大"))
        return number
    if spec.kind in TEXT_KINDS:
        if not isinstance(value, str):
            raise ValueError(_("请填写文字"))
        text = value.strip()
        limit = TEXT_MAX[QuestionKind(spec.kind)]
        if len(text) > limit:
            raise ValueError(_("最多 %(n)d 个字") % {"n": limit})
        return text
    if spec.kind == QuestionKind.MATRIX:
        if not isinstance(value, Mapping):
            raise ValueError(_("请逐行选择"))
        out = {}
        for row, choice in value.items():
            if str(row) not in spec.row_codes or str(choice) not in spec.values:
                raise ValueError(_("请从给出的选项中选择"))
            if not _empty(choice):
                out[str(row)] = str(choice)
        if spec.required and len(out) < len(spec.row_codes):
            raise ValueError(_("请每一行都作答"))
        return out
    raise ValueError(_("此题不需作答"))


def clean_answers(specs: Sequence[Spec], raw: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """(clean answers of the shown questions, errors by question code).

    Answers to hidden questions and to unknown codes are dropped, whatever the client sent.
    """
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    section_shown = True
    for spec in specs:
        if spec.kind == QuestionKind.SECTION:
            section_shown = condition_holds(spec.show_if, clean)
            continue
        if not section_shown or not condition_holds(spec.show_if, clean):
            continue
        value = raw.get(spec.code)
        if _empty(value):
            if spec.required:
                errors[spec.code] = _("此题为必答题")
            continue
        try:
            clean[spec.code] = _clean_one(spec, value)
        except ValueError as exc:
            errors[spec.code] = str(exc)
    return clean, errors


def visible_codes(specs: Sequence[Spec], clean: Mapping[str, Any]) -> set[str]:
    """The questions (and headings) shown for these answers."""
    shown: set[str] = set()
    section_shown = True
    for spec in specs:
        if spec.kind == QuestionKind.SECTION:
            section_shown = condition_holds(spec.show_if, clean)
            if section_shown:
                shown.add(spec.code)
            continue
        if section_shown and condition_holds(spec.show_if, clean):
            shown.add(spec.code)
    return shown
