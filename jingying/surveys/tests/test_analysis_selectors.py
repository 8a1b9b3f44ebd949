"""Analysis reads (issue 4 point 6): cross-tabs, indices with reverse items, the trend across
campaigns, free-text themes — correct figures, k-suppression and scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from jingying.accounts.roles import Role
from jingying.core.scoping import SYSTEM
from jingying.org.tests.factories import Tree, make_unit, make_user
from jingying.surveys import analysis, services
from jingying.surveys.suppression import REST
from jingying.surveys.tests.factories import good_answers, make_campaign, make_version
from jingying.surveys.tests.factories_analysis import add_responses

pytestmark = pytest.mark.django_db

MORALE = [{"code": "morale", "name": "士气指数", "items": [{"question": "mood"}, {"question": "grid", "row": "pay",
                                                                               "reverse": True}]}]


@pytest.fixture
def world() -> dict[str, Any]:
    tree = Tree()
    version = make_version(tree.region)
    services.version_index_save(actor=SYSTEM, version=version, **MORALE[0])
    campaign = make_campaign(tree.region, version=version)
    # 海东路派出所: 6 young police (mood 5), 6 auxiliaries in their thirties (mood 2).
    add_responses(campaign, tree.station, 6, category="police", age_band="lt30", **good_answers(mood="5"))
    add_responses(campaign, tree.station, 6, category="auxiliary", age_band="30-39",
                  **good_answers(mood="2", grid={"pay": "5", "lead": "3"}))
    # 西脑包派出所: 10 police in their forties (mood 4).
    add_responses(campaign, tree.other_station, 10, category="police", age_band="40-49", **good_answers(mood="4"))
    region = make_user("region", role=Role.POLITICAL, unit=tree.region)
    county = make_user("county", role=Role.LEADER, unit=tree.county)
    return {"tree": tree, "campaign": campaign, "region": region, "county": county, "version": version}


def _mood(campaign: Any) -> Any:
    return campaign.version.questions.get(code="mood")


def _col(tab: analysis.CrossTab, key: str) -> analysis.Column:
    return next(c for c in tab.columns if c.key == key)


def test_crosstab_by_category(world: dict[str, Any]) -> None:
    tab = analysis.crosstab(actor=world["region"], campaign=world["campaign"], question=_mood(world["campaign"]),
                            dimension="category")
    assert tab.shown and tab.respondents == 22
    assert [c.key for c in tab.columns] == ["police", "auxiliary"]
    police, aux = _col(tab, "police"), _col(tab, "auxiliary")
    assert police.respondents == 16 and police.cell("", "5") == (6, 38) and police.cell("", "4") == (10, 62)
    assert aux.respondents == 6 and aux.cell("", "2") == (6, 100) and aux.cell("", "5") == (0, 0)
    assert tab.total is not None and tab.total.cell("", "4") == (10, 45)
    rows = dict(tab.table(""))
    assert rows["很满意"] == [(6, 27), (6, 38), (0, 0)]


def test_crosstab_by_age_and_unit_level(world: dict[str, Any]) -> None:
    tree, campaign = world["tree"], world["campaign"]
    tab = analysis.crosstab(actor=world["region"], campaign=campaign, question=_mood(campaign), dimension="age")
    assert [(c.key, c.respondents) for c in tab.columns] == [("lt30", 6), ("30-39", 6), ("40-49", 10)]
    tab = analysis.crosstab(actor=world["region"], campaign=campaign, question=_mood(campaign), dimension="level:1")
    assert [(c.key, c.respondents) for c in tab.columns] == [(str(tree.city.pk), 12), (str(tree.other_city.pk), 10)]
    # a matrix question: one table per row
    grid = campaign.version.questions.get(code="grid")
    tab = analysis.crosstab(actor=world["region"], campaign=campaign, question=grid, dimension="category")
    assert [r for r, _label in tab.rows] == ["pay", "lead"]
    assert _col(tab, "auxiliary").cell("pay", "5") == (6, 100)
    keys = [d.key for d in analysis.dimensions(campaign, tree.county)]
    assert keys == ["level:3", "category", "age"]


def test_crosstab_small_groups_are_suppressed_or_pooled(world: dict[str, Any]) -> None:
    tree, campaign = world["tree"], world["campaign"]
    station2 = make_unit(tree.county, "150102002", "新城区分局第二派出所")
    add_responses(campaign, station2, 3, category="auxiliary", age_band="50-54", **good_answers())
    mood = _mood(campaign)
    # the county (15 = 12 + 3) is shown; station 2 (3) and, as its cover, station 1 are hidden
    tab = analysis.crosstab(actor=world["region"], campaign=campaign, question=mood, dimension="level:3",
                            unit=tree.county)
    assert tab.shown and tab.respondents == 15
    assert all(not c.shown and c.respondents is None for c in tab.columns if c.key != REST)
    # opening a hidden station directly shows nothing
    tab = analysis.crosstab(actor=world["region"], campaign=campaign, question=mood, dimension="category", unit=station2)
    assert not tab.shown and tab.columns == [] and tab.respondents is None
    # by age at the county: 50+ (3) is below k and pools with the next smallest
    tab = analysis.crosstab(actor=world["region"], campaign=campaign, question=mood, dimension="age", unit=tree.county)
    shown = {c.key: c.respondents for c in tab.columns if c.shown}
    assert "50+" not in shown and shown[REST] >= 5 and sum(shown.values()) == 15


def test_category_minus_age_band_cannot_isolate_anyone(world: dict[str, Any]) -> None:
    tree, campaign = world["tree"], world["campaign"]
    # A station where every under-30 is an auxiliary: 辅警 (8) − under-30 (6) would be 2 people.
    station2 = make_unit(tree.other_county, "150202002", "东河区分局第二派出所")
    add_responses(campaign, station2, 6, category="auxiliary", age_band="lt30", **good_answers(mood="1"))
    add_responses(campaign, station2, 2, category="auxiliary", age_band="55+", **good_answers(mood="5"))
    add_responses(campaign, station2, 10, category="police", age_band="55+", **good_answers(mood="3"))
    mood = _mood(campaign)
    by_cat = analysis.crosstab(actor=world["region"], campaign=campaign, question=mood, dimension="category",
                               unit=station2)
    by_age = analysis.crosstab(actor=world["region"], campaign=campaign, question=mood, dimension="age", unit=station2)
    assert {c.key: c.respondents for c in by_cat.columns} == {"police": 10, "auxiliary": 8}
    # the age split of this station is dropped: everything pooled
    assert [(c.key, c.shown, c.respondents) for c in by_age.columns] == [
        ("lt30", False, None), ("50+", False, None), (REST, True, 18)]
    for cat in by_cat.columns:
        for age in by_age.columns:
            if cat.shown and age.shown and age.key != REST:
                assert abs(cat.respondents - age.respondents) == 0 or abs(cat.respondents - age.respondents) >= 5
    # up the tree the station's people are pooled in the age table too
    region_age = analysis.crosstab(actor=world["region"], campaign=campaign, question=mood, dimension="age")
    assert _col(region_age, "lt30").respondents == 6  # 海东路's six, not the pooled six of station 2
    assert _col(region_age, REST).respondents == 18


def test_crosstab_scope_and_bad_input(world: dict[str, Any]) -> None:
    tree, campaign = world["tree"], world["campaign"]
    mood = _mood(campaign)
    with pytest.raises(Http404):
        analysis.crosstab(actor=world["county"], campaign=campaign, question=mood, dimension="category")
    with pytest.raises(Http404):
        analysis.crosstab(actor=world["county"], campaign=campaign, question=mood, dimension="category",
                          unit=tree.other_county)
    tab = analysis.crosstab(actor=world["county"], campaign=campaign, question=mood, dimension="category",
                            unit=tree.county)
    assert tab.respondents == 12
    with pytest.raises(ValidationError):
        analysis.crosstab(actor=world["region"], campaign=campaign, question=mood, dimension="height")
    with pytest.raises(ValidationError):
        analysis.crosstab(actor=world["region"], campaign=campaign, dimension="age",
                          question=campaign.version.questions.get(code="words"))
    with pytest.raises(ValidationError):
        analysis.campaign_question(campaign, "nope")


def test_index_values_with_a_reverse_item(world: dict[str, Any]) -> None:
    tree, campaign = world["tree"], world["campaign"]
    [morale] = analysis.campaign_indices(actor=world["region"], campaign=campaign)
    # police 海东路: mood 5 → 100, pay 3 reversed → 50: 75 each (6)
    # auxiliaries: mood 2 → 25, pay 5 reversed → 0: 12.5 each (6)
    # police 西脑包: mood 4 → 75, pay 3 reversed → 50: 62.5 each (10)
    assert morale.shown and morale.respondents == 22
    assert morale.value == Decimal("52.3")  # (6·75 + 6·12.5 + 10·62.5) / 22 = 1150 / 22 = 52.27
    cells = {c.unit.pk: c for c in morale.children if c.unit}
    assert cells[tree.city.pk].value == Decimal("43.8")  # 43.75, rounded half up and cells[tree.city.pk].respondents == 12
    assert cells[tree.other_city.pk].value == Decimal("62.5")


def test_index_half_of_the_items_needed_and_k(world: dict[str, Any]) -> None:
    tree, campaign = world["tree"], world["campaign"]
    station2 = make_unit(tree.county, "150102002", "新城区分局第二派出所")
    add_responses(campaign, station2, 3, **good_answers(mood="1"))
    [morale] = analysis.campaign_indices(actor=world["region"], campaign=campaign, unit=tree.county)
    cells = {c.unit.pk: c for c in morale.children if c.unit}
    assert not cells[station2.pk].shown and cells[station2.pk].value is None
    assert not cells[tree.station.pk].shown  # the cover of station 2
    [hidden] = analysis.campaign_indices(actor=world["region"], campaign=campaign, unit=station2)
    assert not hidden.shown and hidden.value is None


def test_trend_across_three_campaigns(world: dict[str, Any]) -> None:
    tree, version = world["tree"], world["version"]
    now = timezone.now()
    earlier = []
    for months, mood in ((9, "1"), (6, "3")):
        c = make_campaign(tree.region, version=version, title=f"{months} 个月前",
                          opens_at=now - dt.timedelta(days=30 * months), closes_at=now - dt.timedelta(days=30 * months - 10))
        add_responses(c, tree.station, 8, **good_answers(mood=mood))
        earlier.append(c)
    name, points = analysis.index_trend(actor=world["region"], campaign=world["campaign"], code="morale",
                                        unit=tree.station)
    assert name == "士气指数"
    assert [p.campaign.pk for p in points] == [earlier[0].pk, earlier[1].pk, world["campaign"].pk]
    # mood 1 → 0, pay 3 reversed → 50: 25;  mood 3 → 50: 50;  now: (6·75 + 6·12.5) / 12 = 43.75
    assert [p.value for p in points] == [Decimal("25.0"), Decimal("50.0"), Decimal("43.8")]
    # the county leader sees the same trend for its unit, not for the region
    _name, county_points = analysis.index_trend(actor=world["county"], campaign=world["campaign"], code="morale",
                                                unit=tree.county)
    assert [p.respondents for p in county_points] == [8, 8, 12]
    with pytest.raises(Http404):
        analysis.index_trend(actor=world["county"], campaign=world["campaign"], code="morale")
    with pytest.raises(ValidationError):
        analysis.index_trend(actor=world["region"], campaign=world["campaign"], code="nope")


def test_themes_counts_examples_and_k(world: dict[str, Any]) -> None:
    tree, campaign = world["tree"], world["campaign"]
    words = campaign.version.questions.get(code="words")
    add_responses(campaign, tree.other_station, 7, **good_answers(words="加班太多，希望保障轮休"))
    add_responses(campaign, tree.other_station, 5, **good_answers(words="食堂伙食需要改善"))
    add_responses(campaign, tree.other_station, 3, **good_answers(words="装备老旧"))
    result = analysis.campaign_themes(actor=world["region"], campaign=campaign, question=words,
                                      unit=tree.other_county)
    assert result.shown and result.respondents == 15
    assert [(t.words[0], t.count) for t in result.themes] == [("加班", 7), ("食堂", 5)]
    assert all(1 <= len(t.examples) <= 3 for t in result.themes)
    assert result.themes[0].examples[0] == "加班太多，希望保障轮休"
    assert result.other == 3  # "装备老旧" (3 < k) is in no theme and never shown as an example
    assert not any("装备" in e for t in result.themes for e in t.examples)
    # the other county has no text answers: nothing shown, no examples
    hidden = analysis.campaign_themes(actor=world["region"], campaign=campaign, question=words, unit=tree.county)
    assert not hidden.shown and hidden.themes == []
    with pytest.raises(ValidationError):
        analysis.campaign_themes(actor=world["region"], campaign=campaign, question=_mood(campaign))
    with pytest.raises(Http404):
        analysis.campaign_themes(actor=world["county"], campaign=campaign, question=words, unit=tree.other_county)
