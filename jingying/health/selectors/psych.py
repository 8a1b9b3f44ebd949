"""Reads of screening, crisis and counselling (issue 6 points 2–4), scoped by default.

Person-level records (results, alerts, sessions) are in the psych domain: `restrict(...,
domain="psych")`. Units without the domain get `round_stats` / `counselling_stats` only:
counts per unit with small cells suppressed (jingying.surveys.suppression).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone

from jingying.core.scoping import access, covers, restrict
from jingying.health.choices_psych import AlertStatus, SessionStatus, Tier
from jingying.health.models import (
    AnonymousQuestion,
    AvailabilitySlot,
    CounsellingSession,
    Counsellor,
    CrisisAlert,
    RoundCampaign,
    ScreeningConsent,
    ScreeningResult,
    ScreeningRound,
)
from jingying.org.models import Unit
from jingying.surveys.suppression import SELF, UnitTree, suppress

DOMAIN = "psych"
TIERS = [Tier.LOW, Tier.MEDIUM, Tier.HIGH]


def k_group() -> int:
    """Respondents a unit needs before its clinical figures show (instruments.md §13: k ≥ 10)."""
    from jingying.surveys.services import k_min

    return max(10, k_min())


def k_cell() -> int:
    """The smallest tier count shown inside a shown unit ("never report counts below 5")."""
    from jingying.surveys.services import k_min

    return k_min()


# --- rounds and aggregates -----------------------------------------------------------------


def round_list(*, actor: Any) -> QuerySet[ScreeningRound]:
    """Rounds in the actor's subtrees, and rounds above them that cover their units (a force-wide
    round is followed by every station leader, for their own part of it)."""
    from jingying.core.scoping import grant_roots, scope_q

    q = scope_q(ScreeningRound, actor, "health.view_round")
    if q is None:
        return ScreeningRound.objects.none()
    ancestors = {g.unit_path[:i] for g in grant_roots(actor, "health.view_round")
                 for i in range(1, len(g.unit_path) + 1) if g.unit_path[i - 1] == "/"}
    if ancestors:
        q |= Q(unit__path__in=ancestors)
    return ScreeningRound.objects.select_related("unit").filter(q).order_by("-opens_at", "-id")


def access_round(actor: Any, pk: Any) -> ScreeningRound:
    round_ = round_list(actor=actor).filter(pk=pk).first() if str(pk).isdigit() else None
    if round_ is None:
        raise Http404
    return round_


def stats_start(actor: Any, screening: ScreeningRound) -> Unit:
    """Where the actor's figures of a round start: the round's unit, or their own granted unit
    inside it."""
    from jingying.core.scoping import grant_roots

    if covers(actor, "health.view_psych_stats", screening.unit.path):
        return screening.unit
    for grant in grant_roots(actor, "health.view_psych_stats"):
        if grant.unit_path.startswith(screening.unit.path):
            return Unit.objects.get(pk=grant.unit_id)
    raise Http404


@dataclass
class StatRow:
    unit: Any  # a Unit, or None for "本级" (people attached to the unit itself)
    label: str
    invited: int
    answered: int
    shown: bool
    tiers: dict[str, int | None] = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        return round(100 * self.answered / self.invited, 1) if self.invited and self.shown else None


@dataclass
class RoundStats:
    unit: Unit
    k: int
    invited: int
    answered: int
    shown: bool
    tiers: dict[str, int | None]
    rows: list[StatRow]


def _tier_cells(counts: Counter[str], shown: bool) -> dict[str, int | None]:
    if not shown:
        return dict.fromkeys(TIERS)
    hidden = suppress({t: counts.get(t, 0) for t in TIERS}, k_cell())
    return {t: (None if t in hidden else counts.get(t, 0)) for t in TIERS}


def round_stats(*, actor: Any, screening: ScreeningRound, unit: Unit | None = None) -> RoundStats:
    """Participation and tier counts for a unit of the round and its children, k-safe.

    Respondents are people with a complete result. A unit (and each child) shows only with at
    least k_group() respondents and when not hidden among its siblings (complementary
    suppression, decided top-down from the round's unit); tier counts below k_cell() are hidden
    the same way inside a shown unit.
    """
    from jingying.surveys.models import Invitation

    root = screening.unit
    unit = unit or root
    if not unit.path.startswith(root.path) or not covers(actor, "health.view_psych_stats", unit.path):
        raise Http404
    units = list(Unit.objects.filter(path__startswith=root.path).values_list("id", "parent_id", "path"))
    first = RoundCampaign.objects.filter(round=screening).order_by("position").first()
    invited_direct: Counter[int] = Counter()
    if first is not None:
        invited_direct.update(dict(Invitation.objects.filter(campaign_id=first.campaign_id)
                                   .values_list("unit_id").annotate(n=Count("id")).values_list("unit_id", "n")))
    answered_direct: Counter[int] = Counter()
    tiers_direct: dict[int, Counter[str]] = defaultdict(Counter)
    for unit_id, tier, n in (ScreeningResult.objects.filter(round=screening, complete=True)
                             .values_list("unit_id", "tier").annotate(n=Count("id")).values_list("unit_id", "tier", "n")):
        answered_direct[unit_id] += n
        tiers_direct[unit_id][tier] += n
    tree = UnitTree(units, root.pk, answered_direct)
    invited_tree = UnitTree(units, root.pk, invited_direct)
    k = k_group()
    paths = {uid: path for uid, _parent, path in units}

    def tiers_under(uid: int, direct_only: bool = False) -> Counter[str]:
        total: Counter[str] = Counter()
        if direct_only:
            return Counter(tiers_direct.get(uid, Counter()))
        prefix = paths[uid]
        for other, counts in tiers_direct.items():
            if paths.get(other, "").startswith(prefix):
                total.update(counts)
        return total

    shown = tree.visible(unit.pk, k)
    rows: list[StatRow] = []
    if shown:
        children = tree.children_shown(unit.pk, k)
        names = dict(Unit.objects.filter(pk__in=[c for c in children if c != SELF]).values_list("pk", "name"))
        objects = Unit.objects.in_bulk([c for c in children if c != SELF])
        for key, visible in children.items():
            if key == SELF:
                answered, invited = tree.direct.get(unit.pk, 0), invited_tree.direct.get(unit.pk, 0)
                if not invited and not answered:
                    continue
                rows.append(StatRow(None, "本级", invited, answered, visible,
                                    _tier_cells(tiers_under(unit.pk, direct_only=True), visible)))
            elif isinstance(key, int):
                answered, invited = tree.total.get(key, 0), invited_tree.total.get(key, 0)
                if not invited and not answered:
                    continue
                rows.append(StatRow(objects.get(key), names.get(key, ""), invited, answered, visible,
                                    _tier_cells(tiers_under(key), visible)))
    return RoundStats(unit=unit, k=k, invited=invited_tree.total.get(unit.pk, 0), answered=tree.total.get(unit.pk, 0),
                      shown=shown, tiers=_tier_cells(tiers_under(unit.pk), shown), rows=rows)


# --- results and alerts (counsellors) ------------------------------------------------------


def result_list(*, actor: Any, screening: ScreeningRound | None = None, tier: str = "") -> QuerySet[ScreeningResult]:
    qs = ScreeningResult.objects.select_related("person", "unit", "round")
    if screening is not None:
        qs = qs.filter(round=screening)
    if tier in Tier.values:
        qs = qs.filter(tier=tier)
    return restrict(qs, actor, "health.view_screening", domain=DOMAIN).order_by("-updated_at", "-id")


def access_result(actor: Any, pk: Any) -> ScreeningResult:
    return access(ScreeningResult.objects.select_related("person__unit", "round", "unit"), actor,
                  "health.view_screening", pk, domain=DOMAIN)


def alert_list(*, actor: Any, status: str = "") -> QuerySet[CrisisAlert]:
    qs = CrisisAlert.objects.select_related("person__unit", "acknowledged_by", "contact_by")
    if status == "active":
        qs = qs.exclude(status=AlertStatus.CLOSED)
    elif status in AlertStatus.values:
        qs = qs.filter(status=status)
    return restrict(qs, actor, "health.view_alert", domain=DOMAIN).order_by("-created_at", "-id")


def access_alert(actor: Any, pk: Any) -> CrisisAlert:
    return access(CrisisAlert.objects.select_related("person__unit", "result", "acknowledged_by", "contact_by",
                                                     "closed_by"), actor, "health.view_alert", pk, domain=DOMAIN)


# --- the officer's own ---------------------------------------------------------------------


@dataclass
class MyRound:
    round: ScreeningRound
    consented: bool
    answered: int
    total: int
    result: ScreeningResult | None

    @property
    def done(self) -> bool:
        return self.total > 0 and self.answered >= self.total


def my_rounds(*, actor: Any) -> list[MyRound]:
    """The rounds the actor was invited to, newest first, with consent, progress and own result."""
    from jingying.surveys.models import Invitation

    person_id = getattr(actor, "person_id", None)
    if person_id is None:
        return []
    invitations = (Invitation.objects.filter(person_id=person_id, campaign__screening_link__isnull=False)
                   .values_list("campaign__screening_link__round_id", "answered"))
    progress: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for round_id, answered in invitations:
        progress[round_id][1] += 1
        progress[round_id][0] += int(answered)
    if not progress:
        return []
    rounds = ScreeningRound.objects.filter(pk__in=progress).select_related("unit").order_by("-opens_at", "-id")[:20]
    consents = set(ScreeningConsent.objects.filter(person_id=person_id, round_id__in=progress)
                   .values_list("round_id", flat=True))
    results = {r.round_id: r for r in ScreeningResult.objects.filter(person_id=person_id, round_id__in=progress)}
    return [MyRound(r, r.pk in consents, progress[r.pk][0], progress[r.pk][1], results.get(r.pk)) for r in rounds]


def my_round(*, actor: Any, pk: Any) -> MyRound:
    for item in my_rounds(actor=actor):
        if str(item.round.pk) == str(pk):
            return item
    raise Http404


def next_link(*, actor: Any, screening: ScreeningRound) -> RoundCampaign | None:
    """The round's first instrument the actor has not answered yet."""
    from jingying.surveys.models import Invitation

    person_id = getattr(actor, "person_id", None) or 0
    pending = set(Invitation.objects.filter(person_id=person_id, answered=False,
                                            campaign__screening_link__round=screening)
                  .values_list("campaign_id", flat=True))
    return (RoundCampaign.objects.filter(round=screening, campaign_id__in=pending)
            .select_related("campaign__version__questionnaire").order_by("position").first())


# --- counselling ---------------------------------------------------------------------------


def counsellor_directory(*, language: str = "") -> QuerySet[Counsellor]:
    """Active counsellors with their free future slots (the directory is force-wide)."""
    free = AvailabilitySlot.objects.filter(booked=False, starts_at__gt=timezone.now()).order_by("starts_at")
    qs = Counsellor.objects.filter(active=True).select_related("unit").prefetch_related(
        Prefetch("slots", queryset=free, to_attr="free_slots"))
    if language:
        qs = qs.filter(languages__icontains=f'"{language}"')
    return qs.order_by("-is_head", "name", "id")


def my_sessions(*, actor: Any) -> QuerySet[CounsellingSession]:
    person_id = getattr(actor, "person_id", None) or 0
    return (CounsellingSession.objects.filter(person_id=person_id).select_related("counsellor")
            .order_by("-starts_at", "-id"))


def session_list(*, actor: Any, mine_only: bool = True) -> QuerySet[CounsellingSession]:
    qs = CounsellingSession.objects.select_related("person__unit", "counsellor")
    if mine_only:
        qs = qs.filter(counsellor__user_id=getattr(actor, "pk", None) or 0)
    return restrict(qs, actor, "health.view_session", domain=DOMAIN).order_by("-starts_at", "-id")


def access_session(actor: Any, pk: Any) -> CounsellingSession:
    """A session for a counsellor in scope (psych domain), or 404."""
    qs = CounsellingSession.objects.select_related("person__unit", "counsellor__user", "notes_author")
    return access(qs, actor, "health.view_session", pk, domain=DOMAIN)


def access_my_session(actor: Any, pk: Any) -> CounsellingSession:
    """One of the actor's own bookings, or 404."""
    session = my_sessions(actor=actor).select_related("counsellor__user").filter(pk=pk).first()
    if session is None or getattr(actor, "person_id", None) is None:
        raise Http404
    return session


def my_slots(*, actor: Any) -> QuerySet[AvailabilitySlot]:
    return (AvailabilitySlot.objects.filter(counsellor__user_id=getattr(actor, "pk", None) or 0,
                                            starts_at__gte=timezone.now() - dt.timedelta(days=1))
            .order_by("starts_at", "id"))


def question_list(*, answered: bool | None = None) -> QuerySet[AnonymousQuestion]:
    qs = AnonymousQuestion.objects.select_related("answered_by")
    if answered is not None:
        qs = qs.filter(answer="") if not answered else qs.exclude(answer="")
    return qs.order_by("-asked_on", "-id")


@dataclass
class MonthRow:
    month: dt.date
    cells: dict[str, int | None]
    total: int | None


def counselling_stats(*, actor: Any, unit: Unit, months: int = 12) -> tuple[list[str], list[MonthRow], int]:
    """Sessions held or booked per month by the level of the officer's unit, no names, k-safe:
    per month, level cells below k are hidden with complementary suppression; a month below k
    shows no figures at all."""
    if not covers(actor, "health.view_psych_stats", unit.path):
        raise Http404
    since = (timezone.localdate().replace(day=1) - dt.timedelta(days=31 * (months - 1))).replace(day=1)
    rows = (CounsellingSession.objects.filter(unit__path__startswith=unit.path, starts_at__date__gte=since)
            .exclude(status=SessionStatus.CANCELLED)
            .annotate(month=TruncMonth("starts_at")).values_list("month", "unit__kind").annotate(n=Count("id"))
            .values_list("month", "unit__kind", "n"))
    grid: dict[dt.date, Counter[str]] = defaultdict(Counter)
    for month, kind, n in rows:
        day = month.date() if isinstance(month, dt.datetime) else month
        grid[day][kind] += n
    kinds = sorted({kind for counts in grid.values() for kind in counts})
    k = k_cell()
    out = []
    for month in sorted(grid, reverse=True):
        counts = grid[month]
        total = sum(counts.values())
        if total < k:
            out.append(MonthRow(month, dict.fromkeys(kinds), None))
            continue
        hidden = suppress({kind: counts.get(kind, 0) for kind in kinds}, k)
        out.append(MonthRow(month, {kind: None if kind in hidden else counts.get(kind, 0) for kind in kinds}, total))
    return kinds, out, k


def active_alert_count(*, actor: Any) -> int:
    return alert_list(actor=actor, status="active").count()




def me_psych_context(*, actor: Any) -> dict[str, Any]:
    """What the officer's own health page (/health/me/) needs for the partials
    health/partials/me_screening.html (`rounds`) and me_counselling.html (`sessions`)."""
    return {"rounds": my_rounds(actor=actor), "sessions": list(my_sessions(actor=actor)[:20])}
