"""The UI shell: landing page per role, error pages, language switch, no inline scripts, and
the shared view helpers (fragment or page, bounded pagination)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from jingying.accounts.roles import Role
from jingying.core.testing import login_client
from jingying.core.views_generic import is_htmx, paginate, render_page
from jingying.org.models import Person
from jingying.org.tests.factories import DependentFactory, PersonFactory, Tree, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree() -> Tree:
    return Tree()


def cards(response: Any) -> list[str]:
    return [str(c["label"]) for c in response.context["cards"]]


def test_home_for_an_officer_offers_their_own_profile(tree: Tree) -> None:
    me = PersonFactory(unit=tree.station)
    officer = make_user("officer", role=Role.OFFICER, unit=tree.station, person=me)
    response = login_client(officer).get(reverse("core:home"))
    assert cards(response)[0] == "我的档案"
    assert reverse("org:person_detail", args=[me.pk]) in response.content.decode()
    assert "花名册导入" not in cards(response)
    # an officer's "people" are only themselves: the profile card, not the list, nor in the menu
    assert "人员" not in cards(response)
    urls = [i.get("url") for i in response.context["nav_items"]]
    urls += [c["url"] for i in response.context["nav_items"] for c in i.get("children", [])]
    assert reverse("org:person_list") not in urls


def test_home_for_political_staff_lists_their_screens_and_units(tree: Tree) -> None:
    PersonFactory.create_batch(2, unit=tree.station)
    user = make_user("pd", role=Role.POLITICAL, unit=tree.city)
    response = login_client(user).get(reverse("core:home"))
    assert {"单位", "人员", "花名册导入"} <= set(cards(response))
    assert response.context["roots"] == [{"unit": tree.city, "headcount": 2}]
    assert "政工干部" in response.content.decode()


def test_home_for_the_system_administrator_has_no_people(tree: Tree) -> None:
    user = make_user("sysadmin", role=Role.SYSADMIN, unit=tree.region)
    names = cards(login_client(user).get(reverse("core:home")))
    assert "单位" in names and "人员" not in names and "我的档案" not in names


def test_home_without_grants_says_whom_to_ask(tree: Tree) -> None:
    body = login_client(make_user("nobody")).get(reverse("core:home")).content.decode()
    assert "请联系安全管理员" in body


def test_friendly_404_and_403_in_chinese(tree: Tree) -> None:
    client = login_client(make_user("nobody"))
    missing = client.get(reverse("org:person_detail", args=[123456]))
    assert missing.status_code == 404 and "页面不存在" in missing.content.decode()
    refused = client.get(reverse("org:person_list"))
    assert refused.status_code == 403 and "没有进行此操作的权限" in refused.content.decode()


def test_500_page_renders_without_a_request_context() -> None:
    html = render_to_string("500.html")
    assert "服务器出了点问题" in html and "<script" not in html


def test_language_switch_to_english(tree: Tree) -> None:
    client = login_client(make_user("pd", role=Role.POLITICAL, unit=tree.city))
    response = client.post(reverse("set_language"), {"language": "en", "next": "/org/people/"})
    assert response.status_code == 302 and response["Location"] == "/org/people/"
    page = client.get("/org/people/")
    assert '<html lang="en">' in page.content.decode()
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-hans">' in client.get("/").content.decode()


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def test_no_inline_scripts_or_event_handlers_anywhere(tree: Tree) -> None:
    """A Content-Security-Policy without 'unsafe-inline' must not break any page."""
    person = PersonFactory(unit=tree.station)
    dep = DependentFactory(person=person)
    client = login_client(make_user("pd", role=Role.POLITICAL, unit=tree.region))
    urls = [
        reverse("core:home"), reverse("org:unit_tree"), reverse("org:unit_detail", args=[tree.city.pk]),
        reverse("org:person_list"), reverse("org:person_detail", args=[person.pk]),
        reverse("org:person_edit", args=[person.pk]), reverse("org:person_create"),
        reverse("org:person_delete", args=[person.pk]), reverse("org:dependent_create", args=[person.pk]),
        reverse("org:dependent_edit", args=[dep.pk]), reverse("org:dependent_delete", args=[dep.pk]),
        "/no-such-page/",
    ]
    for url in urls:
        body = client.get(url).content.decode()
        assert not INLINE_SCRIPT.search(body), url
        assert not INLINE_HANDLER.search(body), url
        assert "http://" not in body.replace("http://www.w3.org", "") and "https://" not in body, url
    login_page = login_client(None).get(reverse("accounts:login")).content.decode()
    assert not INLINE_SCRIPT.search(login_page) and not INLINE_HANDLER.search(login_page)


# --- views_generic -----------------------------------------------------------------------------


def test_is_htmx_distinguishes_fragments_from_history_restores() -> None:
    rf = RequestFactory()
    assert is_htmx(rf.get("/", HTTP_HX_REQUEST="true"))
    assert not is_htmx(rf.get("/"))
    assert not is_htmx(rf.get("/", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"))


def test_render_page_picks_the_fragment_by_target(tree: Tree) -> None:
    rf = RequestFactory()
    request = rf.get("/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="a")
    request.user = make_user("u")
    response = render_page(request, "500.html", {}, fragments={"a": "org/partials/breadcrumbs.html"})
    assert b"<html" not in response.content and "HX-Request" in response["Vary"]
    request = rf.get("/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="other")
    request.user = request.user if hasattr(request, "user") else make_user("v")
    response = render_page(request, "500.html", {}, fragments={"a": "org/partials/breadcrumbs.html"})
    assert b"<html" in response.content


def test_paginate_bounds_size_and_page(tree: Tree) -> None:
    PersonFactory.create_batch(7, unit=tree.station)
    rf = RequestFactory()
    qs = Person.objects.order_by("id")
    info = paginate(rf.get("/", {"per_page": "5", "page": "9", "q": "x y"}), qs, default=5, sizes=(5, 10))
    assert info.per_page == 5 and info.page.number == 2 and len(info.page.object_list) == 2
    assert info.prev_url == "?per_page=5&q=x+y&page=1" and info.next_url == ""
    assert info.url_for(sort="-name") == "?per_page=5&q=x+y&sort=-name"
    info = paginate(rf.get("/", {"per_page": "1000"}), qs, default=5, sizes=(5, 10))
    assert info.per_page == 5


def test_account_menu_links_to_own_profile_access_log_and_password(tree: Tree) -> None:
    me = PersonFactory(unit=tree.station)
    body = login_client(make_user("officer", role=Role.OFFICER, unit=tree.station, person=me)).get("/").content.decode()
    for url in (reverse("org:person_detail", args=[me.pk]), reverse("core:my_access_log"),
                reverse("accounts:password_change")):
        assert f'href="{url}"' in body


def _menu(response: Any) -> dict[str, list[str]]:
    """{top-level label: [child labels]} of the rendered menu."""
    return {str(i["label"]): [str(c["label"]) for c in i.get("children", [])] for i in response.context["nav_items"]}


def test_menu_groups_module_entries_and_offers_the_fund_only_with_its_domain(tree: Tree) -> None:
    plain = make_user("plain", role=Role.POLITICAL, unit=tree.city)
    fund = make_user("fund", role=Role.POLITICAL, unit=tree.region, domains=["fund"])
    plain_menu = _menu(login_client(plain).get(reverse("core:home")))
    fund_menu = _menu(login_client(fund).get(reverse("core:home")))
    assert "诉求办理" in plain_menu["暖警惠警"] and "问卷库" in plain_menu["问卷调查"]
    assert "诉求办理" not in plain_menu  # grouped, not in the top row
    assert "抚恤基金" not in plain_menu["暖警惠警"]
    assert "抚恤基金" in fund_menu["暖警惠警"]
