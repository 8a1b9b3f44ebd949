"""Demo surveys on top of the demo force (`jingying manage survey_demo`, after `jingying demo`).

- the scored instruments as frozen questionnaires;
- a morale questionnaire (every question type, a show-if);
- last quarter's anonymous force-wide campaign, closed, with results;
- this quarter's anonymous campaign for the demo county, open, partly answered;
- an anonymous campaign for the demo station with k − 1 answers, so the first person who answers
  in the demo (the `officer` login) makes the results appear.

Bulk answers for the closed campaign are written the way campaign_flush writes them (shuffled,
random keys, no person, no date) but in one go, to keep the demo quick.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from jingying.core.scoping import SYSTEM
from jingying.org.models import Unit
from jingying.org.tables import age_on
from jingying.surveys import logic, services
from jingying.surveys.choices import CampaignKind, QuestionKind, age_band
from jingying.surveys.models import Answer, Campaign, Invitation, QuestionnaireVersion, Response

SEED = 20260401
SCALE = [{"value": str(v), "label": label} for v, label in
         [(1, "很不满意"), (2, "不满意"), (3, "一般"), (4, "满意"), (5, "很满意")]]
MAX_BULK_ANSWERS = 3000
WORDS = ["希望减少非警务活动", "加班较多，希望合理安排轮休", "食堂伙食有改善", "希望多组织业务培训",
         "基层警力不足", "希望落实带薪休假", "感谢组织关心", "装备需要更新", "希望增加心理疏导", ""]


def morale_questions() -> list[dict[str, Any]]:
    yes_no = [{"value": "yes", "label": "是"}, {"value": "no", "label": "否"}]
    return [
        {"code": "s1", "kind": QuestionKind.SECTION, "text": "工作与生活", "required": False},
        {"code": "satisfaction", "kind": QuestionKind.RATING, "text": "您对当前工作状态的总体满意程度", "options": SCALE},
        {"code": "stress", "kind": QuestionKind.SINGLE, "text": "近一个月是否经常感到工作压力大", "options": yes_no},
        {"code": "sources", "kind": QuestionKind.MULTIPLE, "text": "压力主要来自（可多选）",
         "options": [{"value": "cases", "label": "警情与案件多"}, {"value": "overtime", "label": "加班与值班"},
                     {"value": "assessment", "label": "考核排名"}, {"value": "family", "label": "家庭与子女"},
                     {"value": "health", "label": "身体健康"}],
         "show_if": {"question": "stress", "op": "equals", "value": "yes"}},
        {"code": "overtime", "kind": QuestionKind.NUMBER, "text": "上周加班大约多少小时", "required": False,
         "min_value": 0, "max_value": 100},
        {"code": "s2", "kind": QuestionKind.SECTION, "text": "队伍建设", "required": False},
        {"code": "aspects", "kind": QuestionKind.MATRIX, "text": "您对以下方面的评价", "options": SCALE,
         "rows": [{"code": "pay", "label": "待遇保障"}, {"code": "care", "label": "关心关爱"},
                  {"code": "training", "label": "教育培训"}, {"code": "leadership", "label": "领导作风"}]},
        {"code": "proud", "kind": QuestionKind.SINGLE, "text": "您是否为自己的职业感到自豪", "options": yes_no},
        {"code": "suggestion", "kind": QuestionKind.TEXTAREA, "text": "您最希望组织帮助解决的一件事", "required": False},
    ]


def _morale_version(root: Unit) -> QuestionnaireVersion:
    existing = QuestionnaireVersion.objects.filter(questionnaire__code="morale-demo", status="published").first()
    if existing is not None:
        return existing
    version = services.questionnaire_create(actor=SYSTEM, unit=root, code="morale-demo", title="队伍思想状况摸排问卷",
                                            intro="本问卷了解大家近期的工作和思想状况，请如实填写。")
    for q in morale_questions():
        services.question_create(actor=SYSTEM, version=version, **q)
    services.version_publish(actor=SYSTEM, version=version)
    return version


@functools.cache
def _specs(version_id: int) -> list[logic.Spec]:
    return [logic.Spec.of(q) for q in QuestionnaireVersion.objects.get(pk=version_id).questions.order_by("position")]


def random_answers(rng: random.Random, version: QuestionnaireVersion) -> dict[str, Any]:
    """Plausible answers, validated by the same rules as a submission."""
    weights = [1, 2, 5, 8, 4]
    raw: dict[str, Any] = {
        "satisfaction": str(rng.choices(range(1, 6), weights)[0]),
        "stress": rng.choice(["yes", "yes", "no"]),
        "sources": rng.sample(["cases", "overtime", "assessment", "family", "health"], rng.randint(1, 3)),
        "overtime": str(rng.choice([0, 4, 6, 8, 10, 12, 16, 20])),
        "aspects": {r: str(rng.choices(range(1, 6), weights)[0]) for r in ("pay", "care", "training", "leadership")},
        "proud": rng.choice(["yes", "yes", "yes", "no"]),
        "suggestion": rng.choice(WORDS),
    }
    specs = _specs(version.pk)
    clean, errors = logic.clean_answers(specs, raw)
    assert not errors, errors
    return clean


def _bulk_answer(campaign: Campaign, rng: random.Random, share: float) -> int:
    """Mark a share of the ledger answered and write that many shuffled anonymous responses."""
    rows = list(Invitation.objects.filter(campaign=campaign, answered=False)
                .values_list("pk", "unit_id", "person__category", "person__birth_date"))
    chosen = rng.sample(rows, min(MAX_BULK_ANSWERS, int(len(rows) * share)))
    questions = {q.code: q for q in campaign.version.questions.all()}
    rng.shuffle(chosen)
    responses, answers = [], []
    for _pk, unit_id, category, birth in chosen:
        response = Response(campaign=campaign, unit_id=unit_id, category=category, age_band=age_band(age_on(birth)))
        responses.append(response)
        for qid, row, choice, number, text in services._rows(questions, random_answers(rng, campaign.version)):
            answers.append(Answer(response=response, question_id=qid, row=row, choice=choice,
                                  number=None if number is None else number, text=text))
    Invitation.objects.filter(pk__in=[c[0] for c in chosen]).update(answered=True)
    Response.objects.bulk_create(responses, batch_size=2000)
    Answer.objects.bulk_create(answers, batch_size=5000)
    return len(chosen)


@dataclass
class _Respondent:
    """A person answering in the demo without a login of their own."""

    person_id: int
    pk: None = None
    username: str = "demo"
    is_authenticated: bool = True


@transaction.atomic
def load_demo_surveys(*, seed: int = SEED, station: Unit | None = None, county: Unit | None = None) -> dict[str, Any]:
    """Idempotent: does nothing when the demo campaigns exist."""
    root = Unit.objects.filter(parent__isnull=True).first()
    if root is None or Campaign.objects.filter(title__startswith="【演示】").exists():
        return {"campaigns": 0}
    rng = random.Random(seed)
    services.instruments_load(actor=SYSTEM, unit=root)
    version = _morale_version(root)
    now = timezone.now()
    summary: dict[str, Any] = {"campaigns": 0, "answered": 0}

    past = services.campaign_create(actor=SYSTEM, version=version, unit=root, kind=CampaignKind.ANONYMOUS,
                                    title="【演示】2026 年第一季度队伍思想状况摸排",
                                    opens_at=now - dt.timedelta(days=100), closes_at=now - dt.timedelta(days=80))
    summary["answered"] += _bulk_answer(past, rng, 0.7)
    Campaign.objects.filter(pk=past.pk).update(finalised=True)
    summary["campaigns"] += 1

    county = county or Unit.objects.filter(code="150102").first()
    if county is not None:
        current = services.campaign_create(actor=SYSTEM, version=version, unit=county, kind=CampaignKind.ANONYMOUS,
                                           title="【演示】2026 年第二季度队伍思想状况摸排",
                                           opens_at=now - dt.timedelta(days=3), closes_at=now + dt.timedelta(days=11))
        summary["campaigns"] += 1
        station = station or _demo_station()
        if station is not None:
            local = services.campaign_create(actor=SYSTEM, version=version, unit=station, kind=CampaignKind.ANONYMOUS,
                                             title="【演示】派出所民警思想动态匿名问卷",
                                             opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=6))
            summary["campaigns"] += 1
            skip = _officer_person_id()
            others = [pid for pid in local.invitations.values_list("person_id", flat=True) if pid != skip]
            for pid in others[: local.k_threshold - 1]:
                services.response_submit(actor=_Respondent(pid), campaign_id=local.pk, raw=random_answers(rng, version))
                summary["answered"] += 1
        skip = _officer_person_id()
        invited = [pid for pid in current.invitations.values_list("person_id", flat=True) if pid != skip]
        for pid in rng.sample(invited, len(invited) // 3):
            services.response_submit(actor=_Respondent(pid), campaign_id=current.pk, raw=random_answers(rng, version))
            summary["answered"] += 1
    return summary


def _officer_person_id() -> int | None:
    from jingying.accounts.models import User

    return User.objects.filter(username="officer").values_list("person_id", flat=True).first()


def _demo_station() -> Unit | None:
    from jingying.accounts.models import User

    user = User.objects.filter(username="officer").select_related("person__unit").first()
    if user is not None and user.person is not None:
        return user.person.unit
    return None


