"""JSON API for surveys: the same selectors and services as the screens.

- GET  /surveys/campaigns            campaigns the caller may follow ({items, count})
- GET  /surveys/campaigns/{id}       one campaign with its response rate (404 outside scope)
- GET  /surveys/campaigns/{id}/results   k-suppressed results for ?unit= (default: the top the caller sees)
- GET  /surveys/mine                 the caller's pending surveys
- GET  /surveys/mine/{id}            one of them with its questions
- POST /surveys/mine/{id}/response   submit answers {"answers": {code: value}}; 201, 409 when
  already answered, 422 with a Chinese message per question code
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from jingying.core.scoping import covers, require_perm
from jingying.org import selectors as org_selectors
from jingying.org.schemas import ErrorOut
from jingying.surveys import selectors, services
from jingying.surveys.models import Campaign, Invitation

router = Router(tags=["surveys"])

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class Paging(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, description=f"每页条数，最多 {MAX_LIMIT}")
    offset: int = Field(0, ge=0)


class CampaignFilters(Schema):
    state: str | None = Field(None, description="open / scheduled / closed")
    kind: str | None = Field(None, description="anonymous / identified / public")
    q: str | None = Field(None, description="按名称搜索")


class CampaignOut(Schema):
    id: int
    title: str
    kind: str
    unit: int
    unit_name: str
    questionnaire: str
    version: int
    opens_at: dt.datetime
    closes_at: dt.datetime
    categories: list[str]
    k_threshold: int
    invited: int | None = None
    answered: int | None = None

    @classmethod
    def of(cls, c: Campaign, invited: int | None = None, answered: int | None = None) -> CampaignOut:
        return cls(id=c.pk, title=c.title, kind=c.kind, unit=c.unit_id, unit_name=c.unit.name,
                   questionnaire=c.version.title, version=c.version.number, opens_at=c.opens_at,
                   closes_at=c.closes_at, categories=list(c.categories), k_threshold=c.k_threshold,
                   invited=invited if invited is None or invited >= c.k_threshold else None,
                   answered=answered if invited is None or invited >= c.k_threshold else None)


class CampaignPage(Schema):
    items: list[CampaignOut]
    count: int


class OptionOut(Schema):
    label: str
    count: int
    percent: int


class QuestionResultOut(Schema):
    code: str
    text: str
    kind: str
    shown: bool
    respondents: int | None = None
    options: list[OptionOut] = []
    matrix: dict[str, list[OptionOut]] = {}
    mean: float | None = None
    texts: list[str] = []


class ResultsOut(Schema):
    campaign: int
    unit: int
    k: int
    shown: bool
    respondents: int | None
    questions: list[QuestionResultOut]


class QuestionOut(Schema):
    code: str
    kind: str
    text: str
    help_text: str
    required: bool
    options: list[dict[str, Any]]
    rows: list[dict[str, Any]]
    min_value: int | None
    max_value: int | None
    show_if: dict[str, Any] | None


class MySurveyOut(Schema):
    campaign: int
    title: str
    anonymous: bool
    closes_at: dt.datetime
    answered: bool
    questions: list[QuestionOut] | None = None

    @classmethod
    def of(cls, i: Invitation, *, questions: bool = False) -> MySurveyOut:
        c = i.campaign
        qs = None
        if questions:
            qs = [QuestionOut(code=q.code, kind=q.kind, text=q.text, help_text=q.help_text, required=q.required,
                              options=q.options or [], rows=q.rows or [], min_value=q.min_value,
                              max_value=q.max_value, show_if=q.show_if) for q in selectors.campaign_questions(c)]
        return cls(campaign=c.pk, title=c.title, anonymous=c.anonymous, closes_at=c.closes_at, answered=i.answered,
                   questions=qs)


class MySurveyPage(Schema):
    items: list[MySurveyOut]
    count: int


class ResponseIn(Schema):
    answers: dict[str, Any] = Field(..., description="题目代码 → 答案：单选/量表为选项值，多选为列表，数字，文本，矩阵为 {行代码: 选项值}")


class SubmittedOut(Schema):
    detail: str
    anonymous: bool


def _page(qs: Any, paging: Paging) -> tuple[list[Any], int]:
    limit = min(paging.limit, MAX_LIMIT)
    return list(qs[paging.offset: paging.offset + limit]), qs.count()


@router.get("/campaigns", response={200: CampaignPage, **ERRORS}, summary="问卷调查列表")
def campaign_list(request: HttpRequest, filters: Query[CampaignFilters], paging: Query[Paging]) -> CampaignPage:
    require_perm(request.user, "surveys.view_campaign")
    data = {k: v for k, v in filters.dict().items() if v}
    rows, count = _page(selectors.campaign_list(actor=request.user, filters=data), paging)
    return CampaignPage(items=[CampaignOut.of(c, c.invited, c.answered_n) for c in rows], count=count)


@router.get("/campaigns/{int:campaign_id}", response={200: CampaignOut, **ERRORS}, summary="问卷调查详情")
def campaign_detail(request: HttpRequest, campaign_id: int) -> CampaignOut:
    campaign = selectors.access_campaign(request.user, campaign_id)
    tops = selectors.results_units(actor=request.user, campaign=campaign, perm="surveys.view_campaign")
    head, _children = selectors.campaign_rates(campaign=campaign, unit=tops[0] if tops else campaign.unit)
    return CampaignOut.of(campaign, head.invited, head.answered)


@router.get("/campaigns/{int:campaign_id}/results", response={200: ResultsOut, **ERRORS}, summary="结果（少于 k 人不显示）")
def campaign_results(request: HttpRequest, campaign_id: int, unit: int | None = None) -> ResultsOut:
    actor = request.user
    campaign = selectors.access_campaign(actor, campaign_id, perm="surveys.view_results")
    if unit is not None:
        target = org_selectors.access_unit(actor, unit)
    else:
        tops = selectors.results_units(actor=actor, campaign=campaign)
        if not tops:
            raise Http404
        target = tops[0]
    if not covers(actor, "surveys.view_results", target.path):
        raise Http404
    r = selectors.campaign_results(actor=actor, campaign=campaign, unit=target)
    questions = []
    for q in r.questions:
        out = QuestionResultOut(code=q.question.code, text=q.question.text, kind=q.question.kind, shown=q.shown,
                                respondents=q.respondents, texts=q.texts,
                                mean=float(q.mean) if q.mean is not None else None)
        out.options = [OptionOut(label=label, count=n, percent=p) for label, n, p in q.options]
        out.matrix = {row: [OptionOut(label=label, count=n, percent=p) for label, n, p in dist] for row, dist in q.matrix}
        questions.append(out)
    return ResultsOut(campaign=campaign.pk, unit=target.pk, k=r.k, shown=r.shown, respondents=r.respondents,
                      questions=questions)


@router.get("/mine", response={200: MySurveyPage, **ERRORS}, summary="我的待填写问卷")
def my_pending(request: HttpRequest, paging: Query[Paging]) -> MySurveyPage:
    require_perm(request.user, "surveys.answer_campaign")
    rows, count = _page(selectors.my_pending(actor=request.user), paging)
    return MySurveyPage(items=[MySurveyOut.of(i) for i in rows], count=count)


@router.get("/mine/{int:campaign_id}", response={200: MySurveyOut, **ERRORS}, summary="一份问卷及其题目")
def my_survey(request: HttpRequest, campaign_id: int) -> MySurveyOut:
    return MySurveyOut.of(selectors.access_invitation(request.user, campaign_id), questions=True)


@router.post("/mine/{int:campaign_id}/response", response={201: SubmittedOut, **ERRORS}, summary="提交答卷")
def submit(request: HttpRequest, campaign_id: int, payload: ResponseIn) -> Status[SubmittedOut]:
    invitation = selectors.access_invitation(request.user, campaign_id)
    try:
        services.response_submit(actor=request.user, campaign_id=invitation.campaign_id, raw=payload.answers)
    except services.AlreadyAnsweredError as exc:
        return Status(409, {"detail": " ".join(exc.messages)})  # type: ignore[arg-type]
    return Status(201, SubmittedOut(detail=_("已提交，感谢参与"), anonymous=invitation.campaign.anonymous))


# The analysis endpoints (crosstab, indices, trend, themes) and the background export live in
# their own modules.
from jingying.surveys import api_analysis, api_export  # noqa: E402,F401
