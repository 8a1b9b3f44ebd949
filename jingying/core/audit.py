"""Write and verify the audit trail (architecture §4)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from jingying.core.models import AuditEntry, AuditHead
from jingying.core.request_context import current_credential, current_source_ip

GENESIS = "0" * 64


def _canonical(entry: AuditEntry) -> bytes:
    payload = {
        "seq": entry.seq,
        "at": entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": entry.actor_id,
        "actor_name": entry.actor_name,
        "ip": entry.source_ip,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "person": entry.person_id,
        "before": entry.before,
        "after": entry.after,
        "reason": entry.reason,
        "prev": entry.prev_hash,
    }
    if entry.credential:  # absent from entries written before the field existed
        payload["credential"] = entry.credential
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str).encode()


def entry_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(_canonical(entry)).hexdigest()


def _json_safe(data: dict[str, Any] | None) -> dict[str, Any] | None:
    if data is None:
        return None
    # Round-trip through JSON so what is hashed is exactly what the database will give back.
    return json.loads(json.dumps(data, ensure_ascii=False, default=str))


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    person_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEntry:
    """Append one entry to the chain inside the caller's transaction."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    with transaction.atomic():
        head, _created = AuditHead.objects.select_for_update().get_or_create(pk=1)
        entry = AuditEntry(
            seq=head.seq + 1,
            at=timezone.now(),
            actor_id=getattr(actor, "pk", None),
            actor_name=getattr(actor, "username", "") or "",
            source_ip=current_source_ip() or "",
            credential=current_credential(),
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr,
            person_id=person_id,
            before=_json_safe(before),
            after=_json_safe(after),
            reason=reason,
            prev_hash=head.hash if head.seq else GENESIS,
        )
        entry.at = entry.at.replace(microsecond=entry.at.microsecond)  # keep µs, the DB does too
        entry.hash = entry_hash(entry)
        entry.save(force_insert=True)
        head.seq, head.hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "hash"])
    return entry


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def _entries() -> Iterator[AuditEntry]:
    return AuditEntry.objects.order_by("seq").iterator(chunk_size=2000)


def verify() -> VerifyResult:
    """Recompute the chain from the first entry; name the first entry that does not fit."""
    prev = GENESIS
    expected_seq = 1
    checked = 0
    for entry in _entries():
        if entry.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, "missing")
        if entry.prev_hash != prev:
            return VerifyResult(False, checked, entry.seq, "prev_hash")
        if entry_hash(entry) != entry.hash:
            return VerifyResult(False, checked, entry.seq, "hash")
        prev = entry.hash
        expected_seq += 1
        checked += 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != checked or (checked and head.hash != prev)):
        return VerifyResult(False, checked, checked + 1 if head.seq > checked else head.seq, "truncated")
    return VerifyResult(True, checked)


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The field values of a model instance, for before/after."""
    names = fields or [f.attname for f in obj._meta.concrete_fields]
    return {name: getattr(obj, name) for name in names}


SENSITIVE_READ_SUFFIX = ".read"


def record_read(*, actor: Any, obj: models.Model, person_id: int | None, domain: str, reason: str = "") -> AuditEntry:
    """Record that `actor` opened a sensitive record (psych, health, integrity, fund).

    The person it is about can list these on their own page: who looked, and when. A read made
    with an API token carries the token's prefix in `credential` (decision 0013).
    """
    return record(actor=actor, action=f"{domain}{SENSITIVE_READ_SUFFIX}", obj=obj, person_id=person_id, reason=reason)
