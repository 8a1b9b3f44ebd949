"""三员分立 and the security administrator's screens."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jingying.accounts import services
from jingying.accounts.login_rules import SESSION_SECOND_FACTOR
from jingying.accounts.models import Grant, LoginSecurity, User
from jingying.accounts.roles import Role
from jingying.core.models import AuditEntry
from jingying.org.tests.factories import PersonFactory, Tree, make_user

pytestmark = pytest.mark.django_db
NEXT_YEAR = timezone.now() + dt.timedelta(days=365)


@pytest.fixture
def tree():
    return Tree()


@pytest.fixture
def secadmin(tree):
    return make_user("secadmin", role=Role.SECADMIN, unit=tree.region)


def test_secadmin_grants_with_reason_and_expiry_and_it_is_audited(tree, secadmin):
    user = make_user("someone")
    grant = services.grant_create(actor=secadmin, user=user, role=Role.LEADER, unit=tree.county,
                                  reason="任命为分局领导", expires_at=NEXT_YEAR)
    entry = AuditEntry.objects.get(action="accounts.grant.create")
    assert entry.actor == secadmin
    assert entry.reason == "任命为分局领导"
    assert entry.after["unit"] == tree.county.code
    services.grant_revoke(actor=secadmin, grant=grant, reason="调离")
    assert not Grant.objects.active().filter(pk=grant.pk).exists()


def test_reason_and_expiry_are_required(tree, secadmin):
    user = make_user("someone")
    with pytest.raises(ValidationError) as exc:
        services.grant_create(actor=secadmin, user=user, role=Role.LEADER, unit=tree.county, reason=" ", expires_at=None)
    assert set(exc.value.message_dict) == {"reason", "expires_at"}


def test_secadmin_cannot_grant_to_themself(tree, secadmin):
    with pytest.raises(ValidationError, match="自己"):
        services.grant_create(actor=secadmin, user=secadmin, role=Role.POLITICAL, unit=tree.region,
                              reason="x", expires_at=NEXT_YEAR)


@pytest.mark.parametrize(("first", "second"), [(Role.SYSADMIN, Role.AUDITOR), (Role.AUDITOR, Role.SECADMIN),
                                          (Role.SYSADMIN, Role.POLITICAL), (Role.POLITICAL, Role.AUDITOR)])
def test_no_account_holds_two_of_the_three_roles(tree, secadmin, first, second):
    user = make_user("x", role=first, unit=tree.region)
    with pytest.raises(ValidationError, match="三员分立"):
        services.grant_create(actor=secadmin, user=user, role=second, unit=tree.region, reason="x", expires_at=NEXT_YEAR)


def test_only_the_security_administrator_grants(tree):
    sysadmin = make_user("sys", role=Role.SYSADMIN, unit=tree.region)
    pd = make_user("pd", role=Role.POLITICAL, unit=tree.region)
    user = make_user("someone")
    for actor in (sysadmin, pd):
        with pytest.raises(PermissionDenied):
            services.grant_create(actor=actor, user=user, role=Role.LEADER, unit=tree.county, reason="x", expires_at=NEXT_YEAR)


def _sign_in(client, user):
    client.force_login(user)
    session = client.session
    session[SESSION_SECOND_FACTOR] = True
    session.save()


def test_auditor_and_sysadmin_read_no_personal_data_and_cannot_manage_accounts(client, tree):
    person = PersonFactory(unit=tree.station, name="保密人员")
    for role in (Role.AUDITOR, Role.SYSADMIN):
        _sign_in(client, make_user(role, role=role, unit=tree.region))
        assert client.get("/accounts/users/").status_code == 403
        listing = client.get("/org/people/")
        assert "保密人员" not in listing.content.decode()
        assert client.get(f"/org/people/{person.pk}/").status_code in (403, 404)


def test_user_created_by_secadmin_must_change_password(client, tree, secadmin):
    user = services.user_create(actor=secadmin, username="newbie", raw_password="Start-pass-1")
    assert LoginSecurity.objects.get(user=user).must_change_password
    with pytest.raises(ValidationError):
        services.user_create(actor=secadmin, username="weak", raw_password="password")
    assert not User.objects.filter(username="weak").exists()


def test_secadmin_screens_grant_and_revoke(client, tree, secadmin):
    _sign_in(client, secadmin)
    user = make_user("someone")
    assert client.get("/accounts/users/").status_code == 200
    page = client.get(f"/accounts/users/{user.pk}/")
    assert page.status_code == 200
    bad = client.post(f"/accounts/users/{user.pk}/", {"grant-role": Role.LEADER, "grant-unit": "nope",
                                                      "grant-reason": "x", "grant-expires_at": "2030-01-01"})
    assert bad.status_code == 400
    assert "找不到代码" in bad.content.decode()
    ok = client.post(f"/accounts/users/{user.pk}/", {"grant-role": Role.LEADER, "grant-unit": tree.county.code,
                                                     "grant-reason": "任命", "grant-expires_at": "2030-01-01"})
    assert ok.status_code == 302
    grant = Grant.objects.get(user=user)
    assert client.post(f"/accounts/grants/{grant.pk}/revoke/", {"reason": "调离"}).status_code == 302
    assert not Grant.objects.active().filter(user=user).exists()


def test_secadmin_creates_an_account_linked_to_a_person(client, tree, secadmin):
    person = PersonFactory(unit=tree.station)
    _sign_in(client, secadmin)
    assert client.get("/accounts/users/new/").status_code == 200
    unknown = client.post("/accounts/users/new/", {"username": "zhang", "police_or_id": "999999",
                                                    "password": "Start-pass-1"})
    assert unknown.status_code == 400
    assert "找不到警号" in unknown.content.decode()
    weak = client.post("/accounts/users/new/", {"username": "zhang", "password": "short"})
    assert weak.status_code == 400
    assert not User.objects.filter(username="zhang").exists()
    ok = client.post("/accounts/users/new/", {"username": "zhang", "display_name": "张",
                                               "police_or_id": person.police_number, "password": "Start-pass-1"})
    assert ok.status_code == 302
    user = User.objects.get(username="zhang")
    assert user.person == person
    again = client.post("/accounts/users/new/", {"username": "ZHANG", "password": "Start-pass-1"})
    assert "已存在" in again.content.decode()
    assert client.get("/accounts/users/", {"q": "zhang"}).content.decode().count("zhang") >= 1


def test_secadmin_account_actions_are_audited(client, tree, secadmin):
    from jingying.accounts.models import LoginThrottle

    target = make_user("target", role=Role.LEADER, unit=tree.county)
    LoginSecurity.objects.create(user=target, totp_secret="ABC", totp_confirmed_at=timezone.now())
    LoginThrottle.objects.create(kind="account", key="target", failures=0,
                                 locked_until=timezone.now() + dt.timedelta(minutes=10))
    _sign_in(client, secadmin)
    base = f"/accounts/users/{target.pk}"
    assert "target" in client.get("/accounts/users/").content.decode()  # the lock is listed
    client.post(f"{base}/unlock/")
    assert not LoginThrottle.objects.filter(key="target", locked_until__gt=timezone.now()).exists()
    client.post(f"{base}/totp/")
    assert LoginSecurity.objects.get(user=target).totp_confirmed_at is None
    client.post(f"{base}/password/", {"password": "Temp-pass-9"})
    target.refresh_from_db()
    assert target.check_password("Temp-pass-9")
    assert LoginSecurity.objects.get(user=target).must_change_password
    client.post(f"{base}/deactivate/", {"reason": ""})  # a reason is required
    target.refresh_from_db()
    assert target.is_active
    client.post(f"{base}/deactivate/", {"reason": "离职"})
    target.refresh_from_db()
    assert not target.is_active
    client.post(f"{base}/activate/", {"reason": "返岗"})
    target.refresh_from_db()
    assert target.is_active
    assert client.post(f"{base}/explode/").status_code == 404
    actions = set(AuditEntry.objects.filter(actor=secadmin).values_list("action", flat=True))
    assert {"accounts.unlock", "accounts.totp_reset", "accounts.password_set",
            "accounts.user.deactivate", "accounts.user.activate"} <= actions


def test_secadmin_cannot_act_on_their_own_account(tree, secadmin):
    with pytest.raises(ValidationError):
        services.user_set_active(actor=secadmin, user=secadmin, active=False, reason="x")
    with pytest.raises(ValidationError):
        services.user_reset_password(actor=secadmin, user=secadmin, raw_password="Other-pass-1")
    grant = secadmin.grants.get()
    with pytest.raises(ValidationError):
        services.grant_revoke(actor=secadmin, grant=grant, reason="x")


def test_grant_revoke_needs_a_reason_and_rejects_unknown_domains(client, tree, secadmin):
    user = make_user("someone", role=Role.LEADER, unit=tree.county)
    grant = user.grants.get()
    _sign_in(client, secadmin)
    client.post(f"/accounts/grants/{grant.pk}/revoke/", {"reason": ""})
    assert Grant.objects.active().filter(pk=grant.pk).exists()
    with pytest.raises(ValidationError) as exc:
        services.grant_create(actor=secadmin, user=user, role="nobody", unit=tree.county, reason="x",
                              expires_at=NEXT_YEAR, domains=["nonsense"])
    assert {"role", "domains"} <= set(exc.value.message_dict)
    past = timezone.now() - dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="晚于"):
        services.grant_create(actor=secadmin, user=user, role=Role.LEADER, unit=tree.county, reason="x",
                              expires_at=past)


def test_account_selectors_refuse_everyone_but_the_security_administrator(tree, secadmin):
    from django.http import Http404

    from jingying.accounts import selectors

    pd = make_user("pd", role=Role.POLITICAL, unit=tree.region)
    with pytest.raises(PermissionDenied):
        selectors.user_list(actor=pd)
    with pytest.raises(PermissionDenied):
        selectors.grant_history(actor=pd, user=pd)
    with pytest.raises(Http404):
        selectors.access_user(secadmin, 987654)
    assert selectors.access_user(secadmin, pd.pk) == pd
