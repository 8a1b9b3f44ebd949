"""Screens of screening, crisis escalation and counselling (issue 6 points 2–4).

Officer pages are phone-first. Counsellor pages need the psych domain; every read of a
person's result, alert or session is audited (`record_read`). Units see aggregates only.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jingying.core import audit
from jingying.core.scoping import covers, has_perm, require_perm
from jingying.core.views_generic import paginate, render_page
from jingying.health.choices_psych import (
    AlertOutcome,
    AlertStatus,
    ContactMethod,
    Language,
    SessionMode,
    SessionStatus,
    Tier,
)
from jingying.health.models import AnonymousQuestion, RoundCampaign
from jingying.health.selectors import psych as selectors
from jingying.health.services import counselling, crisis, screening
from jingying.org.models import Unit

DOMAIN = "psych"


def _errors(exc: ValidationError) -> dict[str, str]:
    if hasattr(exc, "error_dict"):
        return {k: " ".join(v) for k, v in exc.message_dict.items()}
    return {"form": " ".join(exc.messages)}


def _when(raw: str) -> dt.datetime | None:
    value = parse_datetime(raw or "")
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


# --- the officer: screening ----------------------------------------------------------------


def screening_mine(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "health.take_screening")
    rounds = selectors.my_rounds(actor=request.user)
    return render_page(request, "health/screening_mine.html", {"rounds": rounds, "now": timezone.now()})


@require_http_methods(["GET", "POST"])
def screening_consent(request: HttpRequest, pk: int) -> HttpResponse:
    mine = selectors.my_round(actor=request.user, pk=pk)
    status = 200
    error = ""
    if request.method == "POST":
        if request.POST.get("agree") == "yes":
            try:
                screening.consent_give(actor=request.user, screening=mine.round)
            except ValidationError as exc:
                error, status = " ".join(exc.messages), 400
            else:
                return redirect("health:screening_answer", pk=pk)
        else:
            error, status = _("请勾选“我已阅读并同意”后再开始。"), 400
    return render_page(request, "health/screening_consent.html", {"mine": mine, "error": error}, status=status)


def _prepare(item: dict[str, Any], value: Any, error: str) -> None:
    q = item["q"]
    item["value"], item["error"] = value, error
    item["show_if"] = json.dumps(q.show_if, ensure_ascii=False) if q.show_if else ""
    chosen = {str(value)} if value not in (None, "") else set()
    item["options"] = [{"value": str(o.get("value")), "label": o.get("label"),
                        "checked": str(o.get("value")) in chosen} for o in q.options or []]


@require_http_methods(["GET", "POST"])
def screening_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """One instrument at a time; after the last one, the result page with crisis resources."""
    from jingying.surveys import logic

    mine = selectors.my_round(actor=request.user, pk=pk)
    if not mine.consented:
        return redirect("health:screening_consent", pk=pk)
    link = selectors.next_link(actor=request.user, screening=mine.round)
    if link is None:
        return redirect("health:screening_done", pk=pk)
    if not mine.round.is_open():
        return render_page(request, "health/screening_closed.html", {"mine": mine},
                           status=400 if request.method == "POST" else 200)
    questions = list(link.campaign.version.questions.order_by("position"))
    items: list[dict[str, Any]] = [{"q": q, "spec": logic.Spec.of(q)} for q in questions]
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        raw = logic.parse_form([i["spec"] for i in items], request.POST)
        try:
            screening.screening_answer(actor=request.user, screening=mine.round, link=link, raw=raw)
        except ValidationError as exc:
            errors, values, status = _errors(exc), raw, 400
        else:
            more = selectors.next_link(actor=request.user, screening=mine.round) is not None
            return redirect("health:screening_answer" if more else "health:screening_done", pk=pk)
    for item in items:
        _prepare(item, values.get(item["q"].code), errors.get(item["q"].code, ""))
    step = list(RoundCampaign.objects.filter(round=mine.round).values_list("pk", flat=True)).index(link.pk) + 1
    return render_page(request, "health/screening_answer.html",
                       {"mine": mine, "link": link, "items": items, "errors": errors, "step": step,
                        "steps": len(mine.round.instruments)}, status=status)


def screening_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Crisis resources first (prominent when the safety item was positive), then the officer's
    own result with plain-language guidance."""
    mine = selectors.my_round(actor=request.user, pk=pk)
    result = mine.result
    context = {"mine": mine, "result": result, "safety": bool(result and result.safety),
               "guidance": screening.guidance(result.tier, get_language() or "zh") if result and mine.done else ""}
    return render_page(request, "health/screening_done.html", context)


def crisis_resources(request: HttpRequest) -> HttpResponse:
    return render_page(request, "health/crisis_resources.html", {})


# --- rounds and aggregates (political staff, leaders, counsellors) -------------------------


def round_list(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "health.view_round")
    info = paginate(request, selectors.round_list(actor=request.user))
    return render_page(request, "health/round_list.html",
                       {"info": info, "can_add": has_perm(request.user, "health.manage_round")})


@require_http_methods(["GET", "POST"])
def round_create(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "health.manage_round")
    from jingying.core.scoping import grant_roots

    units = [Unit.objects.get(pk=g.unit_id) for g in grant_roots(request.user, "health.manage_round")]
    errors: dict[str, str] = {}
    data = request.POST if request.method == "POST" else {}
    status = 200
    if request.method == "POST":
        unit = Unit.objects.filter(pk=data.get("unit") or 0).first()
        opens, closes = _when(data.get("opens_at", "")), _when(data.get("closes_at", ""))
        try:
            if unit is None or opens is None or closes is None:
                raise ValidationError(_("请填写范围单位、开始和截止时间"))
            year = int(data.get("year") or opens.year)
            created = screening.round_create(actor=request.user, unit=unit, title=data.get("title", ""), year=year,
                                             instruments=request.POST.getlist("instruments"), opens_at=opens,
                                             closes_at=closes, description=data.get("description", ""))
        except ValidationError as exc:
            errors, status = _errors(exc), 400
        except PermissionDenied:
            errors, status = {"unit": _("您不能在这个单位发起筛查")}, 400
        else:
            messages.success(request, _("已发起心理筛查"))
            return redirect("health:round_detail", pk=created.pk)
    context = {"units": units, "errors": errors, "data": data,
               "instruments": ["PHQ-9", "GAD-7", "PCL-5", "WHO-5", "K10", "AUDIT"],
               "chosen": request.POST.getlist("instruments") if request.method == "POST" else ["PHQ-9", "GAD-7"]}
    return render_page(request, "health/round_form.html", context, status=status)


def _minute(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value).replace(second=0, microsecond=0)


def _manage_round(request: HttpRequest, pk: int) -> Any:
    """A round the user may manage: out of their scope (or without the permission) 404."""
    screening_round = selectors.access_round(request.user, pk)
    if not covers(request.user, "health.manage_round", screening_round.unit.path):
        raise Http404
    return screening_round


@require_http_methods(["GET", "POST"])
def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything before anyone consented or answered; afterwards name, description and the
    closing date only (the locked fields are shown read-only and ignored when posted)."""
    from jingying.core.scoping import grant_roots

    screening_round = _manage_round(request, pk)
    started = screening.round_started(screening_round)
    units = [Unit.objects.get(pk=g.unit_id) for g in grant_roots(request.user, "health.manage_round")]
    if screening_round.unit not in units:
        units.insert(0, screening_round.unit)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        data: Any = request.POST
        closes = _when(data.get("closes_at", ""))
        changes: dict[str, Any] = {"title": data.get("title", ""), "description": data.get("description", "")}
        try:
            if closes is None:
                raise ValidationError({"closes_at": [_("请填写截止时间")]})
            if closes != _minute(screening_round.closes_at):
                changes["closes_at"] = closes
            if not started:
                unit = Unit.objects.filter(pk=data.get("unit") or 0).first()
                opens = _when(data.get("opens_at", ""))
                if unit is None or opens is None:
                    raise ValidationError(_("请填写范围单位、开始和截止时间"))
                changes.update(unit=unit, instruments=request.POST.getlist("instruments"),
                               year=int(data.get("year") or opens.year))
                if opens != _minute(screening_round.opens_at):
                    changes["opens_at"] = opens
            screening.round_update(actor=request.user, screening=screening_round, **changes)
        except ValidationError as exc:
            errors, status = _errors(exc), 400
        except (PermissionDenied, ValueError):
            errors, status = {"unit": _("您不能在这个单位发起筛查")}, 400
        else:
            messages.success(request, _("已保存"))
            return redirect("health:round_detail", pk=screening_round.pk)
    else:
        data = {"title": screening_round.title, "description": screening_round.description,
                "year": screening_round.year, "unit": screening_round.unit_id,
                "opens_at": _minute(screening_round.opens_at).strftime("%Y-%m-%dT%H:%M"),
                "closes_at": _minute(screening_round.closes_at).strftime("%Y-%m-%dT%H:%M")}
    chosen = (request.POST.getlist("instruments") if request.method == "POST" and not started
              else list(screening_round.instruments))
    context = {"units": units, "errors": errors, "data": data, "round": screening_round, "started": started,
               "instruments": ["PHQ-9", "GAD-7", "PCL-5", "WHO-5", "K10", "AUDIT"], "chosen": chosen}
    return render_page(request, "health/round_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def round_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then delete; refused (400, with the reason) once anyone consented or answered."""
    screening_round = _manage_round(request, pk)
    error = ""
    status = 200
    if request.method == "POST":
        try:
            screening.round_delete(actor=request.user, screening=screening_round)
        except ValidationError as exc:
            error, status = " ".join(exc.messages), 400
        else:
            messages.success(request, _("已删除心理筛查“%(title)s”") % {"title": screening_round.title})
            return redirect("health:round_list")
    started = screening.round_started(screening_round)
    return render_page(request, "health/round_delete.html",
                       {"round": screening_round, "started": started, "error": error}, status=status)


def _stats_unit(request: HttpRequest, screening_round: Any) -> Unit:
    unit_id = request.GET.get("unit")
    if not unit_id:
        return selectors.stats_start(request.user, screening_round)
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    return unit


def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    screening_round = selectors.access_round(request.user, pk)
    unit = _stats_unit(request, screening_round)
    can_stats = has_perm(request.user, "health.view_psych_stats")
    stats = selectors.round_stats(actor=request.user, screening=screening_round, unit=unit) if can_stats else None
    return render_page(request, "health/round_detail.html", {
        "round": screening_round, "stats": stats, "tiers": Tier,
        "can_results": has_perm(request.user, "health.view_screening", domain=DOMAIN),
        "campaigns": screening_round.campaigns.select_related("campaign"),
        "can_manage": covers(request.user, "health.manage_round", screening_round.unit.path),
    })


def round_export(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "health.export_psych_stats")
    screening_round = selectors.access_round(request.user, pk)
    stats = selectors.round_stats(actor=request.user, screening=screening_round,
                                  unit=_stats_unit(request, screening_round))
    body = _stats_workbook(screening_round, stats)
    audit.record(actor=request.user, action="health.screening_round.export", obj=screening_round,
                 after={"unit": stats.unit.pk})
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="screening-{screening_round.pk}.xlsx"'
    return response


def _stats_workbook(screening_round: Any, stats: selectors.RoundStats) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet(_("参与与分级"))
    sheet.set_column(0, 0, 40)
    sheet.set_column(1, 6, 12)
    sheet.write_row(0, 0, [screening_round.title], bold)
    sheet.write_row(1, 0, [_("说明"), _("少于 %(k)d 人的单位不显示；分级人数少于 5 的格子不显示（并连带隐藏一个格子，防止相减推算）。")
                           % {"k": stats.k}])
    sheet.write_row(3, 0, [_("单位"), _("应参加"), _("已完成"), str(Tier.LOW.label), str(Tier.MEDIUM.label),
                           str(Tier.HIGH.label)], bold)
    hidden = _("不显示")
    rows = [(stats.unit.name, stats.invited, stats.answered, stats.shown, stats.tiers)]
    rows += [(r.label if r.unit is None else r.unit.name, r.invited, r.answered, r.shown, r.tiers) for r in stats.rows]
    for n, (name, invited, answered, shown, tiers) in enumerate(rows, start=4):
        sheet.write(n, 0, name)
        if not shown:
            sheet.write_row(n, 1, [hidden] * 5)
            continue
        sheet.write_row(n, 1, [invited, answered, *[hidden if tiers[t] is None else tiers[t] for t in
                                                     (Tier.LOW, Tier.MEDIUM, Tier.HIGH)]])
    book.close()
    return buffer.getvalue()


# --- results and alerts (counsellors) ------------------------------------------------------


def result_list(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "health.view_screening", domain=DOMAIN)
    tier = request.GET.get("tier", "")
    info = paginate(request, selectors.result_list(actor=request.user, tier=tier))
    return render_page(request, "health/result_list.html", {"info": info, "tier": tier, "tiers": Tier.choices})


def result_detail(request: HttpRequest, pk: int) -> HttpResponse:
    result = selectors.access_result(request.user, pk)
    audit.record_read(actor=request.user, obj=result, person_id=result.person_id, domain=DOMAIN)
    return render_page(request, "health/result_detail.html", {"result": result, "alerts": result.alerts.all()})


def alert_list(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "health.view_alert", domain=DOMAIN)
    status = request.GET.get("status", "active")
    info = paginate(request, selectors.alert_list(actor=request.user, status=status))
    return render_page(request, "health/alert_list.html", {"info": info, "status": status,
                                                           "statuses": AlertStatus.choices})


def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = selectors.access_alert(request.user, pk)
    audit.record_read(actor=request.user, obj=alert, person_id=alert.person_id, domain=DOMAIN)
    return render_page(request, "health/alert_detail.html", _alert_context(alert, {}))


def _alert_context(alert: Any, errors: dict[str, str]) -> dict[str, Any]:
    return {"alert": alert, "errors": errors, "methods": ContactMethod.choices, "outcomes": AlertOutcome.choices,
            "now": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "closed": alert.status == AlertStatus.CLOSED}


@require_POST
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    alert = selectors.access_alert(request.user, pk)
    crisis.alert_acknowledge(actor=request.user, alert=alert)
    messages.success(request, _("已确认，请尽快联系本人"))
    return redirect("health:alert_detail", pk=pk)


@require_POST
def alert_contact(request: HttpRequest, pk: int) -> HttpResponse:
    alert = selectors.access_alert(request.user, pk)
    at = _when(request.POST.get("at", ""))
    try:
        if at is None:
            raise ValidationError({"at": [_("请填写联系时间")]})
        crisis.alert_contact(actor=request.user, alert=alert, at=at, method=request.POST.get("method", ""),
                             note=request.POST.get("note", ""))
    except ValidationError as exc:
        return render_page(request, "health/alert_detail.html", _alert_context(alert, _errors(exc)), status=400)
    messages.success(request, _("已记录联系情况"))
    return redirect("health:alert_detail", pk=pk)


@require_POST
def alert_close(request: HttpRequest, pk: int) -> HttpResponse:
    alert = selectors.access_alert(request.user, pk)
    try:
        crisis.alert_close(actor=request.user, alert=alert, outcome=request.POST.get("outcome", ""),
                           note=request.POST.get("note", ""))
    except ValidationError as exc:
        return render_page(request, "health/alert_detail.html", _alert_context(alert, _errors(exc)), status=400)
    messages.success(request, _("预警已结案"))
    return redirect("health:alert_detail", pk=pk)


# --- counselling: the officer --------------------------------------------------------------


def counselling_home(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "health.book_session")
    language = request.GET.get("language", "")
    directory = list(selectors.counsellor_directory(language=language if language in Language.values else "")[:50])
    return render_page(request, "health/counselling_home.html", {
        "directory": directory, "language": language, "languages": Language.choices,
        "sessions": list(selectors.my_sessions(actor=request.user)[:20]),
    })


@require_POST
def session_book(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "health.book_session")
    try:
        counselling.session_book(actor=request.user, slot_id=pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("health:counselling_home")
    messages.success(request, _("预约成功，咨询师会按时与您见面或联系您。"))
    return redirect("health:counselling_home")


def _cancel(request: HttpRequest, session: Any) -> None:
    try:
        counselling.session_cancel(actor=request.user, session=session)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已取消预约"))


@require_POST
def my_session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """The officer cancels their own booking (anyone else's: 404)."""
    _cancel(request, selectors.access_my_session(request.user, pk))
    return redirect("health:counselling_home")


@require_POST
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    _cancel(request, selectors.access_session(request.user, pk))
    return redirect("health:session_detail", pk=pk)


@require_http_methods(["GET", "POST"])
def question_ask(request: HttpRequest) -> HttpResponse:
    """Ask anonymously: the one-time code is shown once, in this response only."""
    require_perm(request.user, "health.ask_question")
    context: dict[str, Any] = {"errors": {}, "text": ""}
    status = 200
    if request.method == "POST":
        try:
            _question, code = counselling.question_ask(text=request.POST.get("text", ""))
        except ValidationError as exc:
            context.update(errors=_errors(exc), text=request.POST.get("text", ""))
            status = 400
        else:
            response = render_page(request, "health/question_code.html", {"code": code})
            response["Cache-Control"] = "no-store"
            return response
    return render_page(request, "health/question_ask.html", context, status=status)


@require_http_methods(["GET", "POST"])
def question_follow(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "health.ask_question")
    question: AnonymousQuestion | None = None
    searched = request.method == "POST"
    if searched:
        question = counselling.question_follow(code=request.POST.get("code", ""))
    return render_page(request, "health/question_follow.html", {"question": question, "searched": searched},
                       status=404 if searched and question is None else 200)


# --- counselling: counsellors --------------------------------------------------------------


def session_list(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "health.view_session", domain=DOMAIN)
    info = paginate(request, selectors.session_list(actor=request.user))
    return render_page(request, "health/session_list.html", {"info": info})


def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.access_session(request.user, pk)
    audit.record_read(actor=request.user, obj=session, person_id=session.person_id, domain=DOMAIN)
    return render_page(request, "health/session_detail.html", {
        "session": session, "is_counsellor": True,
        "is_author": counselling.can_read_notes(request.user, session),
        "can_write": session.counsellor.user_id == request.user.pk,
        "is_head": counselling.is_head_counsellor(request.user), "statuses": SessionStatus.choices,
    })


@require_http_methods(["GET", "POST"])
def session_notes(request: HttpRequest, pk: int) -> HttpResponse:
    """The author reads (GET) or writes (POST) the encrypted notes."""
    session = selectors.access_session(request.user, pk)
    if request.method == "POST":
        try:
            counselling.session_notes_write(actor=request.user, session=session, text=request.POST.get("notes", ""),
                                            status=request.POST.get("status", SessionStatus.HELD))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("咨询记录已加密保存"))
        return redirect("health:session_notes", pk=pk)
    notes = counselling.session_notes_read(actor=request.user, session=session) if session.notes else ""
    return render_page(request, "health/session_notes.html", {"session": session, "notes": notes,
                                                              "statuses": SessionStatus.choices})


@require_http_methods(["GET", "POST"])
def session_break_glass(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.access_session(request.user, pk)
    context: dict[str, Any] = {"session": session, "errors": {}}
    status = 200
    if request.method == "POST":
        try:
            context["notes"] = counselling.session_break_glass(actor=request.user, session=session,
                                                               reason=request.POST.get("reason", ""))
            context["shown"] = True
        except ValidationError as exc:
            context["errors"], status = _errors(exc), 400
    return render_page(request, "health/session_break_glass.html", context, status=status)


@require_POST
def session_refer(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.access_session(request.user, pk)
    try:
        counselling.session_refer(actor=request.user, session=session, text=request.POST.get("referral", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已记录院外转介"))
    return redirect("health:session_detail", pk=pk)


@require_http_methods(["GET", "POST"])
def slot_list(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "health.manage_availability", domain=DOMAIN)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            starts, ends = _when(request.POST.get("starts_at", "")), _when(request.POST.get("ends_at", ""))
            if starts is None or ends is None:
                raise ValidationError({"starts_at": [_("请填写开始和结束时间")]})
            counselling.slot_create(actor=request.user, starts_at=starts, ends_at=ends,
                                    mode=request.POST.get("mode", SessionMode.IN_PERSON),
                                    location=request.POST.get("location", ""))
        except ValidationError as exc:
            errors, status = _errors(exc), 400
        except PermissionDenied:
            errors, status = {"form": _("您还没有登记在心理咨询师名录中，请联系政治部。")}, 400
        else:
            messages.success(request, _("已发布可预约时段"))
            return redirect("health:slot_list")
    return render_page(request, "health/slot_list.html", {"slots": list(selectors.my_slots(actor=request.user)[:100]),
                                                          "errors": errors, "modes": SessionMode.choices},
                       status=status)


def question_list(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "health.answer_question", domain=DOMAIN)
    info = paginate(request, selectors.question_list(answered=False if request.GET.get("open") else None))
    return render_page(request, "health/question_list.html", {"info": info})


@require_POST
def question_answer(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "health.answer_question", domain=DOMAIN)
    question = AnonymousQuestion.objects.filter(pk=pk).first()
    if question is None:
        raise Http404
    try:
        counselling.question_answer(actor=request.user, question=question, text=request.POST.get("answer", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied:
        messages.error(request, _("您还没有登记在心理咨询师名录中，请联系政治部。"))
    else:
        messages.success(request, _("已答复"))
    return redirect("health:question_list")


def _counselling_stats(request: HttpRequest, perm: str) -> dict[str, Any]:
    require_perm(request.user, perm)
    from jingying.core.scoping import grant_roots
    from jingying.org.choices import UnitKind

    roots = [g.unit_id for g in grant_roots(request.user, perm)]
    unit = Unit.objects.filter(pk=request.GET.get("unit") or roots[0]).first()
    if unit is None:
        raise Http404
    kinds, rows, k = selectors.counselling_stats(actor=request.user, unit=unit)
    labels = [str(UnitKind(kind).label) if kind in UnitKind.values else kind for kind in kinds]
    return {"unit": unit, "kinds": kinds, "labels": labels, "rows": rows, "k": k}


def counselling_stats(request: HttpRequest) -> HttpResponse:
    return render_page(request, "health/counselling_stats.html",
                       _counselling_stats(request, "health.view_psych_stats"))


def counselling_stats_export(request: HttpRequest) -> HttpResponse:
    """The same k-safe figures as the page, as a workbook; hidden cells stay hidden."""
    from jingying.care.export_hospitals import table_workbook, xlsx_response

    ctx = _counselling_stats(request, "health.export_psych_stats")
    hidden = _("不显示（人数不足）")
    rows = [[r.month.strftime("%Y-%m"), *[hidden if n is None else n for n in r.cells.values()],
             hidden if r.total is None else r.total] for r in ctx["rows"]]
    audit.record(actor=request.user, action="health.counselling_stats.export", obj=ctx["unit"],
                 after={"months": len(rows)})
    return xlsx_response(table_workbook(_("心理咨询统计"), [_("月份"), *ctx["labels"], _("合计")], rows),
                         f"{ctx['unit'].label}-counselling.xlsx")


@require_http_methods(["GET", "POST"])
def counsellor_list(request: HttpRequest) -> HttpResponse:
    """The directory as the political department keeps it: add or update a counsellor by account."""
    from jingying.accounts.models import User
    from jingying.core.scoping import restrict

    require_perm(request.user, "health.manage_counsellor")
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        data = request.POST
        user = User.objects.filter(username=data.get("username", "").strip(), is_active=True).first()
        unit = Unit.objects.filter(code=data.get("unit_code", "").strip()).first()
        try:
            if user is None:
                raise ValidationError({"username": [_("没有这个账号")]})
            if unit is None:
                raise ValidationError({"unit_code": [_("没有这个单位代码")]})
            counselling.counsellor_save(actor=request.user, user=user, unit=unit, name=data.get("name", ""),
                                        qualifications=data.get("qualifications", ""),
                                        languages=data.getlist("languages"), bio=data.get("bio", ""),
                                        is_head=data.get("is_head") == "on", active=data.get("active") == "on")
        except ValidationError as exc:
            errors, status = _errors(exc), 400
        except PermissionDenied:
            errors, status = {"unit_code": _("您不能管理这个单位的咨询师")}, 400
        else:
            messages.success(request, _("已保存咨询师信息"))
            return redirect("health:counsellor_list")
    from jingying.health.models import Counsellor

    counsellors = restrict(Counsellor.objects.select_related("unit", "user"), request.user,
                           "health.manage_counsellor").order_by("-is_head", "name", "id")
    return render_page(request, "health/counsellor_list.html",
                       {"info": paginate(request, counsellors), "errors": errors, "languages": Language.choices},
                       status=status)


urlpatterns = [
    path("counselling/counsellors/", counsellor_list, name="counsellor_list"),
    path("screening/", screening_mine, name="screening_mine"),
    path("screening/<int:pk>/consent/", screening_consent, name="screening_consent"),
    path("screening/<int:pk>/answer/", screening_answer, name="screening_answer"),
    path("screening/<int:pk>/done/", screening_done, name="screening_done"),
    path("crisis-resources/", crisis_resources, name="crisis_resources"),
    path("screening/rounds/", round_list, name="round_list"),
    path("screening/rounds/add/", round_create, name="round_create"),
    path("screening/rounds/<int:pk>/", round_detail, name="round_detail"),
    path("screening/rounds/<int:pk>/stats.xlsx", round_export, name="round_export"),
    path("screening/rounds/<int:pk>/edit/", round_edit, name="round_edit"),
    path("screening/rounds/<int:pk>/delete/", round_delete, name="round_delete"),
    path("screening/results/", result_list, name="result_list"),
    path("screening/results/<int:pk>/", result_detail, name="result_detail"),
    path("alerts/", alert_list, name="alert_list"),
    path("alerts/<int:pk>/", alert_detail, name="alert_detail"),
    path("alerts/<int:pk>/acknowledge/", alert_acknowledge, name="alert_acknowledge"),
    path("alerts/<int:pk>/contact/", alert_contact, name="alert_contact"),
    path("alerts/<int:pk>/close/", alert_close, name="alert_close"),
    path("counselling/", counselling_home, name="counselling_home"),
    path("counselling/slots/<int:pk>/book/", session_book, name="session_book"),
    path("counselling/ask/", question_ask, name="question_ask"),
    path("counselling/follow/", question_follow, name="question_follow"),
    path("counselling/stats/", counselling_stats, name="counselling_stats"),
    path("counselling/stats.xlsx", counselling_stats_export, name="counselling_stats_export"),
    path("counselling/my-slots/", slot_list, name="slot_list"),
    path("counselling/questions/", question_list, name="question_list"),
    path("counselling/questions/<int:pk>/answer/", question_answer, name="question_answer"),
    path("sessions/", session_list, name="session_list"),
    path("sessions/<int:pk>/", session_detail, name="session_detail"),
    path("sessions/<int:pk>/cancel/", session_cancel, name="session_cancel"),
    path("counselling/mine/<int:pk>/cancel/", my_session_cancel, name="my_session_cancel"),
    path("sessions/<int:pk>/notes/", session_notes, name="session_notes"),
    path("sessions/<int:pk>/break-glass/", session_break_glass, name="session_break_glass"),
    path("sessions/<int:pk>/refer/", session_refer, name="session_refer"),
]
