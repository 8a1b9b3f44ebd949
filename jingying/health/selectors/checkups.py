"""Reads of annual checkups: plans, records (health domain, reads audited), follow-ups, the
officer's own page, and per-unit completion and findings prevalence (k-safe aggregates)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from jingying.core import audit
from jingying.core.scoping import access, covers, require, restrict, subtree_q
from jingying.health.checkup_codes import FINDING_CODES
from jingying.health.models import CheckupFinding, CheckupImport, CheckupPlan, CheckupRecord, CheckupStatus, FollowUp
from jingying.org.models import Unit
from jingying.surveys.suppression import SELF, UnitTree

HEALTH = "health"
VIEW_PLAN = "health.view_checkup_plan"
VIEW = "health.view_checkup"
STATS = "health.view_checkup_stats"


# --- plans ----------------------------------------------------------------------------------


def checkup_plan_list(*, actor: Any, filters: dict[str, Any] | None = None) -> QuerySet[CheckupPlan]:
    qs = restrict(CheckupPlan.objects.all(), actor, VIEW_PLAN)
    f = filters or {}
    if f.get("year"):
        qs = qs.filter(year=f["year"])
    if f.get("unit"):
        qs = qs.filter(unit_id=f["unit"])
    return (qs.select_related("unit", "hospital")
            .annotate(due=Count("records"), done=Count("records", filter=Q(records__status=CheckupStatus.DONE)))
            .order_by("-year", "unit__path"))


def access_checkup_plan(actor: Any, pk: Any, *, perm: str = VIEW_PLAN, for_write: bool = False) -> CheckupPlan:
    # Locking: PostgreSQL refuses FOR UPDATE across the outer joins of nullable relations.
    related = ("unit",) if for_write else ("unit", "hospital")
    return access(CheckupPlan.objects.select_related(*related), actor, perm, pk, for_write=for_write)


def plan_counts(plan: CheckupPlan) -> dict[str, int]:
    """How many people of the plan are due, booked, done, missed (one GROUP BY)."""
    counts = dict.fromkeys(CheckupStatus.values, 0)
    for status, n in CheckupRecord.objects.filter(plan=plan).values_list("status").annotate(n=Count("id")):
        counts[status] = n
    counts["total"] = sum(counts[s] for s in CheckupStatus.values)
    return counts


def checkup_import_for(*, actor: Any, pk: Any) -> CheckupImport:
    """The uploader's own import job, or 404."""
    from django.http import Http404

    job = CheckupImport.objects.select_related("plan__unit").filter(pk=pk, created_by_id=getattr(actor, "pk", None)).first()
    if job is None:
        raise Http404
    return job


# --- records (health domain) ----------------------------------------------------------------


def checkup_record_list(*, actor: Any, filters: dict[str, Any] | None = None) -> QuerySet[CheckupRecord]:
    qs = restrict(CheckupRecord.objects.all(), actor, VIEW, domain=HEALTH)
    f = filters or {}
    if f.get("plan"):
        qs = qs.filter(plan_id=f["plan"])
    if f.get("year"):
        qs = qs.filter(plan__year=f["year"])
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    if f.get("finding"):
        qs = qs.filter(findings__code=f["finding"])
    if f.get("q"):
        text = str(f["q"]).strip()
        qs = qs.filter(Q(person__name__contains=text) | Q(person__police_number=text) | Q(person__id_number=text))
    return (qs.select_related("person__unit", "plan")
            .prefetch_related(Prefetch("findings", queryset=CheckupFinding.objects.order_by("code")))
            .order_by("person__name", "id"))


def access_checkup_record(actor: Any, pk: Any, *, perm: str = VIEW, for_write: bool = False) -> CheckupRecord:
    related = ("person__unit", "plan__unit") if for_write else ("person__unit", "plan__unit", "plan__hospital")
    return access(CheckupRecord.objects.select_related(*related), actor, perm, pk, domain=HEALTH, for_write=for_write)


def checkup_record_read(*, actor: Any, pk: Any) -> CheckupRecord:
    """Open one record (scoped, 404 outside); the read is audited for the officer to see."""
    record = access_checkup_record(actor, pk)
    audit.record_read(actor=actor, obj=record, person_id=record.person_id, domain=HEALTH)
    return record


def followup_list(*, actor: Any, filters: dict[str, Any] | None = None) -> QuerySet[FollowUp]:
    qs = restrict(FollowUp.objects.all(), actor, VIEW, domain=HEALTH)
    f = filters or {}
    status = f.get("status", "open")
    if status == "open":
        qs = qs.filter(status__in=["open", "referred"])
    elif status:
        qs = qs.filter(status=status)
    if f.get("overdue"):
        qs = qs.filter(status="open", due_date__lt=timezone.localdate())
    if f.get("code"):
        qs = qs.filter(code=f["code"])
    return qs.select_related("person__unit", "record__plan", "referral__hospital").order_by("due_date", "id")


def access_followup(actor: Any, pk: Any, *, perm: str = VIEW, for_write: bool = False) -> FollowUp:
    related = ("person__unit", "record__plan") if for_write else ("person__unit", "record__plan", "referral")
    return access(FollowUp.objects.select_related(*related), actor, perm, pk, domain=HEALTH, for_write=for_write)


# --- the officer's own ----------------------------------------------------------------------


def my_checkups(*, person_id: int | None) -> QuerySet[CheckupRecord]:
    if person_id is None:
        return CheckupRecord.objects.none()
    return (CheckupRecord.objects.filter(person_id=person_id).select_related("plan__hospital")
            .prefetch_related(Prefetch("findings", queryset=CheckupFinding.objects.order_by("code")))
            .order_by("-plan__year"))


def my_followups(*, person_id: int | None) -> QuerySet[FollowUp]:
    if person_id is None:
        return FollowUp.objects.none()
    return FollowUp.objects.filter(person_id=person_id).select_related("referral__hospital").order_by("-due_date")


# --- aggregates -----------------------------------------------------------------------------


def unit_checkup_completion(*, unit_path: str, year: int) -> tuple[int, int]:
    """(done, due) for everyone of the unit's subtree in that year's plans (no names, no scope:
    callers such as the six-guarantees scorecard check their own permission)."""
    row = CheckupRecord.objects.filter(subtree_q("person__unit__path", unit_path), plan__year=year).aggregate(
        due=Count("id"), done=Count("id", filter=Q(status=CheckupStatus.DONE)))
    return row["done"] or 0, row["due"] or 0


@dataclass
class StatsRow:
    key: int | str  # a unit id, or SELF for the people attached to the unit itself
    label: str
    unit: Unit | None
    due: int | None
    done: int | None
    rate: float | None
    prevalence: list[float | None] = field(default_factory=list)
    shown: bool = True


@dataclass
class CheckupStats:
    unit: Unit
    year: int
    k: int
    rows: list[StatsRow]
    codes: list[Any]
    total: StatsRow
    exact: bool  # the viewer holds the health domain over the unit: nothing suppressed


def checkup_stats(*, actor: Any, unit: Unit, year: int) -> CheckupStats:
    """Completion and findings prevalence for the unit and each child (subtree roll-up).

    Without the health domain every cell follows complementary k-suppression
    (jingying.surveys.suppression): completion cells by the number of people due, prevalence
    by the number examined, so no hidden cell can be recovered by subtraction.
    """
    require(actor, STATS, unit.path)
    k: int = settings.JINGYING_K_ANONYMITY
    exact = covers(actor, VIEW, unit.path, domain=HEALTH)
    units = list(Unit.objects.filter(subtree_q("path", unit.path)).values_list("pk", "parent_id", "path"))
    base = CheckupRecord.objects.filter(subtree_q("person__unit__path", unit.path), plan__year=year)
    direct_due: dict[int, int] = {}
    direct_done: dict[int, int] = {}
    for uid, due, done in base.values_list("person__unit_id").annotate(
            due=Count("id"), done=Count("id", filter=Q(status=CheckupStatus.DONE))):
        direct_due[uid], direct_done[uid] = due, done
    by_code: dict[str, dict[int, int]] = {}
    for uid, code, n in (CheckupFinding.objects.filter(subtree_q("record__person__unit__path", unit.path),
                                                       record__plan__year=year, record__status=CheckupStatus.DONE)
                         .values_list("record__person__unit_id", "code").annotate(n=Count("record_id", distinct=True))):
        by_code.setdefault(code, {})[uid] = n
    due_tree = UnitTree(units, unit.pk, direct_due)
    done_tree = UnitTree(units, unit.pk, direct_done)
    code_trees = {f.code: UnitTree(units, unit.pk, by_code.get(f.code, {})) for f in FINDING_CODES}
    due_shown = due_tree.children_shown(unit.pk, k)
    done_shown = done_tree.children_shown(unit.pk, k)
    root_due_ok = exact or due_tree.total.get(unit.pk, 0) >= k
    root_done_ok = exact or done_tree.total.get(unit.pk, 0) >= k
    names = {pk: short or name for pk, short, name in
             Unit.objects.filter(parent_id=unit.pk).values_list("pk", "short_name", "name")}
    unit_objs = {u.pk: u for u in Unit.objects.filter(parent_id=unit.pk)}

    def make(key: int | str, label: str, due_ok: bool, done_ok: bool) -> StatsRow:
        if isinstance(key, int):
            due, done = due_tree.total.get(key, 0), done_tree.total.get(key, 0)
            counts = {c: t.total.get(key, 0) for c, t in code_trees.items()}
        else:  # SELF: the people attached to the unit itself
            due, done = due_tree.direct.get(unit.pk, 0), done_tree.direct.get(unit.pk, 0)
            counts = {c: t.direct.get(unit.pk, 0) for c, t in code_trees.items()}
        row = StatsRow(key=key, label=label, unit=unit_objs.get(key) if isinstance(key, int) else None,
                       due=due if due_ok else None, done=done if due_ok else None,
                       rate=round(100 * done / due, 1) if due_ok and due else None, shown=due_ok)
        row.prevalence = [round(100 * counts[f.code] / done, 1) if done_ok and done else None for f in FINDING_CODES]
        return row

    rows = []
    for key in sorted(due_tree.cells(unit.pk), key=lambda c: (c == SELF, names.get(c, "") if isinstance(c, int) else "")):
        if not isinstance(key, int):
            if not due_tree.direct.get(unit.pk, 0):
                continue
            label = str(_self_label())
        else:
            if not due_tree.total.get(key, 0):
                continue
            label = names.get(key, "")
        rows.append(make(key, label, root_due_ok and (exact or due_shown.get(key, False)),
                         root_done_ok and (exact or done_shown.get(key, False))))
    total = make(unit.pk, unit.name, root_due_ok, root_done_ok)
    return CheckupStats(unit=unit, year=year, k=k, rows=rows, codes=list(FINDING_CODES), total=total, exact=exact)


def _self_label() -> str:
    from django.utils.translation import gettext as _

    return _("本级")


def stats_years() -> list[int]:
    return sorted(set(CheckupPlan.objects.values_list("year", flat=True)), reverse=True)


def person_panel_context(*, actor: Any, person: Any) -> dict[str, Any]:
    """The profile panel: each year's checkup status and the referrals (no results: opening a
    record is the audited read)."""
    from jingying.care.selectors.hospitals import referral_list

    records = list(restrict(CheckupRecord.objects.filter(person=person), actor, VIEW, domain=HEALTH)
                   .select_related("plan").order_by("-plan__year")[:10])
    referrals = list(referral_list(actor=actor).filter(person=person)[:10])
    return {"records": records, "referrals": referrals}
