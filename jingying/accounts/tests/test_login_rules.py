"""Every login rule of the security issue, driven through the real login pages."""

import datetime as dt

import pyotp
import pytest
from django.test import Client
from django.utils import timezone

from jingying.accounts import login_rules
from jingying.accounts.models import LoginSecurity
from jingying.accounts.roles import Domain, Role
from jingying.core.models import AuditEntry
from jingying.org.tests.factories import Tree, make_user

pytestmark = pytest.mark.django_db
PASSWORD = "Pass-word-1"


@pytest.fixture
def tree():
    return Tree()


def _login(client, username, password=PASSWORD, address="10.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_good_password_signs_in_and_is_audited(client, tree):
    user = make_user("pd", role=Role.POLITICAL, unit=tree.city)
    response = _login(client, "pd")
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert AuditEntry.objects.filter(action="accounts.login", actor=user).exists()


def test_five_failures_lock_the_account_for_fifteen_minutes(client, tree):
    make_user("pd", role=Role.POLITICAL, unit=tree.city)
    for _ in range(5):
        assert _login(client, "pd", "wrong").status_code == 400
    response = _login(client, "pd")  # right password, still locked
    assert response.status_code == 400
    assert "已暂时锁定" in response.content.decode()
    locks = login_rules.current_locks()
    assert any(lock.key == "pd" and lock.locked_until > timezone.now() + dt.timedelta(minutes=14) for lock in locks)


def test_lock_from_one_address_covers_every_account(client, tree):
    make_user("a", role=Role.POLITICAL, unit=tree.city)
    for i in range(5):
        _login(client, f"nobody{i}", "wrong", address="10.9.9.9")
    assert "已暂时锁定" in _login(client, "a", address="10.9.9.9").content.decode()
    assert _login(client, "a", address="10.1.1.1").status_code == 302


def test_messages_do_not_reveal_whether_the_account_exists(client, tree):
    make_user("real", role=Role.POLITICAL, unit=tree.city)
    wrong_password = _login(client, "real", "wrong", address="10.0.0.2").content.decode()
    no_account = _login(client, "ghost", "wrong", address="10.0.0.3").content.decode()
    assert "账号或密码不正确" in wrong_password and "账号或密码不正确" in no_account
    for _ in range(5):
        _login(client, "ghost", "wrong", address="10.0.0.4")
    assert "已暂时锁定" in _login(client, "ghost", "wrong", address="10.0.0.5").content.decode()


def test_administrator_cannot_reach_any_page_without_totp(client, tree):
    admin = make_user("sysadmin", role=Role.SYSADMIN, unit=tree.region)
    response = _login(client, "sysadmin")
    assert response.headers["Location"] == "/accounts/login/totp/"
    for url in ["/", "/org/units/", "/org/people/"]:
        assert client.get(url).status_code == 302  # still signed out
    page = client.get("/accounts/login/totp/")
    secret = LoginSecurity.objects.get(user=admin).totp_secret
    assert secret in page.content.decode()
    assert client.post("/accounts/login/totp/", {"code": "000000"}).status_code == 400
    code = pyotp.TOTP(secret).now()
    assert client.post("/accounts/login/totp/", {"code": code}).status_code == 302
    assert client.get("/").status_code == 200
    # the same code cannot be replayed for another sign-in
    other = Client()
    _login(other, "sysadmin")
    assert other.post("/accounts/login/totp/", {"code": code}).status_code == 400


def test_psych_grant_needs_totp_but_ordinary_grant_does_not(tree):
    counsellor = make_user("c", role=Role.COUNSELLOR, unit=tree.region, domains=[Domain.PSYCH])
    leader = make_user("l", role=Role.LEADER, unit=tree.county)
    assert login_rules.totp_required(counsellor)
    assert not login_rules.totp_required(leader)


def test_grant_needing_totp_added_mid_session_signs_the_user_out(client, tree):
    user = make_user("l", role=Role.LEADER, unit=tree.county)
    _login(client, "l")
    assert client.get("/").status_code == 200
    user.grants.create(role=Role.INSPECTOR, unit=tree.county, domains=[Domain.INTEGRITY])
    assert client.get("/").status_code == 302


def test_forced_change_at_first_login_then_history_rules(client, tree):
    user = make_user("pd", role=Role.POLITICAL, unit=tree.city)
    LoginSecurity.objects.create(user=user, must_change_password=True)
    _login(client, "pd")
    assert client.get("/").headers["Location"] == "/accounts/password/"
    weak = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "abcdefgh", "new_password2": "abcdefgh"})
    assert weak.status_code == 400 and "至少三类" in weak.content.decode()
    same = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD})
    assert same.status_code == 400
    ok = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "New-pass-2", "new_password2": "New-pass-2"})
    assert ok.status_code == 302
    assert client.get("/").status_code == 200
    # the last five passwords cannot come back
    for i, pw in enumerate(["New-pass-3", "New-pass-4", "New-pass-5", "New-pass-6"]):
        prev = "New-pass-2" if i == 0 else f"New-pass-{i + 2}"
        assert client.post("/accounts/password/", {"old_password": prev, "new_password1": pw, "new_password2": pw}).status_code == 302
    reuse = client.post("/accounts/password/", {"old_password": "New-pass-6", "new_password1": "New-pass-2", "new_password2": "New-pass-2"})
    assert reuse.status_code == 400 and "最近 5 次" in reuse.content.decode()


def test_password_expires_after_ninety_days(client, tree):
    user = make_user("pd", role=Role.POLITICAL, unit=tree.city)
    LoginSecurity.objects.create(user=user, password_changed_at=timezone.now() - dt.timedelta(days=91))
    _login(client, "pd")
    assert client.get("/").headers["Location"] == "/accounts/password/"


def test_second_sign_in_ends_the_first_session(tree):
    make_user("pd", role=Role.POLITICAL, unit=tree.city)
    first, second = Client(), Client()
    _login(first, "pd")
    assert first.get("/").status_code == 200
    _login(second, "pd")
    assert second.get("/").status_code == 200
    assert first.get("/").status_code == 302


def test_idle_timeout_is_renewed_at_most_once_a_minute(client, tree, monkeypatch):
    from django.contrib.sessions.models import Session

    from jingying.accounts import middleware

    make_user("pd", role=Role.POLITICAL, unit=tree.city)
    _login(client, "pd")
    clock = [1_000_000.0]
    monkeypatch.setattr(middleware.time, "time", lambda: clock[0])
    client.get("/")
    first = Session.objects.get().expire_date
    clock[0] += 30
    client.get("/")
    assert Session.objects.get().expire_date == first  # no write within the minute
    clock[0] += 31
    client.get("/")
    assert Session.objects.get().expire_date > first  # activity keeps the session alive


def test_no_code_without_a_secret_and_password_age_can_be_switched_off(tree, settings):
    user = make_user("pd", role=Role.POLITICAL, unit=tree.city)
    assert not login_rules.totp_check(user, "123456")
    LoginSecurity.objects.filter(user=user).update(password_changed_at=timezone.now() - dt.timedelta(days=400))
    settings.JINGYING_PASSWORD_MAX_AGE_DAYS = 0
    assert not login_rules.password_change_required(user)
    settings.JINGYING_PASSWORD_MAX_AGE_DAYS = 90
    assert login_rules.password_change_required(user)
