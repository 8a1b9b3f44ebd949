"""Public evaluation over JSON, no sign-in (/api/v1/public/):

- GET  /public/{token}            the form: unit, questions, a signed render stamp
- POST /public/{token}/responses  {"key", "answers", "stamp", "device"?}; 201 when received,
  200 when the key was already received (nothing counted twice), 409 this device today,
  422 with a Chinese message per question code, 429 too many from this address

The device id is the `jy_device` cookie (as on the web form) or the body's `device`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from jingying.core.middleware import client_ip
from jingying.org.schemas import ErrorOut
from jingying.surveys import public
from jingying.surveys.api import QuestionOut

router = Router(tags=["public"], auth=None)


class PublicFormOut(Schema):
    title: str
    unit: str
    intro: str
    open: bool
    closes_at: dt.datetime
    stamp: str = Field(..., description="签名的表单生成时间，提交时原样带回")
    questions: list[QuestionOut]


class PublicResponseIn(Schema):
    key: str = Field(..., description="一次性提交码（8–64 位字母数字、-、_）；重试时用同一个，不会重复计数")
    answers: dict[str, Any] = Field(..., description="题目代码 → 答案（同 /surveys/mine/{id}/response）")
    stamp: str | None = Field(None, description="GET 返回的 stamp")
    device: str | None = Field(None, description="设备标识（不用 Cookie 时）")


class ReceivedOut(Schema):
    detail: str
    key: str


ERRORS: dict[int, Any] = {404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}


@router.get("/{token}", response={200: PublicFormOut, 404: ErrorOut}, summary="公开评价表单", url_name="public_form")
def public_form(request: HttpRequest, token: str) -> PublicFormOut:
    campaign, questions_ = public.public_form(token)
    questions = [QuestionOut(code=q.code, kind=q.kind, text=q.text, help_text=q.help_text, required=q.required,
                             options=q.options or [], rows=q.rows or [], min_value=q.min_value,
                             max_value=q.max_value, show_if=q.show_if) for q in questions_]
    return PublicFormOut(title=campaign.title, unit=campaign.unit.name, intro=campaign.intro, open=campaign.is_open(),
                         closes_at=campaign.closes_at, stamp=public.render_stamp(campaign), questions=questions)


@router.post("/{token}/responses", response={200: ReceivedOut, 201: ReceivedOut, **ERRORS}, summary="提交公开评价",
             url_name="public_submit")
def public_submit(request: HttpRequest, token: str, payload: PublicResponseIn) -> Status[Any]:
    campaign, questions = public.public_form(token)
    device = request.COOKIES.get(public.DEVICE_COOKIE) or payload.device or ""
    try:
        result = public.public_submit(campaign=campaign, raw=payload.answers, key=payload.key, device=device,
                                      stamp=payload.stamp, questions=questions, address=client_ip(request))
    except public.RateLimitedError as exc:
        return Status(429, {"detail": str(exc)})
    except public.AlreadyTodayError as exc:
        return Status(409, {"detail": " ".join(exc.messages)})
    body = ReceivedOut(detail=_("感谢您的评价！"), key=payload.key)
    # A ValidationError becomes 422 with the messages by field (jingying.api.errors).
    return Status(200 if result.replay else 201, body)
