"""Anonymity that holds (issue 4 point 3): inspect every table of the database after anonymous
submissions and prove that nothing links a person to their answers.

The test reads the raw tables (connection.introspection), not the models, so a column or a
table added later — by any app — is inspected too.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from jingying.accounts.roles import Role
from jingying.core.testing import login_client
from jingying.org.tests.factories import PersonFactory, Tree, make_user
from jingying.surveys import services
from jingying.surveys.models import Answer, Invitation, PendingResponse, Response
from jingying.surveys.tests.factories import good_answers, make_campaign

pytestmark = pytest.mark.django_db(transaction=False)

SECRET = "领导作风问题很多秘密ZQX"
IP = "10.77.66.55"
TIME_RE = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d")


def snapshot() -> dict[str, set[tuple[Any, ...]]]:
    """Every row of every table, as tuples of plain values."""
    out = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from the introspection
            out[table] = {tuple(_plain(v) for v in row) for row in cursor.fetchall()}
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).decode("utf-8", "replace")
    return value


def written(before: dict[str, set[tuple[Any, ...]]], after: dict[str, set[tuple[Any, ...]]]) -> list[tuple[str, tuple[Any, ...]]]:
    """Rows inserted or changed between two snapshots."""
    return [(table, row) for table, rows in after.items() for row in rows - before.get(table, set())]


def _strings(row: tuple[Any, ...]) -> list[str]:
    return [str(v) for v in row if v is not None]


def identifying_values(person: Any, user: Any, invitation: Invitation) -> tuple[set[int], set[str]]:
    ints = {person.pk, user.pk, invitation.pk}
    strings = {person.id_number, user.username, person.name, person.police_number or "", IP,
               person.phone or ""} - {""}
    return ints, strings


def row_identifies(row: tuple[Any, ...], ints: set[int], strings: set[str]) -> list[Any]:
    hits: list[Any] = [v for v in row if isinstance(v, int) and not isinstance(v, bool) and v in ints]
    hits += [s for s in strings for v in _strings(row) if s in v]
    return hits


def answer_markers() -> set[str]:
    """Strings that appear only in rows carrying answers: the response/answer keys and the text."""
    ids = list(Response.objects.values_list("pk", flat=True)) + list(Answer.objects.values_list("pk", flat=True))
    ids += list(PendingResponse.objects.values_list("pk", flat=True))
    return {SECRET} | {str(i) for i in ids} | {uuid.UUID(str(i)).hex for i in ids}


def carries_answers(row: tuple[Any, ...], markers: set[str]) -> bool:
    return any(m in v for m in markers for v in _strings(row))


def finer_than_day(row: tuple[Any, ...]) -> list[Any]:
    return [v for v in row if isinstance(v, dt.datetime) or (isinstance(v, str) and TIME_RE.search(v))]


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    tree = Tree()
    # Large, distinct ids so an integer column that happens to hold a small number is not a hit.
    people = [PersonFactory(unit=tree.station, pk=900001 + n, phone=f"1380000{n:04d}") for n in range(6)]
    users = [make_user(f"officer{n}", role=Role.OFFICER, unit=tree.station, person=p, pk=800001 + n)
             for n, p in enumerate(people)]
    campaign = make_campaign(tree.city)
    for n, invitation in enumerate(Invitation.objects.filter(campaign=campaign).order_by("pk")):
        Invitation.objects.filter(pk=invitation.pk).update(id=700001 + n)
    return {"tree": tree, "people": people, "users": users, "campaign": campaign}


def _submit_by_view(user: Any, campaign: Any, answers: dict[str, Any]) -> Any:
    client = login_client(user)
    data: dict[str, Any] = {}
    for code, value in answers.items():
        if isinstance(value, dict):
            data.update({f"q_{code}__{row}": v for row, v in value.items()})
        else:
            data[f"q_{code}"] = value
    return client.post(reverse("surveys:answer", args=[campaign.pk]), data, REMOTE_ADDR=IP)


def test_no_table_links_a_person_to_their_answers(world: dict[str, Any]) -> None:
    campaign = world["campaign"]
    checked = 0
    for n, (person, user) in enumerate(zip(world["people"], world["users"], strict=True)):
        before = snapshot()
        response = _submit_by_view(user, campaign, good_answers(words=f"{SECRET}{n}"))
        assert response.status_code == 302, response.content.decode()[:1500]
        after = snapshot()
        invitation = Invitation.objects.get(campaign=campaign, person=person)
        ints, strings = identifying_values(person, user, invitation)
        markers = answer_markers()
        for table, row in written(before, after):
            identifies = row_identifies(row, ints, strings)
            if carries_answers(row, markers):
                assert not identifies, f"{table} links answers to {identifies}: {row}"
                assert not finer_than_day(row), f"{table} keeps a time with the answers: {row}"
                checked += 1
            if table == Invitation._meta.db_table:
                # The ledger row: the flag, nothing else changed, no time, no date.
                assert invitation.answered and invitation.answered_on is None
                assert not finer_than_day(row)
    assert checked >= 6, "the answers were never seen: the test would prove nothing"
    # The sixth submission filled a batch of k = 5: the answers are now results, the pool is empty…
    assert Response.objects.filter(campaign=campaign).count() == 5
    assert PendingResponse.objects.filter(campaign=campaign).count() == 1
    # …and the stored responses carry no person and no date at all.
    assert not Response.objects.filter(campaign=campaign, person__isnull=False).exists()
    assert not Response.objects.filter(campaign=campaign, submitted_on__isnull=False).exists()
    assert Answer.objects.filter(text__startswith=SECRET).count() == 5


def test_audit_entry_says_who_answered_but_not_what(world: dict[str, Any]) -> None:
    from jingying.core.models import AuditEntry

    campaign, user = world["campaign"], world["users"][0]
    services.response_submit(actor=user, campaign_id=campaign.pk, raw=good_answers(words=SECRET))
    entry = AuditEntry.objects.filter(action="surveys.campaign.answer").get()
    assert entry.person_id == world["people"][0].pk
    assert entry.object_type == "surveys.campaign" and entry.object_id == str(campaign.pk)
    assert entry.before is None and entry.after is None
    pending = PendingResponse.objects.get()
    assert str(pending.pk) not in str(entry.__dict__)


def test_response_rows_are_not_in_submission_order(world: dict[str, Any], monkeypatch: Any) -> None:
    """A batch is written shuffled: the storage order is the shuffle's, not the submitters'."""
    orders = []
    monkeypatch.setattr(services, "_shuffle", lambda items: (items.reverse(), orders.append(len(items))))
    campaign = world["campaign"]
    for n, user in enumerate(world["users"][:5]):
        services.response_submit(actor=user, campaign_id=campaign.pk, raw=good_answers(hours=str(n)))
    assert orders == [5]
    hours = dict(Answer.objects.filter(question__code="hours").values_list("response_id", "number"))
    # Storage order (no ORDER BY): the order the shuffle chose, here the reverse of submission.
    stored = [int(hours[pk]) for pk in Response.objects.filter(campaign=campaign).order_by().values_list("pk", flat=True)]
    assert stored == [4, 3, 2, 1, 0]
    # UUID keys: random, so they say nothing about order either.
    keys = list(Response.objects.values_list("pk", flat=True))
    assert all(k.version == 4 for k in keys)


def test_the_last_few_are_mixed_with_earlier_answers_when_the_campaign_ends(world: dict[str, Any]) -> None:
    campaign = world["campaign"]
    for user in world["users"]:
        services.response_submit(actor=user, campaign_id=campaign.pk, raw=good_answers())
    first_keys = set(Response.objects.values_list("pk", flat=True))
    assert len(first_keys) == 5 and PendingResponse.objects.count() == 1
    services.campaign_close(actor=make_user("pd", role=Role.POLITICAL, unit=world["tree"].city), campaign=campaign)
    assert PendingResponse.objects.count() == 0
    keys = set(Response.objects.values_list("pk", flat=True))
    assert len(keys) == 6
    # The earlier five were rewritten with new keys together with the last one.
    assert not keys & first_keys
    assert Answer.objects.filter(response__campaign=campaign, question__code="mood").count() == 6
