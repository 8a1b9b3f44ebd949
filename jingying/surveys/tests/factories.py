"""Questionnaires and campaigns for tests, built through the services (as the UI would)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from jingying.core.scoping import SYSTEM
from jingying.org.models import Unit
from jingying.surveys import services
from jingying.surveys.choices import CampaignKind, QuestionKind
from jingying.surveys.models import Campaign, QuestionnaireVersion

SCALE = [{"value": str(v), "label": label} for v, label in
         [(1, "很不满意"), (2, "不满意"), (3, "一般"), (4, "满意"), (5, "很满意")]]


def morale_questions() -> list[dict[str, Any]]:
    """A small morale questionnaire using every question type and a show-if."""
    return [
        {"code": "s1", "kind": QuestionKind.SECTION, "text": "工作状态", "required": False},
        {"code": "mood", "kind": QuestionKind.RATING, "text": "您对当前工作状态的满意程度", "options": SCALE},
        {"code": "stress", "kind": QuestionKind.SINGLE, "text": "近期是否感到工作压力大",
         "options": [{"value": "yes", "label": "是"}, {"value": "no", "label": "否"}]},
        {"code": "why", "kind": QuestionKind.MULTIPLE, "text": "压力主要来自", "required": True,
         "options": [{"value": "duty", "label": "警情多"}, {"value": "overtime", "label": "加班"},
                     {"value": "family", "label": "家庭"}],
         "show_if": {"question": "stress", "op": "equals", "value": "yes"}},
        {"code": "hours", "kind": QuestionKind.NUMBER, "text": "上周加班小时数", "required": False,
         "min_value": 0, "max_value": 100},
        {"code": "grid", "kind": QuestionKind.MATRIX, "text": "对下列方面的评价", "options": SCALE,
         "rows": [{"code": "pay", "label": "待遇"}, {"code": "lead", "label": "领导"}]},
        {"code": "words", "kind": QuestionKind.TEXTAREA, "text": "您最想对组织说的话", "required": False},
    ]


def make_version(unit: Unit, *, code: str = "morale", publish: bool = True, actor: Any = SYSTEM,
                 questions: list[dict[str, Any]] | None = None) -> QuestionnaireVersion:
    version = services.questionnaire_create(actor=actor, unit=unit, code=code, title="队伍思想状况摸排")
    for q in questions if questions is not None else morale_questions():
        services.question_create(actor=actor, version=version, **q)
    if publish:
        services.version_publish(actor=actor, version=version)
    return version


def make_campaign(unit: Unit, *, version: QuestionnaireVersion | None = None, kind: str = CampaignKind.ANONYMOUS,
                  actor: Any = SYSTEM, title: str = "2026 年第一季度思想状况摸排", **extra: Any) -> Campaign:
    now = timezone.now()
    return services.campaign_create(
        actor=actor, version=version or make_version(unit), unit=unit, title=title, kind=kind,
        opens_at=extra.pop("opens_at", now - dt.timedelta(days=1)),
        closes_at=extra.pop("closes_at", now + dt.timedelta(days=13)), **extra)


def good_answers(**over: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {"mood": "4", "stress": "yes", "why": ["duty", "overtime"], "hours": "6",
                               "grid": {"pay": "3", "lead": "4"}, "words": ""}
    answers.update(over)
    return answers


def export_via_job(client: Any, campaign_pk: int, unit_pk: int | None = None) -> Any:
    """Ask for the results workbook as the screen does (POST → job page) and download it; the
    tests run tasks immediately, so the job is finished when the POST returns."""
    from django.urls import reverse

    url = reverse("surveys:campaign_export", args=[campaign_pk])
    started = client.post(url + (f"?unit={unit_pk}" if unit_pk else ""))
    if started.status_code != 302 or "/exports/" not in started["Location"]:
        return started
    job_id = started["Location"].rstrip("/").split("/")[-1]
    return client.get(reverse("surveys:export_download", args=[job_id]))
