"""Concern screens and API: the generic suites (scope, query counts), the officer's own pages,
the workflow views, export, and the API's list/detail/create/transition/rate with scope."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from jingying.accounts.roles import Role
from jingying.care.models import Concern
from jingying.care.tests.factories_cases import make_concern, make_field_visit
from jingying.core.testing import DetailViewTests, ListViewTests, Scope, login_client
from jingying.org.tests.factories import PersonFactory, Tree, make_user

pytestmark = pytest.mark.django_db


def concern_scope() -> Scope:
    t = Tree()
    p_in, p_out = PersonFactory(unit=t.station, name="李甲"), PersonFactory(unit=t.other_station, name="王乙")
    return Scope(inside=make_concern(p_in, title="新城分局的诉求"), outside=make_concern(p_out, title="东河分局的诉求"),
                 user=make_user("county", role=Role.LEADER, unit=t.county), nobody=make_user("nobody"),
                 extra={"tree": t, "person": p_in, "out": p_out,
                        "officer": make_user("officer", role=Role.OFFICER, unit=t.station, person=p_in)})


class TestConcernViews(ListViewTests, DetailViewTests):
    model = Concern
    list_url = "care:concern_list"
    # session, user, login security, grants, units for the picker, COUNT, the page.
    list_queries = 7
    detail_url = "care:concern_detail"

    def build(self) -> Scope:
        return concern_scope()

    def label(self, obj: Any) -> str:
        return obj.title

    def make_rows(self, scope: Scope, n: int) -> None:
        for i in range(n):
            make_concern(PersonFactory(unit=scope.extra["tree"].station), title=f"诉求{i}")

    def visible_rows(self, scope: Scope) -> int:
        return Concern.objects.filter(person__unit__path__startswith=scope.extra["tree"].county.path).count()

    def rows_on_page(self, response: Any) -> int:
        return response.content.decode().count('class="concern-row"')


@pytest.fixture
def scope() -> Scope:
    return concern_scope()


def test_list_filters(scope: Scope) -> None:
    t = scope.extra["tree"]
    client = login_client(scope.user)
    make_concern(scope.extra["person"], title="超期的住房诉求", category="housing",
                 deadline=timezone.localdate() - dt.timedelta(days=1))
    body = client.get(reverse("care:concern_list"), {"overdue": "1"}).content.decode()
    assert "超期的住房诉求" in body and "新城分局的诉求" not in body
    body = client.get(reverse("care:concern_list"), {"category": "schooling", "status": "open",
                                                     "unit": t.station.pk, "q": "新城"}).content.decode()
    assert "新城分局的诉求" in body and "超期的住房诉求" not in body
    body = client.get(reverse("care:concern_list"), {"unit": t.other_station.pk}).content.decode()
    assert "东河分局的诉求" not in body and "新城分局的诉求" not in body
    body = client.get(reverse("care:concern_list"), {"status": "resolved", "urgency": "urgent"}).content.decode()
    assert "没有符合条件的诉求" in body


def test_export_is_scoped(scope: Scope) -> None:
    from python_calamine import CalamineWorkbook

    response = login_client(scope.user).get(reverse("care:concern_export"))
    assert response.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    titles = [r[6] for r in rows[1:]]
    assert titles == ["新城分局的诉求"]


def test_officer_raises_sees_only_own_and_rates(scope: Scope) -> None:
    officer = login_client(scope.extra["officer"])
    page = officer.get(reverse("care:concern_create"))
    assert page.status_code == 200 and 'name="person"' not in page.content.decode()
    bad = officer.post(reverse("care:concern_create"), {"category": "family", "urgency": "normal", "title": ""})
    assert bad.status_code == 400
    response = officer.post(reverse("care:concern_create"), {"category": "family", "urgency": "normal",
                                                             "title": "父母需要照顾", "description": "老人住院"})
    concern = Concern.objects.get(title="父母需要照顾")
    assert response.status_code == 302 and concern.person == scope.extra["person"] and concern.source == "self"
    mine = officer.get(reverse("care:concern_mine")).content.decode()
    assert "父母需要照顾" in mine and "新城分局的诉求" in mine and "东河分局的诉求" not in mine
    assert officer.get(reverse("care:concern_detail", args=[scope.outside.pk])).status_code == 404
    # The officer cannot handle it.
    assert officer.post(reverse("care:concern_accept", args=[concern.pk])).status_code == 403
    leader = login_client(scope.user)
    assert leader.post(reverse("care:concern_resolve", args=[concern.pk]), {"note": ""}).status_code == 302
    concern.refresh_from_db()
    assert concern.status == "submitted"  # the note is required: nothing changed
    leader.post(reverse("care:concern_accept", args=[concern.pk]), {"note": "已受理"})
    leader.post(reverse("care:concern_resolve", args=[concern.pk]), {"note": "已安排调休"})
    concern.refresh_from_db()
    assert concern.status == "resolved"
    detail = officer.get(reverse("care:concern_detail", args=[concern.pk])).content.decode()
    assert 'id="rate-form"' in detail and "已安排调休" in detail
    officer.post(reverse("care:concern_rate", args=[concern.pk]), {"rating": "9"})
    officer.post(reverse("care:concern_rate", args=[concern.pk]), {"rating": "5", "comment": "满意"})
    concern.refresh_from_db()
    assert concern.rating == 5
    officer.post(reverse("care:concern_rate", args=[concern.pk]), {"rating": "4"})  # only once
    concern.refresh_from_db()
    assert concern.rating == 5


def test_staff_records_for_a_person_and_from_a_field_visit(scope: Scope) -> None:
    leader = login_client(scope.user)
    person = scope.extra["person"]
    page = leader.get(reverse("care:concern_create"))
    assert 'name="person"' in page.content.decode()
    outsider = scope.extra["out"]
    bad = leader.post(reverse("care:concern_create"), {"person": outsider.police_number, "category": "family",
                                                       "urgency": "normal", "title": "越权登记"})
    assert bad.status_code == 400 and not Concern.objects.filter(title="越权登记").exists()
    leader.post(reverse("care:concern_create"), {"person": person.police_number, "category": "family",
                                                 "urgency": "low", "title": "问卷反映", "source_ref": "一季度摸排"})
    assert Concern.objects.get(title="问卷反映").source == "survey"
    visit = make_field_visit(scope.extra["tree"].station)
    assert leader.get(reverse("care:concern_from_visit", args=[visit.pk])).status_code == 200
    leader.post(reverse("care:concern_from_visit", args=[visit.pk]),
                {"person": person.police_number, "category": "workload", "urgency": "normal", "title": "值班太多"})
    created = Concern.objects.get(title="值班太多")
    assert created.field_visit == visit and created.source == "field_visit"
    body = leader.get(reverse("care:field_visit_detail", args=[visit.pk])).content.decode()
    assert "值班太多" in body


def test_reassign_view(scope: Scope) -> None:
    t = scope.extra["tree"]
    leader = login_client(scope.user)
    url = reverse("care:concern_reassign", args=[scope.inside.pk])
    page = leader.get(url).content.decode()
    assert t.county.name in page
    assert leader.post(url, {"unit": t.county.pk, "note": "分局统筹"}).status_code == 302
    scope.inside.refresh_from_db()
    assert scope.inside.unit == t.county
    assert leader.post(url, {"unit": ""}).status_code == 400


def test_profile_panel_shows_concerns(scope: Scope) -> None:
    body = login_client(scope.user).get(reverse("org:person_detail", args=[scope.extra["person"].pk])).content.decode()
    assert 'id="care-concerns"' in body and "新城分局的诉求" in body


# --- API -----------------------------------------------------------------------------------


def _post(client: Any, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(data), content_type="application/json")


def test_api_scope_and_flow(scope: Scope) -> None:
    county, officer = login_client(scope.user), login_client(scope.extra["officer"])
    listing = county.get(reverse("api:concern_list")).json()
    assert [c["title"] for c in listing["items"]] == ["新城分局的诉求"] and listing["count"] == 1
    assert county.get(reverse("api:concern_detail", kwargs={"concern_id": scope.outside.pk})).status_code == 404
    created = _post(officer, reverse("api:concern_list"), {"category": "health", "title": "腰椎劳损"})
    assert created.status_code == 201, created.content
    cid = created.json()["id"]
    assert created.json()["events"][0]["kind"] == "raised"
    assert _post(officer, reverse("api:concern_list"), {"category": "x", "title": "坏类别"}).status_code == 422
    mine = officer.get(reverse("api:concern_list"), {"mine": "true"}).json()
    assert {c["title"] for c in mine["items"]} == {"腰椎劳损", "新城分局的诉求"}
    url = reverse("api:concern_transition", kwargs={"concern_id": cid})
    assert _post(officer, url, {"step": "accept"}).status_code == 403
    assert _post(county, url, {"step": "resolve"}).status_code == 422
    assert _post(county, url, {"step": "reassign"}).status_code == 422
    assert _post(county, url, {"step": "reassign", "unit": scope.extra["tree"].county.code}).json()["unit_id"] == \
        scope.extra["tree"].county.pk
    done = _post(county, url, {"step": "resolve", "note": "已安排理疗"}).json()
    assert done["status"] == "resolved"
    rate = reverse("api:concern_rate", kwargs={"concern_id": cid})
    assert _post(county, rate, {"rating": 5}).status_code == 404
    assert _post(officer, rate, {"rating": 0}).status_code == 422
    assert _post(officer, rate, {"rating": 5, "comment": "好"}).json()["rating"] == 5
    # Staff record for a person by police number; a person outside scope reads as unknown.
    ok = _post(county, reverse("api:concern_list"), {"person": scope.extra["person"].police_number,
                                                     "category": "family", "title": "代为登记"})
    assert ok.status_code == 201 and ok.json()["source"] == "recorded"
    assert _post(county, reverse("api:concern_list"), {"person": scope.extra["out"].police_number,
                                                       "category": "family", "title": "越权"}).status_code == 422
    assert _post(county, reverse("api:concern_list"), {"category": "family", "title": "没有人"}).status_code == 422
