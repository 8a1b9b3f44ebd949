"""Officer self-service for every account linked to a person, whatever its role (decision 0014).

A leader, a political-department clerk or a counsellor is also an officer: they raise and rate
their own concerns, see their own rights cases, insurance, equipment, childcare and health page,
and answer their surveys, through the same self paths an officer uses; those paths still show
nobody else's records. The 三员 get none of it, even when their account is linked to a person.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from jingying.accounts.roles import ADMIN_ROLES, ROLE_SPECS, SELF_SERVICE, Role
from jingying.care.models import Concern
from jingying.care.services import concerns as concern_services
from jingying.care.tests.factories_cases import make_concern
from jingying.care.tests.factories_fund import make_issue, make_type
from jingying.care.tests.factories_support import make_case, make_policy, make_programme, today
from jingying.core.scoping import has_perm, restrict
from jingying.core.testing import login_client
from jingying.health.services import counselling
from jingying.org.tests.factories import DependentFactory, PersonFactory, Tree, make_user

pytestmark = pytest.mark.django_db

SELF_PAGES = ["care:concern_mine", "care:childcare_mine", "care:insurance_mine", "health:me", "surveys:mine"]


def test_every_business_role_holds_the_one_self_service_set_and_the_three_admins_none() -> None:
    # The union of what an officer may do on their own records, in every module.
    assert {"care.add_concern", "care.rate_concern", "care.view_concern", "care.view_rightscase",
            "care.respond_rightscase", "care.view_insurance", "care.enrol_childcare", "care.view_equipment",
            "health.view_own_health", "health.take_screening", "health.book_session", "health.ask_question",
            "surveys.answer_campaign", "org.view_person", "org.view_dependent"} <= SELF_SERVICE
    for role in Role:
        spec = ROLE_SPECS[role]
        if role in ADMIN_ROLES:
            assert not spec.self_permissions, role
        else:
            assert spec.self_permissions >= SELF_SERVICE, role
    assert ROLE_SPECS[Role.OFFICER].self_permissions == SELF_SERVICE


@pytest.fixture
def world() -> dict[str, Any]:
    t = Tree()
    me = PersonFactory(unit=t.station, name="所长本人")
    subordinate = PersonFactory(unit=t.station, name="所里民警")
    stranger = PersonFactory(unit=t.other_station, name="外单位民警")
    # A political clerk working at the 厅政治部, granted one county elsewhere: their own unit lies
    # outside the grant, so only the self path reaches their records.
    clerk_p = PersonFactory(unit=t.region_pd, name="政工干部本人")
    counsellor_p = PersonFactory(unit=t.city, name="咨询师本人")
    admin_p = PersonFactory(unit=t.region_pd, name="系统管理员本人")
    return {
        "tree": t, "me": me, "sub": subordinate, "stranger": stranger, "clerk_p": clerk_p, "admin_p": admin_p,
        "leader": make_user("station", role=Role.LEADER, unit=t.station, person=me),
        "clerk": make_user("clerk", role=Role.POLITICAL, unit=t.other_county, person=clerk_p),
        "counsellor": make_user("psy", role=Role.COUNSELLOR, unit=t.region, person=counsellor_p, domains=["psych"]),
        "admin": make_user("sys", role=Role.SYSADMIN, unit=t.region, person=admin_p),
    }


def test_leader_raises_and_rates_their_own_concern(world: dict[str, Any]) -> None:
    leader = login_client(world["leader"])
    home = leader.get(reverse("core:home")).content.decode()
    assert reverse("care:concern_mine") in home  # 我的诉求 offered (menu and home tile)
    # From 我的诉求 the form is the self form (no person picker) even for staff who may record others'.
    page = leader.get(reverse("care:concern_create") + "?for=self").content.decode()
    assert 'name="person"' not in page
    response = leader.post(reverse("care:concern_create") + "?for=self",
                           {"category": "family", "urgency": "normal", "title": "家中老人住院"})
    assert response.status_code == 302
    concern = Concern.objects.get(title="家中老人住院")
    assert concern.person == world["me"] and concern.source == "self"
    assert "家中老人住院" in leader.get(reverse("care:concern_mine")).content.decode()
    # The leader never handles their own concern, though it lies in their subtree; the other
    # handlers or the units above (here a county leader) do, and the leader then rates it.
    with pytest.raises(PermissionDenied):
        concern_services.concern_accept(actor=world["leader"], concern=concern)
    assert leader.post(reverse("care:concern_accept", args=[concern.pk])).status_code == 403
    county = make_user("county", role=Role.LEADER, unit=world["tree"].county)
    concern_services.concern_accept(actor=county, concern=concern)
    concern_services.concern_resolve(actor=county, concern=concern, note="已协调")
    assert 'id="rate-form"' in leader.get(reverse("care:concern_detail", args=[concern.pk])).content.decode()
    leader.post(reverse("care:concern_rate", args=[concern.pk]), {"rating": "5"})
    concern.refresh_from_db()
    assert concern.rating == 5
    # A subordinate's concern is seen as the leader's subtree, but never rated by the leader.
    theirs = make_concern(world["sub"], status="resolved")
    with pytest.raises(PermissionDenied):
        concern_services.concern_rate(actor=world["leader"], concern=theirs, rating=1)


def test_every_self_page_opens_for_business_roles(world: dict[str, Any]) -> None:
    for who in ("leader", "clerk", "counsellor"):
        client = login_client(world[who])
        home = client.get(reverse("core:home")).content.decode()
        assert reverse("org:person_detail", args=[world[who].person_id]) in home  # 我的档案
        for name in SELF_PAGES:
            assert reverse(name) in home, (who, name)  # the menu entry and the home tile
            assert client.get(reverse(name)).status_code == 200, (who, name)


def test_clerk_sees_own_records_outside_their_grant_and_nobody_elses(world: dict[str, Any]) -> None:
    t, clerk_user, clerk_p = world["tree"], world["clerk"], world["clerk_p"]
    clerk = login_client(clerk_user)
    own = make_concern(clerk_p, title="本人诉求")
    other = make_concern(world["sub"], title="别人的诉求")  # under the station, outside the clerk's grant
    assert clerk.get(reverse("care:concern_detail", args=[own.pk])).status_code == 200
    assert clerk.get(reverse("care:concern_detail", args=[other.pk])).status_code == 404
    mine = clerk.get(reverse("care:concern_mine")).content.decode()
    assert "本人诉求" in mine and "别人的诉求" not in mine
    # Rights case, insurance, equipment (on the own profile), childcare, dependents.
    own_case, other_case = make_case(t.region_pd, [clerk_p]), make_case(t.station, [world["sub"]])
    assert clerk.get(reverse("care:rights_detail", args=[own_case.pk])).status_code == 200
    assert clerk.get(reverse("care:rights_detail", args=[other_case.pk])).status_code == 404
    make_policy(t.region, number="PICC-OWN", people=[clerk_p])
    make_policy(t.station, number="PICC-OTHER", people=[world["sub"]])
    insurance = clerk.get(reverse("care:insurance_mine")).content.decode()
    assert "PICC-OWN" in insurance and "PICC-OTHER" not in insurance
    vest = make_type("防刺服")
    make_issue(clerk_p, vest, today())
    make_issue(world["sub"], make_type("头盔"), today())
    profile = clerk.get(reverse("org:person_detail", args=[clerk_p.pk])).content.decode()
    assert "防刺服" in profile and "头盔" not in profile
    assert clerk.get(reverse("org:person_detail", args=[world["sub"].pk])).status_code == 404
    child = DependentFactory(person=clerk_p, name="本人孩子")
    make_programme(t.region, name="厅机关暑期托管班")
    childcare = clerk.get(reverse("care:childcare_mine")).content.decode()
    assert "厅机关暑期托管班" in childcare and child.name in childcare
    # Inside the grant (the other county) the clerk still sees staff lists as before.
    stranger_concern = make_concern(world["stranger"], title="外单位诉求")
    assert set(restrict(Concern.objects.all(), clerk_user, "care.view_concern")) == {own, stranger_concern}


def test_counsellor_self_path_shows_own_records_only(world: dict[str, Any]) -> None:
    counsellor = world["counsellor"]
    own = make_concern(counsellor.person, title="咨询师本人诉求")
    other = make_concern(world["sub"])
    assert list(restrict(Concern.objects.all(), counsellor, "care.view_concern")) == [own]
    client = login_client(counsellor)
    assert client.get(reverse("care:concern_detail", args=[other.pk])).status_code == 404
    # Self-service raises one's own concern only, never one for somebody else.
    with pytest.raises(PermissionDenied):
        concern_services.concern_raise(actor=counsellor, person=world["sub"], category="family", title="代提")
    # A self-only permission shows its profile panel on one's own profile, not as an empty panel
    # on everyone else's.
    other_profile = client.get(reverse("org:person_detail", args=[world["sub"].pk])).content.decode()
    assert 'id="care-concerns"' not in other_profile
    own_profile = client.get(reverse("org:person_detail", args=[counsellor.person_id])).content.decode()
    assert 'id="care-concerns"' in own_profile and "咨询师本人诉求" in own_profile


def test_administrator_linked_to_a_person_gets_no_self_service(world: dict[str, Any]) -> None:
    admin, admin_p = world["admin"], world["admin_p"]
    for perm in SELF_SERVICE:
        assert not has_perm(admin, perm), perm
    own = make_concern(admin_p, title="管理员本人诉求")
    client = login_client(admin)
    for name in SELF_PAGES:
        assert client.get(reverse(name)).status_code == 403, name
    assert client.get(reverse("care:concern_create")).status_code == 403
    assert client.get(reverse("care:concern_detail", args=[own.pk])).status_code == 404
    assert client.get(reverse("org:person_detail", args=[admin_p.pk])).status_code == 404
    home = client.get(reverse("core:home")).content.decode()
    for name in SELF_PAGES:
        assert reverse(name) not in home, name
    assert "我的档案" not in home
    with pytest.raises(PermissionDenied):
        concern_services.concern_raise(actor=admin, person=admin_p, category="family", title="本人诉求")
    with pytest.raises(PermissionDenied):
        counselling.session_book(actor=admin, slot_id=1)
