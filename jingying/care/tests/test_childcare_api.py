import datetime as dt

import pytest

from jingying.accounts.roles import Role
from jingying.care.tests.api_support import Api, list_queries
from jingying.care.tests.factories_support import make_programme, today
from jingying.org.tests.factories import DependentFactory, PersonFactory, Tree, make_user

pytestmark = pytest.mark.django_db


def test_childcare_api_flow_scope_and_queries():
    tree = Tree()
    staff = Api(make_user("pd", role=Role.POLITICAL, unit=tree.city))
    r = staff.post("/childcare/programmes", {"name": "寒假托管班", "unit": tree.city.code, "centre": "市局活动中心",
                                             "period": "2027年寒假", "start": (today() - dt.timedelta(days=2)).isoformat(),
                                             "end": (today() + dt.timedelta(days=20)).isoformat(), "capacity": 1,
                                             "min_age": 3, "max_age": 12})
    assert r.status_code == 201, r.content
    pid = r.json()["id"]
    assert staff.patch(f"/childcare/programmes/{pid}", {"contact": "王老师 0471-1234567"}).json()["contact"]
    parents = [PersonFactory(unit=tree.station) for _ in range(2)]
    kids = [DependentFactory(person=p, birth_date=today().replace(year=today().year - 6, day=1)) for p in parents]
    apis = [Api(make_user(f"of{i}", role=Role.OFFICER, unit=tree.station, person=p)) for i, p in enumerate(parents)]
    assert apis[0].get("/childcare/mine").json()["programmes"][0]["id"] == pid
    first = apis[0].post(f"/childcare/programmes/{pid}/enrol", {"child": kids[0].pk})
    assert first.status_code == 201 and first.json()["status"] == "enrolled"
    second = apis[1].post(f"/childcare/programmes/{pid}/enrol", {"child": kids[1].pk}).json()
    assert second["status"] == "waiting" and second["waiting_position"] == 1
    assert apis[1].post(f"/childcare/programmes/{pid}/enrol", {"child": kids[0].pk}).status_code == 422
    promoted = apis[0].post(f"/childcare/enrolments/{first.json()['id']}/cancel").json()
    assert [e["child_id"] for e in promoted] == [kids[1].pk]
    r = staff.post(f"/childcare/programmes/{pid}/attendance", {"day": today().isoformat(), "present": [second["id"]]})
    assert r.json() == {"marked": 1}
    assert staff.get(f"/childcare/programmes/{pid}").json()["enrolled"] == 1
    assert staff.get("/childcare/mine").status_code == 404
    n = list_queries(staff, "/childcare/programmes",
                     lambda k: [make_programme(tree.county, name=f"p{i}") for i in range(k)])
    assert n == 7
