import pytest

from jingying.accounts.roles import Role
from jingying.care.tests.api_support import Api, list_queries
from jingying.care.tests.factories_support import make_claim, make_policy, today
from jingying.org.tests.factories import PersonFactory, Tree, make_user

pytestmark = pytest.mark.django_db


def test_insurance_api_flow_scope_and_queries():
    tree = Tree()
    staff = Api(make_user("pd", role=Role.POLITICAL, unit=tree.county))
    people = [PersonFactory(unit=tree.station) for _ in range(2)]
    r = staff.post("/insurance/policies", {"unit": tree.county.code, "insurer": "中国人寿", "policy_number": "GL-2026-9",
                                           "start": today().replace(month=1, day=1).isoformat(),
                                           "end": today().replace(month=12, day=31).isoformat(),
                                           "cover_per_person": "200000.00"})
    assert r.status_code == 201, r.content
    pid = r.json()["id"]
    assert r.json()["cover_per_person"] == "200000.00"
    assert staff.post("/insurance/policies", {"unit": tree.county.code, "insurer": "x", "policy_number": "y",
                                              "start": "2026-01-01", "end": "2026-02-01",
                                              "cover_per_person": "1.005"}).status_code == 422
    assert staff.patch(f"/insurance/policies/{pid}", {"name": "民警意外险"}).json()["name"] == "民警意外险"
    assert staff.post(f"/insurance/policies/{pid}/insure", {"id_numbers": [people[0].id_number]}).json() == {"added": 1}
    assert staff.post(f"/insurance/policies/{pid}/insure", {"unit": tree.station.code}).json() == {"added": 1}
    r = staff.post("/insurance/claims", {"policy": pid, "person": people[0].police_number, "incident": "训练扭伤",
                                         "incident_date": today().isoformat(), "amount_claimed": "880.80"})
    assert r.status_code == 201, r.content
    cid = r.json()["id"]
    assert staff.patch(f"/insurance/claims/{cid}", {"amount_claimed": "900.00"}).json()["amount_claimed"] == "900.00"
    assert staff.post(f"/insurance/claims/{cid}/review").json()["status"] == "reviewing"
    assert staff.post(f"/insurance/claims/{cid}/decide", {"paid": True}).status_code == 422
    paid = staff.post(f"/insurance/claims/{cid}/decide", {"paid": True, "amount_paid": "850.00"}).json()
    assert paid["status"] == "paid" and paid["amount_paid"] == "850.00"
    assert staff.post("/insurance/claims", {"policy": 10**6, "person": "x", "incident": "x",
                                            "incident_date": today().isoformat(), "amount_claimed": "1"}).status_code == 422
    officer = Api(make_user("of", role=Role.OFFICER, unit=tree.station, person=people[1]))
    assert officer.get("/insurance/claims").json()["count"] == 0
    assert officer.get(f"/insurance/claims/{cid}").status_code == 404
    assert officer.get(f"/insurance/policies/{pid}").status_code == 404
    assert officer.patch(f"/insurance/policies/{pid}", {"name": "x"}).status_code == 404
    policy = make_policy(tree.county, number="BULK", people=people)
    n = list_queries(staff, "/insurance/policies",
                     lambda k: [make_policy(tree.county, number=f"N{k}-{i}") for i in range(k)])
    assert n == 7
    m = list_queries(staff, "/insurance/claims", lambda k: [make_claim(policy, people[1]) for _ in range(k)])
    assert m == 7
