import pytest
from django.db import connection

from jingying.core import audit
from jingying.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _three_entries():
    for i in range(3):
        audit.record(actor=None, action="test.event", object_type="t", object_id=str(i), after={"n": i, "名": "值"})


def test_chain_verifies_and_links():
    _three_entries()
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[1].prev_hash == entries[0].hash
    assert audit.verify().ok
    assert audit.verify().checked == 3


def test_changed_field_is_named():
    _three_entries()
    with connection.cursor() as cur:
        cur.execute("UPDATE core_auditentry SET object_repr = 'forged' WHERE seq = 2")
    result = audit.verify()
    assert not result.ok
    assert result.broken_seq == 2


def test_deleted_row_is_named():
    _three_entries()
    with connection.cursor() as cur:
        cur.execute("DELETE FROM core_auditentry WHERE seq = 2")
    result = audit.verify()
    assert not result.ok
    assert result.broken_seq == 2


def test_deleted_tail_is_detected():
    _three_entries()
    with connection.cursor() as cur:
        cur.execute("DELETE FROM core_auditentry WHERE seq = 3")
    result = audit.verify()
    assert not result.ok
    assert result.broken_seq == 3


def test_rehashed_forgery_breaks_the_next_link():
    _three_entries()
    entry = AuditEntry.objects.get(seq=2)
    entry.after = {"n": 99}
    entry.hash = audit.entry_hash(entry)
    AuditEntry.objects.filter(pk=entry.pk).update(after=entry.after, hash=entry.hash)
    result = audit.verify()
    assert not result.ok
    assert result.broken_seq == 3
