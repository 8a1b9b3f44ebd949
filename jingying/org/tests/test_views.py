"""Views for units, people and families: the generic suites (style rule 7) plus what is
particular to these screens (tree, filters, profile panels, htmx fragments)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse

from jingying.accounts.roles import Role
from jingying.core.testing import (
    CreateViewTests,
    DeleteViewTests,
    DetailViewTests,
    EditViewTests,
    ListViewTests,
    Scope,
    login_client,
)
from jingying.org import idnumber, services
from jingying.org.choices import Category, PersonStatus
from jingying.org.models import Dependent, Person, PersonHistory
from jingying.org.tests.factories import DependentFactory, PersonFactory, Tree, make_user

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def person_post(person: Person | None = None, **over: Any) -> dict[str, Any]:
    """A complete, valid edit/create form for a person (changes given as keyword arguments)."""
    data: dict[str, Any] = {
        "name": "新同志", "gender": "1", "ethnicity": "02", "birth_date": "1990-05-04",
        "id_number": idnumber.make("150102", dt.date(1990, 5, 4), 11), "police_number": "",
        "category": Category.POLICE, "unit": "", "position": "民警", "rank": "", "level": "",
        "political_status": "01", "education": "21", "police_start_date": "2012-08-01", "phone": "",
        "status": PersonStatus.ACTIVE,
    }
    if person is not None:
        data.update({
            "name": person.name, "gender": person.gender, "ethnicity": person.ethnicity,
            "birth_date": person.birth_date.isoformat(), "id_number": person.id_number,
            "police_number": person.police_number or "", "category": person.category, "unit": person.unit_id,
            "position": person.position, "rank": person.rank or "", "level": person.level,
            "political_status": person.political_status, "education": person.education,
            "police_start_date": person.police_start_date.isoformat() if person.police_start_date else "",
            "phone": person.phone, "status": person.status,
        })
    data.update(over)
    return data


def login(user: Any) -> Any:
    return login_client(user)


def person_scope() -> Scope:
    tree = Tree()
    inside = PersonFactory(unit=tree.station, name="城内甲")
    outside = PersonFactory(unit=tree.other_station, name="城外乙")
    return Scope(
        inside=inside,
        outside=outside,
        user=make_user("pd", role=Role.POLITICAL, unit=tree.city),
        nobody=make_user("nobody"),
        reader=make_user("leader", role=Role.LEADER, unit=tree.city),
        extra={"tree": tree},
    )


# --- generic suites ------------------------------------------------------------------------


class TestPersonViews(ListViewTests, DetailViewTests, CreateViewTests, EditViewTests, DeleteViewTests):
    model = Person
    list_url = "org:person_list"
    # session, user, login security, grants, COUNT, unit picker, the page. (The session is
    # saved at most once a minute, so not on a repeated view: accounts.middleware.touch_session.)
    list_queries = 7
    detail_url = "org:person_detail"
    create_url = "org:person_create"
    edit_url = "org:person_edit"
    delete_url = "org:person_delete"

    def build(self) -> Scope:
        return person_scope()

    def make_rows(self, scope: Scope, n: int) -> None:
        PersonFactory.create_batch(n, unit=scope.extra["tree"].county)

    def visible_rows(self, scope: Scope) -> int:
        return Person.objects.filter(unit__path__startswith=scope.extra["tree"].city.path).count()

    def rows_on_page(self, response: Any) -> int:
        return len(re.findall(r'<td data-label="姓名" class="stack-title">', response.content.decode()))

    def create_target(self, scope: Scope, *, inside: bool) -> tuple[str, dict[str, Any]]:
        tree = scope.extra["tree"]
        unit = tree.station if inside else tree.other_station
        return reverse(self.create_url), person_post(unit=unit.pk)

    def edit_data(self, scope: Scope, obj: Any) -> dict[str, Any]:
        return person_post(obj, position="副所长")

    def was_edited(self, obj: Any) -> bool:
        return Person.objects.get(pk=obj.pk).position == "副所长"


def dependent_scope() -> Scope:
    scope = person_scope()
    scope.extra["inside_person"] = scope.inside
    scope.inside = DependentFactory(person=scope.inside, name="家属在内")
    scope.outside = DependentFactory(person=scope.outside, name="家属在外")
    return scope


class TestDependentViews(CreateViewTests, EditViewTests, DeleteViewTests):
    model = Dependent
    create_url = "org:dependent_create"
    edit_url = "org:dependent_edit"
    delete_url = "org:dependent_delete"

    def build(self) -> Scope:
        return dependent_scope()

    def create_target(self, scope: Scope, *, inside: bool) -> tuple[str, dict[str, Any]]:
        person = scope.inside.person if inside else scope.outside.person
        return reverse(self.create_url, args=[person.pk]), {"relation": "child", "name": "小明", "birth_date": "2015-09-01"}

    def edit_data(self, scope: Scope, obj: Any) -> dict[str, Any]:
        return {"relation": obj.relation, "name": "改过的名字"}

    def was_edited(self, obj: Any) -> bool:
        return Dependent.objects.get(pk=obj.pk).name == "改过的名字"


# --- unit tree and unit page ---------------------------------------------------------------


@pytest.fixture
def tree() -> Tree:
    return Tree()


def test_tree_starts_at_the_users_roots_with_serving_headcounts(tree: Tree) -> None:
    PersonFactory.create_batch(3, unit=tree.station)
    PersonFactory(unit=tree.station, status=PersonStatus.RETIRED)  # not serving: not counted
    PersonFactory(unit=tree.other_station)
    user = make_user("county", role=Role.LEADER, unit=tree.county)
    body = login(user).get(reverse("org:unit_tree")).content.decode()
    assert tree.county.name in body
    assert tree.station.name in body  # the single root is opened one level
    assert f">{tree.county.name}</span></a>" in body
    assert f">{tree.city.name}</span></a>" not in body and tree.other_county.name not in body
    counts = re.findall(r'<i class="ti ti-users me-1"></i>(\d+)', body)
    assert counts == ["3", "3"]


def test_tree_children_come_as_a_fragment_with_constant_queries(tree: Tree, django_assert_num_queries: Any) -> None:
    user = make_user("region", role=Role.POLITICAL, unit=tree.region)
    client = login(user)
    url = reverse("org:unit_tree") + f"?parent={tree.region.pk}"
    client.get(url, **HTMX)
    # session, user, login security, grants, the parent, children, child counts, one GROUP BY
    # head count (all children share a depth).
    with django_assert_num_queries(8):
        response = client.get(url, **HTMX)
    body = response.content.decode()
    assert "<html" not in body
    assert tree.city.name in body and tree.other_city.name in body and tree.region_pd.name in body
    assert tree.station.name not in body  # grandchildren load when their parent is opened
    assert f'hx-get="/org/units/?parent={tree.city.pk}"' in body


def test_tree_children_of_a_unit_out_of_scope_is_404(tree: Tree) -> None:
    user = make_user("county", role=Role.LEADER, unit=tree.county)
    response = login(user).get(reverse("org:unit_tree") + f"?parent={tree.other_city.pk}", **HTMX)
    assert response.status_code == 404


def test_unit_page_breadcrumbs_children_breakdown_and_people_link(tree: Tree) -> None:
    PersonFactory.create_batch(2, unit=tree.station, category=Category.POLICE)
    PersonFactory(unit=tree.station, category=Category.AUXILIARY)
    PersonFactory(unit=tree.county, category=Category.POLICE, status=PersonStatus.RETIRED)
    user = make_user("city", role=Role.POLITICAL, unit=tree.city)
    response = login(user).get(reverse("org:unit_detail", args=[tree.county.pk]))
    body = response.content.decode()
    crumbs = re.search(r'<ol class="breadcrumb.*?</ol>', body, re.S).group(0)
    assert tree.city.label in crumbs and tree.region.label not in crumbs  # above the grant is cut
    assert tree.station.name in body
    table = response.context["breakdown"]
    assert table["total"] == 4 and table["serving"] == 3
    assert {r["label"]: r["total"] for r in table["rows"]} == {"民警": 3, "辅警": 1}
    assert f'href="/org/people/?unit={tree.county.pk}"' in body


def test_unit_page_out_of_scope_is_404(tree: Tree) -> None:
    user = make_user("city", role=Role.POLITICAL, unit=tree.city)
    assert login(user).get(reverse("org:unit_detail", args=[tree.other_city.pk])).status_code == 404


def test_system_administrator_sees_tree_and_counts_but_no_names(tree: Tree) -> None:
    person = PersonFactory(unit=tree.station, name="不该出现")
    user = make_user("sysadmin", role=Role.SYSADMIN, unit=tree.region)
    client = login(user)
    tree_body = client.get(reverse("org:unit_tree")).content.decode()
    assert tree.city.name in tree_body and "不该出现" not in tree_body
    unit_response = client.get(reverse("org:unit_detail", args=[tree.station.pk]))
    assert unit_response.context["breakdown"]["total"] == 1
    assert "/org/people/?unit=" not in unit_response.content.decode()
    assert client.get(reverse("org:person_list")).status_code == 403
    assert client.get(reverse("org:person_detail", args=[person.pk])).status_code == 404


# --- person list -----------------------------------------------------------------------------


def _names(response: Any) -> list[str]:
    return [p.name for p, _cells in response.context["table"].rows]


def test_person_list_filters(tree: Tree) -> None:
    a = PersonFactory(unit=tree.station, name="甲警", category=Category.POLICE, police_number="123456")
    b = PersonFactory(unit=tree.county, name="乙辅", category=Category.AUXILIARY, police_number=None)
    c = PersonFactory(unit=tree.station, name="丙退", status=PersonStatus.RETIRED)
    client = login(make_user("pd", role=Role.POLITICAL, unit=tree.region))
    url = reverse("org:person_list")
    assert _names(client.get(url, {"category": "auxiliary"})) == [b.name]
    assert set(_names(client.get(url, {"unit": tree.station.pk}))) == {a.name, c.name}
    assert _names(client.get(url, {"q": "123456"})) == [a.name]
    assert _names(client.get(url, {"q": b.id_number[:10]})) == [b.name]
    assert _names(client.get(url, {"status": "retired"})) == [c.name]


def test_person_list_bad_filter_value_is_not_a_500(tree: Tree) -> None:
    PersonFactory(unit=tree.station)
    client = login(make_user("pd", role=Role.POLITICAL, unit=tree.region))
    response = client.get(reverse("org:person_list"), {"rank": "99", "page": "abc", "per_page": "x"})
    assert response.status_code == 200
    assert _names(response) == []
    assert "筛选条件有误" in response.content.decode()


def test_person_list_htmx_returns_the_table_fragment_only(tree: Tree) -> None:
    PersonFactory(unit=tree.station, name="片段甲")
    client = login(make_user("pd", role=Role.POLITICAL, unit=tree.region))
    response = client.get(reverse("org:person_list"), {"q": "片段"}, **HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="person-results"')
    assert "片段甲" in body and "<html" not in body and 'id="person-filters"' not in body
    assert "HX-Request" in response["Vary"]
    # a history restore (back button with no cache) wants the whole page
    full = client.get(reverse("org:person_list"), {"q": "片段"}, HTTP_HX_REQUEST="true",
                      HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in full.content.decode()


def test_person_list_filter_form_is_wired_for_htmx_and_url_sync(tree: Tree) -> None:
    client = login(make_user("pd", role=Role.POLITICAL, unit=tree.region))
    body = client.get(reverse("org:person_list"), {"category": "police"}).content.decode()
    form = re.search(r'<form id="person-filters".*?>', body, re.S).group(0)
    assert 'hx-push-url="true"' in form and 'hx-target="#person-results"' in form
    assert re.search(r'<option value="police" selected>', body)


def test_person_list_sorts_by_name_both_ways(tree: Tree) -> None:
    for name in ["乙", "甲", "丙"]:
        PersonFactory(unit=tree.station, name=name)
    client = login(make_user("pd", role=Role.POLITICAL, unit=tree.region))
    asc = _names(client.get(reverse("org:person_list"), {"sort": "name"}))
    desc = _names(client.get(reverse("org:person_list"), {"sort": "-name"}))
    assert asc == sorted(asc) and desc == list(reversed(asc))
    assert _names(client.get(reverse("org:person_list"), {"sort": "id_number"})) == asc  # only indexed sorts


def test_person_list_page_size_is_bounded(tree: Tree) -> None:
    PersonFactory.create_batch(25, unit=tree.station)
    client = login(make_user("pd", role=Role.POLITICAL, unit=tree.region))
    assert len(_names(client.get(reverse("org:person_list"), {"per_page": "20"}))) == 20
    assert len(_names(client.get(reverse("org:person_list"), {"per_page": "100000"}))) == 25  # falls back to 50
    last = client.get(reverse("org:person_list"), {"per_page": "20", "page": "999"})
    assert last.context["page"].page.number == 2 and len(_names(last)) == 5


def test_person_list_export_button_follows_the_roster_export_url(tree: Tree, monkeypatch: Any) -> None:
    from django.urls import NoReverseMatch

    from jingying.org import views

    client = login(make_user("pd", role=Role.POLITICAL, unit=tree.region))

    def fake_reverse(name: str, *args: Any, **kwargs: Any) -> str:
        if name == "org:roster_export":
            return "/org/roster/export/"
        return reverse(name, *args, **kwargs)

    monkeypatch.setattr(views, "reverse", fake_reverse)
    body = client.get(reverse("org:person_list"), {"unit": tree.county.pk}).content.decode()
    assert f'href="/org/roster/export/?unit={tree.county.pk}"' in body

    def missing(name: str, *args: Any, **kwargs: Any) -> str:
        if name == "org:roster_export":
            raise NoReverseMatch(name)
        return reverse(name, *args, **kwargs)

    monkeypatch.setattr(views, "reverse", missing)
    assert 'id="export-link"' not in client.get(reverse("org:person_list")).content.decode()


def test_person_list_for_an_officer_is_only_themselves(tree: Tree) -> None:
    me = PersonFactory(unit=tree.station, name="本人")
    PersonFactory(unit=tree.station, name="同事")
    officer = make_user("officer", role=Role.OFFICER, unit=tree.station, person=me)
    assert _names(login(officer).get(reverse("org:person_list"))) == ["本人"]


# --- profile -----------------------------------------------------------------------------------


def test_profile_shows_fields_with_chinese_labels_and_display_values(tree: Tree) -> None:
    person = PersonFactory(unit=tree.station, name="资料甲", ethnicity="02", rank=9, level="zf09",
                           political_status="01", education="21", police_start_date=dt.date(2010, 7, 1))
    response = login(make_user("pd", role=Role.POLITICAL, unit=tree.region)).get(
        reverse("org:person_detail", args=[person.pk]))
    fields = dict(response.context["fields"])
    assert fields["民族"] == "蒙古族"
    assert fields["警衔"] == "一级警司"
    assert fields["职级"] == "三级警长"
    assert fields["政治面貌"] == "中共党员"
    assert fields["学历"] == "大学本科"
    assert isinstance(fields["年龄"], int) and fields["年龄"] >= 18
    assert fields["警龄（年）"] >= 15
    body = response.content.decode()
    crumbs = re.search(r'<ol class="breadcrumb.*?</ol>', body, re.S).group(0)
    assert tree.city.label in crumbs and tree.station.label in crumbs


def test_profile_shows_career_history_after_an_edit(tree: Tree) -> None:
    person = PersonFactory(unit=tree.station, rank=11)
    client = login(make_user("pd", role=Role.POLITICAL, unit=tree.region))
    response = client.post(reverse("org:person_edit", args=[person.pk]),
                           person_post(person, rank=10, unit=tree.county.pk))
    assert response.status_code == 302
    assert set(PersonHistory.objects.filter(person=person).values_list("field", flat=True)) == {"rank", "unit"}
    body = client.get(reverse("org:person_detail", args=[person.pk])).content.decode()
    assert "三级警司" in body and "二级警司" in body and tree.county.name in body


def test_officer_sees_own_profile_and_family_only(tree: Tree) -> None:
    me = PersonFactory(unit=tree.station, name="本人")
    colleague = PersonFactory(unit=tree.station)
    DependentFactory(person=me, name="我的孩子")
    officer = make_user("officer", role=Role.OFFICER, unit=tree.station, person=me)
    client = login(officer)
    response = client.get(reverse("org:person_detail", args=[me.pk]))
    body = response.content.decode()
    assert response.status_code == 200 and "我的孩子" in body
    assert reverse("org:person_edit", args=[me.pk]) not in body  # may not edit
    assert "添加家属" not in body
    assert client.get(reverse("org:person_detail", args=[colleague.pk])).status_code == 404
    assert client.get(reverse("org:person_edit", args=[me.pk])).status_code == 404


def test_profile_panels_are_extensible_in_one_place(tree: Tree, monkeypatch: Any) -> None:
    from jingying.org import panels

    person = PersonFactory(unit=tree.station)
    seen: list[Any] = []

    def context(*, actor: Any, person: Any) -> dict[str, Any]:
        seen.append(person.pk)
        return {"history": []}

    monkeypatch.setattr(panels, "_test_context", context, raising=False)
    extra = [
        panels.PersonPanel("org/partials/history_panel.html", perm="org.view_person",
                           context="jingying.org.panels:_test_context"),
        panels.PersonPanel("org/partials/history_panel.html", perm="health.view_checkup"),  # not held: hidden
    ]
    monkeypatch.setattr(panels, "PERSON_PANELS", [*panels.PERSON_PANELS, *extra])
    response = login(make_user("pd", role=Role.POLITICAL, unit=tree.region)).get(
        reverse("org:person_detail", args=[person.pk]))
    assert seen == [person.pk]
    assert response.content.decode().count('id="history"') == 2  # the built-in panel and the added one


# --- edit, create: Chinese errors, never a 500 -----------------------------------------------


def test_edit_with_bad_id_number_rerenders_with_the_services_message(tree: Tree) -> None:
    person = PersonFactory(unit=tree.station)
    client = login(make_user("pd", role=Role.POLITICAL, unit=tree.region))
    bad = person.id_number[:17] + ("0" if person.id_number[17] != "0" else "1")
    response = client.post(reverse("org:person_edit", args=[person.pk]), person_post(person, id_number=bad))
    assert response.status_code == 400
    assert "校验位错误" in response.content.decode()
    assert Person.objects.get(pk=person.pk).id_number == person.id_number


def test_edit_with_birth_date_disagreeing_with_id_number(tree: Tree) -> None:
    person = PersonFactory(unit=tree.station)
    client = login(make_user("pd", role=Role.POLITICAL, unit=tree.region))
    response = client.post(reverse("org:person_edit", args=[person.pk]), person_post(person, birth_date="1960-01-01"))
    assert response.status_code == 400
    assert "出生日期与身份证号不一致" in response.content.decode()


def test_create_with_a_duplicate_police_number_explains(tree: Tree) -> None:
    PersonFactory(unit=tree.station, police_number="654321")
    client = login(make_user("pd", role=Role.POLITICAL, unit=tree.region))
    response = client.post(reverse("org:person_create"), person_post(unit=tree.station.pk, police_number="654321"))
    assert response.status_code == 400
    assert "警号" in response.content.decode() and "已存在" in response.content.decode()


def test_edit_moving_a_person_out_of_scope_is_refused(tree: Tree) -> None:
    person = PersonFactory(unit=tree.station)
    client = login(make_user("pd", role=Role.POLITICAL, unit=tree.city))
    response = client.post(reverse("org:person_edit", args=[person.pk]), person_post(person, unit=tree.other_station.pk))
    assert response.status_code == 400
    assert Person.objects.get(pk=person.pk).unit_id == tree.station.pk


def test_edit_form_offers_only_units_the_user_may_change(tree: Tree) -> None:
    person = PersonFactory(unit=tree.station)
    response = login(make_user("pd", role=Role.POLITICAL, unit=tree.city)).get(
        reverse("org:person_edit", args=[person.pk]))
    units = set(response.context["form"].fields["unit"].queryset)
    assert tree.station in units and tree.other_station not in units


# --- families through htmx ---------------------------------------------------------------------


def test_add_dependent_with_htmx_returns_the_refreshed_panel(tree: Tree) -> None:
    person = PersonFactory(unit=tree.station)
    client = login(make_user("pd", role=Role.POLITICAL, unit=tree.region))
    url = reverse("org:dependent_create", args=[person.pk])
    form = client.get(url, **HTMX).content.decode()
    assert form.lstrip().startswith('<div class="card" id="dependents">') and 'hx-post="' in form
    response = client.post(url, {"relation": "spouse", "name": "配偶甲", "hardship": "on"}, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "配偶甲" in body and "<html" not in body and 'id="dependents"' in body
    assert Dependent.objects.get(person=person).hardship is True


def test_add_dependent_with_bad_input_is_400_with_the_form_fragment(tree: Tree) -> None:
    person = PersonFactory(unit=tree.station)
    client = login(make_user("pd", role=Role.POLITICAL, unit=tree.region))
    response = client.post(reverse("org:dependent_create", args=[person.pk]),
                           {"relation": "child", "name": "孩子", "id_number": "12345", "birth_date": "2020-13-01"}, **HTMX)
    assert response.status_code == 400
    body = response.content.decode()
    assert "身份证号应为 18 位" in body and "有效的日期" in body
    assert not Dependent.objects.filter(person=person).exists()


def test_delete_dependent_with_htmx(tree: Tree) -> None:
    person = PersonFactory(unit=tree.station)
    dep = DependentFactory(person=person, name="要删的")
    client = login(make_user("pd", role=Role.POLITICAL, unit=tree.region))
    response = client.post(reverse("org:dependent_delete", args=[dep.pk]), **HTMX)
    assert response.status_code == 200 and "要删的" not in response.content.decode()
    assert not Dependent.objects.filter(pk=dep.pk).exists()


def test_dependents_panel_fragment_for_cancel(tree: Tree) -> None:
    person = PersonFactory(unit=tree.station)
    DependentFactory(person=person, name="取消后可见")
    client = login(make_user("pd", role=Role.POLITICAL, unit=tree.region))
    response = client.get(reverse("org:person_detail", args=[person.pk]), HTTP_HX_REQUEST="true",
                          HTTP_HX_TARGET="dependents")
    body = response.content.decode()
    assert body.lstrip().startswith('<div class="card" id="dependents">') and "取消后可见" in body


def test_person_update_through_the_ui_is_audited(tree: Tree) -> None:
    from jingying.core.models import AuditEntry

    person = PersonFactory(unit=tree.station)
    client = login(make_user("pd", role=Role.POLITICAL, unit=tree.region))
    client.post(reverse("org:person_edit", args=[person.pk]), person_post(person, phone="13900000000"))
    entry = AuditEntry.objects.filter(action="org.person.update", object_id=str(person.pk)).get()
    assert entry.after == {"phone": "13900000000"}


def test_services_are_the_only_writer(tree: Tree, monkeypatch: Any) -> None:
    """The edit view changes data only through services.person_update."""
    person = PersonFactory(unit=tree.station)
    calls: list[dict[str, Any]] = []
    real = services.person_update

    def spy(**kwargs: Any) -> Any:
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(services, "person_update", spy)
    client = login(make_user("pd", role=Role.POLITICAL, unit=tree.region))
    client.post(reverse("org:person_edit", args=[person.pk]), person_post(person, position="教导员"))
    assert len(calls) == 1 and calls[0]["position"] == "教导员"


def test_export_link_follows_the_unit_filter_in_the_htmx_fragment(tree: Tree) -> None:
    client = login(make_user("pd", role=Role.POLITICAL, unit=tree.region))
    fragment = client.get(reverse("org:person_list"), {"unit": tree.station.pk}, **HTMX).content.decode()
    assert f'href="{reverse("org:roster_export")}?unit={tree.station.pk}"' in fragment
    reader = login(make_user("pub", role=Role.PUBLICITY, unit=tree.region))  # may list, may not export
    assert 'id="export-link"' not in reader.get(reverse("org:person_list")).content.decode()


def test_deleting_a_person_other_records_protect_is_a_400_not_a_500(tree: Tree, monkeypatch: Any) -> None:
    from django.db.models import ProtectedError

    person = PersonFactory(unit=tree.station)

    def protected(**kwargs: Any) -> None:
        raise ProtectedError("protected", set())

    monkeypatch.setattr(services, "person_delete", protected)
    response = login(make_user("pd", role=Role.POLITICAL, unit=tree.region)).post(
        reverse("org:person_delete", args=[person.pk]))
    assert response.status_code == 400
    assert "不能删除" in response.content.decode()
    assert Person.objects.filter(pk=person.pk).exists()


# --- the generic suites catch what they claim to ---------------------------------------------


def test_generic_suite_catches_a_list_that_leaks_out_of_scope(monkeypatch: Any) -> None:
    from jingying.org import selectors

    suite = TestPersonViews()
    scope = suite.build()
    from jingying.org.filters import PersonFilterSet

    def unscoped(*, actor: Any, filters: Any, perm: str = "") -> Any:  # the page's selector, without restrict
        return Person.objects.select_related("unit"), PersonFilterSet(data=filters, queryset=Person.objects.none())

    monkeypatch.setattr(selectors, "person_filter", unscoped)
    with pytest.raises(AssertionError):
        suite.test_list_shows_inside_and_hides_outside(scope)


def test_generic_suite_catches_a_detail_that_ignores_scope(monkeypatch: Any) -> None:
    from jingying.org import selectors

    suite = TestPersonViews()
    scope = suite.build()
    monkeypatch.setattr(selectors, "access_person", lambda actor, pk, for_write=False: Person.objects.get(pk=pk))
    with pytest.raises(AssertionError):
        suite.test_detail_out_of_scope_is_404(scope)


def test_generic_suite_catches_per_row_queries(monkeypatch: Any, django_assert_num_queries: Any) -> None:
    from jingying.org import tables

    suite = TestPersonViews()
    scope = suite.build()
    # A column that reads a relation per row (the classic N+1) must fail the pinned count.
    extra = tables.Column("n_dependents", "家属数", lambda p: p.dependents.count())
    monkeypatch.setattr(tables.PersonTable, "columns", [*tables.PERSON_COLUMNS, extra])
    with pytest.raises(AssertionError, match="query count grows"):
        suite.test_list_query_count_is_pinned_and_independent_of_rows(scope, django_assert_num_queries)


def test_unit_page_offers_adding_a_person_there_to_those_who_may(tree: Tree) -> None:
    add = f'href="/org/people/add/?unit={tree.station.pk}"'
    pd = login(make_user("pd", role=Role.POLITICAL, unit=tree.city))
    assert add in pd.get(reverse("org:unit_detail", args=[tree.station.pk])).content.decode()
    form = pd.get(f"/org/people/add/?unit={tree.station.pk}").context["form"]
    assert str(form["unit"].value()) == str(tree.station.pk)
    leader = login(make_user("leader", role=Role.LEADER, unit=tree.city))
    assert add not in leader.get(reverse("org:unit_detail", args=[tree.station.pk])).content.decode()


def test_profile_query_count_does_not_grow_with_family_or_history(tree: Tree) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    person = PersonFactory(unit=tree.station)
    client = login(make_user("pd", role=Role.POLITICAL, unit=tree.region))
    url = reverse("org:person_detail", args=[person.pk])
    client.get(url)
    counts = []
    for n in (1, 10):
        DependentFactory.create_batch(n, person=person)
        PersonHistory.objects.bulk_create([PersonHistory(person=person, field="position", old_value="a", new_value="b",
                                                         changed_at=timezone.now()) for _ in range(n)])
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
