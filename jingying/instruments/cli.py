"""`jingying instruments list [--json]` and
`jingying instruments score CODE --answers A1,A2,... [--sex male|female] [--cutoff N] [--json]`.

`score --json` prints exactly the object of instruments.md §19. An answer vector that cannot be
scored (wrong length, value outside an item's set, not an integer) or a bad parameter exits 2 with
the reason on stderr; nothing is clamped.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from jingying.instruments.definitions import Instrument, all_instruments, get
from jingying.instruments.errors import InstrumentError, InvalidParameterError, _
from jingying.instruments.scoring import Result, score

INTEGER = re.compile(r"[+-]?\d+")


def parse_answers(text: str) -> list[int | str | None]:
    """'0,1,,null,3' → [0, 1, None, None, 3]; anything else that is not an integer is passed on as
    text so the engine can name the item it belongs to."""
    values: list[int | str | None] = []
    for token in text.split(","):
        token = token.strip()
        if token == "" or token.lower() == "null":
            values.append(None)
        elif INTEGER.fullmatch(token):
            values.append(int(token))
        else:
            values.append(token)
    return values


def parse_cutoff(text: str | None) -> int | None:
    if text is None:
        return None
    if not INTEGER.fullmatch(text.strip()):
        raise InvalidParameterError(_("切分值应为整数，收到“%(value)s”") % {"value": text}, f"cut-off must be an integer, got {text!r}")
    return int(text)


def summary(instrument: Instrument) -> dict[str, Any]:
    d = instrument.definition
    value_sets: list[dict[str, Any]] = []
    for item in instrument.items:
        if value_sets and value_sets[-1]["values"] == list(item.values):
            value_sets[-1]["items"].append(item.id)
        else:
            value_sets.append({"items": [item.id], "values": list(item.values)})
    cutoff = d.get("parameters", {}).get("cutoff")
    texts = {lang: instrument.texts_included(lang) for lang in ("zh", "en")}
    return {
        "code": instrument.code,
        "name": dict(d["name"]),
        "items": len(instrument.items),
        "unscored_items": len(instrument.unscored_items),
        "value_range": list(instrument.value_range),
        "value_sets": value_sets,
        "total_range": d["scoring"]["total"].get("range"),
        "total_method": d["scoring"]["total"]["method"],
        "bands": [b["code"] for b in d.get("bands", [])],
        "subscales": [s["code"] for s in d.get("subscales", [])],
        "flags": [f["flag"] for f in d.get("flags", [])],
        "safety_items": d.get("safety", {}).get("items", []),
        "cutoff": None if cutoff is None else {k: cutoff[k] for k in ("default", "by_sex", "allowed", "purpose") if k in cutoff},
        "anonymous_allowed": d.get("administration", {}).get("anonymous_allowed", True),
        "licence": {k: d["licence"][k] for k in ("status", "holder", "terms", "attribution")},
        "item_texts": texts,
        "item_texts_included": texts["zh"] or texts["en"],
        "source": d["source"],
        "version": d["version"],
    }


def cli_list(args: argparse.Namespace) -> int:
    instruments = all_instruments()
    if args.json:
        print(json.dumps([summary(i) for i in instruments], ensure_ascii=False, indent=2))
        return 0
    for instrument in instruments:
        s = summary(instrument)
        lo, hi = s["value_range"]
        texts = "/".join(lang for lang, ok in s["item_texts"].items() if ok) or _("无（待持证方录入）")
        print(_("%(code)-8s %(name)s：%(n)d 题，取值 %(lo)s–%(hi)s，许可 %(licence)s，题目文字 %(texts)s") % {
            "code": s["code"], "name": s["name"]["zh"], "n": s["items"], "lo": lo, "hi": hi,
            "licence": s["licence"]["status"], "texts": texts})
    return 0


def _show(value: Any) -> str:
    """Display only: one decimal, half-up (banding has already used the exact value)."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return str(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    return str(value)


def _print_human(result: Result) -> None:
    instrument = get(result.instrument)
    labels = {b["code"]: b["label"]["zh"] for b in instrument.definition.get("bands", [])}
    print(f"{instrument.code} {instrument.name_zh}")
    if not result.scorable:
        print(_("缺答过多，不能计分（缺：%(items)s）") % {"items": "、".join(result.missing)})
    if result.total is not None:
        band = f"{result.band} {labels.get(result.band or '', '')}".strip()
        print(_("总分：%(total)s  分级：%(band)s") % {"total": _show(result.total), "band": band})
    if result.subscales:
        print(_("分量表：%(s)s") % {"s": "，".join(f"{k} = {_show(v)}" for k, v in result.subscales.items())})
    if result.flags:
        print(_("标记：%(f)s") % {"f": "、".join(result.flags)})
    if result.safety_priority:
        print(_("安全升级：%(p)s —— 立即通知负责的心理咨询人员") % {"p": result.safety_priority})


def cli_score(args: argparse.Namespace) -> int:
    try:
        result = score(args.code, parse_answers(args.answers), sex=args.sex, cutoff=parse_cutoff(args.cutoff))
    except InstrumentError as exc:
        print(_("无法计分：%(reason)s") % {"reason": exc}, file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result.as_json(), ensure_ascii=False))
    else:
        _print_human(result)
    return 0
