"""Insurance screens: generic suites for policies and claims, insuring people, the claim steps."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from jingying.accounts.roles import Role
from jingying.care.models.insurance import InsuranceClaim, InsurancePolicy, InsuredPerson
from jingying.care.tests.factories_support import make_claim, make_policy, today
from jingying.care.tests.support_suites import SupportViewTests, tree_scope
from jingying.core.testing import (
    Scope,
    login_client,
)
from jingying.org.tests.factories import PersonFactory, Tree, make_user

pytestmark = pytest.mark.django_db


def policy_data(unit: Any, number: str = "NEW-1", insurer: str = "太平洋保险") -> dict[str, Any]:
    return {"unit": unit.pk, "insurer": insurer, "policy_number": number, "name": "团体意外伤害保险",
            "start": today().isoformat(), "end": (today() + dt.timedelta(days=365)).isoformat(),
            "cover_per_person": "300000.00", "notes": ""}


class TestPolicyViews(SupportViewTests):
    model = InsurancePolicy
    urls = "care:policy_"
    # session, user, login security, grants, COUNT, the page (insured counted in it).
    list_queries = 6

    def build(self) -> Scope:
        return tree_scope(lambda unit, number: make_policy(unit, number=number),
                          inside=("county", "IN-001"), outside=("other_county", "OUT-001"))

    def label(self, obj: Any) -> str:
        return obj.policy_number

    def make_row(self, scope: Scope, i: int) -> None:
        make_policy(scope.extra["tree"].county, number=f"ROW-{i}-{InsurancePolicy.objects.count()}")

    def create_target(self, scope: Scope, *, inside: bool) -> tuple[str, dict[str, Any]]:
        tree = scope.extra["tree"]
        return reverse(self.create_url), policy_data(tree.county if inside else tree.other_county)

    def edit_data(self, scope: Scope, obj: Any) -> dict[str, Any]:
        return policy_data(obj.unit, number=obj.policy_number, insurer="改过的保险公司")

    def was_edited(self, obj: Any) -> bool:
        return InsurancePolicy.objects.get(pk=obj.pk).insurer == "改过的保险公司"


class TestClaimViews(SupportViewTests):
    model = InsuranceClaim
    urls = "care:claim_"
    list_queries = 6

    def build(self) -> Scope:
        tree = Tree()
        a = PersonFactory(unit=tree.station, name="理赔甲")
        b = PersonFactory(unit=tree.other_station, name="理赔乙")
        policy = make_policy(tree.region, people=[a, b])
        return Scope(inside=make_claim(policy, a), outside=make_claim(policy, b),
                     user=make_user("pd", role=Role.POLITICAL, unit=tree.city), nobody=make_user("nobody"),
                     reader=make_user("leader", role=Role.LEADER, unit=tree.city),
                     extra={"tree": tree, "policy": policy, "a": a, "b": b})

    def label(self, obj: Any) -> str:
        return obj.person.name

    def make_row(self, scope: Scope, i: int) -> None:
        make_claim(scope.extra["policy"], scope.extra["a"])

    def visible_rows(self, scope: Scope) -> int:
        return InsuranceClaim.objects.filter(person=scope.extra["a"]).count()

    def create_target(self, scope: Scope, *, inside: bool) -> tuple[str, dict[str, Any]]:
        person = scope.extra["a" if inside else "b"]
        return reverse(self.create_url), {"policy": scope.extra["policy"].pk, "person": person.police_number,
                                          "incident_date": today().isoformat(), "incident": "执勤摔伤",
                                          "amount_claimed": "1200.00", "submitted_on": ""}

    def edit_data(self, scope: Scope, obj: Any) -> dict[str, Any]:
        return {"incident_date": obj.incident_date.isoformat(), "incident": "改过的经过", "amount_claimed": "99.99",
                "submitted_on": obj.submitted_on.isoformat()}

    def was_edited(self, obj: Any) -> bool:
        return InsuranceClaim.objects.get(pk=obj.pk).incident == "改过的经过"


def test_insure_and_claim_steps_through_screens():
    tree = Tree()
    staff = make_user("pd", role=Role.POLITICAL, unit=tree.county)
    people = [PersonFactory(unit=tree.station) for _ in range(3)]
    policy = make_policy(tree.county)
    client = login_client(staff)
    insure = reverse("care:policy_insure", args=[policy.pk])
    assert client.get(insure).status_code == 200
    assert client.post(insure, {}).status_code == 400
    bad = client.post(insure, {"id_numbers": f"{people[0].id_number}\n110101199001011234"})
    assert bad.status_code == 400 and "第 2 行" in bad.content.decode()
    assert client.post(insure, {"id_numbers": people[0].id_number}).status_code == 302
    assert client.post(insure, {"unit": tree.station.pk}).status_code == 302
    assert InsuredPerson.objects.filter(policy=policy).count() == 3
    detail = client.get(reverse("care:policy_detail", args=[policy.pk])).content.decode()
    assert detail.count("<tr data-row>") == 3
    removed = InsuredPerson.objects.get(person=people[2])
    client.post(reverse("care:policy_uninsure", args=[removed.pk]))
    claim = make_claim(policy, people[0])
    client.post(reverse("care:claim_decide", args=[claim.pk]), {"outcome": "paid", "amount_paid": "10"})
    assert InsuranceClaim.objects.get(pk=claim.pk).status == "submitted"
    client.post(reverse("care:claim_review", args=[claim.pk]))
    client.post(reverse("care:claim_review", args=[claim.pk]))
    client.post(reverse("care:claim_decide", args=[claim.pk]), {"outcome": "maybe"})
    client.post(reverse("care:claim_decide", args=[claim.pk]), {"outcome": "paid", "amount_paid": "3000.25"})
    claim.refresh_from_db()
    assert claim.status == "paid" and claim.amount_paid == Decimal("3000.25")
    assert client.post(reverse("care:claim_delete", args=[claim.pk])).status_code == 400
    assert client.post(reverse("care:policy_delete", args=[policy.pk])).status_code == 400
    for name in ("care:policy_list_export", "care:claim_list_export"):
        assert client.get(reverse(name)).status_code == 200
    assert client.get(reverse("care:policy_export", args=[policy.pk])).status_code == 200
    # The officer sees their own insurance and claim, and nobody else's.
    officer = login_client(make_user("of", role=Role.OFFICER, unit=tree.station, person=people[0]))
    mine = officer.get(reverse("care:insurance_mine")).content.decode()
    assert policy.policy_number in mine and "3200.50" in mine
    assert officer.get(reverse("care:claim_detail", args=[claim.pk])).status_code == 200
    other = make_claim(policy, people[1])
    assert officer.get(reverse("care:claim_detail", args=[other.pk])).status_code == 404
    assert officer.get(reverse("care:policy_detail", args=[policy.pk])).status_code == 404
    assert "没有关联人员档案" in client.get(reverse("care:insurance_mine")).content.decode()
