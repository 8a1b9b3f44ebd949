"""The relief-fund and equipment API: same rules as the screens, JSON errors in Chinese, pinned
list queries, scope (a county sees its own only)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jingying.accounts.roles import Role
from jingying.care.models import EquipmentIssue
from jingying.care.tests.factories_fund import approved_grant, fund_users, make_fund, make_grant, make_issue, make_type
from jingying.core.models import AuditEntry
from jingying.core.testing import login_client
from jingying.org.tests.factories import DependentFactory, PersonFactory, Tree, make_user

pytestmark = pytest.mark.django_db


def post(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


@pytest.fixture
def api():
    tree = Tree()
    users = fund_users(tree)
    fund = make_fund(tree.region, balance="1000.00")
    return tree, users, fund, {k: login_client(u) for k, u in users.items()}


def test_fund_lists_and_details(api):
    _tree, _users, fund, c = api
    assert c["clerk"].get(reverse("api:fund_funds")).json()["items"][0]["balance"] == "1000.00"
    entries = c["clerk"].get(reverse("api:fund_entries", kwargs={"fund_id": fund.pk})).json()
    assert entries["count"] == 1 and entries["items"][0]["kind"] == "donation"
    entry_id = entries["items"][0]["id"]
    assert c["clerk"].get(reverse("api:fund_entry_detail", kwargs={"entry_id": entry_id})).status_code == 200
    assert AuditEntry.objects.filter(action="fund.read", object_id=str(entry_id)).exists()
    assert c["nodomain"].get(reverse("api:fund_funds")).status_code == 403
    assert c["nodomain"].get(reverse("api:fund_entry_detail", kwargs={"entry_id": entry_id})).status_code == 404
    assert Client_anonymous_status(reverse("api:fund_funds")) == 401


def Client_anonymous_status(url):  # noqa: N802 - reads as a sentence in the test
    from django.test import Client

    return Client().get(url).status_code


def test_grant_workflow_over_the_api(api):
    tree, _users, fund, c = api
    person = PersonFactory(unit=tree.station)
    dep = DependentFactory(person=person)
    other_dep = DependentFactory(person=PersonFactory(unit=tree.station))
    url = reverse("api:fund_grant_request")
    bad = post(c["clerk"], url, {"fund_id": fund.pk, "person_id": person.pk, "reason": "fallen", "amount": "1.234"})
    assert bad.status_code == 422 and "两位小数" in bad.json()["errors"]["amount"][0]
    bad = post(c["clerk"], url, {"fund_id": 999999, "person_id": 999999, "reason": "fallen", "amount": "1"})
    assert set(bad.json()["errors"]) == {"fund_id", "person_id"}
    bad = post(c["clerk"], url, {"fund_id": fund.pk, "person_id": person.pk, "dependent_id": other_dep.pk,
                                 "reason": "fallen", "amount": "1"})
    assert "dependent_id" in bad.json()["errors"]
    created = post(c["clerk"], url, {"fund_id": fund.pk, "person_id": person.pk, "dependent_id": dep.pk,
                                     "reason": "injured", "amount": 800.5})
    assert created.status_code == 201 and created.json()["amount"] == "800.50"
    gid = created.json()["id"]
    own = post(c["clerk"], reverse("api:fund_grant_approve", kwargs={"grant_id": gid}))
    assert own.status_code == 422 and "申请人不能审批" in own.json()["errors"]["__all__"][0]
    assert post(c["first"], reverse("api:fund_grant_approve", kwargs={"grant_id": gid})).json()["status"] == \
        "first_approved"
    assert post(c["second"], reverse("api:fund_grant_approve", kwargs={"grant_id": gid})).json()["status"] == \
        "approved"
    paid = post(c["third"], reverse("api:fund_grant_pay", kwargs={"grant_id": gid}))
    assert paid.status_code == 201 and paid.json()["amount"] == "-800.50" and paid.json()["balance_after"] == "199.50"
    reversal = post(c["clerk"], reverse("api:fund_entry_reverse", kwargs={"entry_id": paid.json()["id"]}),
                    {"reason": "银行退票"})
    assert reversal.status_code == 201 and reversal.json()["amount"] == "800.50"
    again = post(c["clerk"], reverse("api:fund_entry_reverse", kwargs={"entry_id": paid.json()["id"]}),
                 {"reason": "x"})
    assert again.status_code == 422
    grants = c["clerk"].get(reverse("api:fund_grants"), {"status": "reversed"}).json()
    assert grants["count"] == 1 and grants["items"][0]["status"] == "reversed"
    assert c["clerk"].get(reverse("api:fund_grant_detail", kwargs={"grant_id": gid})).json()["person_id"] == person.pk


def test_overdraft_and_rejection_over_the_api(api):
    tree, users, fund, c = api
    grant = approved_grant(fund, PersonFactory(unit=tree.station), users, amount="1000.01")
    refused = post(c["third"], reverse("api:fund_grant_pay", kwargs={"grant_id": grant.pk}))
    assert refused.status_code == 422 and "基金余额不足" in refused.json()["errors"]["__all__"][0]
    no_reason = post(c["third"], reverse("api:fund_grant_reject", kwargs={"grant_id": grant.pk}), {"reason": ""})
    assert no_reason.status_code == 422
    rejected = post(c["third"], reverse("api:fund_grant_reject", kwargs={"grant_id": grant.pk}), {"reason": "超额"})
    assert rejected.json()["status"] == "rejected"
    donated = post(c["clerk"], reverse("api:fund_donate", kwargs={"fund_id": fund.pk}),
                   {"donor": "校友会", "occurred_on": "2026-01-01", "amount": "0.01"})
    assert donated.status_code == 201 and donated.json()["balance_after"] == "1000.01"


def test_county_sees_its_own_grants_only_and_list_queries_are_constant(api):
    tree, _users, fund, c = api
    make_grant(fund, PersonFactory(unit=tree.other_station))
    c["county"].get(reverse("api:fund_grants"))  # warm the session
    for n in (3, 30):
        while fund.grants.filter(person__unit=tree.station).count() < n:
            make_grant(fund, PersonFactory(unit=tree.station))
        with CaptureQueriesContext(connection) as ctx:
            data = c["county"].get(reverse("api:fund_grants"), {"limit": 100}).json()
        assert data["count"] == n
        counts = len(ctx.captured_queries)
        if n == 3:
            first = counts
    assert counts == first == 7


def test_equipment_api():
    tree = Tree()
    leader = make_user("eqa_leader", role=Role.LEADER, unit=tree.county)
    person = PersonFactory(unit=tree.station)
    officer = make_user("eqa_officer", role=Role.OFFICER, unit=tree.station, person=person)
    vest = make_type("防刺服", 36)
    outsider = make_issue(PersonFactory(unit=tree.other_station), vest, dt.date(2025, 1, 1))
    c = login_client(leader)
    created = post(c, reverse("api:equipment_issue_add"),
                   {"person_id": person.pk, "type": "防刺服", "issued_on": "2025-02-01"})
    assert created.status_code == 201 and created.json()["expires_on"] == "2028-02-01"
    bad = post(c, reverse("api:equipment_issue_add"), {"person_id": outsider.person_id, "type": "x",
                                                       "issued_on": "2025-02-01"})
    assert bad.status_code == 422 and "person_id" in bad.json()["errors"]
    bad = post(c, reverse("api:equipment_issue_add"), {"person_id": person.pk, "type": "飞毯", "issued_on": "2025-02-01"})
    assert "type" in bad.json()["errors"]
    listing = c.get(reverse("api:equipment_issues")).json()
    assert listing["count"] == 1
    iid = created.json()["id"]
    assert login_client(officer).get(reverse("api:equipment_issue_detail", kwargs={"issue_id": iid})).status_code == 200
    assert c.get(reverse("api:equipment_issue_detail", kwargs={"issue_id": outsider.pk})).status_code == 404
    returned = post(c, reverse("api:equipment_issue_return_api", kwargs={"issue_id": iid}), {"replaced": True})
    assert returned.json()["status"] == "replaced"
    assert EquipmentIssue.objects.get(pk=iid).returned_on is not None
    types = login_client(officer).get(reverse("api:equipment_types_api")).json()
    assert types[0]["name"] == "防刺服"


def test_equipment_api_list_queries_are_constant():
    tree = Tree()
    leader = make_user("eqq_leader", role=Role.LEADER, unit=tree.county)
    vest = make_type()
    c = login_client(leader)
    c.get(reverse("api:equipment_issues"))
    counts = []
    for n in (5, 40):
        while EquipmentIssue.objects.count() < n:
            make_issue(PersonFactory(unit=tree.station), vest, dt.date(2025, 1, 1))
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(reverse("api:equipment_issues"), {"limit": 100}).json()["count"] == n
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] == 7
