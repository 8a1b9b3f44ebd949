"""Edges of the services and selectors: free text from ten, the "本级" cell, deadlines, bad ids,
and the demo loader."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from jingying.accounts.roles import Role
from jingying.core.scoping import SYSTEM
from jingying.org.tests.factories import PersonFactory, Tree, make_user
from jingying.surveys import selectors, services
from jingying.surveys.models import Campaign, Invitation
from jingying.surveys.tests.factories import good_answers, make_campaign, make_version

pytestmark = pytest.mark.django_db


def _officers(unit: Any, n: int) -> list[Any]:
    return [make_user(f"o{p.pk}", role=Role.OFFICER, unit=unit, person=p) for p in PersonFactory.create_batch(n, unit=unit)]


def test_free_text_appears_from_ten_in_random_order() -> None:
    tree = Tree()
    users = _officers(tree.station, 10)
    campaign = make_campaign(tree.station, version=make_version(tree.region))
    for n, user in enumerate(users):
        services.response_submit(actor=user, campaign_id=campaign.pk, raw=good_answers(words=f"意见{n}"))
    pd = make_user("pd", role=Role.POLITICAL, unit=tree.city)
    r = selectors.campaign_results(actor=pd, campaign=campaign)
    words = next(q for q in r.questions if q.question.code == "words")
    assert words.shown and sorted(words.texts) == sorted(f"意见{n}" for n in range(10))
    hours = next(q for q in r.questions if q.question.code == "hours")
    assert hours.mean == 6


def test_people_attached_to_the_unit_itself_are_a_cell() -> None:
    tree = Tree()
    at_county = _officers(tree.county, 2)
    at_station = _officers(tree.station, 6)
    campaign = make_campaign(tree.county, version=make_version(tree.region))
    for user in at_county + at_station:
        services.response_submit(actor=user, campaign_id=campaign.pk, raw=good_answers())
    services.campaign_close(actor=SYSTEM, campaign=campaign)
    pd = make_user("pd", role=Role.POLITICAL, unit=tree.city)
    r = selectors.campaign_results(actor=pd, campaign=campaign)
    # 2 at the county itself (< k) would be 8 − 6: the station is hidden with them.
    assert [(c.unit, c.shown) for c in r.children] == [(tree.station, False), (None, False)]
    head, rows = selectors.campaign_rates(campaign=campaign, unit=tree.county)
    assert head.invited == 8 and rows[-1].unit is None and rows[-1].invited == 2 and not rows[-1].shown
    assert rows[0].shown and rows[0].percent == 100


def test_update_rules_and_small_services() -> None:
    tree = Tree()
    version = make_version(tree.region, publish=False)
    services.version_update(actor=SYSTEM, version=version, title=" 新标题 ", intro="说明")
    assert version.title == "新标题"
    q = services.question_create(actor=SYSTEM, version=version, code="extra", kind="text", text="补充", show_if={})
    assert q.show_if is None
    with pytest.raises(ValueError, match="unknown fields"):
        services.question_update(actor=SYSTEM, question=q, colour="red")
    assert services.question_move(actor=SYSTEM, question=q, offset=1).position == q.position  # already last
    campaign = make_campaign(tree.city, version=make_version(tree.region, code="v2"))
    with pytest.raises(ValidationError, match="须晚于开始时间"):
        services.campaign_update(actor=SYSTEM, campaign=campaign, closes_at=campaign.opens_at)
    Campaign.objects.filter(pk=campaign.pk).update(finalised=True)
    campaign.refresh_from_db()
    with pytest.raises(ValidationError, match="不能再延期"):
        services.campaign_update(actor=SYSTEM, campaign=campaign, closes_at=timezone.now() + dt.timedelta(days=30))
    assert services.reminders_mark_read(actor=make_user("noperson")) == 0
    assert services.campaign_flush(campaign=campaign) == 0


def test_bad_ids_are_404() -> None:
    tree = Tree()
    pd = make_user("pd", role=Role.POLITICAL, unit=tree.region)
    for bad in ("x", 10**9):
        with pytest.raises(Http404):
            selectors.access_version(pd, bad)
        with pytest.raises(Http404):
            selectors.access_question(pd, bad)
        with pytest.raises(Http404):
            selectors.access_questionnaire(pd, bad)
    assert list(selectors.my_reminders(actor=pd)) == []
    assert list(selectors.my_pending(actor=pd)) == []


def test_demo_surveys_load_once() -> None:
    from django.core.management import call_command

    from jingying.surveys.demo import load_demo_surveys

    tree = Tree()
    PersonFactory.create_batch(12, unit=tree.station)
    PersonFactory.create_batch(5, unit=tree.other_station)
    officer = PersonFactory(unit=tree.station)
    make_user("officer", role=Role.OFFICER, unit=tree.station, person=officer)
    call_command("survey_demo")
    titles = set(Campaign.objects.values_list("title", flat=True))
    assert len(titles) == 6  # four quarters force-wide (the index trend), the county's, the station's
    local = Campaign.objects.get(title__contains="派出所")
    assert Invitation.objects.filter(campaign=local, answered=True).count() == local.k_threshold - 1
    assert not Invitation.objects.get(campaign=local, person=officer).answered
    past = Campaign.objects.get(title__contains="第一季度")
    pd = make_user("pd", role=Role.POLITICAL, unit=tree.region)
    assert selectors.campaign_results(actor=pd, campaign=past).shown
    from jingying.surveys import analysis

    _name, points = analysis.index_trend(actor=pd, campaign=past, code="morale")
    assert len(points) == 4 and all(p.shown for p in points)
    assert load_demo_surveys() == {"campaigns": 0}


def test_show_if_label() -> None:
    from jingying.surveys.models import Question

    assert Question(show_if={"question": "a", "op": "in", "value": ["1", "2"]}).show_if_label == "a 为其中之一 1、2"
    assert Question(show_if={"question": "a", "op": "answered"}).show_if_label == "a 已作答"
    assert Question(show_if={"question": "a", "op": "odd", "value": 3}).show_if_label == "a odd 3"
