"""The survey API: same services and scope as the screens, query counts pinned."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from jingying.accounts.roles import Role
from jingying.accounts.services import api_token_create
from jingying.org.tests.factories import PersonFactory, Tree, make_user
from jingying.surveys import services
from jingying.surveys.models import Response
from jingying.surveys.tests.factories import good_answers, make_campaign, make_version

pytestmark = pytest.mark.django_db

BASE = "/api/v1/surveys"
# token lookup, grants, COUNT, the page.
LIST_QUERIES = 4


def bearer(user: Any) -> dict[str, str]:
    _row, secret = api_token_create(actor=None, user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def world() -> dict[str, Any]:
    tree = Tree()
    officers = [make_user(f"o{p.pk}", role=Role.OFFICER, unit=tree.station, person=p)
                for p in PersonFactory.create_batch(5, unit=tree.station)]
    version = make_version(tree.region)
    campaign = make_campaign(tree.county, version=version)
    other = make_campaign(tree.other_city, version=version, title="包头")
    return {"tree": tree, "officers": officers, "campaign": campaign, "other": other, "version": version}


def test_campaign_list_is_scoped_and_pinned(world: dict[str, Any], django_assert_num_queries: Any) -> None:
    client = Client()
    leader = bearer(make_user("county", role=Role.LEADER, unit=world["tree"].county))
    for n in range(3):
        make_campaign(world["tree"].station, version=world["version"], title=f"所{n}")
    client.get(f"{BASE}/campaigns", **leader)  # the token's first use records it
    with django_assert_num_queries(LIST_QUERIES):
        body = client.get(f"{BASE}/campaigns", **leader).json()
    assert body["count"] == 4 and "包头" not in {c["title"] for c in body["items"]}
    for n in range(10):
        make_campaign(world["tree"].station, version=world["version"], title=f"更多{n}")
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(f"{BASE}/campaigns", {"limit": 100}, **leader).json()["count"] == 14
    first = next(c for c in body["items"] if c["id"] == world["campaign"].pk)
    assert first["invited"] == 5 and first["answered"] == 0
    assert client.get(f"{BASE}/campaigns/{world['other'].pk}", **leader).status_code == 404
    assert client.get(f"{BASE}/campaigns/{world['campaign'].pk}", **leader).json()["kind"] == "anonymous"
    assert client.get(f"{BASE}/campaigns").status_code == 401
    nobody = bearer(make_user("nobody"))
    assert client.get(f"{BASE}/campaigns", **nobody).status_code == 403
    assert client.get(f"{BASE}/mine", **nobody).status_code == 403


def test_officer_submits_through_the_api(world: dict[str, Any]) -> None:
    client = Client()
    officer = world["officers"][0]
    auth = bearer(officer)
    pending = client.get(f"{BASE}/mine", **auth).json()
    assert [i["campaign"] for i in pending["items"]] == [world["campaign"].pk]
    one = client.get(f"{BASE}/mine/{world['campaign'].pk}", **auth).json()
    assert one["anonymous"] and [q["code"] for q in one["questions"]][:2] == ["s1", "mood"]
    url = f"{BASE}/mine/{world['campaign'].pk}/response"
    bad = client.post(url, json.dumps({"answers": good_answers(why=[])}), content_type="application/json", **auth)
    assert bad.status_code == 422 and bad.json()["errors"] == {"why": ["此题为必答题"]}
    ok = client.post(url, json.dumps({"answers": good_answers()}), content_type="application/json", **auth)
    assert ok.status_code == 201 and ok.json()["anonymous"] is True
    again = client.post(url, json.dumps({"answers": good_answers()}), content_type="application/json", **auth)
    assert again.status_code == 409 and "每人只能提交一次" in again.json()["detail"]
    assert client.get(f"{BASE}/mine", **auth).json()["count"] == 0
    assert client.post(f"{BASE}/mine/{world['other'].pk}/response", json.dumps({"answers": {}}),
                       content_type="application/json", **auth).status_code == 404


def test_results_through_the_api_respect_k(world: dict[str, Any]) -> None:
    client = Client()
    pd = bearer(make_user("pd", role=Role.POLITICAL, unit=world["tree"].city))
    url = f"{BASE}/campaigns/{world['campaign'].pk}/results"
    for officer in world["officers"][:4]:
        services.response_submit(actor=officer, campaign_id=world["campaign"].pk, raw=good_answers())
    body = client.get(url, **pd).json()
    assert body["shown"] is False and body["respondents"] is None
    assert all(not q["shown"] and not q["options"] for q in body["questions"])
    services.response_submit(actor=world["officers"][4], campaign_id=world["campaign"].pk, raw=good_answers())
    assert Response.objects.count() == 5
    body = client.get(url, **pd).json()
    assert body["shown"] and body["respondents"] == 5
    mood = next(q for q in body["questions"] if q["code"] == "mood")
    assert {o["label"]: o["count"] for o in mood["options"]}["满意"] == 5
    grid = next(q for q in body["questions"] if q["code"] == "grid")
    assert set(grid["matrix"]) == {"待遇", "领导"}
    assert client.get(url, {"unit": world["tree"].other_city.pk}, **pd).status_code == 404
    officer = bearer(world["officers"][0])
    assert client.get(url, **officer).status_code == 404
