"""The scoring engine: `score(code, answers, *, sex=None, cutoff=None) -> Result`.

Everything instrument-specific is in the JSON definitions; this module implements the small
vocabulary they use. Arithmetic is exact (fractions.Fraction): cut-offs are compared with the
unrounded value (instruments.md §0); the only rounding is the PHQ-9 proration rule, which the
reference makes part of the score (half-up, [P]).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from jingying.instruments.definitions import Instrument, Item, get, number
from jingying.instruments.errors import InvalidAnswersError, InvalidParameterError, _

Number = int | float
SEXES = ("male", "female")


@dataclass(frozen=True)
class Result:
    """What one administration scores to. `as_json()` is the object of instruments.md §19."""

    instrument: str
    total: Number | None
    raw_total: Number | None
    band: str | None
    subscales: dict[str, Number | None]
    flags: tuple[str, ...]
    scorable: bool
    # Beyond §19, for the survey engine and the health module:
    safety_priority: str | None = None  # "emergent" / "urgent" (§12.2), None without escalation
    review_items: tuple[str, ...] = ()  # items to surface to the clinician (PCL-5 item 16 ≥3)
    missing: tuple[str, ...] = ()  # item ids still unanswered after skip rules
    filled: tuple[str, ...] = ()  # item ids scored by a skip rule
    prorated: bool = False
    cutoff: Number | None = None  # the cut-off actually applied, where the instrument has one
    exact: dict[str, Fraction | None] = field(default_factory=dict, repr=False, compare=False)

    @property
    def safety_escalation(self) -> bool:
        return "safety_escalation" in self.flags

    def as_json(self) -> dict[str, Any]:
        return {
            "instrument": self.instrument,
            "total": self.total,
            "raw_total": self.raw_total,
            "band": self.band,
            "subscales": dict(self.subscales),
            "flags": list(self.flags),
            "scorable": self.scorable,
        }


def _out(value: Fraction | None) -> Number | None:
    if value is None:
        return None
    return int(value) if value.denominator == 1 else float(value)


def round_half_up(value: Fraction) -> Fraction:
    return Fraction(math.floor(value + Fraction(1, 2)))


# ---------------------------------------------------------------------------- answer vector


def _allowed(item: Item) -> str:
    return "、".join(str(v) for v in item.values)


def _value(item: Item, raw: Any) -> int | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise InvalidAnswersError(
            _("第 %(n)d 题%(id)s的答案“%(value)s”不是整数；允许的取值：%(allowed)s")
            % {"n": item.position, "id": item.id_suffix, "value": raw, "allowed": _allowed(item)},
            f"item {item.id}: {raw!r} is not an integer; allowed values: {', '.join(map(str, item.values))}",
            item=item.id, allowed=item.values,
        )
    if raw not in item.values:
        raise InvalidAnswersError(
            _("第 %(n)d 题%(id)s的答案 %(value)s 不在允许的取值之内：%(allowed)s")
            % {"n": item.position, "id": item.id_suffix, "value": raw, "allowed": _allowed(item)},
            f"item {item.id}: {raw} is not one of the allowed values {', '.join(map(str, item.values))}",
            item=item.id, allowed=item.values,
        )
    return raw


def normalise(instrument: Instrument, answers: Sequence[Any] | Mapping[Any, Any]) -> dict[str, int | None]:
    """Raw response codes by item id (scored and unscored items), validated; None = unanswered.

    A sequence is positional (the form's order; unscored items such as PHQ-9 Q10 may follow or be
    left off); a mapping is keyed by item id ("9", "W7") or position.
    """
    all_items = (*instrument.items, *instrument.unscored_items)
    n, n_all = len(instrument.items), len(all_items)
    raw: dict[str, Any] = {}
    if isinstance(answers, Mapping):
        by_key = {str(i.id): i for i in all_items} | {str(i.position): i for i in all_items}
        for key, value in answers.items():
            item = by_key.get(str(key))
            if item is None:
                raise InvalidAnswersError(
                    _("%(code)s 没有题目“%(key)s”；题目为 %(ids)s")
                    % {"code": instrument.code, "key": key, "ids": "、".join(i.id for i in all_items)},
                    f"{instrument.code} has no item {key!r}",
                )
            raw[item.id] = value
    elif isinstance(answers, (str, bytes)) or not isinstance(answers, Sequence):
        raise InvalidAnswersError(_("答案应为列表"), "answers must be a list")
    else:
        if len(answers) not in (n, n_all):
            expected = str(n) if n == n_all else _("%(a)s 或 %(b)s") % {"a": n, "b": n_all}
            expected_en = str(n) if n == n_all else f"{n} or {n_all}"
            raise InvalidAnswersError(
                _("%(code)s 应有 %(expected)s 个答案，收到 %(got)d 个")
                % {"code": instrument.code, "expected": expected, "got": len(answers)},
                f"{instrument.code} takes {expected_en} answers, got {len(answers)}",
            )
        raw = {item.id: value for item, value in zip(all_items, answers, strict=False)}
    return {item.id: _value(item, raw.get(item.id)) for item in all_items}


# ---------------------------------------------------------------------------- parameters


def _parameters(instrument: Instrument, *, sex: str | None, cutoff: Any) -> dict[str, Fraction]:
    if sex is not None and sex not in SEXES:
        raise InvalidParameterError(
            _("性别应为 male 或 female，收到“%(sex)s”") % {"sex": sex},
            f"sex must be male or female, got {sex!r}",
        )
    params: dict[str, Fraction] = {}
    for name, spec in instrument.parameters.items():
        by_sex = spec.get("by_sex", {})
        params[name] = number(by_sex[sex] if sex in by_sex else spec["default"])
    if cutoff is None:
        return params
    spec = instrument.parameters.get("cutoff")
    if spec is None:
        raise InvalidParameterError(
            _("%(code)s 没有可配置的切分值") % {"code": instrument.code},
            f"{instrument.code} has no configurable cut-off",
        )
    allowed = spec["allowed"]
    if "choices" in allowed:
        shown = "、".join(map(str, allowed["choices"]))
        shown_en = "{" + ", ".join(map(str, allowed["choices"])) + "}"
    else:
        shown = shown_en = f"{allowed['min']}–{allowed['max']}"
    integer = isinstance(cutoff, int) and not isinstance(cutoff, bool)
    ok = integer and (cutoff in allowed["choices"] if "choices" in allowed else allowed["min"] <= cutoff <= allowed["max"])
    if not ok:
        raise InvalidParameterError(
            _("%(code)s 的切分值应为整数 %(allowed)s，收到“%(value)s”")
            % {"code": instrument.code, "allowed": shown, "value": cutoff},
            f"{instrument.code} cut-off must be an integer in {shown_en}, got {cutoff!r}",
        )
    params["cutoff"] = Fraction(cutoff)
    return params


# ---------------------------------------------------------------------------- conditions


@dataclass
class _Context:
    scored: dict[str, int | None]
    total: Fraction | None
    band: str | None
    subscales: dict[str, Fraction | None]
    params: dict[str, Fraction]
    flags: list[str]


def _bound(value: Any, params: dict[str, Fraction]) -> Fraction:
    if isinstance(value, dict):
        return params[value["param"]]
    return number(value)


def passes(value: Fraction | int, test: dict[str, Any], params: dict[str, Fraction]) -> bool:
    """Closed/open bounds on an exact value: min (≥), min_exclusive (>), max (≤), max_exclusive (<)."""
    checks = {
        "min": lambda b: value >= b,
        "min_exclusive": lambda b: value > b,
        "max": lambda b: value <= b,
        "max_exclusive": lambda b: value < b,
        "equals": lambda b: value == b,
    }
    return all(checks[key](_bound(bound, params)) for key, bound in test.items())


def holds(cond: dict[str, Any], ctx: _Context) -> bool:
    """Evaluate a flag condition. Positive evidence from answered items counts even when other items
    are missing (an endorsed item cannot be undone by a skipped one); anything needing a total,
    subscale or item sum is false when that is not scorable."""
    if "all" in cond:
        return all(holds(c, ctx) for c in cond["all"])
    if "any" in cond:
        return any(holds(c, ctx) for c in cond["any"])
    on = cond["on"]
    params = ctx.params
    if on == "total":
        return ctx.total is not None and passes(ctx.total, cond["test"], params)
    if on == "subscale":
        sub = ctx.subscales.get(cond["subscale"])
        return sub is not None and passes(sub, cond["test"], params)
    if on == "band":
        return ctx.band in cond["in"]
    if on == "flag":
        return cond["flag"] in ctx.flags
    if on == "item":
        value = ctx.scored[cond["item"]]
        if value is None:
            return bool(cond.get("if_missing", False))
        return passes(value, cond["test"], params)
    values = [ctx.scored[i] for i in cond["items"]]
    if on == "sum":
        if any(v is None for v in values):
            return False
        return passes(sum(v for v in values if v is not None), cond["test"], params)
    if on == "any_item":
        return any(v is not None and passes(v, cond["test"], params) for v in values)
    if on == "count":
        count = sum(1 for v in values if v is not None and passes(v, cond["item_test"], params))
        return passes(count, cond["test"], params)
    raise ValueError(f"unknown condition {on!r}")


# ---------------------------------------------------------------------------- score


def _subscale(spec: dict[str, Any], scored: dict[str, int | None]) -> Fraction | None:
    values = [scored[i] for i in spec["items"]]
    answered = [v for v in values if v is not None]
    if spec["method"] == "sum":
        return Fraction(sum(answered)) if len(answered) == len(values) else None
    # mean of the answered items, if enough were answered (CBI non-responder rule)
    if len(answered) < spec.get("min_answered", len(values)) or not answered:
        return None
    return Fraction(sum(answered), len(answered))


def score(
    code: str,
    answers: Sequence[Any] | Mapping[Any, Any],
    *,
    sex: str | None = None,
    cutoff: int | None = None,
) -> Result:
    """Score one administration of instrument `code`.

    `answers` are the raw response codes as printed on the form, before any reversal, None for an
    unanswered item. Raises InvalidAnswersError (wrong length, value outside the item's set, not an
    integer) or InvalidParameterError (bad sex or cut-off); never clamps.
    """
    instrument = get(code)
    raw = normalise(instrument, answers)
    params = _parameters(instrument, sex=sex, cutoff=cutoff)
    scoring = instrument.scoring

    # Published skip logic: an item skipped because of an earlier answer is scored as given.
    filled: list[str] = []
    for rule in scoring.get("skip_rules", []):
        if raw[rule["if_item"]] == rule["equals"]:
            for item_id in rule["fill_items"]:
                if raw[item_id] is None:
                    raw[item_id] = rule["fill_value"]
                    filled.append(item_id)

    scored: dict[str, int | None] = {
        item.id: None if raw[item.id] is None else item.score(raw[item.id])  # type: ignore[arg-type]
        for item in instrument.items
    }
    missing = tuple(i for i, v in scored.items() if v is None)
    answered = [v for v in scored.values() if v is not None]
    n_items = len(instrument.items)

    subscales = {spec["code"]: _subscale(spec, scored) for spec in instrument.definition.get("subscales", [])}

    method = scoring["total"]["method"]
    missing_rule = scoring["missing"]
    total: Fraction | None = None
    raw_total: Fraction | None = None
    prorated = False
    if method == "none":
        # CBI: three separately reported scales, no total; scorable when any scale is.
        scorable = any(v is not None for v in subscales.values())
    else:
        if missing_rule["rule"] == "prorate":
            scorable = bool(answered) and len(missing) <= missing_rule["max_missing"]
        else:
            scorable = not missing
        if scorable:
            raw_total = Fraction(sum(answered))
            if method == "sum":
                total = raw_total
                if missing:
                    # total = mean of the answered items × number of items, rounded as the rule says
                    total = raw_total * n_items / len(answered)
                    if missing_rule.get("rounding") == "half_up":
                        total = round_half_up(total)
                    prorated = True
                total *= number(scoring["total"].get("multiplier", 1))
            else:  # mean
                total = raw_total / n_items

    band = None
    if total is not None:
        matches = [b["code"] for b in instrument.definition.get("bands", []) if passes(total, b["test"], params)]
        if len(matches) != 1:
            raise AssertionError(f"{instrument.code}: total {total} falls in bands {matches}")
        band = matches[0]

    ctx = _Context(scored=scored, total=total, band=band, subscales=subscales, params=params, flags=[])
    for rule in instrument.definition.get("flags", []):
        if rule["flag"] not in ctx.flags and holds(rule["when"], ctx):
            ctx.flags.append(rule["flag"])

    safety_priority = None
    for rule in instrument.definition.get("safety", {}).get("priorities", []):
        if holds(rule["when"], ctx):
            safety_priority = rule["priority"]
            break

    review = tuple(
        rule["item"] for rule in instrument.definition.get("review_items", [])
        if scored[rule["item"]] is not None and passes(scored[rule["item"]], rule["test"], params)  # type: ignore[arg-type]
    )

    return Result(
        instrument=instrument.code,
        total=_out(total),
        raw_total=_out(raw_total),
        band=band,
        subscales={k: _out(v) for k, v in subscales.items()},
        flags=tuple(ctx.flags),
        scorable=scorable,
        safety_priority=safety_priority,
        review_items=review,
        missing=missing,
        filled=tuple(filled),
        prorated=prorated,
        cutoff=_out(params["cutoff"]) if "cutoff" in params else None,
        exact={"total": total, "raw_total": raw_total, **{f"subscale:{k}": v for k, v in subscales.items()}},
    )
