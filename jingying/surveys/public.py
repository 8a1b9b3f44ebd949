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
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from jingying.core import audit
from jingying.core.scoping import require
from jingying.surveys import logic
from jingying.surveys.choices import CampaignKind
from jingying.surveys.models import Campaign, PublicLink, PublicSubmission, PublicThrottle, Question, Response
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


def throttle_hit(*, address: str) -> bool:
    """Count one submission from this address; False once over the limit for the window.

    One statement per request in the usual case (UPDATE … RETURNING, SQLite ≥ 3.35 and
    PostgreSQL): the counter restarts when its window has passed.
    """
    limit, window = rate_limit()
    if limit <= 0:
        return True
    key = _mac("address", address)
    now = timezone.now()
    start = now - dt.timedelta(seconds=window)
    ops, qn = connection.ops, connection.ops.quote_name
    table = qn(PublicThrottle._meta.db_table)
    # Names come from the model, values are bound.
    sql = (f"UPDATE {table} SET {qn('count')} = CASE WHEN {qn('window_start')} > %s THEN {qn('count')} + 1 ELSE 1 END, "  # noqa: S608
           f"{qn('window_start')} = CASE WHEN {qn('window_start')} > %s THEN {qn('window_start')} ELSE %s END "
           f"WHERE {qn('key')} = %s RETURNING {qn('count')}")
    at, since = ops.adapt_datetimefield_value(now), ops.adapt_datetimefield_value(start)
    for _attempt in range(3):
        with connection.cursor() as cursor:
            cursor.execute(sql, [since, since, at, key])
            row = cursor.fetchone()
        if row is not None:
            return int(row[0]) <= limit
        try:
            with transaction.atomic():
                PublicThrottle.objects.create(key=key, window_start=now, count=1)
            return True
        except IntegrityError:
            continue  # another process created it first: count again
    return True  # pragma: no cover - three lost races in a row


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


def _reason(campaign: Campaign, digest: str, elapsed: float | None, now: dt.datetime) -> str:
    if elapsed is None or elapsed < min_seconds():
        return Reason.SPEED
    count, window = burst_limit()
    if count > 0:
        recent = PublicSubmission.objects.filter(campaign=campaign, digest=digest,
                                                 at__gte=now - dt.timedelta(seconds=window)).count()
        if recent >= count:
            return Reason.BURST
    return Reason.NONE


def public_submit(*, campaign: Campaign, raw: Mapping[str, Any], key: str, device: str,
                  stamp: str | None = None, questions: Sequence[Question] | None = None) -> Submitted:
    """Store one public submission, idempotently by `key`.

    A key already seen returns that submission again (replay=True) whatever else was sent.
    Raises ValidationError (answers, key, window) or AlreadyTodayError (this device today).
    """
    key = str(key or "").strip()
    if not KEY_RE.match(key):
        raise ValidationError({"key": [_("提交码无效，请刷新页面后重新填写。")]})
    existing = PublicSubmission.objects.filter(campaign=campaign, key=key).first()
    if existing is not None:
        return Submitted(existing, True)
    device = str(device or "").strip()
    if not (16 <= len(device) <= 128):
        raise ValidationError({"device": [_("无法识别您的设备，请允许浏览器保存 Cookie 后重新打开本页。")]})
    now = timezone.now()
    if now < campaign.opens_at:
        raise ValidationError(_("评价还没有开始。"))
    if now >= campaign.closes_at:
        raise ValidationError(_("评价已经结束，感谢关注。"))
    questions = list(questions) if questions is not None else questions_of(campaign)
    clean, errors = logic.clean_answers([logic.Spec.of(q) for q in questions], raw)
    if errors:
        raise ValidationError({code: [message] for code, message in errors.items()})
    day = timezone.localdate(now)
    digest = _digest(clean)
    reason = _reason(campaign, digest, elapsed_since(campaign, stamp), now)
    rows = _rows({q.code: q for q in questions}, clean)
    submission = PublicSubmission(
        campaign=campaign, key=key, device=_mac("device", campaign.pk, day.isoformat(), device), day=day, at=now,
        digest=digest, status=Status.HELD if reason else Status.ACCEPTED, reason=reason,
        payload={"answers": clean, "rows": rows} if reason else None)
    try:
        with transaction.atomic():
            submission.save(force_insert=True)
            if not reason:
                response = Response.objects.create(campaign=campaign, unit_id=campaign.unit_id, submitted_on=day)
                _write_answers(response, rows)
    except IntegrityError:
        existing = PublicSubmission.objects.filter(campaign=campaign, key=key).first()
        if existing is not None:  # a concurrent retry of the same key won
            return Submitted(existing, True)
        raise AlreadyTodayError(_("您今天已经评价过了，感谢您的参与！每台设备每天只能评价一次。")) from None
    return Submitted(submission, False)


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
