"""Screens of annual checkups (年度体检): plans, the hospital results import, records with their
findings (health domain: scoped, every read audited), follow-ups with the one-step referral,
the k-safe statistics page for leaders and political staff, and the officer's own page.

Thin views: reads through jingying.health.selectors.checkups, writes through
jingying.health.services.checkups (and jingying.health.checkup_import via the tasks)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jingying.accounts.models import User
from jingying.care.export_hospitals import table_workbook, xlsx_response
from jingying.care.selectors.hospitals import hospital_list
from jingying.core.scoping import covers, grant_roots, has_perm, require_perm
from jingying.core.selectors import my_access_log
from jingying.core.views_generic import paginate, render_page
from jingying.core.views_sheets import import_page
from jingying.health import import_plans
from jingying.health.checkup_codes import BY_CODE, FINDING_CODES
from jingying.health.forms_checkups import (
    BookForm,
    CheckupPlanForm,
    FollowUpForm,
    ReferForm,
    ResultForm,
    UploadForm,
    form_errors,
)
from jingying.health.me_sections import health_me_sections
from jingying.health.models import CheckupImport, CheckupStatus, FollowUpStatus
from jingying.health.selectors import checkups as selectors
from jingying.health.services import checkups as services
from jingying.health.tasks_checkups import checkup_import_run, checkup_import_validate
from jingying.org.models import Unit

HEALTH = "health"


def _plan_units(actor: Any) -> Any:
    q = Q(pk__in=[])
    for g in grant_roots(actor, "health.manage_checkup_plan"):
        q |= Q(path__startswith=g.unit_path)
    return Unit.objects.filter(q, depth__lte=3).order_by("path")


def _signed_in(request: HttpRequest) -> User:
    """The signed-in user (the permission check before this already refused an anonymous one)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


# --- plans ----------------------------------------------------------------------------------


def checkup_plan_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    require_perm(actor, "health.view_checkup_plan")
    year = request.GET.get("year", "").strip()
    page = paginate(request, selectors.checkup_plan_list(actor=actor, filters={"year": year if year.isdigit() else ""}))
    context = {"page": page, "year": year, "years": selectors.stats_years(),
               "can_add": has_perm(actor, "health.manage_checkup_plan", domain=HEALTH),
               "can_export": has_perm(actor, "health.export_checkup", domain=HEALTH),
               "can_records": has_perm(actor, "health.view_checkup", domain=HEALTH),
               "k": selectors.settings.JINGYING_K_ANONYMITY}
    return render_page(request, "health/checkup_plan_list.html", context, fragment="health/partials/checkup_plan_rows.html")


@require_http_methods(["GET", "POST"])
def checkup_plan_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    require_perm(actor, "health.manage_checkup_plan", domain=HEALTH)
    year = timezone.localdate().year
    form = CheckupPlanForm(request.POST or None, units=_plan_units(actor),
                           initial={"year": year, "start_date": dt.date(year, 4, 1), "end_date": dt.date(year, 10, 31)})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                plan = services.checkup_plan_create(actor=actor, **form.cleaned_data)
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("已创建体检计划"))
                return redirect("health:checkup_plan_detail", pk=plan.pk)
        status = 400
    return render(request, "health/checkup_plan_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def checkup_plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    plan = selectors.access_checkup_plan(actor, pk, perm="health.manage_checkup_plan")
    if not covers(actor, "health.manage_checkup_plan", plan.unit.path, domain=HEALTH):
        raise PermissionDenied("health.manage_checkup_plan")
    form = CheckupPlanForm(request.POST or None, instance=plan, editing=True)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            plan = selectors.access_checkup_plan(actor, pk, perm="health.manage_checkup_plan")
            try:
                services.checkup_plan_update(actor=actor, plan=plan, **form.cleaned_data)
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                return redirect("health:checkup_plan_detail", pk=plan.pk)
        status = 400
    return render(request, "health/checkup_plan_form.html", {"form": form, "plan": plan}, status=status)


def checkup_plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan and its counts; the list of names is for holders of the health domain only."""
    actor = request.user
    plan = selectors.access_checkup_plan(actor, pk)
    can_records = covers(actor, "health.view_checkup", plan.unit.path, domain=HEALTH)
    context: dict[str, Any] = {
        "plan": plan, "counts": selectors.plan_counts(plan), "can_records": can_records,
        "can_manage": covers(actor, "health.manage_checkup_plan", plan.unit.path, domain=HEALTH),
        "can_import": covers(actor, "health.import_checkup", plan.unit.path, domain=HEALTH),
        "statuses": CheckupStatus.choices, "status": request.GET.get("status", ""), "q": request.GET.get("q", ""),
        "k": selectors.settings.JINGYING_K_ANONYMITY,
    }
    if can_records:
        filters = {"plan": plan.pk, "status": context["status"], "q": context["q"]}
        context["page"] = paginate(request, selectors.checkup_record_list(actor=actor, filters=filters))
    return render_page(request, "health/checkup_plan_detail.html", context,
                       fragment="health/partials/checkup_record_rows.html")


@require_POST
def checkup_plan_sync(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    plan = selectors.access_checkup_plan(actor, pk, perm="health.manage_checkup_plan")
    added = services.checkup_plan_sync(actor=actor, plan=plan)
    messages.success(request, _("已补充 %(n)d 名应检人员") % {"n": added})
    return redirect("health:checkup_plan_detail", pk=plan.pk)


@require_POST
def checkup_plan_close(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    plan = selectors.access_checkup_plan(actor, pk, perm="health.manage_checkup_plan")
    try:
        missed = services.checkup_plan_close(actor=actor, plan=plan)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("计划已结束，%(n)d 人记为未参加") % {"n": missed})
    return redirect("health:checkup_plan_detail", pk=plan.pk)


def checkup_plan_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Everyone of the plan with status, summary and findings (health domain; the export is audited)."""
    actor = request.user
    require_perm(actor, "health.export_checkup", domain=HEALTH)
    plan = selectors.access_checkup_plan(actor, pk)
    if not covers(actor, "health.export_checkup", plan.unit.path, domain=HEALTH):
        raise PermissionDenied("health.export_checkup")
    qs = selectors.checkup_record_list(actor=actor, filters={"plan": plan.pk})
    headers = [_("姓名"), _("警号"), _("单位"), _("状态"), _("预约日期"), _("体检日期"), _("总检结论"), _("异常项")]
    rows = ([r.person.name, r.person.police_number or "", r.person.unit.name, r.get_status_display(), r.booked_on,
             r.done_on, r.conclusion, "、".join(f.get_code_display() for f in r.findings.all())] for r in qs)
    from jingying.core import audit

    audit.record(actor=actor, action="health.checkup_plan.export", obj=plan)
    return xlsx_response(table_workbook(_("体检名单"), headers, rows), f"{plan.year}-{plan.unit.label}.xlsx")


def checkup_plans_export(request: HttpRequest) -> HttpResponse:
    """The plans with their lists, in the plans import's layout (health domain: names and ID
    numbers; the export is audited)."""
    actor = request.user
    require_perm(actor, "health.export_checkup", domain=HEALTH)
    plans = import_plans.plan_export_list(actor=actor)
    year = request.GET.get("year", "").strip()
    if year.isdigit():
        plans = plans.filter(year=int(year))
    from jingying.core import audit

    audit.record(actor=actor, action="health.checkup_plans.export", object_type="health.checkupplan",
                 after={"year": year})
    return xlsx_response(import_plans.plan_workbook(plans), _("体检计划.xlsx"))


@require_http_methods(["GET", "POST"])
def checkup_plan_import(request: HttpRequest) -> HttpResponse:
    """Plans (and who is included) from the export's layout: check all, preview, confirm."""
    require_perm(request.user, "health.manage_checkup_plan", domain=HEALTH)
    return import_page(request, import_plans.import_spec())


def checkup_plan_import_template(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "health.manage_checkup_plan", domain=HEALTH)
    return xlsx_response(import_plans.template_workbook(), _("体检计划导入模板.xlsx"))


# --- import ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def checkup_import(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    require_perm(actor, "health.import_checkup", domain=HEALTH)
    plan = selectors.access_checkup_plan(actor, pk)
    if not covers(actor, "health.import_checkup", plan.unit.path, domain=HEALTH):
        raise PermissionDenied("health.import_checkup")
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    uploader = _signed_in(request)
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            job = CheckupImport(plan=plan, created_by=uploader, file_name=Path(upload.name or "results.xlsx").name[:255])
            job.file.save(f"{job.pk}.xlsx", upload, save=False)
            job.save()
            checkup_import_validate.enqueue(str(job.pk), get_language())
            return redirect("health:checkup_import_job", pk=job.pk)
        status = 400
    jobs = CheckupImport.objects.filter(plan=plan, created_by=uploader)[:10]
    return render(request, "health/checkup_import.html", {"form": form, "plan": plan, "jobs": jobs}, status=status)


def checkup_import_job(request: HttpRequest, pk: Any) -> HttpResponse:
    require_perm(request.user, "health.import_checkup", domain=HEALTH)
    job = selectors.checkup_import_for(actor=request.user, pk=pk)
    fragment = "health/partials/checkup_import_status.html"
    return render_page(request, "health/checkup_import_job.html", {"job": job}, fragment=fragment)


@require_POST
def checkup_import_confirm(request: HttpRequest, pk: Any) -> HttpResponse:
    require_perm(request.user, "health.import_checkup", domain=HEALTH)
    job = selectors.checkup_import_for(actor=request.user, pk=pk)
    claimed = CheckupImport.objects.filter(pk=job.pk, status=CheckupImport.Status.VALID).update(
        status=CheckupImport.Status.IMPORTING, finished_at=None)
    if claimed:  # a double click or a second tab must not import twice
        checkup_import_run.enqueue(str(job.pk), get_language())
    return redirect("health:checkup_import_job", pk=job.pk)


# --- records --------------------------------------------------------------------------------


def checkup_record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    record = selectors.checkup_record_read(actor=actor, pk=pk)
    can_manage = covers(actor, "health.manage_checkup", record.person.unit.path, domain=HEALTH)
    findings = [{"finding": f, "spec": BY_CODE[f.code]} for f in record.findings.all()]
    context = {"record": record, "findings": findings, "followups": record.followups.select_related("referral"),
               "can_manage": can_manage, "book_form": BookForm(initial={"booked_on": record.booked_on})}
    return render(request, "health/checkup_record_detail.html", context)


@require_http_methods(["GET", "POST"])
def checkup_record_result(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    record = selectors.access_checkup_record(actor, pk, perm="health.manage_checkup")
    initial = {"done_on": record.done_on or timezone.localdate(), "conclusion": record.conclusion,
               "findings": list(record.findings.values_list("code", flat=True))}
    form = ResultForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.checkup_record_result(actor=actor, record=record, done_on=data["done_on"],
                                               conclusion=data["conclusion"], findings=list(data["findings"]))
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("已保存体检结果"))
                return redirect("health:checkup_record_detail", pk=record.pk)
        status = 400
    return render(request, "health/checkup_record_result.html", {"form": form, "record": record,
                                                                 "codes": FINDING_CODES}, status=status)


@require_POST
def checkup_record_book(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    record = selectors.access_checkup_record(actor, pk, perm="health.manage_checkup")
    form = BookForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写预约日期"))
    else:
        try:
            services.checkup_record_book(actor=actor, record=record, booked_on=form.cleaned_data["booked_on"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect("health:checkup_record_detail", pk=record.pk)


# --- follow-ups -----------------------------------------------------------------------------


def followup_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    require_perm(actor, "health.view_checkup", domain=HEALTH)
    filters = {"status": request.GET.get("status", "open"), "overdue": request.GET.get("overdue", ""),
               "code": request.GET.get("code", "")}
    page = paginate(request, selectors.followup_list(actor=actor, filters=filters))
    context = {"page": page, "filters": filters, "statuses": FollowUpStatus.choices, "codes": FINDING_CODES,
               "today": timezone.localdate()}
    return render_page(request, "health/followup_list.html", context, fragment="health/partials/followup_rows.html")


def followup_export(request: HttpRequest) -> HttpResponse:
    """The follow-up list as filtered, for the medical liaison (health domain; the export is audited)."""
    actor = request.user
    require_perm(actor, "health.export_checkup", domain=HEALTH)
    filters = {"status": request.GET.get("status", "open"), "overdue": request.GET.get("overdue", ""),
               "code": request.GET.get("code", "")}
    qs = selectors.followup_list(actor=actor, filters=filters)
    headers = [_("姓名"), _("警号"), _("单位"), _("年度"), _("异常项"), _("随访方式"), _("随访期限"), _("状态"),
               _("随访记录")]
    rows = ([f.person.name, f.person.police_number or "", f.person.unit.name, f.record.plan.year,
             f.get_code_display(), f.get_action_display(), f.due_date, f.get_status_display(), f.note]
            for f in qs.iterator(chunk_size=2000))
    from jingying.core import audit

    audit.record(actor=actor, action="health.followup.export", object_type="health.followup",
                 after={"filters": filters})
    return xlsx_response(table_workbook(_("体检随访"), headers, rows), _("体检随访.xlsx"))


@require_http_methods(["GET", "POST"])
def followup_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    followup = selectors.access_followup(actor, pk)
    can_manage = covers(actor, "health.manage_checkup", followup.person.unit.path, domain=HEALTH)
    form = FollowUpForm(request.POST or None, initial={"status": followup.status, "due_date": followup.due_date,
                                                       "note": followup.note})
    hospitals = hospital_list(actor=actor, filters={"current": "1"}) if has_perm(actor, "care.view_hospital") else None
    refer_form = ReferForm(hospitals=hospitals)
    status = 200
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("health.manage_checkup")
        if form.is_valid():
            try:
                with transaction.atomic():
                    locked = selectors.access_followup(actor, pk, perm="health.manage_checkup", for_write=True)
                    services.followup_update(actor=actor, followup=locked, **form.cleaned_data)
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("已保存"))
                return redirect("health:followup_detail", pk=pk)
        status = 400
    context = {"followup": followup, "spec": BY_CODE[followup.code], "form": form, "refer_form": refer_form,
               "can_manage": can_manage, "can_refer": can_manage and has_perm(actor, "care.manage_referral", domain=HEALTH)}
    return render(request, "health/followup_detail.html", context, status=status)


@require_POST
def followup_refer(request: HttpRequest, pk: int) -> HttpResponse:
    """Refer through the green channel in one step."""
    actor = request.user
    followup = selectors.access_followup(actor, pk, perm="health.manage_checkup")
    form = ReferForm(request.POST, hospitals=hospital_list(actor=actor, filters={"current": "1"}))
    if not form.is_valid():
        messages.error(request, _("请选择医院"))
        return redirect("health:followup_detail", pk=pk)
    try:
        referral = services.followup_refer(actor=actor, followup=followup, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("health:followup_detail", pk=pk)
    messages.success(request, _("已通过绿色通道转介"))
    return redirect("care:referral_detail", pk=referral.pk)


# --- statistics (aggregates only, k-safe) ---------------------------------------------------


def _stats_args(request: HttpRequest) -> tuple[Unit, int]:
    from django.http import Http404

    actor = request.user
    require_perm(actor, "health.view_checkup_stats")
    roots = grant_roots(actor, "health.view_checkup_stats")
    unit_param = request.GET.get("unit", "").strip()
    if unit_param.isdigit():
        unit = Unit.objects.filter(pk=unit_param).first()
        if unit is None or not covers(actor, "health.view_checkup_stats", unit.path):
            raise Http404
    else:
        unit = Unit.objects.get(pk=min(roots, key=lambda g: len(g.unit_path)).unit_id)
    years = selectors.stats_years()
    year_param = request.GET.get("year", "")
    year = int(year_param) if year_param.isdigit() else (years[0] if years else timezone.localdate().year)
    return unit, year


def checkup_stats(request: HttpRequest) -> HttpResponse:
    unit, year = _stats_args(request)
    stats = selectors.checkup_stats(actor=request.user, unit=unit, year=year)
    parent = unit.parent
    if parent is None or not covers(request.user, "health.view_checkup_stats", parent.path):
        parent = None
    return render(request, "health/checkup_stats.html", {"stats": stats, "years": selectors.stats_years(),
                                                         "parent": parent})


def checkup_stats_export(request: HttpRequest) -> HttpResponse:
    unit, year = _stats_args(request)
    stats = selectors.checkup_stats(actor=request.user, unit=unit, year=year)
    headers = [_("单位"), _("应检人数"), _("已检人数"), _("完成率（%）")] + [f"{c.name}（%）" for c in stats.codes]
    hidden = _("（人数少于 %(k)d，不显示）") % {"k": stats.k}
    rows = [[r.label, r.due if r.shown else hidden, r.done, r.rate, *r.prevalence] for r in [*stats.rows, stats.total]]
    return xlsx_response(table_workbook(_("体检统计"), headers, rows), f"{year}-{unit.label}-体检统计.xlsx")


# --- the officer's own page -----------------------------------------------------------------


def health_me(request: HttpRequest) -> HttpResponse:
    """The officer's own checkups, findings explained, follow-ups, referrals, who read their records.

    Other parts of the health app add their sections through `health_me_sections` (the psych
    part: screening results and counselling bookings)."""
    from jingying.care.selectors.hospitals import my_referrals

    actor = request.user
    require_perm(actor, "health.view_own_health")
    person_id = getattr(actor, "person_id", None)
    checkups = [{"record": r, "findings": [{"finding": f, "spec": BY_CODE[f.code]} for f in r.findings.all()]}
                for r in selectors.my_checkups(person_id=person_id)]
    log = my_access_log(actor=actor).filter(Q(action__startswith="health.") | Q(action__startswith="psych."))[:50]
    context = {"checkups": checkups, "followups": selectors.my_followups(person_id=person_id),
               "referrals": my_referrals(person_id=person_id), "access_log": log,
               "sections": health_me_sections(actor=actor)}
    return render(request, "health/me.html", context)


urlpatterns = [
    path("me/", health_me, name="me"),
    path("checkups/", checkup_plan_list, name="checkup_plan_list"),
    path("checkups/new/", checkup_plan_create, name="checkup_plan_create"),
    path("checkups/export.xlsx", checkup_plans_export, name="checkup_plans_export"),
    path("checkups/import/", checkup_plan_import, name="checkup_plan_import"),
    path("checkups/import/template.xlsx", checkup_plan_import_template, name="checkup_plan_import_template"),
    path("checkups/<int:pk>/", checkup_plan_detail, name="checkup_plan_detail"),
    path("checkups/<int:pk>/edit/", checkup_plan_edit, name="checkup_plan_edit"),
    path("checkups/<int:pk>/sync/", checkup_plan_sync, name="checkup_plan_sync"),
    path("checkups/<int:pk>/close/", checkup_plan_close, name="checkup_plan_close"),
    path("checkups/<int:pk>/export.xlsx", checkup_plan_export, name="checkup_plan_export"),
    path("checkups/<int:pk>/import/", checkup_import, name="checkup_import"),
    path("checkups/imports/<uuid:pk>/", checkup_import_job, name="checkup_import_job"),
    path("checkups/imports/<uuid:pk>/confirm/", checkup_import_confirm, name="checkup_import_confirm"),
    path("checkups/records/<int:pk>/", checkup_record_detail, name="checkup_record_detail"),
    path("checkups/records/<int:pk>/result/", checkup_record_result, name="checkup_record_result"),
    path("checkups/records/<int:pk>/book/", checkup_record_book, name="checkup_record_book"),
    path("checkups/followups/", followup_list, name="followup_list"),
    path("checkups/followups/export.xlsx", followup_export, name="followup_export"),
    path("checkups/followups/<int:pk>/", followup_detail, name="followup_detail"),
    path("checkups/followups/<int:pk>/refer/", followup_refer, name="followup_refer"),
    path("checkups/stats/", checkup_stats, name="checkup_stats"),
    path("checkups/stats/export.xlsx", checkup_stats_export, name="checkup_stats_export"),
]
