"""Instrument definitions: one JSON file per instrument in ./data, loaded and checked once.

The JSON is the definition (items, allowed values, reversals, formula, subscales, bands,
missing-item rule, safety items, flags, source, licence, evidence tags); this module only turns it
into typed, read-only objects for the scoring engine. The survey engine will store the same JSON in
the database, so nothing here may be needed to understand a definition.

Vocabulary of the `scoring`, `bands`, `flags` and `safety` blocks is documented in
docs/instruments.md ("Definition format").
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

from jingying.instruments.errors import UnknownInstrumentError, _

DATA_DIR = Path(__file__).resolve().parent / "data"

# Display order (instruments.md §19).
CODES = (
    "PHQ-9", "PHQ-8", "PHQ-2", "GAD-7", "GAD-2", "PCL-5", "WHO-5", "AUDIT", "AUDIT-C",
    "K10", "CBI", "PSS-10", "ISI", "PSQ-OP", "PSQ-ORG",
)

TOTAL_METHODS = {"sum", "mean", "none"}
MISSING_RULES = {"none", "prorate"}
SUBSCALE_METHODS = {"sum", "mean"}
TEST_KEYS = {"min", "min_exclusive", "max", "max_exclusive", "equals"}


@dataclass(frozen=True)
class Option:
    value: int
    zh: str
    en: str


@dataclass(frozen=True)
class Item:
    id: str
    position: int  # 1-based position in the answer vector
    text_zh: str
    text_en: str
    options: tuple[Option, ...]
    reverse: bool
    scored: bool
    safety: bool

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(sorted(o.value for o in self.options))

    def score(self, raw: int) -> int:
        """Scored value of a raw response code: reversed items are min + max - raw (PSS-10 4 - raw,
        CBI W7 100 - raw)."""
        if not self.reverse:
            return raw
        values = self.values
        return values[0] + values[-1] - raw

    @property
    def id_suffix(self) -> str:
        """Messages name an item 第 9 题, or 第 13 题（W7） when its id is not its position."""
        return "" if self.id == str(self.position) else _("（%(id)s）") % {"id": self.id}


@dataclass(frozen=True)
class Instrument:
    code: str
    definition: dict[str, Any]
    items: tuple[Item, ...]  # scored items, in answer-vector order
    unscored_items: tuple[Item, ...] = field(default=())

    @property
    def name_zh(self) -> str:
        return str(self.definition["name"]["zh"])

    @property
    def name_en(self) -> str:
        return str(self.definition["name"]["en"])

    @property
    def scoring(self) -> dict[str, Any]:
        return dict(self.definition["scoring"])

    @property
    def parameters(self) -> dict[str, Any]:
        return dict(self.definition.get("parameters", {}))

    def item(self, item_id: str) -> Item:
        for item in (*self.items, *self.unscored_items):
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.items)

    @property
    def value_range(self) -> tuple[int, int]:
        values = [v for item in self.items for v in item.values]
        return min(values), max(values)

    def texts_included(self, language: str) -> bool:
        return all((item.text_zh if language == "zh" else item.text_en) for item in self.items)


def number(value: Any) -> Fraction:
    """Exact number from the JSON (3.5 and "3.5" both become Fraction(7, 2)); never a float."""
    if isinstance(value, bool):
        raise TypeError(value)
    if isinstance(value, int):
        return Fraction(value)
    return Fraction(str(value))


def _options(definition: dict[str, Any], spec: dict[str, Any]) -> tuple[Option, ...]:
    ref = spec["response_set"]
    rows = definition["response_sets"][ref] if isinstance(ref, str) else ref
    options = tuple(Option(int(o["value"]), str(o.get("zh", "")), str(o.get("en", ""))) for o in rows)
    if len({o.value for o in options}) != len(options):
        raise ValueError(f"duplicate values in response set {ref!r}")
    return options


def _check(definition: dict[str, Any], items: tuple[Item, ...]) -> None:
    code = definition["code"]
    ids = {i.id for i in items}
    scoring = definition["scoring"]
    if scoring["total"]["method"] not in TOTAL_METHODS:
        raise ValueError(f"{code}: unknown total method")
    if scoring["missing"]["rule"] not in MISSING_RULES:
        raise ValueError(f"{code}: unknown missing rule")
    for sub in definition.get("subscales", []):
        if sub["method"] not in SUBSCALE_METHODS or not set(sub["items"]) <= ids:
            raise ValueError(f"{code}: bad subscale {sub['code']}")
    for rule in scoring.get("skip_rules", []):
        if rule["if_item"] not in ids or not set(rule["fill_items"]) <= ids:
            raise ValueError(f"{code}: bad skip rule")
    for band in definition.get("bands", []):
        if not set(band["test"]) <= TEST_KEYS:
            raise ValueError(f"{code}: bad band {band['code']}")


def _load(path: Path) -> Instrument:
    definition = json.loads(path.read_text(encoding="utf-8"))

    def build(specs: list[dict[str, Any]], start: int, scored: bool) -> tuple[Item, ...]:
        return tuple(
            Item(
                id=str(spec["id"]),
                position=start + n,
                text_zh=str(spec.get("text", {}).get("zh", "")),
                text_en=str(spec.get("text", {}).get("en", "")),
                options=_options(definition, spec),
                reverse=bool(spec.get("reverse", False)),
                scored=scored,
                safety=bool(spec.get("safety", False)),
            )
            for n, spec in enumerate(specs)
        )

    items = build(definition["items"], 1, True)
    unscored = build(definition.get("unscored_items", []), len(items) + 1, False)
    _check(definition, items)
    return Instrument(code=definition["code"], definition=definition, items=items, unscored_items=unscored)


@cache
def registry() -> dict[str, Instrument]:
    loaded = {}
    for path in sorted(DATA_DIR.glob("*.json")):
        instrument = _load(path)
        loaded[instrument.code] = instrument
    order = {code: n for n, code in enumerate(CODES)}
    return dict(sorted(loaded.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])))


def get(code: str) -> Instrument:
    instruments = registry()
    key = code.strip().upper()
    if key not in instruments:
        raise UnknownInstrumentError(code, list(instruments))
    return instruments[key]


def all_instruments() -> list[Instrument]:
    return list(registry().values())
