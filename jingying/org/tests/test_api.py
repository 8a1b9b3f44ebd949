"""The JSON API at /api/v1/org/: authentication, scoping (404 outside), filters, paging, writes,
errors in Chinese and pinned query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jingying.accounts.models import ApiToken
from jingying.accounts.roles import Role
from jingying.accounts.services import api_token_create
from jingying.core.models import AuditEntry
from jingying.org import idnumber
from jingying.org.choices import Category, PersonStatus, UnitKind
from jingying.org.models import Person, PersonHistory
from jingying.org.tests.factories import DependentFactory, PersonFactory, Tree, make_unit, make_user

pytestmark = pytest.mark.django_db

API = "/api/v1/org"

# Pinned query counts for list endpoints (style rule 8). A change here is a change in SQL:
# token lookup, grants, COUNT, page (+ the head-count GROUP BY for units, one per tree depth
# on the page).
PEOPLE_LIST_QUERIES = 4
UNIT_CHILDREN_QUERIES = 5


@pytest.fixture
def tree() -> Tree:
    return Tree()


@pytest.fixture
def people(tree: Tree) -> dict[str, Person]:
    return {
        "county_a": PersonFactory(name="张伟", unit=tree.station, rank=9),
        "county_b": PersonFactory(name="巴特尔", unit=tree.county, category=Category.AUXILIARY, police_number=None, rank=None),
        "county_retired": PersonFactory(name="李强", unit=tree.station, status=PersonStatus.RETIRED, rank=8),
        "city": PersonFactory(name="王芳", unit=tree.city, rank=7),
        "other": PersonFactory(name="其木格", unit=tree.other_station, rank=9),
    }


def token_for(user) -> str:  # type: ignore[no-untyped-def]
    _row, secret = api_token_create(actor=None, user=user, name="test")
    return secret


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def county_token(tree: Tree) -> str:
    return token_for(make_user("county", role=Role.LEADER, unit=tree.county))


@pytest.fixture
def region_token(tree: Tree) -> str:
    return token_for(make_user("region", role=Role.POLITICAL, unit=tree.region))


def ids(response) -> set[int]:  # type: ignore[no-untyped-def]
    return {row["id"] for row in response.json()["items"]}


# --- authentication -------------------------------------------------------------------------


def test_unauthenticated_gets_401_json_not_a_login_redirect(client: Client, tree: Tree) -> None:
    response = client.get(f"{API}/people")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "令牌" in response.json()["detail"]


def test_token_authenticates_and_is_touched(client: Client, people: dict[str, Person], county_token: str) -> None:
    response = client.get(f"{API}/people", **bearer(county_token))
    assert response.status_code == 200
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.parametrize("header", ["Bearer jy_not-a-real-token", "Bearer ", "Token abc", "Basic dXNlcjpwdw=="])
def test_unknown_or_malformed_token_is_401(client: Client, tree: Tree, county_token: str, header: str) -> None:
    response = client.get(f"{API}/people", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


def test_expired_token_is_401(client: Client, tree: Tree, county_token: str) -> None:
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(f"{API}/people", **bearer(county_token)).status_code == 401


def test_token_of_deactivated_user_is_401(client: Client, tree: Tree, county_token: str) -> None:
    ApiToken.objects.get().user.__class__.objects.filter(username="county").update(is_active=False)
    assert client.get(f"{API}/people", **bearer(county_token)).status_code == 401


def test_session_auth_works_for_reads_and_needs_csrf_for_writes(tree: Tree, people: dict[str, Person]) -> None:
    user = make_user("pd", role=Role.POLITICAL, unit=tree.region)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    assert browser.get(f"{API}/people").status_code == 200
    response = browser.patch(f"{API}/people/{people['city'].pk}", {"position": "科长"}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    people["city"].refresh_from_db()
    assert people["city"].position == ""


# --- scoping --------------------------------------------------------------------------------


def test_county_token_lists_only_the_county(client: Client, people: dict[str, Person], county_token: str) -> None:
    response = client.get(f"{API}/people", **bearer(county_token))
    body = response.json()
    assert ids(response) == {people["county_a"].pk, people["county_b"].pk, people["county_retired"].pk}
    assert body["count"] == 3


@pytest.mark.parametrize("suffix", ["", "/dependents", "/history"])
def test_county_token_gets_404_outside_the_county(
    client: Client, people: dict[str, Person], county_token: str, suffix: str
) -> None:
    for key in ("city", "other"):
        response = client.get(f"{API}/people/{people[key].pk}{suffix}", **bearer(county_token))
        assert response.status_code == 404
        assert response.json()["detail"].startswith("未找到")
    assert client.get(f"{API}/people/{people['county_a'].pk}{suffix}", **bearer(county_token)).status_code == 200


def test_missing_person_is_the_same_404(client: Client, people: dict[str, Person], county_token: str) -> None:
    outside = client.get(f"{API}/people/{people['other'].pk}", **bearer(county_token))
    missing = client.get(f"{API}/people/999999", **bearer(county_token))
    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json()


def test_county_token_sees_only_county_units(client: Client, tree: Tree, county_token: str) -> None:
    response = client.get(f"{API}/units", **bearer(county_token))
    assert ids(response) == {tree.county.pk, tree.station.pk}
    assert client.get(f"{API}/units/{tree.other_county.pk}", **bearer(county_token)).status_code == 404
    assert client.get(f"{API}/units/{tree.city.pk}/children", **bearer(county_token)).status_code == 404


def test_officer_sees_only_themself(client: Client, tree: Tree, people: dict[str, Person]) -> None:
    officer = make_user("officer", role=Role.OFFICER, unit=tree.station, person=people["county_a"])
    secret = token_for(officer)
    response = client.get(f"{API}/people", **bearer(secret))
    assert ids(response) == {people["county_a"].pk}
    assert client.get(f"{API}/people/{people['county_b'].pk}", **bearer(secret)).status_code == 404


def test_sysadmin_sees_units_but_no_people(client: Client, tree: Tree, people: dict[str, Person]) -> None:
    secret = token_for(make_user("sys", role=Role.SYSADMIN, unit=tree.region))
    listing = client.get(f"{API}/people", **bearer(secret))
    assert listing.status_code == 403  # no people permission at all: refused, not an empty list
    assert "items" not in listing.json()
    assert client.get(f"{API}/people/{people['city'].pk}", **bearer(secret)).status_code == 404
    assert client.get(f"{API}/units", **bearer(secret)).json()["count"] == 8


# --- units and head counts ------------------------------------------------------------------


def test_unit_detail_and_children_carry_subtree_headcounts(
    client: Client, tree: Tree, people: dict[str, Person], region_token: str
) -> None:
    detail = client.get(f"{API}/units/{tree.city.pk}", **bearer(region_token)).json()
    # 王芳 in the city bureau + 张伟 and 巴特尔 below it; the retired 李强 is not counted.
    assert detail["headcount"] == 3
    assert detail["name"] == "呼和浩特市公安局"
    assert detail["kind_label"] == "盟市公安局"
    children = client.get(f"{API}/units/{tree.region.pk}/children", **bearer(region_token)).json()
    by_code = {row["code"]: row["headcount"] for row in children["items"]}
    assert by_code == {"150000ZZB": 0, "150100": 3, "150200": 1}
    assert children["count"] == 3


def test_unit_list_filters(client: Client, tree: Tree, region_token: str) -> None:
    by_parent = client.get(f"{API}/units", {"parent": tree.city.pk}, **bearer(region_token))
    assert ids(by_parent) == {tree.county.pk}
    by_kind = client.get(f"{API}/units", {"kind": UnitKind.STATION}, **bearer(region_token))
    assert ids(by_kind) == {tree.station.pk, tree.other_station.pk}
    by_text = client.get(f"{API}/units", {"q": "包头"}, **bearer(region_token))
    assert ids(by_text) == {tree.other_city.pk, tree.other_county.pk}


# --- people: filters and paging -------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "auxiliary"}, {"county_b"}),
        ({"rank": "9"}, {"county_a", "other"}),
        ({"status": "retired"}, {"county_retired"}),
        ({"q": "巴特"}, {"county_b"}),
        ({"unit": "150102001"}, {"county_a", "county_retired"}),
        ({"unit": "150100"}, {"county_a", "county_b", "county_retired", "city"}),
        ({"unit": "150100", "rank": "7"}, {"city"}),
    ],
)
def test_person_filters_match_the_screen(
    client: Client, people: dict[str, Person], region_token: str, params: dict[str, str], expected: set[str]
) -> None:
    response = client.get(f"{API}/people", params, **bearer(region_token))
    assert response.status_code == 200
    assert ids(response) == {people[key].pk for key in expected}
    assert response.json()["count"] == len(expected)


def test_search_by_police_number_and_id_number(client: Client, people: dict[str, Person], region_token: str) -> None:
    target = people["other"]
    by_number = client.get(f"{API}/people", {"q": target.police_number}, **bearer(region_token))
    assert ids(by_number) == {target.pk}
    by_id = client.get(f"{API}/people", {"q": target.id_number[:14]}, **bearer(region_token))
    assert target.pk in ids(by_id)


def test_age_band_filter(client: Client, tree: Tree, region_token: str) -> None:
    today = timezone.localdate()
    young = PersonFactory(unit=tree.station, birth_date=dt.date(today.year - 25, 1, 1))
    PersonFactory(unit=tree.station, birth_date=dt.date(today.year - 45, 1, 1))
    response = client.get(f"{API}/people", {"age_band": "lt30"}, **bearer(region_token))
    assert ids(response) == {young.pk}


def test_bad_filter_value_is_422_in_chinese(client: Client, tree: Tree, region_token: str) -> None:
    response = client.get(f"{API}/people", {"rank": "99"}, **bearer(region_token))
    assert response.status_code == 422
    body = response.json()
    assert "rank" in body["errors"]
    assert "选择" in body["errors"]["rank"][0]  # Django's own zh-hans message for a bad choice


def test_sort_like_the_screen(client: Client, people: dict[str, Person], region_token: str) -> None:
    names = [p["name"] for p in client.get(f"{API}/people", **bearer(region_token)).json()["items"]]
    reverse = [p["name"] for p in client.get(f"{API}/people", {"sort": "-name"}, **bearer(region_token)).json()["items"]]
    assert reverse == list(reversed(names))
    bad = client.get(f"{API}/people", {"sort": "id_number"}, **bearer(region_token))
    assert bad.status_code == 422
    assert "无法按“id_number”排序" in bad.json()["errors"]["sort"][0]


def test_bad_paging_is_422_in_chinese(client: Client, tree: Tree, region_token: str) -> None:
    response = client.get(f"{API}/people", {"limit": "many"}, **bearer(region_token))
    assert response.status_code == 422
    assert response.json()["errors"] == {"limit": ["应为整数"]}
    assert client.get(f"{API}/people", {"offset": "-1"}, **bearer(region_token)).status_code == 422


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/people/99999999999999999999999", {}, 404),
        ("/units/99999999999999999999999", {}, 404),
        ("/people", {"unit": "99999999999999999999999"}, 200),
        ("/people", {"rank": "99999999999999999999999"}, 422),
        ("/people", {"offset": "99999999999999999999999"}, 422),
        ("/units", {"parent": "99999999999999999999999"}, 422),
        ("/people", {"q": "9" * 30}, 200),
    ],
)
def test_numbers_too_big_for_the_database_are_not_500(
    client: Client, tree: Tree, region_token: str, path: str, params: dict[str, str], status: int
) -> None:
    assert client.get(f"{API}{path}", params, **bearer(region_token)).status_code == status


def test_limit_offset_and_cap(client: Client, tree: Tree, region_token: str, monkeypatch: pytest.MonkeyPatch) -> None:
    PersonFactory.create_batch(7, unit=tree.station)
    first = client.get(f"{API}/people", {"limit": 3}, **bearer(region_token)).json()
    second = client.get(f"{API}/people", {"limit": 3, "offset": 3}, **bearer(region_token)).json()
    assert first["count"] == second["count"] == 7
    assert len(first["items"]) == len(second["items"]) == 3
    assert not {r["id"] for r in first["items"]} & {r["id"] for r in second["items"]}
    monkeypatch.setattr("jingying.org.api.MAX_LIMIT", 5)
    capped = client.get(f"{API}/people", {"limit": 1000}, **bearer(region_token)).json()
    assert len(capped["items"]) == 5
    assert capped["count"] == 7


def test_person_detail_shape(client: Client, people: dict[str, Person], region_token: str) -> None:
    body = client.get(f"{API}/people/{people['county_a'].pk}", **bearer(region_token)).json()
    assert body["name"] == "张伟"
    assert body["rank_label"] == "一级警司"
    assert body["category_label"] == "民警"
    assert body["status_label"] == "在职"
    assert body["unit"]["code"] == "150102001"


def test_json_is_utf8_not_escaped(client: Client, people: dict[str, Person], region_token: str) -> None:
    response = client.get(f"{API}/people/{people['county_a'].pk}", **bearer(region_token))
    assert "张伟".encode() in response.content
    assert response["Content-Type"].startswith("application/json")


def test_dependents_and_history(client: Client, people: dict[str, Person], region_token: str) -> None:
    person = people["county_a"]
    DependentFactory(person=person, name="张小明", school="海东路小学")
    PersonHistory.objects.create(person=person, field="rank", old_value="二级警司", new_value="一级警司",
                                 changed_at=timezone.now())
    deps = client.get(f"{API}/people/{person.pk}/dependents", **bearer(region_token)).json()
    assert deps["count"] == 1
    assert deps["items"][0]["school"] == "海东路小学"
    assert deps["items"][0]["relation_label"] == "子女"
    history = client.get(f"{API}/people/{person.pk}/history", **bearer(region_token)).json()
    assert history["items"][0]["field_label"] == "警衔"
    assert history["items"][0]["new_value"] == "一级警司"


def test_role_without_dependent_permission_sees_no_families(
    client: Client, tree: Tree, people: dict[str, Person]
) -> None:
    DependentFactory(person=people["county_a"])
    secret = token_for(make_user("pub", role=Role.PUBLICITY, unit=tree.region))
    assert client.get(f"{API}/people/{people['county_a'].pk}", **bearer(secret)).status_code == 200
    families = client.get(f"{API}/people/{people['county_a'].pk}/dependents", **bearer(secret))
    # Publicity holds org.view_dependent only as self-service (own family, decision 0014): for
    # anyone else's the answer is "not found", as for any record outside one's scope.
    assert families.status_code == 404
    assert "items" not in families.json()


# --- writes ---------------------------------------------------------------------------------


def new_person_payload(unit_code: str = "150102001", **extra: object) -> dict[str, object]:
    birth = dt.date(1990, 6, 15)
    payload: dict[str, object] = {
        "name": "乌云",
        "gender": "2",
        "ethnicity": "02",
        "birth_date": birth.isoformat(),
        "id_number": idnumber.make("150102", birth, 2),
        "police_number": "150999",
        "unit": unit_code,
        "rank": 10,
    }
    payload.update(extra)
    return payload


def test_create_person_goes_through_the_service(client: Client, tree: Tree, region_token: str) -> None:
    response = client.post(f"{API}/people", new_person_payload(), content_type="application/json", **bearer(region_token))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["unit"]["id"] == tree.station.pk
    assert body["ethnicity_label"] == "蒙古族"
    assert AuditEntry.objects.filter(action="org.person.create", object_id=str(body["id"])).exists()


def test_create_person_bad_id_number_is_422_in_chinese(client: Client, tree: Tree, region_token: str) -> None:
    payload = new_person_payload()
    payload["id_number"] = str(payload["id_number"])[:-1] + ("0" if str(payload["id_number"])[-1] != "0" else "1")
    response = client.post(f"{API}/people", payload, content_type="application/json", **bearer(region_token))
    assert response.status_code == 422
    assert "id_number" in response.json()["errors"]
    assert not Person.objects.filter(name="乌云").exists()


def test_create_person_missing_and_malformed_fields(client: Client, tree: Tree, region_token: str) -> None:
    payload = new_person_payload(birth_date="1990年6月")
    del payload["name"]
    response = client.post(f"{API}/people", payload, content_type="application/json", **bearer(region_token))
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["name"] == ["此项为必填项"]
    assert errors["birth_date"] == ["日期格式应为 YYYY-MM-DD"]


def test_body_that_is_not_json_is_400(client: Client, tree: Tree, region_token: str) -> None:
    response = client.post(f"{API}/people", "{not json", content_type="application/json", **bearer(region_token))
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


def test_create_into_unit_out_of_scope_reads_as_unknown_unit(client: Client, tree: Tree) -> None:
    secret = token_for(make_user("cpd", role=Role.POLITICAL, unit=tree.county))
    response = client.post(f"{API}/people", new_person_payload("150202001"), content_type="application/json",
                           **bearer(secret))
    assert response.status_code == 422
    assert "找不到单位" in response.json()["errors"]["unit"][0]


def test_create_with_a_unit_id_too_big_is_unknown_unit(client: Client, tree: Tree, region_token: str) -> None:
    response = client.post(f"{API}/people", new_person_payload("9" * 30), content_type="application/json",
                           **bearer(region_token))
    assert response.status_code == 422
    assert "unit" in response.json()["errors"]


def test_read_only_role_cannot_create_or_change(client: Client, people: dict[str, Person], county_token: str) -> None:
    created = client.post(f"{API}/people", new_person_payload(), content_type="application/json", **bearer(county_token))
    assert created.status_code == 403
    assert created.json()["detail"] == "您没有执行此操作的权限"
    changed = client.patch(f"{API}/people/{people['county_a'].pk}", {"position": "所长"},
                           content_type="application/json", **bearer(county_token))
    assert changed.status_code == 403
    people["county_a"].refresh_from_db()
    assert people["county_a"].position == ""


def test_update_records_history(client: Client, tree: Tree, people: dict[str, Person], region_token: str) -> None:
    person = people["county_a"]
    response = client.patch(f"{API}/people/{person.pk}", {"rank": 8, "unit": str(tree.county.pk)},
                            content_type="application/json", **bearer(region_token))
    assert response.status_code == 200, response.json()
    assert response.json()["rank_label"] == "三级警督"
    assert response.json()["unit"]["id"] == tree.county.pk
    fields = {h["field"] for h in client.get(f"{API}/people/{person.pk}/history", **bearer(region_token)).json()["items"]}
    assert fields == {"rank", "unit"}


def test_update_out_of_scope_is_404(client: Client, people: dict[str, Person], tree: Tree) -> None:
    secret = token_for(make_user("cpd", role=Role.POLITICAL, unit=tree.county))
    response = client.patch(f"{API}/people/{people['other'].pk}", {"position": "所长"},
                            content_type="application/json", **bearer(secret))
    assert response.status_code == 404


def test_unexpected_error_is_a_500_without_a_trace(
    client: Client, tree: Tree, region_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(**kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr("jingying.org.selectors.person_list", boom)
    response = client.get(f"{API}/people", **bearer(region_token))
    assert response.status_code == 500
    assert "secret internals" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert response.json()["detail"].startswith("服务器内部错误")


# --- OpenAPI and query counts ---------------------------------------------------------------


def test_openapi_lists_the_routes(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for route in (
        "/api/v1/org/units", "/api/v1/org/units/{unit_id}", "/api/v1/org/units/{unit_id}/children",
        "/api/v1/org/people", "/api/v1/org/people/{person_id}", "/api/v1/org/people/{person_id}/dependents",
        "/api/v1/org/people/{person_id}/history",
    ):
        assert route in paths, route
    assert {"get", "patch"} <= set(paths["/api/v1/org/people/{person_id}"])
    assert "post" in paths["/api/v1/org/people"]


def _queries(client: Client, url: str, secret: str, **params: object) -> tuple[int, int]:
    client.get(url, params, **bearer(secret))  # warm up: the token's last_used_at is touched once
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params, **bearer(secret))
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.json()["items"])


def test_people_list_query_count_is_the_same_for_10_and_100_rows(client: Client, tree: Tree, region_token: str) -> None:
    PersonFactory.create_batch(100, unit=tree.station)
    few, n_few = _queries(client, f"{API}/people", region_token, limit=10)
    many, n_many = _queries(client, f"{API}/people", region_token, limit=100)
    assert (n_few, n_many) == (10, 100)
    assert few == many == PEOPLE_LIST_QUERIES
    filtered, _n = _queries(client, f"{API}/people", region_token, limit=100, unit="150100", rank="9", q="测试")
    assert filtered == PEOPLE_LIST_QUERIES + 1  # the unit filter looks up the unit's path once


def test_unit_children_query_count_is_the_same_for_10_and_100_rows(client: Client, tree: Tree, region_token: str) -> None:
    for i in range(100):
        make_unit(tree.county, f"150102{100 + i:03d}", f"新城区分局第{i}警务室", UnitKind.POST)
    few, n_few = _queries(client, f"{API}/units/{tree.county.pk}/children", region_token, limit=10)
    many, n_many = _queries(client, f"{API}/units/{tree.county.pk}/children", region_token, limit=100)
    assert (n_few, n_many) == (10, 100)
    assert few == many == UNIT_CHILDREN_QUERIES
    listed, _n = _queries(client, f"{API}/units", region_token, limit=100, parent=tree.county.pk)
    assert listed == UNIT_CHILDREN_QUERIES - 1 + 1  # no access_unit, but a COUNT


# --- session rules --------------------------------------------------------------------------


def test_post_with_a_bad_token_is_401_not_a_csrf_error(client: Client, tree: Tree) -> None:
    response = Client(enforce_csrf_checks=True).post(
        f"{API}/people", new_person_payload(), content_type="application/json", HTTP_AUTHORIZATION="Bearer jy_wrong"
    )
    assert response.status_code == 401


def test_session_follows_the_login_rules(tree: Tree, settings) -> None:  # type: ignore[no-untyped-def]
    from jingying.accounts import login_rules
    from jingying.accounts.models import LoginSecurity

    settings.JINGYING_SINGLE_SESSION = True
    user = make_user("pd", role=Role.POLITICAL, unit=tree.region)
    browser = Client()
    browser.force_login(user)
    assert browser.get(f"{API}/people").status_code == 200
    # Signed in elsewhere since: this session is no longer the current one.
    LoginSecurity.objects.update_or_create(user=user, defaults={"session_key": "another-session"})
    assert browser.get(f"{API}/people").status_code == 401
    LoginSecurity.objects.filter(user=user).update(session_key="")
    assert browser.get(f"{API}/people").status_code == 200
    # A password change is due.
    LoginSecurity.objects.filter(user=user).update(must_change_password=True)
    assert browser.get(f"{API}/people").status_code == 401
    LoginSecurity.objects.filter(user=user).update(must_change_password=False)
    # A grant needing the second factor, and this session never gave one.
    counsellor = make_user("psy", role=Role.COUNSELLOR, unit=tree.region, domains=["psych"])
    assert login_rules.totp_required(counsellor)
    browser.force_login(counsellor)
    assert browser.get(f"{API}/people").status_code == 401
    session = browser.session
    session[login_rules.SESSION_SECOND_FACTOR] = True
    session.save()
    assert browser.get(f"{API}/people").status_code == 200
