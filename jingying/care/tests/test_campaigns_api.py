import pytest

from jingying.accounts.roles import Role
from jingying.care.models.campaigns import CampaignChecklistItem
from jingying.care.tests.api_support import Api, list_queries
from jingying.care.tests.factories_support import make_campaign, today
from jingying.org.tests.factories import PersonFactory, Tree, make_user

pytestmark = pytest.mark.django_db


def test_campaign_api_flow_scope_and_queries():
    tree = Tree()
    people = [PersonFactory(unit=tree.station) for _ in range(2)]
    api = Api(make_user("pd", role=Role.POLITICAL, unit=tree.city))
    r = api.post("/campaigns", {"name": "国庆安保", "unit": tree.city.code, "start": today().isoformat(),
                                "end": today().isoformat(), "units": [tree.county.code], "measures": ["visits", "insurance"]})
    assert r.status_code == 201, r.content
    campaign_id = r.json()["id"]
    assert r.json()["total_people"] == 2
    assert api.post("/campaigns", {"name": "x", "unit": tree.city.code, "start": today().isoformat(),
                                   "end": today().isoformat(), "units": []}).status_code == 422
    r = api.patch(f"/campaigns/{campaign_id}", {"notes": "全员在岗"})
    assert r.json()["notes"] == "全员在岗"
    item = CampaignChecklistItem.objects.get(measure="visits")
    assert api.post(f"/campaigns/checklist/{item.pk}", {"done": True, "note": "已走访"}).json()["done"] is True
    assert api.post(f"/campaigns/{campaign_id}/reach", {"measure": "visits", "unit": tree.station.code}).json() == {"added": 2}
    r = api.post(f"/campaigns/{campaign_id}/reach", {"measure": "insurance", "id_numbers": [people[0].id_number, "bad"]})
    assert r.status_code == 422 and "第 2 行" in r.json()["errors"]["id_numbers"][0]
    assert api.post(f"/campaigns/{campaign_id}/reach", {"measure": "insurance", "id_numbers": [people[0].id_number]}).json() == {"added": 1}
    detail = api.get(f"/campaigns/{campaign_id}").json()
    assert detail["total_reached"] == {"visits": 2, "insurance": 1}
    outsider = Api(make_user("pd2", role=Role.POLITICAL, unit=tree.other_city))
    assert outsider.get(f"/campaigns/{campaign_id}").status_code == 404
    assert outsider.get("/campaigns").json()["count"] == 0
    assert api.get("/campaigns", year="x").status_code == 422
    n = list_queries(api, "/campaigns", lambda k: [make_campaign(tree.county, name=f"c{i}") for i in range(k)])
    assert n == 7
