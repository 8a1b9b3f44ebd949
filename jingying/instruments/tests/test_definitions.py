"""The definitions themselves: codes, band codes and flags of §19, licences (§14), coverage of
every total by exactly one band, evidence notes for unverified rules."""

from __future__ import annotations

import itertools
import json

import pytest

from jingying.instruments import CODES, all_instruments, get
from jingying.instruments.definitions import DATA_DIR

SECTION_19_CODES = {"PHQ-9", "PHQ-8", "PHQ-2", "GAD-7", "GAD-2", "PCL-5", "WHO-5", "AUDIT", "AUDIT-C",
                    "K10", "CBI", "PSS-10", "ISI", "PSQ-OP", "PSQ-ORG"}
SECTION_19_FLAGS = {"safety_escalation", "safety_emergent", "referral", "phq2_positive", "gad2_positive",
                    "probable_ptsd", "dsm5_rule_met", "auditc_positive", "next_level", "low_item",
                    "high_burnout_personal", "high_burnout_work", "high_burnout_client"}
BAND_CODES = {
    "PHQ-9": ["minimal", "mild", "moderate", "moderately_severe", "severe"],
    "PHQ-8": ["minimal", "mild", "moderate", "moderately_severe", "severe"],
    "GAD-7": ["minimal", "mild", "moderate", "severe"],
    "PHQ-2": ["negative", "positive"], "GAD-2": ["negative", "positive"], "AUDIT-C": ["negative", "positive"],
    "PCL-5": ["below_cutoff", "probable_ptsd"],
    "WHO-5": ["not_low", "poor_wellbeing", "likely_depression"],
    "AUDIT": ["zone_1", "zone_2", "zone_3", "zone_4"],
    "ISI": ["none", "subthreshold", "moderate", "severe"],
    "PSS-10": ["low", "moderate", "high"], "PSQ-OP": ["low", "moderate", "high"], "PSQ-ORG": ["low", "moderate", "high"],
    "K10": ["low", "moderate", "high", "very_high"],
    "CBI": [],
}
# Integer total ranges with closed integer bands (§1), to check that bands tile the range.
INTEGER_BANDS = {
    "PHQ-9": (0, 27), "PHQ-8": (0, 24), "PHQ-2": (0, 6), "GAD-7": (0, 21), "GAD-2": (0, 6),
    "AUDIT": (0, 40), "ISI": (0, 28), "PSS-10": (0, 40), "K10": (10, 50),
}
UNSETTLED_LICENCE = {"ISI", "PSS-10", "PSQ-OP", "PSQ-ORG"}


def test_all_section_19_codes_present_in_order():
    assert set(CODES) == SECTION_19_CODES
    assert [i.code for i in all_instruments()] == list(CODES)
    assert len(list(DATA_DIR.glob("*.json"))) == 15


@pytest.mark.parametrize("code", sorted(SECTION_19_CODES))
def test_band_codes_and_flags_are_the_contract(code):
    d = get(code).definition
    assert sorted(b["code"] for b in d["bands"]) == sorted(BAND_CODES[code])
    assert {f["flag"] for f in d["flags"]} <= SECTION_19_FLAGS


@pytest.mark.parametrize(("code", "bounds"), sorted(INTEGER_BANDS.items()))
def test_integer_bands_tile_the_total_range(code, bounds):
    bands = get(code).definition["bands"]
    edges = sorted((b["test"]["min"], b["test"]["max"]) for b in bands)
    assert edges[0][0] == bounds[0]
    assert edges[-1][1] == bounds[1]
    for (_, upper), (lower, _) in itertools.pairwise(edges):
        assert lower == upper + 1


@pytest.mark.parametrize("code", sorted(SECTION_19_CODES))
def test_every_definition_records_source_licence_version_and_evidence(code):
    d = get(code).definition
    for key in ("source", "version", "band_set_version", "definition_version"):
        assert d[key]
    assert d["name"]["zh"] and d["name"]["en"]
    assert d["measures"]["zh"] and d["measures"]["en"]
    assert d["licence"]["status"] in {"free", "unconfirmed", "licence_required"}
    assert d["licence"]["terms"]["zh"] and d["licence"]["terms"]["en"]
    assert d["scoring"]["missing"]["evidence"]
    for flag in d["flags"]:
        assert flag["evidence"]


@pytest.mark.parametrize("code", ["PCL-5", "AUDIT", "AUDIT-C", "CBI", "K10", "PSQ-OP", "PSQ-ORG", "PHQ-2", "PHQ-8"])
def test_unverified_rules_are_noted(code):
    assert any("[M]" in note for note in get(code).definition["unverified"])


@pytest.mark.parametrize("code", sorted(UNSETTLED_LICENCE))
def test_unsettled_licences_ship_no_wording(code):
    instrument = get(code)
    for item in instrument.items:
        assert item.text_zh == item.text_en == ""
        assert all(o.zh == o.en == "" for o in item.options)
    assert instrument.definition["instructions"] == {"zh": "", "en": ""}
    assert instrument.definition["licence"]["status"] in {"unconfirmed", "licence_required"}


def test_isi_needs_a_licence():
    assert get("ISI").definition["licence"]["status"] == "licence_required"


@pytest.mark.parametrize("code", ["PHQ-9", "PHQ-8", "PHQ-2", "GAD-7", "GAD-2", "WHO-5"])
def test_chinese_and_english_texts_where_the_reference_gives_them(code):
    assert get(code).texts_included("zh") and get(code).texts_included("en")


@pytest.mark.parametrize("code", ["PCL-5", "AUDIT", "AUDIT-C", "K10", "CBI"])
def test_english_only_until_a_validated_chinese_text_is_obtained(code):
    instrument = get(code)
    assert instrument.texts_included("en")
    assert not any(item.text_zh for item in instrument.items)


def test_phq9_chinese_item_9_as_in_the_reference():
    assert get("PHQ-9").item("9").text_zh == "有不如死掉或用某种方式伤害自己的念头"
    assert get("PHQ-9").item("1").text_zh == "做事时提不起劲或没有兴趣"


@pytest.mark.parametrize(("short", "full", "n"), [("PHQ-8", "PHQ-9", 8), ("PHQ-2", "PHQ-9", 2), ("GAD-2", "GAD-7", 2),
                                                  ("AUDIT-C", "AUDIT", 3)])
def test_short_forms_share_the_full_forms_items(short, full, n):
    for a, b in zip(get(short).items, get(full).items[:n], strict=True):
        assert (a.id, a.text_zh, a.text_en, a.values) == (b.id, b.text_zh, b.text_en, b.values)


def test_reverse_scored_items_exactly():
    reversed_items = {i.code: {item.id for item in i.items if item.reverse} for i in all_instruments()}
    assert reversed_items.pop("PSS-10") == {"4", "5", "7", "8"}
    assert reversed_items.pop("CBI") == {"W7"}
    assert all(not ids for ids in reversed_items.values())


def test_only_phq9_item_9_is_a_safety_item():
    safety = {(i.code, item.id) for i in all_instruments() for item in i.items if item.safety}
    assert safety == {("PHQ-9", "9")}
    assert get("PHQ-9").definition["administration"]["anonymous_allowed"] is False
    assert get("PHQ-8").definition["administration"]["anonymous_allowed"] is True


def test_cbi_item_order_and_response_sets():
    cbi = get("CBI")
    assert cbi.item_ids == (*(f"P{n}" for n in range(1, 7)), *(f"W{n}" for n in range(1, 8)),
                            *(f"C{n}" for n in range(1, 7)))
    degree = {"W1", "W2", "W3", "C1", "C2", "C3", "C4"}
    for item in cbi.items:
        assert item.options[0].en == ("To a very high degree" if item.id in degree else "Always")
        assert item.options[0].value == 100


def test_definitions_are_plain_json():
    for path in DATA_DIR.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["schema"] == 1
        assert path.stem == data["code"].lower().replace("-", "")


@pytest.mark.parametrize("code", sorted(SECTION_19_CODES))
def test_any_complete_valid_vector_scores_inside_the_range(code):
    """Structural check, not an expected-value test: random complete vectors always land in exactly
    one band (score() asserts that) and inside the published range."""
    import random

    from jingying.instruments import score

    instrument = get(code)
    rng = random.Random(code)
    lo, hi = instrument.definition["scoring"]["total"].get("range", [None, None])
    for _ in range(300):
        result = score(code, [rng.choice(item.values) for item in instrument.items], sex=rng.choice([None, "male", "female"]))
        assert result.scorable
        if lo is not None:
            assert lo <= result.total <= hi
            assert result.band in BAND_CODES[code]
