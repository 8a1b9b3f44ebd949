"""Public evaluation (群众评价公安工作, issue 4 point 5): services and selectors.

A public campaign has an unguessable token (/p/<token>/, printed as a QR code). Residents
answer without an account. What is stored (docs/surveys.md "公开评价"):
- the answers in `Response`/`Answer` with the campaign's unit and the day only — no person,
  account, address, device or time;
- a `PublicSubmission` ledger row: the one-time submission key (idempotency), an HMAC of the
  device cookie with the campaign and the day (one answer per device per day; unlinkable
  across days), a digest of the answers and the time (for the identical-burst signal), and the
  status. Nothing in it points at the Response row;
- a `PublicThrottle` counter per source address (an HMAC, never the address itself).

Spam signals hold a submission for review (status "held", answers kept in the ledger row)
instead of dropping it; staff release (→ Response) or reject it, audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
import time
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Count
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from jingying.core import audit
from jingying.core.scoping import require
from jingying.surveys import logic
from jingying.surveys.choices import CampaignKind
from jingying.surveys.models import (
    Answer,
    Campaign,
    PublicLink,
    PublicSubmission,
    PublicThrottle,
    Question,
    Response,
)
from jingying.surveys.services import _rows, _write_answers

DEVICE_COOKIE = "jy_device"
DEVICE_MAX_AGE = 2 * 365 * 24 * 3600
KEY_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_SALT = "jingying.surveys.public"

Status = PublicSubmission.Status
Reason = PublicSubmission.Reason


# --- settings ------------------------------------------------------------------------------


def _setting(name: str, default: str) -> str:
    """Read at call time (tests override settings); the environment is read once, in settings."""
    return str(getattr(settings, name, default))


def _pair(name: str, default: str) -> tuple[int, int]:
    """"N/SECONDS" (or just N with the default window)."""
    raw = _setting(name, default)
    count, _sep, seconds = raw.partition("/")
    default_seconds = int(default.partition("/")[2])
    try:
        return int(count), int(seconds or default_seconds)
    except ValueError:
        fallback, _sep, fallback_seconds = default.partition("/")
        return int(fallback), int(fallback_seconds)


def rate_limit() -> tuple[int, int]:
    """Submissions allowed per source address per window: JINGYING_PUBLIC_RATE_LIMIT, "30/600"."""
    return _pair("JINGYING_PUBLIC_RATE_LIMIT", "30/600")


def burst_limit() -> tuple[int, int]:
    """Identical answers allowed per campaign per window before the next ones are held:
    JINGYING_PUBLIC_BURST, "5/300"."""
    return _pair("JINGYING_PUBLIC_BURST", "5/300")


def min_seconds() -> float:
    """Faster than this from form to submit is held as impossible: JINGYING_PUBLIC_MIN_SECONDS, 3."""
    try:
        return float(_setting("JINGYING_PUBLIC_MIN_SECONDS", "3"))
    except ValueError:
        return 3.0


def _mac(*parts: Any) -> str:
    message = "\x1f".join(str(p) for p in parts).encode()
    return hmac.new(f"{_SALT}:{settings.SECRET_KEY}".encode(), message, hashlib.sha256).hexdigest()


def new_device() -> str:
    return secrets.token_urlsafe(24)


def new_key() -> str:
    return secrets.token_urlsafe(18)


# --- links ---------------------------------------------------------------------------------


@transaction.atomic
def public_link_ensure(*, campaign: Campaign) -> PublicLink:
    """The campaign's public token (made once, when the public campaign is created)."""
    if campaign.kind != CampaignKind.PUBLIC:
        raise ValidationError(_("只有公开评价问卷才有公开链接"))
    link, _created = PublicLink.objects.get_or_create(campaign=campaign, defaults={"token": secrets.token_urlsafe(18)})
    return link


def link_of(campaign: Campaign) -> PublicLink | None:
    if campaign.kind != CampaignKind.PUBLIC:
        return None
    return PublicLink.objects.filter(campaign=campaign).first() or public_link_ensure(campaign=campaign)


def access_public(token: str) -> Campaign:
    """The public campaign behind a token; 404 for anything else."""
    link = (PublicLink.objects.select_related("campaign__unit", "campaign__version__questionnaire")
            .filter(token=str(token)[:40]).first())
    if link is None or link.campaign.kind != CampaignKind.PUBLIC:
        raise Http404
    return link.campaign


def questions_of(campaign: Campaign) -> list[Question]:
    return list(campaign.version.questions.order_by("position"))


_FORMS: dict[str, tuple[float, Campaign, list[Question]]] = {}


def cache_seconds() -> float:
    """How long a server process reuses a public form (campaign and its frozen questions):
    JINGYING_PUBLIC_CACHE_SECONDS, 5. A changed deadline reaches every process within that."""
    try:
        return float(_setting("JINGYING_PUBLIC_CACHE_SECONDS", "5"))
    except ValueError:
        return 5.0


def public_form(token: str) -> tuple[Campaign, list[Question]]:
    """access_public and questions_of, reused for a few seconds under a burst of submissions
    (read-only objects: the questions of a published version never change)."""
    ttl = cache_seconds()
    now = time.monotonic()
    hit = _FORMS.get(token) if ttl > 0 else None
    if hit is not None and now - hit[0] < ttl:
        return hit[1], hit[2]
    campaign = access_public(token)
    questions = questions_of(campaign)
    if ttl > 0:
        if len(_FORMS) > 1000:
            _FORMS.clear()
        _FORMS[token] = (now, campaign, questions)
    return campaign, questions


# --- render stamp (impossible speed) -------------------------------------------------------


def render_stamp(campaign: Campaign) -> str:
    return signing.dumps({"c": campaign.pk, "t": round(time.time(), 3)}, salt=f"{_SALT}.stamp")


def elapsed_since(campaign: Campaign, stamp: str | None) -> float | None:
    """Seconds since the form was rendered, or None for a missing, forged or foreign stamp."""
    if not stamp:
        return None
    try:
        data = signing.loads(stamp, salt=f"{_SALT}.stamp", max_age=7 * 24 * 3600)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("c") != campaign.pk:
        return None
    try:
        return time.time() - float(data["t"])
    except (KeyError, TypeError, ValueError):
        return None


# --- rate limit ----------------------------------------------------------------------------


def _throttle_sql() -> str:
    """Count one submission for an address key, restarting the count when its window has passed:
    one upsert (SQLite ≥ 3.35 and PostgreSQL), so no race between "no row yet" and "count"."""
    qn = connection.ops.quote_name
    table = qn(PublicThrottle._meta.db_table)
    key, start, count = qn("key"), qn("window_start"), qn("count")
    # Names come from the model, values are bound. Both SET expressions read the old row.
    return (f"INSERT INTO {table} ({key}, {start}, {count}) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT ({key}) DO UPDATE SET "
            f"{count} = CASE WHEN {table}.{start} > %s THEN {table}.{count} + 1 ELSE 1 END, "
            f"{start} = CASE WHEN {table}.{start} > %s THEN {table}.{start} ELSE %s END "
            f"RETURNING {count}")


def _throttle_params(address: str, now: dt.datetime, window: int) -> list[Any]:
    ops = connection.ops
    at = ops.adapt_datetimefield_value(now)
    since = ops.adapt_datetimefield_value(now - dt.timedelta(seconds=window))
    return [_mac("address", address), at, since, since, at]


def _burst_sql() -> str:
    qn = connection.ops.quote_name
    return (f"SELECT COUNT(*) FROM {qn(PublicSubmission._meta.db_table)} "  # noqa: S608
            f"WHERE {qn('campaign_id')} = %s AND {qn('digest')} = %s AND {qn('at')} >= %s")


def _execute(sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
    """Run one statement; its first row, if it returns any."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() if cursor.description else None


def _async_commit() -> bool:
    """PostgreSQL, outside any transaction of the caller: the throttle statement may commit
    without waiting for the WAL flush (synchronous_commit off for that one statement), so the
    address's counter row is not locked for the length of a disk flush under a burst from one
    address. A crash can forget the last fraction of a second of counts; never a submission."""
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def throttle_hit(*, address: str) -> bool:
    """Count one submission from this address; False once over the limit for the window."""
    if rate_limit()[0] <= 0:
        return True
    return _checks(address, None, "", timezone.now())[0]


def _checks(address: str | None, campaign: Campaign | None, digest: str, now: dt.datetime) -> tuple[bool, int]:
    """(within the rate limit, identical answers for the campaign in the burst window), in one
    statement on PostgreSQL. No address: no rate limit; no campaign: no burst count."""
    limit, window = rate_limit()
    throttled = address is not None and limit > 0
    burst, burst_window = burst_limit()
    counted = campaign is not None and burst > 0
    if not (throttled or counted):
        return True, 0
    burst_params = [campaign.pk if campaign else None, digest,
                    connection.ops.adapt_datetimefield_value(now - dt.timedelta(seconds=burst_window))]
    if throttled and connection.vendor == "postgresql":
        parts = [f"WITH t AS ({_throttle_sql()})", "SELECT (SELECT * FROM t)"]
        params = _throttle_params(str(address), now, window)
        if _async_commit():
            parts.append(", (SELECT set_config('synchronous_commit', 'off', true))")
        if counted:
            parts.append(f", ({_burst_sql()})")
            params += burst_params
        row = _execute(" ".join(parts), params)
        assert row is not None
        return int(row[0]) <= limit, int(row[-1]) if counted else 0
    allowed = True
    if throttled:
        row = _execute(_throttle_sql(), _throttle_params(str(address), now, window))
        assert row is not None
        allowed = int(row[0]) <= limit
    recent = 0
    if counted:
        row = _execute(_burst_sql(), burst_params)
        assert row is not None
        recent = int(row[0])
    return allowed, recent


class RateLimitedError(Exception):
    def __init__(self) -> None:
        super().__init__(_("提交过于频繁，请稍后再试。"))


# --- submitting ----------------------------------------------------------------------------


class AlreadyTodayError(ValidationError):
    """One answer per device per day."""


@dataclass
class Submitted:
    submission: PublicSubmission
    replay: bool  # the same submission key was seen before: nothing new was stored


def _digest(clean: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(clean, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _reason(elapsed: float | None, recent_identical: int) -> str:
    if elapsed is None or elapsed < min_seconds():
        return Reason.SPEED
    count, _window = burst_limit()
    if count > 0 and recent_identical >= count:
        return Reason.BURST
    return Reason.NONE


def _validated(campaign: Campaign, raw: Mapping[str, Any], key: str, device: str, now: dt.datetime,
               questions: Sequence[Question] | None) -> tuple[dict[str, Any], list[Question]]:
    if not KEY_RE.match(key):
        raise ValidationError({"key": [_("提交码无效，请刷新页面后重新填写。")]})
    if not (16 <= len(device) <= 128):
        raise ValidationError({"device": [_("无法识别您的设备，请允许浏览器保存 Cookie 后重新打开本页。")]})
    if now < campaign.opens_at:
        raise ValidationError(_("评价还没有开始。"))
    if now >= campaign.closes_at:
        raise ValidationError(_("评价已经结束，感谢关注。"))
    questions = list(questions) if questions is not None else questions_of(campaign)
    clean, errors = logic.clean_answers([logic.Spec.of(q) for q in questions], raw)
    if errors:
        raise ValidationError({code: [message] for code, message in errors.items()})
    return clean, questions


def _existing(campaign: Campaign, key: str) -> PublicSubmission | None:
    return PublicSubmission.objects.filter(campaign=campaign, key=key).first()


def public_submit(*, campaign: Campaign, raw: Mapping[str, Any], key: str, device: str,
                  stamp: str | None = None, questions: Sequence[Question] | None = None,
                  address: str | None = None) -> Submitted:
    """Store one public submission, idempotently by `key`.

    A key already seen returns that submission again (replay=True) whatever else was sent.
    With `address`, every call counts towards that address's rate limit first (RateLimitedError
    over it, whatever was sent). Raises ValidationError (answers, key, window) or
    AlreadyTodayError (this device today).

    The usual case (valid, not held) costs two statements: the rate limit with the
    identical-answers count, then the ledger row, the response and its answers written together
    (one statement on PostgreSQL). A repeated key or device is caught by the unique constraints,
    not looked up beforehand.
    """
    key = str(key or "").strip()
    device = str(device or "").strip()
    now = timezone.now()
    try:
        clean, questions = _validated(campaign, raw, key, device, now, questions)
    except ValidationError:
        if address is not None and not throttle_hit(address=address):
            raise RateLimitedError from None
        existing = _existing(campaign, key) if KEY_RE.match(key) else None
        if existing is not None:  # a retry of a received submission: whatever else changed
            return Submitted(existing, True)
        raise
    day = timezone.localdate(now)
    digest = _digest(clean)
    allowed, recent = _checks(address, campaign, digest, now)
    if not allowed:
        raise RateLimitedError
    reason = _reason(elapsed_since(campaign, stamp), recent)
    rows = _rows({q.code: q for q in questions}, clean)
    submission = PublicSubmission(
        campaign=campaign, key=key, device=_mac("device", campaign.pk, day.isoformat(), device), day=day, at=now,
        digest=digest, status=Status.HELD if reason else Status.ACCEPTED, reason=reason,
        payload={"answers": clean, "rows": rows} if reason else None)
    try:
        if reason:  # rare: the answers wait in the ledger row for review
            with transaction.atomic():
                submission.save(force_insert=True)
        else:
            response = Response(campaign=campaign, unit_id=campaign.unit_id, submitted_on=day)
            answers = [Answer(response=response, question_id=qid, row=row, choice=choice,
                              number=None if number is None else Decimal(number), text=text)
                       for qid, row, choice, number, text in rows]
            fast_insert([submission, response, *answers])
    except IntegrityError:
        existing = _existing(campaign, key)
        if existing is not None:  # the same key again, or a concurrent retry of it won
            return Submitted(existing, True)
        raise AlreadyTodayError(_("您今天已经评价过了，感谢您的参与！每台设备每天只能评价一次。")) from None
    return Submitted(submission, False)


_INSERTS: dict[tuple[str, tuple[tuple[type[models.Model], int], ...]], list[str]] = {}


def _insert_fields(model: type[models.Model]) -> list[Any]:
    return [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]


def _insert_sql(groups: Sequence[tuple[type[models.Model], Sequence[models.Model]]]) -> list[str]:
    """The INSERT statements for these groups (cached by shape): one per model, or on
    PostgreSQL a single one with the earlier INSERTs as data-modifying WITH clauses."""
    shape = tuple((model, len(items)) for model, items in groups)
    sql = _INSERTS.get((connection.vendor, shape))
    if sql is not None:
        return sql
    qn = connection.ops.quote_name
    statements = []
    for model, items in groups:
        fields = _insert_fields(model)
        row = f"({', '.join(['%s'] * len(fields))})"
        # Names come from the models, values are bound.
        statements.append(f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "  # noqa: S608
                          f"VALUES {', '.join([row] * len(items))}")
    if connection.vendor == "postgresql" and len(statements) > 1:
        *first, last = statements
        statements = [f"WITH {', '.join(f'w{i} AS ({sql})' for i, sql in enumerate(first))} {last}"]
    _INSERTS[(connection.vendor, shape)] = statements
    return statements


def fast_insert(objs: Sequence[models.Model]) -> None:
    """INSERT these new model instances (primary keys set in Python, e.g. UUIDs; grouped by
    model in the given order) all or nothing: one statement on PostgreSQL (committed by itself
    outside a transaction), one transaction on SQLite. The values are the fields' own database
    values (defaults and conversions as Model.save). Raises IntegrityError and stores nothing
    when a constraint fails."""
    groups: list[tuple[type[models.Model], list[models.Model]]] = []
    for obj in objs:
        if groups and groups[-1][0] is type(obj):
            groups[-1][1].append(obj)
        else:
            groups.append((type(obj), [obj]))
    params: list[list[Any]] = []
    for model, items in groups:
        fields = _insert_fields(model)
        params.append([f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in items for f in fields])
    statements = _insert_sql(groups)
    if len(statements) == 1:
        single = [p for group in params for p in group]
        # Outside a transaction the one statement is its own; inside one, a savepoint keeps the
        # caller's transaction usable after a constraint failure.
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            _execute(statements[0], single)
    else:
        with transaction.atomic():
            for statement, values in zip(statements, params, strict=True):
                _execute(statement, values)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


# --- review of held submissions ------------------------------------------------------------


@transaction.atomic
def public_review(*, actor: Any, campaign: Campaign, release: bool, ids: Sequence[Any] | None = None) -> int:
    """Release held submissions into the results, or reject them; returns how many."""
    require(actor, "surveys.manage_campaign", campaign.unit.path)
    held = PublicSubmission.objects.select_for_update().filter(campaign=campaign, status=Status.HELD)
    if ids is not None:
        held = held.filter(pk__in=list(ids))
    items = list(held)
    reasons: dict[str, int] = {}
    for sub in items:
        reasons[sub.reason] = reasons.get(sub.reason, 0) + 1
        if release:
            response = Response.objects.create(campaign=campaign, unit_id=campaign.unit_id, submitted_on=sub.day)
            _write_answers(response, (sub.payload or {}).get("rows", []))
        sub.status = Status.RELEASED if release else Status.REJECTED
        sub.payload = None
    PublicSubmission.objects.bulk_update(items, ["status", "payload"])
    if items:
        audit.record(actor=actor, action="surveys.public.release" if release else "surveys.public.reject",
                     obj=campaign, after={"count": len(items), "reasons": reasons})
    return len(items)


# --- reads ---------------------------------------------------------------------------------


def status_counts(campaign: Campaign) -> dict[str, int]:
    counts = dict.fromkeys(Status.values, 0)
    for row in (PublicSubmission.objects.filter(campaign=campaign).values("status").annotate(n=Count("id"))
                .order_by()):
        counts[row["status"]] = row["n"]
    return counts


@dataclass
class HeldItem:
    submission: PublicSubmission
    answers: list[tuple[str, str]]


def held_list(campaign: Campaign, *, limit: int = 200) -> list[HeldItem]:
    """Held submissions (oldest first) with their answers in words, for review."""
    questions = {q.code: q for q in questions_of(campaign)}
    items = []
    for sub in PublicSubmission.objects.filter(campaign=campaign, status=Status.HELD).order_by("at")[:limit]:
        shown = []
        for code, value in ((sub.payload or {}).get("answers") or {}).items():
            q = questions.get(code)
            if q is None:
                continue
            if isinstance(value, list):
                text = "、".join(q.option_label(v) for v in value)
            elif isinstance(value, dict):
                text = "；".join(f"{r}:{q.option_label(v)}" for r, v in value.items())
            elif q.options:
                text = q.option_label(value)
            else:
                text = str(value)
            shown.append((q.text, text))
        items.append(HeldItem(sub, shown))
    return items
