"""Reads of the audit trail: the audit administrator's screen and an officer's own access log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from jingying.core.audit import SENSITIVE_READ_SUFFIX
from jingying.core.models import AuditEntry
from jingying.core.scoping import has_perm

AUDIT_FILTERS = ("actor", "person", "object_type", "object_id", "action", "since", "until")


def audit_list(*, actor: Any, filters: dict[str, Any] | None = None) -> QuerySet[AuditEntry]:
    """The trail, newest first; only the audit administrator (core.view_audit) reads it."""
    if not has_perm(actor, "core.view_audit"):
        raise PermissionDenied("core.view_audit")
    qs = AuditEntry.objects.all()
    f = filters or {}
    if f.get("actor"):
        qs = qs.filter(actor_name=f["actor"])
    if f.get("person"):
        qs = qs.filter(person_id=f["person"])
    if f.get("object_type"):
        qs = qs.filter(object_type=f["object_type"])
    if f.get("object_id"):
        qs = qs.filter(object_id=f["object_id"])
    if f.get("action"):
        qs = qs.filter(action__startswith=f["action"])
    if isinstance(f.get("since"), dt.datetime):
        qs = qs.filter(at__gte=f["since"])
    if isinstance(f.get("until"), dt.datetime):
        qs = qs.filter(at__lt=f["until"])
    return qs.order_by("-seq")


def my_access_log(*, actor: Any) -> QuerySet[AuditEntry]:
    """Who opened the actor's own sensitive records, and when (never the content)."""
    person_id = getattr(actor, "person_id", None)
    if person_id is None:
        return AuditEntry.objects.none()
    return (
        AuditEntry.objects.filter(person_id=person_id, action__endswith=SENSITIVE_READ_SUFFIX)
        .only("seq", "at", "actor_name", "action", "object_type", "reason")
        .order_by("-seq")
    )
