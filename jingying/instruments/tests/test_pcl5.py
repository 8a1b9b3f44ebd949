"""PCL-5 (instruments.md §4): sum 0–80, clusters B/C/D/E, cut-off 31/32/33 (default 33), DSM-5 rule."""

from __future__ import annotations

import pytest

from jingying.instruments import InvalidParameterError, score
from jingying.instruments.tests.vectors import filled


def vector(**items):
    """20 zeros with the given items set: vector(i1=2, i16=3)."""
    answers = [0] * 20
    for key, value in items.items():
        answers[int(key[1:]) - 1] = value
    return answers


@pytest.mark.parametrize(
    ("cutoff", "total", "band"),
    [
        (None, 32, "below_cutoff"), (None, 33, "probable_ptsd"),  # default 33
        (31, 30, "below_cutoff"), (31, 31, "probable_ptsd"),
        (32, 31, "below_cutoff"), (32, 32, "probable_ptsd"),
        (33, 32, "below_cutoff"), (33, 33, "probable_ptsd"),
        (None, 0, "below_cutoff"), (None, 80, "probable_ptsd"),
    ],
)
def test_pcl5_cutoff_edges(cutoff, total, band):
    result = score("PCL-5", filled(total, 20, 4), cutoff=cutoff)
    assert (result.total, result.band) == (total, band)
    assert ("probable_ptsd" in result.flags) is (band == "probable_ptsd")
    assert result.cutoff == (cutoff or 33)


@pytest.mark.parametrize("cutoff", [30, 34, 38, 0])
def test_pcl5_cutoff_outside_31_to_33_is_refused(cutoff):
    with pytest.raises(InvalidParameterError, match="31、32、33"):
        score("PCL-5", [0] * 20, cutoff=cutoff)


def test_pcl5_cluster_sums():
    # B = 1+2+3+4+0, C = 4+4, D = seven 1s, E = 0,0,0,0,0,3
    answers = [1, 2, 3, 4, 0, 4, 4, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 3]
    result = score("PCL-5", answers)
    assert result.subscales == {"B": 10, "C": 8, "D": 7, "E": 3}
    assert result.total == 28


def test_pcl5_dsm5_rule_met_with_total_12():
    # ≥1 B, ≥1 C, ≥2 D, ≥2 E items at ≥2 ("Moderately"): the rule can be met with a total of 12
    result = score("PCL-5", vector(i1=2, i6=2, i8=2, i9=2, i15=2, i16=2))
    assert (result.total, result.band) == (12, "below_cutoff")
    assert result.flags == ("dsm5_rule_met", "referral")


@pytest.mark.parametrize(
    "items",
    [
        {"i1": 1, "i6": 2, "i8": 2, "i9": 2, "i15": 2, "i16": 2},  # B: nothing at ≥2
        {"i1": 2, "i6": 1, "i7": 1, "i8": 2, "i9": 2, "i15": 2, "i16": 2},  # C: nothing at ≥2
        {"i1": 2, "i6": 2, "i8": 2, "i9": 1, "i15": 2, "i16": 2},  # D: only one
        {"i1": 2, "i6": 2, "i8": 2, "i9": 2, "i15": 2, "i20": 1},  # E: only one
    ],
)
def test_pcl5_dsm5_rule_just_not_met(items):
    assert score("PCL-5", vector(**items)).flags == ()


def test_pcl5_both_methods():
    result = score("PCL-5", [4] * 20)
    assert result.flags == ("probable_ptsd", "dsm5_rule_met", "referral")


def test_pcl5_cutoff_alone_refers():
    # 33 points all in cluster B and C (5×4 + 2×4 = 28) plus D item 8 = 4, item 9 = 1: D has one endorsed item
    result = score("PCL-5", vector(i1=4, i2=4, i3=4, i4=4, i5=4, i6=4, i7=4, i8=4, i9=1))
    assert result.total == 33
    assert result.flags == ("probable_ptsd", "referral")


@pytest.mark.parametrize(("item16", "review"), [(2, ()), (3, ("16",)), (4, ("16",))])
def test_pcl5_item_16_is_for_review_not_safety(item16, review):
    result = score("PCL-5", vector(i16=item16))
    assert result.review_items == review
    assert result.flags == ()
    assert result.safety_priority is None


def test_pcl5_missing_item_not_scorable_but_answered_clusters_kept():
    answers = [2] * 20
    answers[0] = None
    result = score("PCL-5", answers)
    assert (result.scorable, result.total, result.band) == (False, None, None)
    assert result.subscales == {"B": None, "C": 4, "D": 14, "E": 12}
    # the answered items still meet the DSM-5 rule (items 2–5 endorsed), so further assessment is flagged
    assert result.flags == ("dsm5_rule_met", "referral")
