"""Demo surveys on top of the demo force (`jingying manage survey_demo`, after `jingying demo`).

- the scored instruments as frozen questionnaires;
- a morale questionnaire (every question type, a show-if) with a morale index (士气指数:
  satisfaction and the four aspects, overtime hours as a reverse item);
- four quarterly anonymous force-wide campaigns of it, closed, with results whose morale rises a
  little from quarter to quarter (the index trend on the results page), and free-text answers
  that group into themes;
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
EARLIER_BULK_ANSWERS = 800  # the three older quarters: enough for a trend, quick to load
WORDS = ["希望减少非警务活动", "加班较多，希望合理安排轮休", "食堂伙食有改善", "希望多组织业务培训",
         "基层警力不足", "希望落实带薪休假", "感谢组织关心", "装备需要更新", "希望增加心理疏导", "",
         "值班太多，加班费希望按时发放", "警车和装备老旧，希望更新", "职级晋升太慢", "辅警待遇偏低，希望提高",
         "希望解决子女入学问题", "宿舍条件需要改善", "基层台账太多，希望减负", "心理压力大，希望多组织谈心", "", ""]
MORALE_INDEX: dict[str, Any] = {"code": "morale", "name": "士气指数",
                "items": [{"question": "satisfaction"}, {"question": "aspects", "row": "pay"},
                          {"question": "aspects", "row": "care"}, {"question": "aspects", "row": "training"},
                          {"question": "aspects", "row": "leadership"}, {"question": "overtime", "reverse": True}]}
QUARTERS = [("2025 年第二季度", 370), ("2025 年第三季度", 280), ("2025 年第四季度", 190)]


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
    services.version_index_save(actor=SYSTEM, version=version, **MORALE_INDEX)
    return version


@functools.cache
def _specs(version_id: int) -> list[logic.Spec]:
    return [logic.Spec.of(q) for q in QuestionnaireVersion.objects.get(pk=version_id).questions.order_by("position")]


def random_answers(rng: random.Random, version: QuestionnaireVersion, tilt: int = 0) -> dict[str, Any]:
    """Plausible answers, validated by the same rules as a submission; a higher `tilt` (0–3)
    means happier answers (the quarters of the demo drift upwards)."""
    weights = [max(1, 3 - tilt), max(1, 4 - tilt), 5, 8 + 2 * tilt, 4 + 2 * tilt]
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


def _bulk_answer(campaign: Campaign, rng: random.Random, share: float, *, limit: int = MAX_BULK_ANSWERS,
                 tilt: int = 0) -> int:
    """Mark a share of the ledger answered and write that many shuffled anonymous responses."""
    rows = list(Invitation.objects.filter(campaign=campaign, answered=False)
                .values_list("pk", "unit_id", "person__category", "person__birth_date"))
    chosen = rng.sample(rows, min(limit, int(len(rows) * share)))
    questions = {q.code: q for q in campaign.version.questions.all()}
    rng.shuffle(chosen)
    responses, answers = [], []
    for _pk, unit_id, category, birth in chosen:
        response = Response(campaign=campaign, unit_id=unit_id, category=category, age_band=age_band(age_on(birth)))
        responses.append(response)
        for qid, row, choice, number, text in services._rows(questions, random_answers(rng, campaign.version, tilt)):
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

    for tilt, (quarter, days) in enumerate(QUARTERS):
        earlier = services.campaign_create(actor=SYSTEM, version=version, unit=root, kind=CampaignKind.ANONYMOUS,
                                           title=f"【演示】{quarter}队伍思想状况摸排",
                                           opens_at=now - dt.timedelta(days=days),
                                           closes_at=now - dt.timedelta(days=days - 20))
        summary["answered"] += _bulk_answer(earlier, rng, 0.6, limit=EARLIER_BULK_ANSWERS, tilt=tilt)
        Campaign.objects.filter(pk=earlier.pk).update(finalised=True)
        summary["campaigns"] += 1

    past = services.campaign_create(actor=SYSTEM, version=version, unit=root, kind=CampaignKind.ANONYMOUS,
                                    title="【演示】2026 年第一季度队伍思想状况摸排",
                                    opens_at=now - dt.timedelta(days=100), closes_at=now - dt.timedelta(days=80))
    summary["answered"] += _bulk_answer(past, rng, 0.7, tilt=len(QUARTERS))
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


