"""Every read of the survey engine (style rule 3): scoped, with the query shape owned here.

Results are aggregated in the database (GROUP BY unit, question, option) and then put through
jingying.surveys.suppression: nothing below k leaves this module.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from jingying.core.scoping import covers, grant_roots, restrict, subtree_q
from jingying.org.models import Unit
from jingying.surveys.choices import TEXT_KINDS, CampaignPurpose, QuestionKind
from jingying.surveys.models import (
    Answer,
    Campaign,
    Invitation,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Reminder,
    Response,
    ResultsExport,
)
from jingying.surveys.suppression import SELF, UnitTree

TEXT_K = 10  # free text needs more people than figures (instruments.md §13)


# --- questionnaires ------------------------------------------------------------------------


def _shared_q(actor: Any, perm: str) -> Q:
    """Objects owned by a unit above one of the actor's grants: questionnaires shared down the
    force, and campaigns whose scope includes the actor's units (they see their part)."""
    paths: set[str] = set()
    for grant in grant_roots(actor, perm):
        segments = grant.unit_path.strip("/").split("/")
        paths.update("/".join(segments[:n]) + "/" for n in range(1, len(segments)))
    return Q(unit__path__in=sorted(paths)) if paths else Q(pk__in=[])


def questionnaire_list(*, actor: Any) -> QuerySet[Questionnaire]:
    perm = "surveys.view_questionnaire"
    own = restrict(Questionnaire.objects.all(), actor, perm)
    return (Questionnaire.objects.filter(Q(pk__in=own.values("pk")) | _shared_q(actor, perm))
            .select_related("unit").annotate(n_versions=Count("versions")).order_by("code"))


def access_questionnaire(actor: Any, pk: Any) -> Questionnaire:
    try:
        return questionnaire_list(actor=actor).get(pk=pk)
    except (Questionnaire.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_version(actor: Any, pk: Any, *, for_write: bool = False) -> QuestionnaireVersion:
    """A version the actor may see (404 otherwise); for writing, one they may edit."""
    try:
        version = QuestionnaireVersion.objects.select_related("questionnaire__unit").get(pk=pk)
    except (QuestionnaireVersion.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    access_questionnaire(actor, version.questionnaire_id)
    if for_write and not covers(actor, "surveys.manage_questionnaire", version.questionnaire.unit.path):
        raise Http404
    return version


def access_question(actor: Any, pk: Any) -> Question:
    try:
        question = Question.objects.select_related("version__questionnaire__unit").get(pk=pk)
    except (Question.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    access_version(actor, question.version_id, for_write=True)
    return question


def published_versions(*, actor: Any) -> QuerySet[QuestionnaireVersion]:
    visible = questionnaire_list(actor=actor).values("pk")
    return (QuestionnaireVersion.objects.filter(questionnaire__in=visible, status="published")
            .select_related("questionnaire").order_by("questionnaire__code", "-number"))


# --- campaigns -----------------------------------------------------------------------------


def _campaigns(actor: Any, perm: str) -> QuerySet[Campaign]:
    """Campaigns sent within the actor's subtrees, and those sent above them that include their
    units (a county sees the force-wide survey, for its own part of it)."""
    qs = Campaign.objects.select_related("unit", "version__questionnaire")
    own = restrict(qs, actor, perm)
    if perm.startswith("surveys.manage_"):
        return own
    return qs.filter(Q(pk__in=own.values("pk")) | _shared_q(actor, perm))


def campaign_list(*, actor: Any, filters: dict[str, Any] | None = None) -> QuerySet[Campaign]:
    qs = _campaigns(actor, "surveys.view_campaign")
    filters = filters or {}
    now = timezone.now()
    state = filters.get("state")
    if state == "open":
        qs = qs.filter(opens_at__lte=now, closes_at__gt=now)
    elif state == "closed":
        qs = qs.filter(closes_at__lte=now)
    elif state == "scheduled":
        qs = qs.filter(opens_at__gt=now)
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("q"):
        qs = qs.filter(title__contains=filters["q"])
    return qs.annotate(
        invited=Count("invitations", distinct=True),
        answered_n=Count("invitations", filter=Q(invitations__answered=True), distinct=True),
    ).order_by("-opens_at", "-id")


def access_campaign(actor: Any, pk: Any, *, perm: str = "surveys.view_campaign") -> Campaign:
    """One campaign the actor may see (or manage) with `perm`, else 404."""
    try:
        return _campaigns(actor, perm).get(pk=pk)
    except (Campaign.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def my_invitations(*, actor: Any) -> QuerySet[Invitation]:
    """The actor's own surveys (open first), from the ledger."""
    person_id = getattr(actor, "person_id", None)
    if person_id is None:
        return Invitation.objects.none()
    # Screening campaigns are answered only through the pages of the module that created them,
    # after the officer's recorded consent; they never appear among ordinary surveys.
    return (restrict(Invitation.objects.filter(person_id=person_id), actor, "surveys.answer_campaign")
            .filter(campaign__purpose=CampaignPurpose.SURVEY)
            .select_related("campaign").order_by("answered", "-campaign__opens_at", "-id"))


def my_pending(*, actor: Any) -> QuerySet[Invitation]:
    now = timezone.now()
    return my_invitations(actor=actor).filter(answered=False, campaign__opens_at__lte=now, campaign__closes_at__gt=now)


def access_invitation(actor: Any, campaign_id: Any) -> Invitation:
    invitation = my_invitations(actor=actor).filter(campaign_id=campaign_id).select_related(
        "campaign__version__questionnaire").first()
    if invitation is None:
        raise Http404
    return invitation


def my_reminders(*, actor: Any) -> QuerySet[Reminder]:
    person_id = getattr(actor, "person_id", None)
    if person_id is None:
        return Reminder.objects.none()
    return Reminder.objects.filter(person_id=person_id, read=False).select_related("campaign")


def my_safety_flag(*, actor: Any, campaign: Campaign) -> bool:
    """Whether the actor's own identified response to this campaign raised a safety escalation."""
    person_id = getattr(actor, "person_id", None)
    if person_id is None:
        return False
    score = Response.objects.filter(campaign=campaign, person_id=person_id).values_list("score", flat=True).first()
    return bool(score and "safety_escalation" in (score.get("flags") or []))


def campaign_questions(campaign: Campaign) -> list[Question]:
    return list(campaign.version.questions.order_by("position"))


# --- response rates ------------------------------------------------------------------------


def _subtree_units(root: Unit) -> list[tuple[int, int | None, str]]:
    return list(Unit.objects.filter(subtree_q("path", root.path)).values_list("id", "parent_id", "path"))


@dataclass
class RateRow:
    unit: Any  # a Unit, or None for the people attached to the unit itself
    invited: int
    answered: int
    k: int

    @property
    def shown(self) -> bool:
        return self.invited >= self.k

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.invited) if self.invited else 0


def campaign_rates(*, campaign: Campaign, unit: Unit) -> tuple[RateRow, list[RateRow]]:
    """Invited and answered for the unit and each child (the ledger, one GROUP BY). Rates of
    groups with fewer than k people invited are not shown (instruments.md §13)."""
    units = _subtree_units(campaign.unit)
    rows = (Invitation.objects.filter(campaign=campaign).values("unit_id")
            .annotate(n=Count("id"), a=Count("id", filter=Q(answered=True))).order_by())
    invited = UnitTree(units, campaign.unit_id, {r["unit_id"]: r["n"] for r in rows})
    answered = UnitTree(units, campaign.unit_id, {r["unit_id"]: r["a"] for r in rows})
    k = campaign.k_threshold
    head = RateRow(unit, invited.total.get(unit.pk, 0), answered.total.get(unit.pk, 0), k)
    child_ids = invited.children.get(unit.pk, [])
    names = {u.pk: u for u in Unit.objects.filter(pk__in=child_ids)}
    children = [RateRow(names[c], invited.total[c], answered.total[c], k) for c in child_ids if invited.total[c]]
    children.sort(key=lambda r: (r.unit.sort_order, r.unit.path))
    if invited.direct.get(unit.pk):
        children.append(RateRow(None, invited.direct[unit.pk], answered.direct[unit.pk], k))
    return head, children


# --- results -------------------------------------------------------------------------------


@dataclass
class QuestionResult:
    question: Question
    shown: bool
    respondents: int | None = None
    # [(label, count, percent)] for choice questions; per matrix row for a matrix.
    options: list[tuple[str, int, int]] = field(default_factory=list)
    matrix: list[tuple[str, list[tuple[str, int, int]]]] = field(default_factory=list)
    mean: Decimal | None = None
    texts: list[str] = field(default_factory=list)


@dataclass
class ChildCell:
    unit: Any  # Unit or None ("本级")
    shown: bool
    respondents: int | None


@dataclass
class Results:
    campaign: Campaign
    unit: Unit
    k: int
    shown: bool
    respondents: int | None
    questions: list[QuestionResult]
    children: list[ChildCell]
    pending: bool  # answers still waiting to be mixed into the results


def _in_campaign(campaign: Campaign, unit: Unit) -> bool:
    return unit.path.startswith(campaign.unit.path)


def results_shown(*, campaign: Campaign, unit: Unit) -> bool:
    """Whether the unit's results are shown at all (enough respondents, and not computable by
    subtraction): the first decision of `campaign_results`, without computing the figures."""
    units = _subtree_units(campaign.unit)
    per_unit = {r["unit_id"]: r["n"] for r in Response.objects.filter(campaign=campaign).values("unit_id")
                .annotate(n=Count("id")).order_by()}
    return UnitTree(units, campaign.unit_id, per_unit).visible(unit.pk, campaign.k_threshold)


def campaign_results(*, actor: Any, campaign: Campaign, unit: Unit | None = None, with_texts: bool = True) -> Results:
    """Per-question distributions for the unit's subtree, k-suppressed (suppression module).

    The actor must hold surveys.view_results over the unit; figures for a group below k are
    never computed into the result, so a template or an export cannot show them by mistake.
    """
    from jingying.surveys.models import PendingResponse

    unit = unit or campaign.unit
    if not _in_campaign(campaign, unit) or not covers(actor, "surveys.view_results", unit.path):
        raise Http404
    k = campaign.k_threshold
    units = _subtree_units(campaign.unit)
    responses = Response.objects.filter(campaign=campaign)
    per_unit = {r["unit_id"]: r["n"] for r in responses.values("unit_id").annotate(n=Count("id")).order_by()}
    tree = UnitTree(units, campaign.unit_id, per_unit)
    shown = tree.visible(unit.pk, k)
    pending = PendingResponse.objects.filter(campaign=campaign).exists()
    questions = campaign_questions(campaign)
    if not shown:
        return Results(campaign, unit, k, False, None, [QuestionResult(q, False) for q in questions if q.answerable],
                       [], pending)

    in_unit = Q(response__campaign=campaign) & subtree_q("response__unit__path", unit.path)
    # Respondents per question and unit, for each question's own suppression decisions.
    answered: dict[int, dict[int, int]] = defaultdict(dict)
    for row in (Answer.objects.filter(response__campaign=campaign).values("question_id", "response__unit_id")
                .annotate(n=Count("response_id", distinct=True)).order_by()):
        answered[row["question_id"]][row["response__unit_id"]] = row["n"]
    counts: dict[tuple[int, str], dict[str, int]] = defaultdict(dict)
    for row in (Answer.objects.filter(in_unit, question__kind__in=[QuestionKind.SINGLE, QuestionKind.MULTIPLE,
                                                                   QuestionKind.RATING, QuestionKind.MATRIX])
                .values("question_id", "row", "choice").annotate(n=Count("id")).order_by()):
        counts[(row["question_id"], row["row"])][row["choice"]] = row["n"]
    means = {row["question_id"]: row["m"] for row in Answer.objects.filter(in_unit, question__kind=QuestionKind.NUMBER)
             .values("question_id").annotate(m=Avg("number")).order_by()}

    results = []
    text_questions = []
    for q in questions:
        if not q.answerable:
            continue
        q_tree = UnitTree(units, campaign.unit_id, answered.get(q.pk, {}))
        q_k = max(k, TEXT_K) if q.kind in TEXT_KINDS else k
        if not q_tree.visible(unit.pk, q_k):
            results.append(QuestionResult(q, False))
            continue
        n = q_tree.total.get(unit.pk, 0)
        result = QuestionResult(q, True, n)
        if q.kind == QuestionKind.MATRIX:
            for r in q.rows:
                cells = counts.get((q.pk, str(r.get("code"))), {})
                row_n = sum(cells.values())
                result.matrix.append((str(r.get("label")), _dist(q, cells, row_n)))
        elif q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RATING):
            result.options = _dist(q, counts.get((q.pk, ""), {}), n)
        elif q.kind == QuestionKind.NUMBER:
            mean = means.get(q.pk)
            result.mean = None if mean is None else Decimal(str(mean)).quantize(Decimal("0.1"))
        else:
            text_questions.append(result)
        results.append(result)
    if with_texts and text_questions:
        texts: dict[int, list[str]] = defaultdict(list)
        # Random order: the list must not hint at who wrote what (or when).
        for qid, text in (Answer.objects.filter(in_unit, question_id__in=[r.question.pk for r in text_questions])
                          .exclude(text="").order_by("?").values_list("question_id", "text")[:2000]):
            texts[qid].append(text)
        for r in text_questions:
            r.texts = texts.get(r.question.pk, [])[:200]

    decisions = tree.children_shown(unit.pk, k)
    child_ids = [c for c in tree.children.get(unit.pk, []) if tree.total.get(c)]
    names = {u.pk: u for u in Unit.objects.filter(pk__in=child_ids)}
    children = [ChildCell(names[c], decisions[c], tree.total[c] if decisions[c] else None) for c in child_ids]
    children.sort(key=lambda c: (c.unit.sort_order, c.unit.path))
    if tree.direct.get(unit.pk):
        children.append(ChildCell(None, decisions[SELF], tree.direct[unit.pk] if decisions[SELF] else None))
    return Results(campaign, unit, k, True, tree.total.get(unit.pk, 0), results, children, pending)


def _dist(q: Question, cells: dict[str, int], n: int) -> list[tuple[str, int, int]]:
    return [(str(o.get("label")), cells.get(str(o.get("value")), 0),
             round(100 * cells.get(str(o.get("value")), 0) / n) if n else 0) for o in q.options]


def results_units(*, actor: Any, campaign: Campaign, perm: str = "surveys.view_results") -> list[Unit]:
    """Units of the campaign the actor may open (results, rates) — the tops of their view."""
    if covers(actor, perm, campaign.unit.path):
        return [campaign.unit]
    paths = [g.unit_path for g in grant_roots(actor, perm) if g.unit_path.startswith(campaign.unit.path)]
    return list(Unit.objects.filter(path__in=paths).order_by("path"))


def person_panel_context(*, actor: Any, person: Any) -> dict[str, Any]:
    """The "待填写的问卷" panel on the person profile: only on the viewer's own profile."""
    own = getattr(actor, "person_id", None) == person.pk
    return {"own": own, "pending": list(my_pending(actor=actor)[:10]) if own else []}


def my_latest_export(*, actor: Any, campaign: Campaign, unit: Unit) -> ResultsExport | None:
    """The actor's own most recent export of this campaign and unit that is still worth showing
    on the results page: one being built (started within REUSE_RUNNING, as the export request
    reuses it) or a finished file not yet expired. So leaving the page while it builds loses
    nothing: coming back shows the progress or the download."""
    from jingying.surveys.services_export import REUSE_RUNNING

    now = timezone.now()
    busy = [ResultsExport.Status.PENDING, ResultsExport.Status.RUNNING]
    return (ResultsExport.objects.filter(created_by_id=actor.pk, campaign=campaign, unit=unit)
            .filter(Q(status__in=busy, created_at__gte=now - REUSE_RUNNING)
                    | Q(status=ResultsExport.Status.DONE, expires_at__gt=now))
            .order_by("-created_at").first())
