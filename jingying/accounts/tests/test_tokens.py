"""API tokens: the service (digest only, audited, permission-checked) and `jingying token create`."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from jingying.accounts.models import ApiToken
from jingying.accounts.roles import Role
from jingying.accounts.services import api_token_create
from jingying.cli import main
from jingying.core.audit import verify
from jingying.core.models import AuditEntry
from jingying.org.tests.factories import PersonFactory, Tree, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree() -> Tree:
    return Tree()


def test_service_stores_only_the_digest_and_audits(tree: Tree) -> None:
    user = make_user("county", role=Role.LEADER, unit=tree.county)
    token, secret = api_token_create(actor=None, user=user, name="报表脚本")
    assert secret.startswith("jy_")
    assert len(secret) > 40
    row = ApiToken.objects.get(pk=token.pk)
    assert row.digest == ApiToken.digest_of(secret)
    assert secret not in {row.digest, row.prefix, row.name}
    assert row.prefix == secret[:8]
    entry = AuditEntry.objects.get(action="accounts.api_token.create")
    assert entry.object_id == str(token.pk)
    assert secret not in str(entry.after)
    assert verify().ok


def test_two_tokens_differ(tree: Tree) -> None:
    user = make_user("county", role=Role.LEADER, unit=tree.county)
    assert api_token_create(actor=None, user=user)[1] != api_token_create(actor=None, user=user)[1]


def test_user_may_create_their_own_token_but_not_someone_elses(tree: Tree) -> None:
    alice = make_user("alice", role=Role.LEADER, unit=tree.county)
    bob = make_user("bob", role=Role.LEADER, unit=tree.county)
    api_token_create(actor=alice, user=alice, name="mine")
    with pytest.raises(PermissionDenied):
        api_token_create(actor=alice, user=bob, name="theirs")
    secadmin = make_user("sec", role=Role.SECADMIN, unit=tree.region)
    api_token_create(actor=secadmin, user=bob, name="issued")
    assert ApiToken.objects.filter(user=bob).count() == 1


def test_no_token_for_inactive_user_or_past_expiry(tree: Tree) -> None:
    user = make_user("gone", is_active=False)
    with pytest.raises(ValidationError):
        api_token_create(actor=None, user=user)
    active = make_user("here")
    with pytest.raises(ValidationError):
        api_token_create(actor=None, user=active, expires_at=timezone.now() - dt.timedelta(days=1))
    assert not ApiToken.objects.exists()


def test_cli_prints_the_token_alone_on_its_last_line_and_it_works(
    tree: Tree, capsys: pytest.CaptureFixture[str], client: Client
) -> None:
    user = make_user("county", role=Role.LEADER, unit=tree.county)
    inside = PersonFactory(unit=tree.station)
    outside = PersonFactory(unit=tree.other_station)
    assert main(["token", "create", "county", "--name", "bi", "--days", "30"]) == 0
    out = capsys.readouterr().out
    secret = out.strip().splitlines()[-1]
    assert secret.startswith("jy_") and " " not in secret
    row = ApiToken.objects.get(user=user)
    assert row.name == "bi"
    assert AuditEntry.objects.get(action="accounts.api_token.create").actor_name == "system"
    assert dt.timedelta(days=29, hours=23) < row.expires_at - timezone.now() <= dt.timedelta(days=30)

    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    listed = client.get("/api/v1/org/people", **headers).json()
    assert [p["id"] for p in listed["items"]] == [inside.pk]
    assert client.get(f"/api/v1/org/people/{outside.pk}", **headers).status_code == 404


def test_cli_without_days_never_expires(tree: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    make_user("county", role=Role.LEADER, unit=tree.county)
    assert main(["token", "create", "county"]) == 0
    assert ApiToken.objects.get().expires_at is None
    assert "永不过期" in capsys.readouterr().out


def test_cli_unknown_user_fails_in_chinese(tree: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token", "create", "nobody"]) == 1
    assert "没有用户“nobody”" in capsys.readouterr().err
    assert not ApiToken.objects.exists()


def test_cli_rejects_non_positive_days(tree: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    make_user("county")
    assert main(["token", "create", "county", "--days", "0"]) == 2
    assert not ApiToken.objects.exists()


def test_cli_refuses_an_inactive_user(tree: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    make_user("gone", is_active=False)
    assert main(["token", "create", "gone"]) == 1
    assert "已停用" in capsys.readouterr().err
    assert not ApiToken.objects.exists()
