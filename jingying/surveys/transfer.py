"""The questionnaire exchange file (JSON), so forces can share questionnaires.

Format (docs/surveys.md has the full description and an example):

    {
      "format": "jingying-questionnaire", "format_version": 1,
      "code": "morale-2026", "title": "…", "intro": "…", "instrument": "",
      "sections": [
        {"title": "…" or null, "description": "…", "show_if": null,
         "questions": [
            {"code": "q1", "kind": "single|multiple|rating|number|text|textarea|matrix",
             "text": "…", "help": "…", "required": true,
             "options": [{"value": "1", "label": "…"}], "rows": [{"code": "r1", "label": "…"}],
             "min": null, "max": null,
             "show_if": {"question": "q0", "op": "equals|not_equals|in|gte|lte|answered", "value": "1"}}
         ]}
      ],
      "indices": [{"code": "morale", "name": "士气指数",
                   "items": [{"question": "q1"}, {"question": "q2", "reverse": true}]}]
    }

`indices` is optional (jingying.surveys.indices). A section with a title becomes a heading (its show_if hides the whole section); questions
before the first heading sit in a section whose title is null.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jingying.surveys import logic
from jingying.surveys.choices import QuestionKind
from jingying.surveys.models import QuestionnaireVersion

FORMAT = "jingying-questionnaire"
FORMAT_VERSION = 1
MAX_QUESTIONS = 500
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")


@dataclass
class Parsed:
    code: str
    title: str
    intro: str
    instrument_code: str
    questions: list[dict[str, Any]]
    indices: list[dict[str, Any]]


def export(version: QuestionnaireVersion) -> dict[str, Any]:
    sections: list[dict[str, Any]] = []
    current: dict[str, Any] = {"title": None, "description": "", "show_if": None, "questions": []}
    for q in version.questions.order_by("position"):
        if q.kind == QuestionKind.SECTION:
            if current["questions"] or current["title"] is not None:
                sections.append(current)
            current = {"code": q.code, "title": q.text, "description": q.help_text, "show_if": q.show_if,
                       "questions": []}
            continue
        item: dict[str, Any] = {"code": q.code, "kind": q.kind, "text": q.text, "help": q.help_text,
                                "required": q.required}
        if q.options:
            item["options"] = q.options
        if q.rows:
            item["rows"] = q.rows
        if q.min_value is not None:
            item["min"] = q.min_value
        if q.max_value is not None:
            item["max"] = q.max_value
        if q.show_if:
            item["show_if"] = q.show_if
        if q.instrument_item:
            item["instrument_item"] = q.instrument_item
        current["questions"].append(item)
    if current["questions"] or current["title"] is not None:
        sections.append(current)
    return {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "code": version.questionnaire.code, "title": version.title, "intro": version.intro,
        "instrument": version.questionnaire.instrument_code, "version": version.number,
        "sections": sections,
        "indices": list(version.indices or []),
    }


def _text(value: Any, where: str, *, required: bool = False, limit: int = 500) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(_("%(where)s 应为文本") % {"where": where})
    if required and not value.strip():
        raise ValidationError(_("%(where)s 不能为空") % {"where": where})
    if len(value) > limit:
        raise ValidationError(_("%(where)s 最长 %(n)d 个字符") % {"where": where, "n": limit})
    return value


def _int(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(_("%(where)s 应为整数") % {"where": where})
    return value


def _pairs(value: Any, where: str, key: str) -> list[dict[str, str]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise ValidationError(_("%(where)s 应为对象列表") % {"where": where})
    return [{key: str(v.get(key, "")), "label": _text(v.get("label"), where)} for v in value]


def _show_if(value: Any, where: str) -> dict[str, Any] | None:
    if value in (None, {}):
        return None
    if not isinstance(value, Mapping):
        raise ValidationError(_("%(where)s 应为对象") % {"where": where})
    return {"question": str(value.get("question", "")), "op": str(value.get("op", "")), "value": value.get("value")}


def parse(data: Any) -> Parsed:
    """Check a whole file and return what to create; a ValidationError names the first problem."""
    if not isinstance(data, Mapping):
        raise ValidationError(_("文件内容应为一个 JSON 对象"))
    if data.get("format") != FORMAT:
        raise ValidationError(_("不是警营问卷文件（format 应为 %(f)s）") % {"f": FORMAT})
    if data.get("format_version") != FORMAT_VERSION:
        raise ValidationError(_("不支持的文件版本：%(v)s") % {"v": data.get("format_version")})
    code = _text(data.get("code"), "code", required=True, limit=60).strip()
    if not SLUG_RE.match(code):
        raise ValidationError({"code": [_("问卷代码只能含小写字母、数字和连字符，最长 60 位")]})
    title = _text(data.get("title"), "title", required=True, limit=200).strip()
    intro = _text(data.get("intro"), "intro", limit=5000)
    instrument = _text(data.get("instrument"), "instrument", limit=16).strip()
    if instrument:
        from jingying.instruments import UnknownInstrumentError, get

        try:
            instrument = get(instrument).code
        except UnknownInstrumentError:
            raise ValidationError(_("不认识的量表代码：%(c)s") % {"c": instrument}) from None
    sections = data.get("sections")
    if not isinstance(sections, list) or not sections:
        raise ValidationError(_("sections 应为非空列表"))
    questions: list[dict[str, Any]] = []
    for s_no, section in enumerate(sections, start=1):
        where = _("第 %(n)d 节") % {"n": s_no}
        if not isinstance(section, Mapping):
            raise ValidationError(_("%(where)s 应为对象") % {"where": where})
        if section.get("title") is not None:
            questions.append({
                "code": str(section.get("code") or f"s{s_no}"), "kind": QuestionKind.SECTION,
                "text": _text(section.get("title"), where, required=True), "help_text": _text(section.get("description"), where),
                "required": False, "options": [], "rows": [], "min_value": None, "max_value": None,
                "show_if": _show_if(section.get("show_if"), where), "instrument_item": "",
            })
        items = section.get("questions") or []
        if not isinstance(items, list):
            raise ValidationError(_("%(where)s 的 questions 应为列表") % {"where": where})
        for q_no, item in enumerate(items, start=1):
            qwhere = _("第 %(s)d 节第 %(q)d 题") % {"s": s_no, "q": q_no}
            if not isinstance(item, Mapping):
                raise ValidationError(_("%(where)s 应为对象") % {"where": qwhere})
            questions.append({
                "code": _text(item.get("code"), qwhere, required=True, limit=32).strip(),
                "kind": _text(item.get("kind"), qwhere, required=True, limit=12),
                "text": _text(item.get("text"), qwhere, required=True),
                "help_text": _text(item.get("help"), qwhere),
                "required": bool(item.get("required", True)),
                "options": _pairs(item.get("options"), qwhere, "value"),
                "rows": _pairs(item.get("rows"), qwhere, "code"),
                "min_value": _int(item.get("min"), qwhere),
                "max_value": _int(item.get("max"), qwhere),
                "show_if": _show_if(item.get("show_if"), qwhere),
                "instrument_item": _text(item.get("instrument_item"), qwhere, limit=8),
            })
    if not any(q["kind"] != QuestionKind.SECTION for q in questions):
        raise ValidationError(_("问卷至少要有一道题"))
    if len(questions) > MAX_QUESTIONS:
        raise ValidationError(_("题目最多 %(n)d 道") % {"n": MAX_QUESTIONS})
    errors = logic.questionnaire_errors([logic.Spec.of(q) for q in questions])
    if errors:
        code_, first = next(iter(errors.items()))
        raise ValidationError(_("题目 %(code)s：%(message)s") % {
            "code": code_, "message": "；".join(m for ms in first.values() for m in ms)})
    raw_indices = data.get("indices") or []
    if raw_indices:
        from jingying.surveys import indices as index_defs

        class _Q:  # the questions as the index check reads them (no database rows yet)
            def __init__(self, n: int, q: dict[str, Any]) -> None:
                self.pk = n
                self.__dict__.update(q)

        checked = index_defs.build(raw_indices, [_Q(n, q) for n, q in enumerate(questions, 1)])
        raw_indices = index_defs.normalise(checked)
    return Parsed(code=code, title=title, intro=intro, instrument_code=instrument, questions=questions,
                  indices=raw_indices)
