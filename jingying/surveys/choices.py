"""Code lists of the survey engine."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class QuestionKind(models.TextChoices):
    SECTION = "section", _("分节标题")
    SINGLE = "single", _("单选")
    MULTIPLE = "multiple", _("多选")
    RATING = "rating", _("量表/评分")
    NUMBER = "number", _("数字")
    TEXT = "text", _("简答")
    TEXTAREA = "textarea", _("长文本")
    MATRIX = "matrix", _("矩阵")


# Kinds whose answers are one of the question's options (grouped and counted in results).
CHOICE_KINDS = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RATING, QuestionKind.MATRIX})
TEXT_KINDS = frozenset({QuestionKind.TEXT, QuestionKind.TEXTAREA})


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class CampaignKind(models.TextChoices):
    IDENTIFIED = "identified", _("实名")
    ANONYMOUS = "anonymous", _("匿名")
    # Public evaluation (群众评价): no invitations, responses without a person (issue 4 point 5).
    PUBLIC = "public", _("公开评价")


class CampaignPurpose(models.TextChoices):
    """What a campaign is for. A screening campaign is created by another module (the health
    app's screening rounds) and answered only through that module's pages, after consent; the
    survey engine only needs to know not to offer it as an ordinary survey."""

    SURVEY = "survey", _("普通问卷")
    SCREENING = "screening", _("心理筛查")


class ShowIfOp(models.TextChoices):
    EQUALS = "equals", _("等于")
    NOT_EQUALS = "not_equals", _("不等于")
    IN = "in", _("为其中之一")
    GTE = "gte", _("不小于")
    LTE = "lte", _("不大于")
    ANSWERED = "answered", _("已作答")


class AgeBand(models.TextChoices):
    """The age bands of the person list (jingying.org.filters), kept on an anonymous response."""

    LT30 = "lt30", _("30 岁以下")
    A30 = "30-39", _("30–39 岁")
    A40 = "40-49", _("40–49 岁")
    A50 = "50-54", _("50–54 岁")
    A55 = "55+", _("55 岁及以上")


def age_band(age: int | None) -> str:
    if age is None:
        return ""
    if age < 30:
        return AgeBand.LT30
    if age < 40:
        return AgeBand.A30
    if age < 50:
        return AgeBand.A40
    if age < 55:
        return AgeBand.A50
    return AgeBand.A55
