"""Field-visit and care-visit screens and API: generic suites (scope, query counts), the forms,
the approval by a second person, plans, "not yet visited" with export."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from jingying.accounts.roles import Role
from jingying.care.models import CareVisit, CareVisitPlan, FieldVisit
from jingying.care.tests.factories_cases import make_care_visit, make_concern, make_field_visit, make_plan
from jingying.core.testing import DeleteViewTests, DetailViewTests, ListViewTests, Scope, login_client
from jingying.org.tests.factories import DependentFactory, PersonFactory, Tree, make_user

pytestmark = pytest.mark.django_db


def _xlsx_rows(content: bytes) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def field_scope() -> Scope:
    t = Tree()
    return Scope(inside=make_field_visit(t.station, topic="海东路所调研"),
                 outside=make_field_visit(t.other_station, topic="西脑包所调研"),
                 user=make_user("county", role=Role.LEADER, unit=t.county), nobody=make_user("nobody"),
                 extra={"tree": t})


class TestFieldVisitViews(ListViewTests, DetailViewTests, DeleteViewTests):
    model = FieldVisit
    list_url = "care:field_visit_list"
    list_queries = 6
    detail_url = "care:field_visit_detail"

    def build(self) -> Scope:
        return field_scope()

    def label(self, obj: Any) -> str:
        return obj.topic

    def delete(self, obj: Any) -> str:
        return reverse("care:field_visit_delete", args=[obj.pk])

    def make_rows(self, scope: Scope, n: int) -> None:
        FieldVisit.objects.bulk_create([FieldVisit(unit=scope.extra["tree"].station, topic=f"调研{i}",
                                                   visit_date=dt.date(2026, 1, 1)) for i in range(n)])

    def visible_rows(self, scope: Scope) -> int:
        return FieldVisit.objects.filter(unit__path__startswith=scope.extra["tree"].county.path).count()

    def rows_on_page(self, response: Any) -> int:
        return response.content.decode().count('class="visit-row"')


def care_scope() -> Scope:
    t = Tree()
    p_in, p_out = PersonFactory(unit=t.station, name="周甲"), PersonFactory(unit=t.other_station, name="吴乙")
    return Scope(inside=make_care_visit(p_in, money="500.00"), outside=make_care_visit(p_out, money="500.00"),
                 user=make_user("pd", role=Role.POLITICAL, unit=t.county), nobody=make_user("nobody"),
                 extra={"tree": t, "person": p_in, "out": p_out})


class TestCareVisitViews(ListViewTests, DetailViewTests, DeleteViewTests):
    model = CareVisit
    list_url = "care:care_visit_list"
    list_queries = 7
    detail_url = "care:care_visit_detail"

    def build(self) -> Scope:
        return care_scope()

    def label(self, obj: Any) -> str:
        return obj.person.name

    def delete(self, obj: Any) -> str:
        return reverse("care:care_visit_delete", args=[obj.pk])

    def make_rows(self, scope: Scope, n: int) -> None:
        for _i in range(n):
            make_care_visit(PersonFactory(unit=scope.extra["tree"].station))

    def visible_rows(self, scope: Scope) -> int:
        return CareVisit.objects.filter(person__unit__path__startswith=scope.extra["tree"].county.path).count()

    def rows_on_page(self, response: Any) -> int:
        return response.content.decode().count('class="care-row"')


def test_field_visit_forms_and_export() -> None:
    s = field_scope()
    t = s.extra["tree"]
    met = PersonFactory(unit=t.station, name="座谈民警")
    client = login_client(s.user)
    assert client.get(reverse("care:field_visit_create")).status_code == 200
    bad = client.post(reverse("care:field_visit_create"), {"unit": t.station.pk, "visit_date": "2026-02-01",
                                                           "topic": "调研", "met_people": "999999"})
    assert bad.status_code == 400 and "找不到" in bad.content.decode()
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    bad = client.post(reverse("care:field_visit_create"), {"unit": t.station.pk, "visit_date": future, "topic": "调研"})
    assert bad.status_code == 400 and "不能晚于今天" in bad.content.decode()
    ok = client.post(reverse("care:field_visit_create"), {"unit": t.station.pk, "visit_date": "2026-02-01",
                                                          "topic": "春节前走访", "met_people": met.police_number,
                                                          "findings": "宿舍暖气不热"})
    visit = FieldVisit.objects.get(topic="春节前走访")
    assert ok.status_code == 302 and list(visit.met_people.all()) == [met]
    edit = reverse("care:field_visit_edit", args=[visit.pk])
    assert met.police_number in client.get(edit).content.decode()
    client.post(edit, {"unit": t.station.pk, "visit_date": "2026-02-02", "topic": "春节前走访（补）",
                       "met_people": met.police_number})
    visit.refresh_from_db()
    assert visit.topic == "春节前走访（补）"
    rows = _xlsx_rows(client.get(reverse("care:field_visit_export")).content)
    assert {r[2] for r in rows[1:]} == {"海东路所调研", "春节前走访（补）"}
    body = client.get(reverse("care:field_visit_list"), {"q": "春节", "year": "2026", "unit": t.station.pk}).content
    assert "春节前走访" in body.decode() and "海东路所调研" not in body.decode()


def test_care_visit_form_approval_and_export() -> None:
    s = care_scope()
    t, person = s.extra["tree"], s.extra["person"]
    dep = DependentFactory(person=person, name="周母", relation="mother")
    recorder = login_client(s.user)
    page = recorder.get(reverse("care:care_visit_create"), {"for": person.pk}).content.decode()
    assert "周母" in page
    # Typing the badge number (htmx) offers the family members too.
    page = recorder.get(reverse("care:care_visit_create"), {"person": person.police_number},
                        HTTP_HX_REQUEST="true").content.decode()
    assert "周母" in page and 'hx-select="#id_dependent"' in page
    bad = recorder.post(reverse("care:care_visit_create"), {"person": s.extra["out"].police_number,
                                                            "visit_date": "2026-03-01", "reason": "illness",
                                                            "visitors": "主任"})
    assert bad.status_code == 400
    bad = recorder.post(reverse("care:care_visit_create"), {"person": person.police_number, "visit_date": "2026-03-01",
                                                            "reason": "illness", "visitors": "主任", "money": "-5"})
    assert bad.status_code == 400
    recorder.post(reverse("care:care_visit_create"), {"person": person.police_number, "dependent": dep.pk,
                                                      "visit_date": "2026-03-01", "reason": "bereavement",
                                                      "visitors": "政治处主任", "money": "1000.00", "goods": "花圈"})
    visit = CareVisit.objects.get(goods="花圈")
    assert visit.approval == "pending" and visit.money == Decimal("1000.00") and visit.dependent == dep
    own = recorder.get(reverse("care:care_visit_detail", args=[visit.pk])).content.decode()
    assert "另一位有审批权限" in own and "批准</button>" not in own
    recorder.post(reverse("care:care_visit_approve", args=[visit.pk]))
    visit.refresh_from_db()
    assert visit.approval == "pending"
    approver = login_client(make_user("pd2", role=Role.POLITICAL, unit=t.city))
    assert "批准</button>" in approver.get(reverse("care:care_visit_detail", args=[visit.pk])).content.decode()
    approver.post(reverse("care:care_visit_reject", args=[visit.pk]), {"note": ""})
    visit.refresh_from_db()
    assert visit.approval == "pending"
    approver.post(reverse("care:care_visit_approve", args=[visit.pk]), {"note": "同意"})
    visit.refresh_from_db()
    assert visit.approval == "approved" and visit.approved_by.username == "pd2"
    # An approved visit cannot be deleted.
    assert recorder.post(reverse("care:care_visit_delete", args=[visit.pk])).status_code == 400
    edit = reverse("care:care_visit_edit", args=[visit.pk])
    assert recorder.get(edit).status_code == 200
    recorder.post(edit, {"visit_date": "2026-03-01", "reason": "bereavement", "visitors": "政治处主任",
                         "money": "1200.00", "goods": "花圈"})
    visit.refresh_from_db()
    assert visit.approval == "pending" and visit.money == Decimal("1200.00")
    rows = _xlsx_rows(recorder.get(reverse("care:care_visit_export")).content)
    assert sorted(r[6] for r in rows[1:]) == ["1200.00", "500.00"]
    assert {r[1] for r in rows[1:]} == {"周甲"}
    panel = recorder.get(reverse("org:person_detail", args=[person.pk])).content.decode()
    assert 'id="care-visits"' in panel and "政治处主任" in panel


def test_plan_screens_and_not_visited_export() -> None:
    s = care_scope()
    t, person = s.extra["tree"], s.extra["person"]
    client = login_client(s.user)
    year = timezone.localdate().year
    assert client.get(reverse("care:care_plan_create")).status_code == 200
    client.post(reverse("care:care_plan_create"), {"unit": t.county.pk, "year": year})
    plan = CareVisitPlan.objects.get(unit=t.county)
    dup = client.post(reverse("care:care_plan_create"), {"unit": t.county.pk, "year": year})
    assert dup.status_code == 400
    DependentFactory(person=person, hardship=True)
    client.post(reverse("care:care_plan_generate", args=[plan.pk]), {"criteria": ["hardship"]})
    client.post(reverse("care:care_plan_generate", args=[plan.pk]), {})
    other = PersonFactory(unit=t.station, name="郑丙")
    client.post(reverse("care:care_plan_add", args=[plan.pk]), {"person": other.police_number, "reason": "新入警"})
    client.post(reverse("care:care_plan_add", args=[plan.pk]), {"person": other.police_number})
    client.post(reverse("care:care_plan_add", args=[plan.pk]), {"person": ""})
    assert set(plan.targets.values_list("person__name", flat=True)) == {"周甲", "郑丙"}
    detail = client.get(reverse("care:care_plan_detail", args=[plan.pk])).content.decode()
    assert detail.count('class="target-row"') == 2
    assert client.get(reverse("care:care_plan_list")).content.decode().count('class="plan-row"') == 1
    nv = client.get(reverse("care:care_not_visited"), {"unit": t.county.pk, "year": year}).content.decode()
    assert "郑丙" in nv and "周甲" not in nv  # 周甲 was visited this year already
    make_care_visit(other, visit_date=timezone.localdate())
    rows = _xlsx_rows(client.get(reverse("care:care_not_visited_export"), {"unit": t.county.pk}).content)
    assert rows[1:] == []
    rows = _xlsx_rows(client.get(reverse("care:care_not_visited_export"), {"unit": t.county.pk,
                                                                           "year": year + 1}).content)
    assert rows[1:] == []  # no plan for next year yet
    target = plan.targets.get(person=other)
    client.post(reverse("care:care_plan_remove", args=[target.pk]))
    assert plan.targets.count() == 1
    assert login_client(make_user("nobody2")).get(reverse("care:care_not_visited")).status_code == 403


def _post(client: Any, url: str, data: dict[str, Any], method: str = "post") -> Any:
    return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")


def test_api_field_and_care_visits() -> None:
    s = care_scope()
    t, person = s.extra["tree"], s.extra["person"]
    pd = login_client(s.user)
    fv = _post(pd, reverse("api:field_visit_list"), {"unit": t.station.code, "visit_date": "2026-02-01",
                                                      "topic": "接口调研", "met_people": [person.police_number]})
    assert fv.status_code == 201 and fv.json()["met_people"] == ["周甲"]
    fid = fv.json()["id"]
    assert _post(pd, reverse("api:field_visit_list"), {"unit": t.other_station.code, "visit_date": "2026-02-01",
                                                        "topic": "越权"}).status_code == 422
    assert _post(pd, reverse("api:field_visit_list"), {"unit": t.station.code, "visit_date": "2026-02-01",
                                                        "topic": "x", "visitors": ["000"]}).status_code == 422
    assert pd.get(reverse("api:field_visit_list")).json()["count"] == 1
    url = reverse("api:field_visit_detail", kwargs={"visit_id": fid})
    assert pd.get(url).json()["topic"] == "接口调研"
    assert _post(pd, url, {"topic": "接口调研（改）"}, "patch").json()["topic"] == "接口调研（改）"
    assert pd.delete(url).status_code == 204
    listing = pd.get(reverse("api:care_visit_list")).json()
    assert [v["person_name"] for v in listing["items"]] == ["周甲"]
    assert pd.get(reverse("api:care_visit_detail", kwargs={"visit_id": s.outside.pk})).status_code == 404
    created = _post(pd, reverse("api:care_visit_list"), {"person": person.police_number, "visit_date": "2026-03-02",
                                                          "reason": "hardship", "visitors": "主任", "money": "300.00"})
    assert created.status_code == 201 and created.json()["approval"] == "pending"
    assert Decimal(created.json()["money"]) == Decimal("300.00")
    cid = created.json()["id"]
    assert _post(pd, reverse("api:care_visit_list"), {"person": person.police_number, "visit_date": "2026-03-02",
                                                      "reason": "hardship", "visitors": "主任",
                                                      "money": "1.234"}).status_code == 422
    assert _post(pd, reverse("api:care_visit_list"), {"person": person.police_number, "visit_date": "2026-03-02",
                                                      "reason": "hardship", "visitors": "主任",
                                                      "dependent": 999999}).status_code == 422
    approve = reverse("api:care_visit_approve", kwargs={"visit_id": cid})
    assert _post(pd, approve, {}).status_code == 422  # one's own request
    other_pd = login_client(make_user("pd3", role=Role.POLITICAL, unit=t.city))
    assert _post(other_pd, approve, {"note": "同意"}).json()["approval"] == "approved"
    reject = reverse("api:care_visit_reject", kwargs={"visit_id": s.inside.pk})
    assert _post(other_pd, reject, {"note": "不符合条件"}).json()["approval"] == "rejected"
    make_plan(t.station, year=timezone.localdate().year, people=(person, PersonFactory(unit=t.station, name="冯丁")))
    nv = pd.get(reverse("api:care_not_visited"), {"unit": t.county.code}).json()
    assert [x["person_name"] for x in nv["items"]] == ["冯丁"]
    assert pd.get(reverse("api:care_not_visited"), {"unit": t.other_county.code}).status_code == 422


@pytest.mark.parametrize(("url_name", "make"), [
    ("api:concern_list", lambda t, i: make_concern(PersonFactory(unit=t.station), title=f"诉求{i}")),
    ("api:care_visit_list", lambda t, i: make_care_visit(PersonFactory(unit=t.station))),
    ("api:field_visit_list", lambda t, i: make_field_visit(t.station, topic=f"调研{i}")),
])
def test_api_list_query_count_does_not_grow(url_name: str, make: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    t = Tree()
    client = login_client(make_user("pdq", role=Role.POLITICAL, unit=t.county))
    client.get(reverse(url_name))
    counts = []
    for n in (3, 30):
        while len(client.get(reverse(url_name), {"limit": 100}).json()["items"]) < n:
            make(t, len(counts) * 100 + n)
        with CaptureQueriesContext(connection) as ctx:
            assert len(client.get(reverse(url_name), {"limit": 100}).json()["items"]) == n
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
