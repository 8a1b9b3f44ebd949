"""Relief-fund screens: the generic suites (anonymous, no permission, scope, pinned queries), the
whole grant workflow through the browser forms, the statement export."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jingying.accounts.roles import Role
from jingying.care.choices import GrantStatus
from jingying.care.models import LedgerEntry, ReliefGrant
from jingying.care.services import fund as services
from jingying.care.tests.factories_fund import approved_grant, fund_users, make_fund, make_grant
from jingying.core.models import AuditEntry
from jingying.core.scoping import SYSTEM
from jingying.core.testing import DetailViewTests, ListViewTests, Scope, login_client
from jingying.org.tests.factories import DependentFactory, PersonFactory, Tree, make_user

pytestmark = pytest.mark.django_db


def _scope() -> Scope:
    tree = Tree()
    fund = make_fund(tree.region, balance="5000.00")
    inside = make_grant(fund, PersonFactory(unit=tree.station, name="里面的人"))
    outside = make_grant(fund, PersonFactory(unit=tree.other_station, name="外面的人"))
    user = make_user("fund_county", role=Role.POLITICAL, unit=tree.county, domains=["fund"])
    nobody = make_user("fund_nobody", role=Role.POLITICAL, unit=tree.region)  # no fund domain
    return Scope(inside=inside, outside=outside, user=user, nobody=nobody, extra={"tree": tree, "fund": fund})


class TestGrantViews(ListViewTests, DetailViewTests):
    model = ReliefGrant
    list_url = "care:grant_list"
    list_queries = 6
    detail_url = "care:grant_detail"

    def build(self) -> Scope:
        return _scope()

    def label(self, obj: Any) -> str:
        return obj.person.name

    def make_rows(self, scope: Scope, n: int) -> None:
        for _ in range(n):
            make_grant(scope.extra["fund"], PersonFactory(unit=scope.extra["tree"].station))

    def visible_rows(self, scope: Scope) -> int:
        return ReliefGrant.objects.filter(person__unit=scope.extra["tree"].station).count()

    def rows_on_page(self, response: Any) -> int:
        return response.content.decode().count('class="grant-row"')


def test_ledger_page_queries_are_pinned(django_assert_num_queries):
    tree = Tree()
    users = fund_users(tree)
    fund = make_fund(tree.region, balance="100.00")
    client = login_client(users["clerk"])
    url = reverse("care:fund_detail", args=[fund.pk])
    client.get(url)
    counts = []
    for total in (10, 60):
        while LedgerEntry.objects.filter(fund=fund).count() < total:
            services.donation_record(actor=SYSTEM, fund=fund, donor="d", occurred_on=dt.date(2026, 1, 1), amount="1")
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, {"per_page": 100})
        assert response.content.decode().count('class="entry-row"') == total
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    with django_assert_num_queries(7):
        client.get(url, {"per_page": 100})


def test_fund_home_and_ledger_filters():
    tree = Tree()
    users = fund_users(tree)
    fund = make_fund(tree.region, balance="100.00")
    client = login_client(users["clerk"])
    body = client.get(reverse("care:fund_home")).content.decode()
    assert fund.name in body and "100.00" in body
    response = client.get(reverse("care:fund_detail", args=[fund.pk]), {"kind": "grant", "year": "2026"})
    assert response.status_code == 200 and "没有流水" in response.content.decode()
    assert login_client(users["nodomain"]).get(reverse("care:fund_home")).status_code == 403
    assert login_client(users["nodomain"]).get(reverse("care:fund_detail", args=[fund.pk])).status_code == 404


def test_whole_grant_workflow_through_the_screens():
    tree = Tree()
    users = fund_users(tree)
    fund = make_fund(tree.region, balance="2000.00")
    person = PersonFactory(unit=tree.station)
    DependentFactory(person=person, name="王小花", relation="spouse")
    clerk, first, second = (login_client(users[k]) for k in ("clerk", "first", "second"))
    url = reverse("care:grant_create")
    assert clerk.get(url).status_code == 200
    bad = clerk.post(url, {"fund": fund.pk, "person_ref": "nobody", "reason": "fallen", "amount": "10"})
    assert bad.status_code == 400 and "找不到身份证号或警号" in bad.content.decode()
    bad = clerk.post(url, {"fund": fund.pk, "person_ref": person.police_number, "dependent_name": "张三",
                           "reason": "fallen", "amount": "10"})
    assert bad.status_code == 400 and "没有名为" in bad.content.decode()
    response = clerk.post(url, {"fund": fund.pk, "person_ref": person.police_number, "dependent_name": "王小花",
                                "reason": "fallen", "amount": "1500.00", "details": "执行任务牺牲"})
    assert response.status_code == 302
    grant = ReliefGrant.objects.get(person=person)
    assert grant.dependent.name == "王小花"
    detail = reverse("care:grant_detail", args=[grant.pk])
    assert "初审通过" not in clerk.get(detail).content.decode()  # the requester is offered no approval
    clerk.post(reverse("care:grant_approve", args=[grant.pk]))
    grant.refresh_from_db()
    assert grant.status == GrantStatus.REQUESTED
    assert "初审通过" in first.get(detail).content.decode()
    first.post(reverse("care:grant_approve", args=[grant.pk]))
    second.post(reverse("care:grant_approve", args=[grant.pk]))
    grant.refresh_from_db()
    assert grant.status == GrantStatus.APPROVED
    response = first.post(reverse("care:grant_pay", args=[grant.pk]), follow=True)
    assert "已拨付" in response.content.decode()
    fund.refresh_from_db()
    assert fund.balance == Decimal("500.00")
    assert AuditEntry.objects.filter(action="fund.read", object_id=str(grant.pk)).exists()
    # A second grant larger than what is left is refused with the balance named.
    big = approved_grant(fund, person, users, amount="600.00")
    response = first.post(reverse("care:grant_pay", args=[big.pk]), follow=True)
    assert "基金余额不足" in response.content.decode()
    response = first.post(reverse("care:grant_reject", args=[big.pk]), {"reason": "余额不足，改下年度"}, follow=True)
    big.refresh_from_db()
    assert big.status == GrantStatus.REJECTED


def test_donation_form_and_reversal_screens():
    tree = Tree()
    users = fund_users(tree)
    fund = make_fund(tree.region)
    client = login_client(users["clerk"])
    url = reverse("care:fund_donate", args=[fund.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"donor": "某企业", "occurred_on": "2026-01-02", "amount": "1.234"})
    assert response.status_code == 400
    response = client.post(url, {"donor": "某企业", "occurred_on": "2999-01-02", "amount": "12.30"})
    assert response.status_code == 400 and "不能晚于今天" in response.content.decode()
    assert client.post(url, {"donor": "某企业", "occurred_on": "2026-01-02", "amount": "12.30"}).status_code == 302
    entry = LedgerEntry.objects.get(fund=fund)
    page = client.get(reverse("care:fund_entry", args=[entry.pk])).content.decode()
    assert "某企业" in page and "冲正原因" in page
    client.post(reverse("care:fund_entry_reverse", args=[entry.pk]), {"reason": ""})
    assert LedgerEntry.objects.filter(fund=fund).count() == 1
    response = client.post(reverse("care:fund_entry_reverse", args=[entry.pk]), {"reason": "重复登记"}, follow=True)
    assert "已冲正" in response.content.decode()
    fund.refresh_from_db()
    assert fund.balance == 0 and LedgerEntry.objects.filter(fund=fund).count() == 2
    assert "冲正原因" not in client.get(reverse("care:fund_entry", args=[entry.pk])).content.decode()


def test_statement_export_is_an_excel_with_opening_closing_and_totals():
    from python_calamine import CalamineWorkbook

    tree = Tree()
    users = fund_users(tree)
    fund = make_fund(tree.region, balance="300.00")
    services.grant_pay(actor=users["third"], grant=approved_grant(fund, PersonFactory(unit=tree.station), users,
                                                                 amount="120.50"))
    year = LedgerEntry.objects.filter(fund=fund).first().booked_on.year
    response = login_client(users["clerk"]).get(reverse("care:fund_statement", args=[fund.pk]), {"year": year})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    flat = [c for r in rows for c in r]
    assert "期初余额" in flat and "期末余额" in flat and "按类型合计" in flat
    closing = next(r for r in rows if r and r[0] == "期末余额")
    assert closing[4] == pytest.approx(179.50)
    assert sum(1 for r in rows if r and r[0] in (1, 2, 1.0, 2.0)) == 2


def test_fund_create_screen():
    tree = Tree()
    users = fund_users(tree)
    client = login_client(users["clerk"])
    assert "设立基金" in client.get(reverse("care:fund_home")).content.decode()
    url = reverse("care:fund_create")
    assert "自治区公安厅抚恤基金" in client.get(url).content.decode()
    assert client.post(url, {"name": ""}).status_code == 400
    response = client.post(url, {"name": "厅抚恤基金"})
    assert response.status_code == 302
    assert client.get(url).status_code == 302  # one fund per unit
    assert login_client(users["nodomain"]).get(url).status_code == 403
