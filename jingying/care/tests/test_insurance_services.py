import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jingying.accounts.roles import Role
from jingying.care.choices import ClaimStatus
from jingying.care.models.insurance import InsuredPerson
from jingying.care.selectors import insurance as selectors
from jingying.care.services import insurance as services
from jingying.care.services.support_common import id_rows_from_text
from jingying.care.tests.factories_support import make_claim, make_policy, today
from jingying.core.models import Notification
from jingying.org.tests.factories import PersonFactory, Tree, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return Tree()


@pytest.fixture
def political(tree):
    return make_user("pd", role=Role.POLITICAL, unit=tree.county)


def test_policy_validation_and_insure_by_unit_and_ids(tree, political):
    with pytest.raises(ValidationError) as exc:
        services.insurance_policy_create(actor=political, unit=tree.county, insurer="x", policy_number="P1",
                                         start=today(), end=today() - dt.timedelta(days=1),
                                         cover_per_person=Decimal("0"))
    assert {"end", "cover_per_person"} <= set(exc.value.message_dict)
    policy = make_policy(tree.county)
    a, b = PersonFactory(unit=tree.station), PersonFactory(unit=tree.station, category="auxiliary")
    out = PersonFactory(unit=tree.other_station)
    assert services.insurance_insure_unit(actor=political, policy=policy, unit=tree.station, category="police") == 1
    with pytest.raises(ValidationError) as exc:
        services.insurance_insure_ids(actor=political, policy=policy, rows=id_rows_from_text(f"{b.id_number}\n{out.id_number}"))
    assert "第 2 行" in exc.value.message_dict["id_numbers"][0]
    assert InsuredPerson.objects.count() == 1
    assert services.insurance_insure_ids(actor=political, policy=policy, rows=id_rows_from_text(f"{a.id_number} {b.id_number}")) == 1
    with pytest.raises(PermissionDenied):
        services.insurance_insure_unit(actor=political, policy=policy, unit=tree.other_station)
    with pytest.raises(ValidationError):
        services.insurance_insure_unit(actor=make_user("r", role=Role.POLITICAL, unit=tree.region), policy=policy,
                                       unit=tree.other_station)
    services.insurance_policy_update(actor=political, policy=policy, insurer="平安保险")
    insured = InsuredPerson.objects.get(person=b)
    services.insurance_uninsure(actor=political, insured=insured)


def test_claim_workflow_and_money(tree, political):
    person = PersonFactory(unit=tree.station)
    stranger = PersonFactory(unit=tree.station)
    policy = make_policy(tree.county, people=[person])
    with pytest.raises(ValidationError) as exc:
        make_claim(policy, stranger)
    assert "person" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_claim(policy, person, amount="600000.00", incident_date=policy.start - dt.timedelta(days=1))
    assert {"amount_claimed", "incident_date"} <= set(exc.value.message_dict)
    claim = make_claim(policy, person)
    assert claim.amount_claimed == Decimal("3200.50")
    with pytest.raises(ValidationError):
        services.insurance_claim_decide(actor=political, claim=claim, paid=True, amount_paid=Decimal("1"))
    services.insurance_claim_review(actor=political, claim=claim)
    with pytest.raises(ValidationError):
        services.insurance_claim_review(actor=political, claim=claim)
    with pytest.raises(ValidationError):
        services.insurance_claim_decide(actor=political, claim=claim, paid=True, amount_paid=None)
    with pytest.raises(ValidationError):
        services.insurance_claim_decide(actor=political, claim=claim, paid=True, amount_paid=Decimal("999999"))
    with pytest.raises(ValidationError):
        services.insurance_claim_decide(actor=political, claim=claim, paid=False, reason=" ")
    services.insurance_claim_decide(actor=political, claim=claim, paid=True, amount_paid=Decimal("3000.10"))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID and claim.amount_paid == Decimal("3000.10")
    with pytest.raises(ValidationError):
        services.insurance_claim_update(actor=political, claim=claim, incident="x")
    with pytest.raises(ValidationError):
        services.insurance_claim_delete(actor=political, claim=claim)
    with pytest.raises(ValidationError):
        services.insurance_policy_delete(actor=political, policy=policy)
    with pytest.raises(ValidationError):
        services.insurance_uninsure(actor=political, insured=InsuredPerson.objects.get(person=person))
    other = make_claim(policy, person, amount="100")
    services.insurance_claim_update(actor=political, claim=other, amount_claimed=Decimal("150.00"))
    services.insurance_claim_review(actor=political, claim=other)
    services.insurance_claim_decide(actor=political, claim=other, paid=False, reason="不属于意外伤害")
    other.refresh_from_db()
    assert other.status == ClaimStatus.REJECTED and other.reject_reason == "不属于意外伤害"
    third = make_claim(policy, person, amount="50")
    services.insurance_claim_delete(actor=political, claim=third)


def test_remind_expiring_once(tree):
    staff = make_user("pd", role=Role.POLITICAL, unit=tree.county)
    make_user("ld", role=Role.LEADER, unit=tree.county)
    policy = make_policy(tree.county, end=today() + dt.timedelta(days=20))
    make_policy(tree.county, number="LATER", end=today() + dt.timedelta(days=200))
    assert services.insurance_remind_expiring() == 1
    assert Notification.objects.get(user=staff).url.endswith(f"/policies/{policy.pk}/")
    assert services.insurance_remind_expiring() == 0
    services.insurance_policy_update(actor=staff, policy=policy, end=today() + dt.timedelta(days=25))
    assert services.insurance_remind_expiring() == 1


def test_scope_county_and_officer(tree):
    mine = PersonFactory(unit=tree.station)
    other = PersonFactory(unit=tree.station)
    out = PersonFactory(unit=tree.other_station)
    policy = make_policy(tree.region, people=[mine, other, out])
    c1, c2, c3 = make_claim(policy, mine), make_claim(policy, other), make_claim(policy, out)
    county = make_user("ld", role=Role.LEADER, unit=tree.county)
    officer = make_user("of", role=Role.OFFICER, unit=tree.station, person=mine)
    assert set(selectors.insurance_claim_list(actor=county)[0]) == {c1, c2}
    assert list(selectors.insurance_claim_list(actor=officer)[0]) == [c1]
    assert list(selectors.insurance_policy_list(actor=county)[0]) == []
    assert list(selectors.my_policies(mine.pk)) == [policy]
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.access_insurance_claim(officer, c2.pk)
    with pytest.raises(Http404):
        selectors.access_insurance_claim(county, c3.pk)
    assert policy_insured_count(county, policy) == 2


def policy_insured_count(actor, policy):
    return selectors.policy_insured(actor, policy).count()


def test_policy_moves_and_deletes_and_unknown_fields(tree, political):
    policy = make_policy(tree.county, number="MOVE")
    services.insurance_policy_update(actor=political, policy=policy, unit=tree.station)
    assert InsuredPerson.objects.count() == 0
    with pytest.raises(ValueError, match="unknown"):
        services.insurance_policy_update(actor=political, policy=policy, bogus=1)
    with pytest.raises(PermissionDenied):
        services.insurance_policy_update(actor=political, policy=policy, unit=tree.other_county)
    with pytest.raises(ValidationError):
        services.insurance_insure_unit(actor=political, policy=policy, unit=tree.station)
    services.insurance_policy_delete(actor=political, policy=policy)
    person = PersonFactory(unit=tree.station)
    other = make_policy(tree.county, number="OTHER", people=[person])
    claim = make_claim(other, person)
    with pytest.raises(ValueError, match="unknown"):
        services.insurance_claim_update(actor=political, claim=claim, status="paid")
    with pytest.raises(ValidationError):
        make_claim(other, person, incident_date=today() + dt.timedelta(days=1))
    with pytest.raises(ValidationError):
        make_claim(other, person, submitted_on=today() - dt.timedelta(days=30))
