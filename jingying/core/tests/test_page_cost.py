"""The per-request shortcuts of the page-cost work (docs/benchmarks.md, "Page cost"): queries
compiled once per connection must answer exactly what the ORM would, and the cached menu must
follow the grants."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from jingying.accounts.models import Grant, LoginSecurity
from jingying.accounts.roles import Role
from jingying.core import scoping
from jingying.core.prepared import Prepared
from jingying.core.testing import login_client
from jingying.org.tests.factories import Tree, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree() -> Tree:
    return Tree()


def test_prepared_grants_leave_out_expired_ones_like_the_orm(tree: Tree, django_assert_num_queries: Any) -> None:
    user = make_user("pd", role=Role.POLITICAL, unit=tree.city)
    now = timezone.now()
    Grant.objects.create(user=user, role=Role.LEADER, unit=tree.station, expires_at=now - dt.timedelta(minutes=1))
    Grant.objects.create(user=user, role=Role.INSPECTOR, unit=tree.region, expires_at=now + dt.timedelta(hours=1),
                         domains=["fund"])
    with django_assert_num_queries(1):  # still one query, counted like any other
        grants = scoping.active_grants(user)
    assert {(g.role, g.unit_id, g.domains) for g in grants} == {
        (Role.POLITICAL, tree.city.pk, frozenset()), (Role.INSPECTOR, tree.region.pk, frozenset({"fund"}))}
    orm = sorted(scoping._grants_query(user.pk))
    assert sorted((g.role, g.unit_id, g.unit_path, sorted(g.domains)) for g in grants) == [
        (r, u, p, sorted(d)) for r, u, p, d in orm]


def test_prepared_grants_use_the_time_of_each_request(tree: Tree, monkeypatch: Any) -> None:
    user = make_user("pd", role=Role.POLITICAL, unit=tree.city)
    Grant.objects.filter(user=user).update(expires_at=timezone.now() + dt.timedelta(hours=1))
    assert len(scoping.active_grants(user)) == 1  # compiled now, with this moment
    later = timezone.now() + dt.timedelta(hours=2)
    monkeypatch.setattr("jingying.core.prepared.timezone.now", lambda: later)
    scoping.forget_grants(user)
    assert scoping.active_grants(user) == []


def test_a_prepared_query_whose_parameters_are_not_the_sentinels_is_refused(tree: Tree) -> None:
    odd = Prepared("odd", lambda pk: LoginSecurity.objects.filter(user_id=pk, session_key="x"), -1)
    with pytest.raises(ValueError, match="sentinels"):
        odd.rows(1)
    # With "now" allowed, a query of another shape falls back (None: run the queryset instead).
    fallback = Prepared("odd_now", lambda pk: LoginSecurity.objects.filter(user_id=pk, session_key="x"), -1, now=True)
    assert fallback.rows(1) is None


def test_login_state_read_by_the_middleware_matches_the_orm(tree: Tree) -> None:
    from jingying.accounts.middleware import _SECURITY

    user = make_user("pd", role=Role.POLITICAL, unit=tree.city)
    LoginSecurity.objects.create(user=user, session_key="abc", must_change_password=True,
                                 password_changed_at=timezone.now())
    fast, orm = _SECURITY.model(LoginSecurity, user.pk), LoginSecurity.objects.get(user=user)
    assert all(getattr(fast, f.attname) == getattr(orm, f.attname) for f in LoginSecurity._meta.concrete_fields)
    assert _SECURITY.model(LoginSecurity, user.pk + 1000) is None


def test_cached_menu_follows_a_change_of_grants(tree: Tree) -> None:
    user = make_user("pd", role=Role.OFFICER, unit=tree.station)
    client = login_client(user)
    people = f'href="{reverse("org:person_list")}"'
    assert people not in client.get(reverse("core:home")).content.decode()
    Grant.objects.create(user=user, role=Role.POLITICAL, unit=tree.city)
    body = client.get(reverse("core:home")).content.decode()
    assert people in body  # in the menu and on a card
    menu = body[body.index('id="navbar-menu"'):]
    assert people in menu[:menu.index("</ul>")]
