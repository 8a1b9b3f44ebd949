"""Refused API token uses are audited at most once per token per window (jingying.api.auth): a
script looping on a refused token must not flood the audit trail, yet the trail must still show
that, and how often, refusals happened."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from jingying.accounts.models import ApiToken, Grant
from jingying.accounts.roles import Domain, Role
from jingying.accounts.services import api_token_create
from jingying.api.auth import flush_refusals, record_refusal
from jingying.core.audit import verify
from jingying.core.models import AuditEntry
from jingying.org.tests.factories import Tree, make_user

pytestmark = pytest.mark.django_db
PEOPLE = "/api/v1/org/people"
REFUSED = "accounts.api_token.refused"


def _refused_token(tree: Tree) -> tuple[ApiToken, str]:
    leader = make_user("leader", role=Role.LEADER, unit=tree.county)
    token, secret = api_token_create(actor=None, user=leader, name="script")
    # The account gains a grant needing the second factor after the token was issued: refused.
    Grant.objects.create(user=leader, role=Role.INSPECTOR, unit=tree.county, domains=[Domain.INTEGRITY])
    return token, secret


def test_a_looping_script_writes_one_entry_per_window_and_the_count(settings, client: Client) -> None:
    settings.JINGYING_API_TOKEN_REFUSAL_AUDIT_MINUTES = 10
    token, secret = _refused_token(Tree())
    for _ in range(25):
        assert client.get(PEOPLE, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    entries = list(AuditEntry.objects.filter(action=REFUSED))
    assert len(entries) == 1 and entries[0].reason == "second_factor"
    token.refresh_from_db()
    assert token.refusals_unaudited == 24
    # After the window the next refusal is recorded again, with how many were not.
    ApiToken.objects.filter(pk=token.pk).update(refusal_audited_at=timezone.now() - dt.timedelta(minutes=11))
    assert client.get(PEOPLE, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    latest = AuditEntry.objects.filter(action=REFUSED).order_by("-seq").first()
    assert AuditEntry.objects.filter(action=REFUSED).count() == 2
    assert latest is not None and latest.after == {"refusals_not_recorded": 24}
    token.refresh_from_db()
    assert token.refusals_unaudited == 0
    assert verify().ok


def test_a_count_left_when_the_script_stops_is_written_by_the_periodic_job(settings) -> None:
    settings.JINGYING_API_TOKEN_REFUSAL_AUDIT_MINUTES = 10
    token, _secret = _refused_token(Tree())
    start = timezone.now()
    assert record_refusal(token, "second_factor", now=start)
    assert not record_refusal(token, "second_factor", now=start + dt.timedelta(minutes=1))
    assert not record_refusal(token, "second_factor", now=start + dt.timedelta(minutes=2))
    assert flush_refusals(now=start + dt.timedelta(minutes=5)) == 0  # the window is still open
    assert flush_refusals(now=start + dt.timedelta(minutes=11)) == 1
    entry = AuditEntry.objects.filter(action=REFUSED).order_by("-seq").first()
    assert entry is not None and entry.actor_name == "system" and entry.after["refusals_not_recorded"] == 2
    assert entry.object_id == str(token.pk)
    assert flush_refusals(now=start + dt.timedelta(minutes=20)) == 0  # written once
    # Tokens are separate: another token's refusal is recorded at once.
    other, _ = api_token_create(actor=None, user=token.user, name="other")
    assert record_refusal(other, "max_age", now=start + dt.timedelta(minutes=1))
