"""Analysis reads (issue 4 point 6): cross-tabulation, indices and their trend, free-text themes.

Every figure goes through jingying.surveys.suppression (UnitTree, CrossBlocks): nothing about
a group below k is computed into a result, so a template, the API or the Excel export cannot
show it by mistake. Scoping is that of the results page: the actor must hold
surveys.view_results over the unit (404 otherwise).
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingying.core.scoping import covers, subtree_q
from jingying.org.choices import Category
from jingying.org.models import Unit
from jingying.surveys import indices as index_defs
from jingying.surveys.choices import TEXT_KINDS, QuestionKind
from jingying.surveys.models import Answer, Campaign, Question
from jingying.surveys.selectors import TEXT_K, _campaigns, _in_campaign, _subtree_units, campaign_questions
from jingying.surveys.suppression import REST, SELF, CrossBlocks, UnitTree

CLOSED_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RATING, QuestionKind.MATRIX)

# The stored age bands (choices.AgeBand) pooled into the four the analysis shows: fewer, larger
# groups (50–54 and 55+ are small in most units).
AGE_COARSE = {"lt30": "lt30", "30-39": "30-39", "40-49": "40-49", "50-54": "50+", "55+": "50+", "": ""}
AGE_LABELS = [("lt30", gettext_lazy("30 岁以下")), ("30-39", gettext_lazy("30–39 岁")),
              ("40-49", gettext_lazy("40–49 岁")), ("50+", gettext_lazy("50 岁及以上")), ("", gettext_lazy("未填"))]
LEVEL_NAMES = {1: gettext_lazy("盟市级"), 2: gettext_lazy("旗县区级"), 3: gettext_lazy("所队级"), 4: gettext_lazy("第五级")}


def check_unit(actor: Any, campaign: Campaign, unit: Unit | None) -> Unit:
    """The unit to analyse (default: the campaign's), 404 unless the actor may read its results."""
    unit = unit or campaign.unit
    if not _in_campaign(campaign, unit) or not covers(actor, "surveys.view_results", unit.path):
        raise Http404
    return unit


def campaign_question(campaign: Campaign, code: str) -> Question:
    question = campaign.version.questions.filter(code=code).first()
    if question is None:
        raise ValidationError({"question": [_("问卷中没有题目“%(code)s”") % {"code": code}]})
    return question


def _depth(path: str) -> int:
    return len(path.strip("/").split("/")) - 1


def _ancestor_at(path: str, depth: int) -> int | None:
    segments = path.strip("/").split("/")
    return int(segments[depth], 16) if len(segments) > depth else None


# --- cross-tabulation ------------------------------------------------------------------------


@dataclass
class Dimension:
    key: str  # "category", "age" or "level:N"
    label: str


def dimensions(campaign: Campaign, unit: Unit) -> list[Dimension]:
    """What a question can be broken down by below `unit`: each deeper unit level, category, age band."""
    depths = sorted({_depth(p) for _id, _parent, p in _subtree_units(campaign.unit) if p.startswith(unit.path)})
    out = [Dimension(f"level:{d}", _("按单位（%(level)s）") % {"level": LEVEL_NAMES.get(d, str(d))})
           for d in depths if d > _depth(unit.path)]
    out += [Dimension("category", _("按人员类别")), Dimension("age", _("按年龄段"))]
    return out


@dataclass
class Column:
    key: str
    label: str
    shown: bool
    respondents: int | None = None
    counts: dict[tuple[str, str], int] = field(default_factory=dict)

    def cell(self, row: str, value: str) -> tuple[int, int] | None:
        if not self.shown or not self.respondents:
            return None
        n = self.counts.get((row, value), 0)
        return n, round(100 * n / self.respondents)


@dataclass
class CrossTab:
    campaign: Campaign
    unit: Unit
    question: Question
    dimension: Dimension
    k: int
    shown: bool
    respondents: int | None
    total: Column | None
    columns: list[Column]
    # [(row code, row label)]: one table per matrix row, one row "" otherwise
    rows: list[tuple[str, str]]
    options: list[tuple[str, str]]

    @property
    def pooled(self) -> bool:
        return any(c.key == REST and c.shown for c in self.columns)

    def table(self, row: str) -> list[tuple[str, list[tuple[int, int] | None]]]:
        """[(option label, [cell per column…])] for the template and the export; total first."""
        cols = [self.total, *self.columns] if self.total else self.columns
        return [(label, [c.cell(row, value) for c in cols]) for value, label in self.options]


def _question_counts(campaign: Campaign, question: Question) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    base = Answer.objects.filter(response__campaign=campaign, question=question)
    people = list(base.values("response__unit_id", "response__category", "response__age_band")
                  .annotate(n=Count("response_id", distinct=True)).order_by())
    answers = list(base.values("response__unit_id", "response__category", "response__age_band", "row", "choice")
                   .annotate(n=Count("id")).order_by())
    return people, answers


def _blocks(campaign: Campaign, units: list[tuple[int, int | None, str]],
            people: list[dict[str, Any]]) -> CrossBlocks:
    direct: dict[int, int] = defaultdict(int)
    joint: dict[int, dict[tuple[str, str], int]] = defaultdict(dict)
    for r in people:
        uid = r["response__unit_id"]
        if uid is None:
            continue
        direct[uid] += r["n"]
        key = (r["response__category"] or "", AGE_COARSE.get(r["response__age_band"] or "", ""))
        joint[uid][key] = joint[uid].get(key, 0) + r["n"]
    tree = UnitTree(units, campaign.unit_id, direct)
    return CrossBlocks(tree, joint, campaign.k_threshold)


def crosstab(*, actor: Any, campaign: Campaign, question: Question, dimension: str,
             unit: Unit | None = None) -> CrossTab:
    """One closed question of the unit's subtree broken down by a unit level, category or age band.

    Columns: the groups kept apart (each ≥ k), "未单列" for people pooled to protect small groups
    (suppression.CrossBlocks), and groups with respondents whose figures are suppressed.
    """
    unit = check_unit(actor, campaign, unit)
    if question.kind not in CLOSED_KINDS:
        raise ValidationError({"question": [_("只有单选、多选、量表和矩阵题可以交叉分析")]})
    dims = {d.key: d for d in dimensions(campaign, unit)}
    if dimension not in dims:
        raise ValidationError({"by": [_("不能按“%(by)s”分析；可选：%(choices)s") % {
            "by": dimension, "choices": "、".join(dims)}]})
    dim = dims[dimension]
    k = campaign.k_threshold
    units = _subtree_units(campaign.unit)
    people, answers = _question_counts(campaign, question)
    blocks = _blocks(campaign, units, people)
    rows = [(str(r.get("code")), str(r.get("label"))) for r in question.rows] if question.kind == QuestionKind.MATRIX \
        else [("", "")]
    options = [(str(o.get("value")), str(o.get("label"))) for o in question.options or []]
    if unit.pk not in blocks.shown or not blocks.tree.total.get(unit.pk):
        return CrossTab(campaign, unit, question, dim, k, False, None, None, [], rows, options)
    inside = {uid: p for uid, _parent, p in units if p.startswith(unit.path)}

    def column_of(uid: int, category: str, age: str) -> str | None:
        if dimension == "category":
            return blocks.part(uid, "category", category)
        if dimension == "age":
            return blocks.part(uid, "age", AGE_COARSE.get(age, ""))
        level_unit = _ancestor_at(inside[uid], int(dimension.split(":")[1]))
        return str(level_unit) if level_unit is not None and level_unit in blocks.shown else REST

    n_col: dict[str, int] = defaultdict(int)
    present: dict[str, int] = defaultdict(int)  # every group with respondents, shown or not
    for r in people:
        uid = r["response__unit_id"]
        if uid not in inside:
            continue
        key = column_of(uid, r["response__category"] or "", r["response__age_band"] or "")
        if key is not None:
            n_col[key] += r["n"]
        if dimension == "category":
            present[r["response__category"] or ""] += r["n"]
        elif dimension == "age":
            present[AGE_COARSE.get(r["response__age_band"] or "", "")] += r["n"]
        else:
            level_unit = _ancestor_at(inside[uid], int(dimension.split(":")[1]))
            present[str(level_unit) if level_unit is not None else REST] += r["n"]
    counts: dict[str, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
    total_counts: dict[tuple[str, str], int] = defaultdict(int)
    for r in answers:
        uid = r["response__unit_id"]
        if uid not in inside:
            continue
        key = column_of(uid, r["response__category"] or "", r["response__age_band"] or "")
        if key is not None:
            counts[key][(r["row"], r["choice"])] += r["n"]
        total_counts[(r["row"], r["choice"])] += r["n"]

    if dimension == "category":
        order = [(str(v), str(label)) for v, label in Category.choices] + [("", _("未填"))]
    elif dimension == "age":
        order = [(v, str(label)) for v, label in AGE_LABELS]
    else:
        ids = [int(key) for key in present if key != REST]
        level_units = list(Unit.objects.filter(pk__in=ids).order_by("sort_order", "path"))
        short = [u.short_name or u.name for u in level_units]
        # short names repeat at deeper levels (every county has its 政治部): then full names
        order = [(str(u.pk), label if short.count(label) == 1 else u.name) for u, label in zip(level_units, short, strict=True)]
    columns = []
    for key, label in order:
        if not present.get(key):
            continue
        shown = n_col.get(key, 0) > 0
        columns.append(Column(key, label, shown, n_col[key] if shown else None, dict(counts.get(key, {}))))
    if n_col.get(REST):
        columns.append(Column(REST, _("未单列（人数少的组合并）"), True, n_col[REST], dict(counts.get(REST, {}))))
    n_total = blocks.tree.total.get(unit.pk, 0)
    total = Column("", _("合计"), True, n_total, dict(total_counts))
    return CrossTab(campaign, unit, question, dim, k, True, n_total, total, columns, rows, options)


def crosstab_questions(campaign: Campaign) -> list[Question]:
    return [q for q in campaign_questions(campaign) if q.kind in CLOSED_KINDS]


# --- indices ---------------------------------------------------------------------------------


@dataclass
class IndexCell:
    unit: Any  # a Unit, or None for the people attached to the unit itself ("本级")
    shown: bool
    respondents: int | None = None
    value: Decimal | None = None


@dataclass
class IndexResult:
    code: str
    name: str
    items: str
    shown: bool
    respondents: int | None
    value: Decimal | None
    children: list[IndexCell]


def campaign_index_defs(campaign: Campaign) -> list[index_defs.Index]:
    try:
        return index_defs.build(campaign.version.indices, campaign_questions(campaign))
    except ValidationError:
        return []  # a stored definition that no longer fits its questions is skipped, not a 500


def _response_scores(campaign: Campaign, defs: list[index_defs.Index]) -> dict[str, dict[str, Any]]:
    """{index code: {"units": {unit id: [n, sum]}}} — per-response index scores summed by unit."""
    qids = {item.question_id for d in defs for item in d.items}
    per_response: dict[Any, dict[tuple[int, str], Decimal]] = defaultdict(dict)
    unit_of: dict[Any, int] = {}
    rows = (Answer.objects.filter(response__campaign=campaign, question_id__in=qids)
            .values_list("response_id", "response__unit_id", "question_id", "row", "choice", "number"))
    for rid, uid, qid, row, choice, number in rows.iterator(chunk_size=5000):
        try:
            value = number if number is not None else Decimal(choice)
        except (InvalidOperation, ValueError):
            continue
        per_response[rid][(qid, row)] = value
        unit_of[rid] = uid
    out: dict[str, dict[str, Any]] = {}
    for d in defs:
        by_unit: dict[int, list[Any]] = defaultdict(lambda: [0, Decimal(0)])
        for rid, answers in per_response.items():
            score = d.score(answers)
            if score is not None and unit_of[rid] is not None:
                cell = by_unit[unit_of[rid]]
                cell[0] += 1
                cell[1] += score
        out[d.code] = {"units": by_unit}
    return out


def _subtree_sum(units: list[tuple[int, int | None, str]], direct: dict[int, Decimal]) -> dict[int, Decimal]:
    total: dict[int, Decimal] = defaultdict(Decimal)
    known = {uid for uid, _p, _path in units}
    for uid, _parent, path in units:
        value = direct.get(uid)
        if not value:
            continue
        for segment in path.strip("/").split("/"):
            ancestor = int(segment, 16)
            if ancestor in known:
                total[ancestor] += value
    return total


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def campaign_indices(*, actor: Any, campaign: Campaign, unit: Unit | None = None,
                     only: str | None = None) -> list[IndexResult]:
    """Each index of the campaign's version for the unit and its children, k-suppressed by the
    tree of the responses that have the index (suppression.UnitTree)."""
    unit = check_unit(actor, campaign, unit)
    defs = [d for d in campaign_index_defs(campaign) if only is None or d.code == only]
    if not defs:
        return []
    k = campaign.k_threshold
    units = _subtree_units(campaign.unit)
    scores = _response_scores(campaign, defs)
    out = []
    names: dict[int, Unit] = {}
    for d in defs:
        by_unit = scores[d.code]["units"]
        tree = UnitTree(units, campaign.unit_id, {uid: c[0] for uid, c in by_unit.items()})
        sums = _subtree_sum(units, {uid: c[1] for uid, c in by_unit.items()})
        items = index_defs.format_items(index_defs.normalise([d])[0]["items"])
        if not tree.visible(unit.pk, k) or not tree.total.get(unit.pk):
            out.append(IndexResult(d.code, d.name, items, False, None, None, []))
            continue
        n = tree.total[unit.pk]
        decisions = tree.children_shown(unit.pk, k)
        child_ids = [c for c in tree.children.get(unit.pk, []) if tree.total.get(c)]
        missing = [c for c in child_ids if c not in names]
        names.update({u.pk: u for u in Unit.objects.filter(pk__in=missing)})
        children = [IndexCell(names[c], decisions[c], tree.total[c] if decisions[c] else None,
                              _round(sums[c] / tree.total[c]) if decisions[c] else None) for c in child_ids]
        children.sort(key=lambda c: (c.unit.sort_order, c.unit.path))
        if tree.direct.get(unit.pk):
            own = tree.direct[unit.pk]
            own_sum = by_unit[unit.pk][1]
            children.append(IndexCell(None, decisions[SELF], own if decisions[SELF] else None,
                                      _round(own_sum / own) if decisions[SELF] else None))
        out.append(IndexResult(d.code, d.name, items, True, n, _round(sums[unit.pk] / n), children))
    return out


@dataclass
class TrendPoint:
    campaign: Campaign
    shown: bool
    respondents: int | None
    value: Decimal | None


def index_trend(*, actor: Any, campaign: Campaign, code: str, unit: Unit | None = None,
                limit: int = 24) -> tuple[str, list[TrendPoint]]:
    """The index `code` for the unit in every campaign of the same questionnaire the actor may
    read results of and that covers the unit, oldest first (k-suppressed in each campaign)."""
    unit = check_unit(actor, campaign, unit)
    if not any(d.code == code for d in campaign_index_defs(campaign)):
        raise ValidationError({"index": [_("本问卷没有指数“%(code)s”") % {"code": code}]})
    qs = (_campaigns(actor, "surveys.view_results").filter(version__questionnaire=campaign.version.questionnaire)
          .exclude(kind="public").order_by("-opens_at", "-id"))
    chosen = [c for c in qs[:200] if unit.path.startswith(c.unit.path)][:limit]
    name = code
    points = []
    for c in reversed(chosen):
        results = campaign_indices(actor=actor, campaign=c, unit=unit, only=code)
        if not results:
            points.append(TrendPoint(c, False, None, None))
            continue
        r = results[0]
        if c.pk == campaign.pk:
            name = r.name
        points.append(TrendPoint(c, r.shown, r.respondents, r.value))
    return name, points


# --- free-text themes ------------------------------------------------------------------------


@dataclass
class ThemeResult:
    question: Question
    shown: bool
    respondents: int | None
    themes: list[Any]  # jingying.surveys.themes.Theme
    other: int | None  # answers in no theme shown


def text_questions(campaign: Campaign) -> list[Question]:
    return [q for q in campaign_questions(campaign) if q.kind in TEXT_KINDS]


def campaign_themes(*, actor: Any, campaign: Campaign, question: Question, unit: Unit | None = None) -> ThemeResult:
    """The text answers of the unit's subtree grouped into themes (jingying.surveys.themes):
    only when the group is shown for free text (≥ max(k, TEXT_K) who answered it), only themes
    of ≥ k answers, with up to three examples each."""
    from jingying.surveys import themes

    unit = check_unit(actor, campaign, unit)
    if question.kind not in TEXT_KINDS:
        raise ValidationError({"question": [_("只有简答和长文本题可以做主题分析")]})
    k = campaign.k_threshold
    units = _subtree_units(campaign.unit)
    answered = {r["response__unit_id"]: r["n"] for r in
                Answer.objects.filter(response__campaign=campaign, question=question).exclude(text="")
                .values("response__unit_id").annotate(n=Count("response_id", distinct=True)).order_by()}
    tree = UnitTree(units, campaign.unit_id, answered)
    if not tree.visible(unit.pk, max(k, TEXT_K)) or not tree.total.get(unit.pk):
        return ThemeResult(question, False, None, [], None)
    texts = list(Answer.objects.filter(subtree_q("response__unit__path", unit.path), response__campaign=campaign,
                                       question=question).exclude(text="").order_by("id").values_list("text", flat=True))
    found = themes.group(texts, k=k, rng=random.Random(f"{campaign.pk}:{question.pk}:{unit.pk}"))
    return ThemeResult(question, True, len(texts), found.themes, found.other)
