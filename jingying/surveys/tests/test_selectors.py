"""Selectors: scope (a county user sees only its campaigns and results) and k-suppressed results."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404

from jingying.accounts.roles import Role
from jingying.core.scoping import SYSTEM
from jingying.org.tests.factories import PersonFactory, Tree, make_unit, make_user
from jingying.surveys import selectors, services
from jingying.surveys.tests.factories import good_answers, make_campaign, make_version

pytestmark = pytest.mark.django_db


def _answerers(unit: Any, n: int) -> list[Any]:
    return [make_user(f"u{p.pk}", role=Role.OFFICER, unit=unit, person=p) for p in PersonFactory.create_batch(n, unit=unit)]


@pytest.fixture
def world() -> dict[str, Any]:
    tree = Tree()
    station2 = make_unit(tree.county, "150102002", "新城区分局第二派出所")
    station3 = make_unit(tree.county, "150102003", "新城区分局第三派出所")
    users = {"s1": _answerers(tree.station, 8), "s2": _answerers(station2, 3), "s3": _answerers(station3, 6),
             "other": _answerers(tree.other_station, 5)}
    campaign = make_campaign(tree.region)
    for group in users.values():
        for n, user in enumerate(group):
            services.response_submit(actor=user, campaign_id=campaign.pk, raw=good_answers(mood=str(1 + n % 5)))
    services.campaign_close(actor=SYSTEM, campaign=campaign)
    return {"tree": tree, "campaign": campaign, "s2": station2, "s3": station3}


def test_county_user_sees_only_its_campaigns(world: dict[str, Any]) -> None:
    tree = world["tree"]
    county_campaign = make_campaign(tree.county, version=world["campaign"].version, title="分局调查")
    other = make_campaign(tree.other_city, version=world["campaign"].version, title="包头调查")
    leader = make_user("county", role=Role.LEADER, unit=tree.county)
    titles = set(selectors.campaign_list(actor=leader).values_list("title", flat=True))
    # Its own, and the force-wide one that includes the county (for its part); not Baotou's.
    assert titles == {"分局调查", world["campaign"].title}
    with pytest.raises(Http404):
        selectors.access_campaign(leader, world["campaign"].pk, perm="surveys.manage_campaign")
    with pytest.raises(Http404):
        selectors.access_campaign(leader, other.pk)
    assert selectors.access_campaign(leader, county_campaign.pk) == county_campaign
    region = make_user("region", role=Role.POLITICAL, unit=tree.region)
    assert selectors.campaign_list(actor=region).count() == 3
    assert selectors.campaign_list(actor=make_user("nobody")).count() == 0


def test_county_user_sees_results_only_below_its_unit(world: dict[str, Any]) -> None:
    tree, campaign = world["tree"], world["campaign"]
    leader = make_user("county", role=Role.LEADER, unit=tree.county)
    assert selectors.results_units(actor=leader, campaign=campaign) == [tree.county]
    with pytest.raises(Http404):
        selectors.campaign_results(actor=leader, campaign=campaign, unit=tree.region)
    with pytest.raises(Http404):
        selectors.campaign_results(actor=leader, campaign=campaign, unit=tree.other_city)
    r = selectors.campaign_results(actor=leader, campaign=campaign, unit=tree.county)
    assert r.shown and r.respondents == 17


def test_subtraction_between_parent_and_children_reveals_nothing(world: dict[str, Any]) -> None:
    tree, campaign = world["tree"], world["campaign"]
    region = make_user("region", role=Role.POLITICAL, unit=tree.region)
    r = selectors.campaign_results(actor=region, campaign=campaign, unit=tree.county)
    cells = {c.unit.pk: c for c in r.children}
    # Station 2 has 3 (< 5): hidden; station 3 (6) is the next-smallest and is hidden with it,
    # so county (17) − station 1 (8) = 9 people, never the 3 of station 2.
    assert not cells[world["s2"].pk].shown and cells[world["s2"].pk].respondents is None
    assert not cells[world["s3"].pk].shown
    assert cells[tree.station.pk].shown and cells[tree.station.pk].respondents == 8
    # Opening the hidden stations directly shows nothing either.
    for unit in (world["s2"], world["s3"]):
        direct = selectors.campaign_results(actor=region, campaign=campaign, unit=unit)
        assert not direct.shown and direct.respondents is None
        assert all(not q.shown and not q.options for q in direct.questions)
    shown = selectors.campaign_results(actor=region, campaign=campaign, unit=tree.station)
    mood = next(q for q in shown.questions if q.question.code == "mood")
    assert mood.shown and sum(n for _label, n, _p in mood.options) == 8


def test_results_wait_until_k_answered() -> None:
    tree = Tree()
    users = _answerers(tree.station, 5)
    campaign = make_campaign(tree.city, version=make_version(tree.region))
    pd = make_user("pd", role=Role.POLITICAL, unit=tree.city)
    for user in users[:4]:
        services.response_submit(actor=user, campaign_id=campaign.pk, raw=good_answers())
    r = selectors.campaign_results(actor=pd, campaign=campaign)
    assert not r.shown and r.pending
    services.response_submit(actor=users[4], campaign_id=campaign.pk, raw=good_answers(words="食堂伙食需要改善"))
    r = selectors.campaign_results(actor=pd, campaign=campaign)
    assert r.shown and r.respondents == 5
    words = next(q for q in r.questions if q.question.code == "words")
    assert not words.shown and not words.texts, "free text needs 10 people"
    why = next(q for q in r.questions if q.question.code == "why")
    assert why.shown and {label: n for label, n, _p in why.options}["警情多"] == 5


def test_free_text_shown_from_ten(world: dict[str, Any]) -> None:
    campaign = world["campaign"]
    region = make_user("region", role=Role.POLITICAL, unit=world["tree"].region)
    r = selectors.campaign_results(actor=region, campaign=campaign)
    words = next(q for q in r.questions if q.question.code == "words")
    assert not words.shown  # nobody wrote anything: 0 answers


def test_show_if_question_counts_its_own_respondents() -> None:
    tree = Tree()
    users = _answerers(tree.station, 6)
    campaign = make_campaign(tree.city, version=make_version(tree.region))
    pd = make_user("pd", role=Role.POLITICAL, unit=tree.city)
    for n, user in enumerate(users):
        services.response_submit(actor=user, campaign_id=campaign.pk,
                                 raw=good_answers(stress="yes" if n < 2 else "no"))
    services.campaign_close(actor=SYSTEM, campaign=campaign)
    r = selectors.campaign_results(actor=pd, campaign=campaign)
    assert r.shown and r.respondents == 6
    why = next(q for q in r.questions if q.question.code == "why")
    assert not why.shown, "only 2 answered the follow-up question"


def test_my_invitations_are_my_own(world: dict[str, Any]) -> None:
    tree = world["tree"]
    person = PersonFactory(unit=tree.station)
    me = make_user("me", role=Role.POLITICAL, unit=tree.region, person=person)
    campaign = make_campaign(tree.city, version=world["campaign"].version, title="新一期")
    mine = list(selectors.my_invitations(actor=me))
    assert [i.campaign_id for i in mine] == [campaign.pk]
    assert [i.campaign_id for i in selectors.my_pending(actor=me)] == [campaign.pk]
    assert list(selectors.my_invitations(actor=make_user("x"))) == []
    with pytest.raises(Http404):
        selectors.access_invitation(me, world["campaign"].pk)
