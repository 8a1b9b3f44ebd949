"""API tokens and the second factor (decision 0013): each rule, and that removing it would show.

A token of an account whose grants need TOTP (the three administrators, psych and integrity
holders) must not be a single-factor way in: issued only by the server command or from the
user's own TOTP-completed session, never by another account; expiry capped; a token issued before
the user needed TOTP stops working; revocation and deactivation act at once; token reads of
sensitive records are audited with the token prefix.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from jingying.accounts.login_rules import SESSION_SECOND_FACTOR
from jingying.accounts.models import ApiToken, Grant
from jingying.accounts.roles import Domain, Role
from jingying.accounts.services import api_token_create, api_token_revoke, grant_revoke, user_set_active
from jingying.cli import main
from jingying.core.audit import verify
from jingying.core.models import AuditEntry
from jingying.core.scoping import SYSTEM
from jingying.core.testing import login_client
from jingying.org.tests.factories import PersonFactory, Tree, make_user

pytestmark = pytest.mark.django_db

PEOPLE = "/api/v1/org/people"


@pytest.fixture
def tree() -> Tree:
    return Tree()


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def counsellor(tree: Tree, name: str = "counsellor") -> Any:
    return make_user(name, role=Role.COUNSELLOR, unit=tree.region, domains=[Domain.PSYCH])


# --- who may issue a token for an account that needs the second factor ----------------------


@pytest.mark.parametrize(("role", "domains"), [(Role.COUNSELLOR, [Domain.PSYCH]), (Role.INSPECTOR, [Domain.INTEGRITY]),
                                          (Role.AUDITOR, []), (Role.SYSADMIN, [])])
def test_security_administrator_cannot_issue_for_an_account_needing_totp(tree: Tree, role: str,
                                                                        domains: list[str]) -> None:
    secadmin = make_user("sec", role=Role.SECADMIN, unit=tree.region)
    holder = make_user("holder", role=role, unit=tree.region, domains=domains)
    with pytest.raises(ValidationError) as caught:
        api_token_create(actor=secadmin, user=holder, name="x")
    assert "动态口令" in str(caught.value)
    assert not ApiToken.objects.exists()
    # The same administrator may still issue one for an ordinary account.
    leader = make_user("leader", role=Role.LEADER, unit=tree.county)
    token, _secret = api_token_create(actor=secadmin, user=leader, name="y")
    assert token.issued_via == ApiToken.IssuedVia.SECADMIN and not token.second_factor


def test_own_session_must_have_completed_totp(tree: Tree) -> None:
    user = counsellor(tree)
    with pytest.raises(ValidationError) as caught:
        api_token_create(actor=user, user=user, name="x", second_factor_verified=False)
    assert "先完成动态口令验证" in str(caught.value)
    assert not ApiToken.objects.exists()
    token, _secret = api_token_create(actor=user, user=user, name="x", second_factor_verified=True)
    assert token.issued_via == ApiToken.IssuedVia.SESSION_TOTP and token.second_factor
    entry = AuditEntry.objects.get(action="accounts.api_token.create")
    assert entry.after["issued_via"] == "session_totp" and entry.after["second_factor"] is True


def test_expiry_is_capped_and_defaults_to_the_cap(tree: Tree, settings: Any) -> None:
    user = counsellor(tree)
    now = timezone.now()
    with pytest.raises(ValidationError) as caught:
        api_token_create(actor=None, user=user, expires_at=now + dt.timedelta(days=31))
    assert "最长 30 天" in str(caught.value)
    token, _secret = api_token_create(actor=None, user=user)  # none given: the cap, never "forever"
    assert token.expires_at is not None
    assert dt.timedelta(days=29, hours=23) < token.expires_at - now <= dt.timedelta(days=30, minutes=1)
    assert token.issued_via == ApiToken.IssuedVia.SERVER and token.second_factor
    settings.JINGYING_API_TOKEN_MAX_DAYS_2FA = 7
    with pytest.raises(ValidationError):
        api_token_create(actor=None, user=user, expires_at=now + dt.timedelta(days=8))
    # An ordinary account's token is not capped.
    leader = make_user("leader", role=Role.LEADER, unit=tree.county)
    plain, _s = api_token_create(actor=leader, user=leader, expires_at=now + dt.timedelta(days=365))
    assert plain.issued_via == ApiToken.IssuedVia.SESSION and not plain.second_factor


def test_server_command_records_itself_and_applies_the_cap(tree: Tree, capsys: pytest.CaptureFixture[str],
                                                          client: Client) -> None:
    user = counsellor(tree)
    assert main(["token", "create", "counsellor", "--days", "31"]) == 1
    assert "最长 30 天" in capsys.readouterr().err
    assert main(["token", "create", "counsellor"]) == 0
    out = capsys.readouterr().out
    secret = out.strip().splitlines()[-1]
    row = ApiToken.objects.get(user=user)
    assert row.issued_via == ApiToken.IssuedVia.SERVER and row.second_factor
    assert timezone.localtime(row.expires_at).strftime("%Y-%m-%d") in out  # the expiry is printed
    assert AuditEntry.objects.get(action="accounts.api_token.create").actor_name == "system"
    assert client.get(PEOPLE, **bearer(secret)).status_code != 401


# --- a token made before the user needed the second factor stops working -------------------


def test_token_stops_when_a_grant_needing_totp_arrives(tree: Tree, client: Client) -> None:
    leader = make_user("leader", role=Role.LEADER, unit=tree.county)
    PersonFactory(unit=tree.station)
    _token, secret = api_token_create(actor=None, user=leader, name="bi")  # never expires
    assert client.get(PEOPLE, **bearer(secret)).status_code == 200
    grant = Grant.objects.create(user=leader, role=Role.INSPECTOR, unit=tree.county, domains=[Domain.INTEGRITY])
    refused = client.get(PEOPLE, **bearer(secret))
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"].startswith("Bearer")
    assert "重新" in refused.json()["detail"] and "动态口令" in refused.json()["detail"]
    entry = AuditEntry.objects.get(action="accounts.api_token.refused")
    assert entry.actor_id == leader.pk and entry.reason == "second_factor"
    assert entry.credential == f"token:{secret[:8]}"
    # The session is no way round it either: it rests on the grants of now, not of then.
    secadmin = make_user("sec", role=Role.SECADMIN, unit=tree.region)
    grant_revoke(actor=secadmin, grant=grant, reason="调岗")
    assert client.get(PEOPLE, **bearer(secret)).status_code == 200


def test_administrator_token_from_before_the_rule_is_refused(tree: Tree, client: Client) -> None:
    """Tokens that existed before this rule carry no record of it: refused for those who need TOTP."""
    auditor = make_user("aud", role=Role.AUDITOR, unit=tree.region)
    token, secret = api_token_create(actor=None, user=auditor)
    ApiToken.objects.filter(pk=token.pk).update(issued_via="", second_factor=False, expires_at=None)
    assert client.get(PEOPLE, **bearer(secret)).status_code == 401


def test_cap_is_enforced_on_use_too(tree: Tree, client: Client, settings: Any) -> None:
    user = counsellor(tree)
    token, secret = api_token_create(actor=None, user=user)
    assert client.get("/api/v1/health/psych/alerts", **bearer(secret)).status_code == 200
    settings.JINGYING_API_TOKEN_MAX_DAYS_2FA = 30
    ApiToken.objects.filter(pk=token.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
    refused = client.get("/api/v1/health/psych/alerts", **bearer(secret))
    assert refused.status_code == 401 and "30 天" in refused.json()["detail"]


# --- revocation and deactivation act at once -----------------------------------------------


def test_revocation_works_on_the_next_request(tree: Tree, client: Client) -> None:
    leader = make_user("leader", role=Role.LEADER, unit=tree.county)
    other = make_user("other", role=Role.LEADER, unit=tree.county)
    token, secret = api_token_create(actor=leader, user=leader, name="bi")
    assert client.get(PEOPLE, **bearer(secret)).status_code == 200
    with pytest.raises(PermissionDenied):
        api_token_revoke(actor=other, token=token)
    assert client.get(PEOPLE, **bearer(secret)).status_code == 200
    api_token_revoke(actor=leader, token=token, reason="不再使用")
    assert client.get(PEOPLE, **bearer(secret)).status_code == 401
    with pytest.raises(ValidationError):
        api_token_revoke(actor=leader, token=token)
    entry = AuditEntry.objects.get(action="accounts.api_token.revoke")
    assert entry.actor_id == leader.pk and entry.reason == "不再使用"
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None  # the row stays as the record


def test_security_administrator_revokes_anyones_token(tree: Tree, client: Client) -> None:
    user = counsellor(tree)
    token, secret = api_token_create(actor=user, user=user, second_factor_verified=True)
    secadmin = make_user("sec", role=Role.SECADMIN, unit=tree.region)
    api_token_revoke(actor=secadmin, token=token, reason="离岗")
    assert client.get("/api/v1/health/psych/alerts", **bearer(secret)).status_code == 401


def test_deactivation_and_grant_revocation_act_on_the_next_request(tree: Tree, client: Client) -> None:
    leader = make_user("leader", role=Role.LEADER, unit=tree.county)
    _token, secret = api_token_create(actor=None, user=leader)
    secadmin = make_user("sec", role=Role.SECADMIN, unit=tree.region)
    assert client.get(PEOPLE, **bearer(secret)).status_code == 200
    grant_revoke(actor=secadmin, grant=leader.grants.get(), reason="调离")
    assert client.get(PEOPLE, **bearer(secret)).status_code == 403  # signed in, no grant left
    user_set_active(actor=secadmin, user=leader, active=False, reason="离职")
    assert client.get(PEOPLE, **bearer(secret)).status_code == 401


def test_cli_lists_and_revokes(tree: Tree, capsys: pytest.CaptureFixture[str], client: Client) -> None:
    leader = make_user("leader", role=Role.LEADER, unit=tree.county)
    first, s1 = api_token_create(actor=None, user=leader, name="one")
    _second, s2 = api_token_create(actor=None, user=leader, name="two")
    assert main(["token", "list", "leader"]) == 0
    listed = capsys.readouterr().out
    assert f"{first.prefix}…" in listed and "服务器命令" in listed
    assert main(["token", "revoke", str(first.pk), "--reason", "泄露"]) == 0
    assert client.get(PEOPLE, **bearer(s1)).status_code == 401
    assert client.get(PEOPLE, **bearer(s2)).status_code == 200
    assert main(["token", "revoke", "--user", "leader"]) == 0
    assert client.get(PEOPLE, **bearer(s2)).status_code == 401
    assert main(["token", "revoke", "999999"]) == 1
    assert main(["token", "revoke"]) == 2
    assert AuditEntry.objects.filter(action="accounts.api_token.revoke", actor_name="system").count() == 2


# --- token use of sensitive records is audited with the token's prefix ----------------------


def _crisis_alert(capture: Any) -> tuple[Any, Any]:
    from jingying.health.models import CrisisAlert
    from jingying.health.services import screening
    from jingying.health.tests.factories_psych import PHQ9_SAFETY, make_round, psych_world, raw_for

    w = psych_world()
    rnd = make_round(w.tree.county)
    screening.consent_give(actor=w.officer, screening=rnd)
    link = rnd.campaigns.get(instrument_code="PHQ-9")
    with capture(execute=True):
        screening.screening_answer(actor=w.officer, screening=rnd, link=link, raw=raw_for(rnd, "PHQ-9", PHQ9_SAFETY))
    return w, CrisisAlert.objects.get()


def test_sensitive_read_with_a_token_names_the_token(client: Client, django_capture_on_commit_callbacks: Any) -> None:
    w, alert = _crisis_alert(django_capture_on_commit_callbacks)
    _token, secret = api_token_create(actor=w.counsellor, user=w.counsellor, second_factor_verified=True)
    assert client.get(f"/api/v1/health/psych/alerts/{alert.pk}", **bearer(secret)).status_code == 200
    read = AuditEntry.objects.filter(action="psych.read").latest("seq")
    assert read.actor_id == w.counsellor.pk and read.credential == f"token:{secret[:8]}"
    # The same read from the browser session carries no token.
    session = login_client(w.counsellor)
    assert session.get(f"/api/v1/health/psych/alerts/{alert.pk}").status_code == 200
    assert AuditEntry.objects.filter(action="psych.read").latest("seq").credential == ""
    # The next request without a token does not inherit the last one's credential.
    assert AuditEntry.objects.exclude(action="psych.read").filter(credential__startswith="token:").count() == 0
    assert verify().ok


def test_credential_is_covered_by_the_hash_chain(tree: Tree, client: Client) -> None:
    from jingying.core import audit
    from jingying.core.request_context import reset_credential, set_credential

    marker = set_credential("token:jy_abcde")
    try:
        entry = audit.record(actor=SYSTEM, action="test.read", object_type="x")
    finally:
        reset_credential(marker)
    audit.record(actor=SYSTEM, action="test.after", object_type="x")
    assert entry.credential == "token:jy_abcde" and verify().ok
    AuditEntry.objects.filter(pk=entry.pk).update(credential="")  # hide which token it was
    result = verify()
    assert not result.ok and result.broken_seq == entry.seq


# --- the token page ------------------------------------------------------------------------


def test_token_page_creates_a_capped_token_from_the_totp_session(tree: Tree) -> None:
    user = counsellor(tree)
    client = login_client(user)  # past the second factor
    assert client.get("/accounts/tokens/").status_code == 200
    too_long = client.post("/accounts/tokens/", {"name": "脚本", "days": "31"})
    assert too_long.status_code == 400 and "最长 30 天" in too_long.content.decode()
    created = client.post("/accounts/tokens/", {"name": "脚本", "days": "30"})
    assert created.status_code == 200
    token = ApiToken.objects.get(user=user)
    assert token.issued_via == ApiToken.IssuedVia.SESSION_TOTP and token.second_factor
    body = created.content.decode()
    secret = body.split('data-testid="token-secret">')[1].split("<")[0]
    assert ApiToken.digest_of(secret) == token.digest
    assert "no-cache" in created["Cache-Control"] or "no-store" in created["Cache-Control"]
    assert Client().get("/api/v1/health/psych/alerts", **bearer(secret)).status_code == 200


def test_token_page_refuses_a_session_that_skipped_totp(tree: Tree) -> None:
    """If a session ever reached the page without the flag, the service still refuses."""
    user = counsellor(tree)
    client = login_client(user)
    session = client.session
    session[SESSION_SECOND_FACTOR] = False
    session.save()
    # The login middleware signs such a session out before any page.
    assert client.post("/accounts/tokens/", {"name": "x", "days": "5"}).status_code == 302
    assert not ApiToken.objects.exists()


def test_token_page_revokes_only_ones_own(tree: Tree) -> None:
    leader = make_user("leader", role=Role.LEADER, unit=tree.county)
    other = make_user("other", role=Role.LEADER, unit=tree.county)
    mine, _s = api_token_create(actor=leader, user=leader)
    theirs, _t = api_token_create(actor=other, user=other)
    client = login_client(leader)
    assert client.post(f"/accounts/tokens/{theirs.pk}/revoke/").status_code == 404
    assert client.post(f"/accounts/tokens/{mine.pk}/revoke/").status_code == 302
    assert ApiToken.objects.get(pk=mine.pk).revoked_at is not None
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None
    page = client.get("/accounts/tokens/").content.decode()
    assert "已撤销" in page and theirs.prefix not in page
    ordinary = client.post("/accounts/tokens/", {"name": "年度", "days": "365"})
    assert ordinary.status_code == 200
    fresh = ApiToken.objects.get(user=leader, revoked_at__isnull=True)
    assert fresh.name == "年度" and not fresh.second_factor  # an ordinary account's token: no cap, no flag


def test_security_administrator_revokes_all_of_an_accounts_tokens_from_its_page(tree: Tree) -> None:
    leader = make_user("leader", role=Role.LEADER, unit=tree.county)
    _t1, s1 = api_token_create(actor=None, user=leader, name="one")
    _t2, s2 = api_token_create(actor=None, user=leader, name="two")
    secadmin = make_user("sec", role=Role.SECADMIN, unit=tree.region)
    client = login_client(secadmin)
    page = client.get(f"/accounts/users/{leader.pk}/").content.decode()
    assert f"{s1[:8]}…" in page and f"{s2[:8]}…" in page
    assert client.post(f"/accounts/users/{leader.pk}/tokens/", {"reason": ""}).status_code == 302
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 2  # a reason is required
    assert client.post(f"/accounts/users/{leader.pk}/tokens/", {"reason": "疑似泄露"}).status_code == 302
    assert not ApiToken.objects.filter(revoked_at__isnull=True).exists()
    assert Client().get(PEOPLE, **bearer(s1)).status_code == 401
    entries = AuditEntry.objects.filter(action="accounts.api_token.revoke")
    assert entries.count() == 2 and {e.actor_id for e in entries} == {secadmin.pk}
    assert {e.reason for e in entries} == {"疑似泄露"}
    # Nobody else can do it through the same route.
    other = make_user("other", role=Role.LEADER, unit=tree.county)
    _t3, _s3 = api_token_create(actor=None, user=leader, name="three")
    assert login_client(other).post(f"/accounts/users/{leader.pk}/tokens/", {"reason": "x"}).status_code == 403
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 1


def test_real_sign_in_decides_how_the_token_is_recorded(tree: Tree) -> None:
    """Through the real sign-in pages: the TOTP step marks the session, the token page reads it."""
    import pyotp

    from jingying.accounts.models import LoginSecurity

    user = counsellor(tree)
    browser = Client()
    assert browser.post("/accounts/login/", {"username": "counsellor", "password": "Pass-word-1"}).status_code == 302
    assert browser.get("/accounts/tokens/").status_code == 302  # not signed in before the second factor
    browser.get("/accounts/login/totp/")
    secret = LoginSecurity.objects.get(user=user).totp_secret
    assert browser.post("/accounts/login/totp/", {"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert browser.post("/accounts/tokens/", {"name": "报表", "days": "10"}).status_code == 200
    token = ApiToken.objects.get(user=user)
    assert token.issued_via == ApiToken.IssuedVia.SESSION_TOTP and token.second_factor

    make_user("leader", role=Role.LEADER, unit=tree.county)
    plain = Client()
    assert plain.post("/accounts/login/", {"username": "leader", "password": "Pass-word-1"}).status_code == 302
    assert plain.post("/accounts/tokens/", {"name": "报表", "days": "10"}).status_code == 200
    assert ApiToken.objects.get(user__username="leader").issued_via == ApiToken.IssuedVia.SESSION
