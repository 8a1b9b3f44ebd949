"""Screens of police-hospital cooperation (警医协作): the hospital directory (every officer),
hospital management (medical liaison), referrals (health domain: scoped, reads audited).

Thin views: reads through jingying.care.selectors.hospitals, writes through
jingying.care.services.hospitals."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jingying.care.choices_hospitals import HospitalLevel, ReferralSource, ReferralStatus
from jingying.care.export_hospitals import table_workbook, xlsx_response
from jingying.care.forms_hospitals import HospitalForm, ReferralForm, ReferralUpdateForm, ServiceForm, WindowForm
from jingying.care.import_hospitals import hospital_workbook, import_spec, template_workbook
from jingying.care.selectors import hospitals as selectors
from jingying.care.services import hospitals as services
from jingying.core.scoping import covers, grant_roots, has_perm, require_perm, restrict
from jingying.core.views_generic import paginate, render_page
from jingying.core.views_sheets import import_page
from jingying.org.models import Person, Unit

HEALTH = "health"


def form_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """A service's ValidationError onto the form (fields it has, the rest as form errors)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _managed_units(actor: Any) -> Any:
    roots = grant_roots(actor, "care.manage_hospital")
    q = Q(pk__in=[])
    for g in roots:
        q |= Q(path__startswith=g.unit_path)
    return Unit.objects.filter(q, depth__lte=3).order_by("path")


# --- hospitals ------------------------------------------------------------------------------


def hospital_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    filters = {k: request.GET.get(k, "").strip() for k in ("q", "level", "current")}
    qs = selectors.hospital_list(actor=actor, filters=filters)
    page = paginate(request, qs)
    context = {"page": page, "filters": filters, "levels": HospitalLevel.choices,
               "can_manage": has_perm(actor, "care.manage_hospital"),
               "can_refer": has_perm(actor, "care.view_referral", domain=HEALTH)}
    return render_page(request, "care/hospital_list.html", context, fragment="care/partials/hospital_rows.html")


def hospital_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    hospital = selectors.hospital_get(actor=actor, pk=pk)
    can_manage = covers(actor, "care.manage_hospital", hospital.unit.path)
    context = {"hospital": hospital, "can_manage": can_manage, "service_form": ServiceForm(),
               "window_form": WindowForm(), "today": timezone.localdate()}
    return render(request, "care/hospital_detail.html", context)


@require_http_methods(["GET", "POST"])
def hospital_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    require_perm(actor, "care.manage_hospital")
    form = HospitalForm(request.POST or None, units=_managed_units(actor))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                hospital = services.hospital_create(actor=actor, **data)
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("已添加协作医院"))
                return redirect("care:hospital_detail", pk=hospital.pk)
        status = 400
    return render(request, "care/hospital_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def hospital_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    hospital = selectors.access_hospital(actor, pk)
    form = HospitalForm(request.POST or None, instance=hospital, units=_managed_units(actor))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            hospital = selectors.access_hospital(actor, pk)  # fresh: the form wrote onto the instance
            try:
                services.hospital_update(actor=actor, hospital=hospital, **form.cleaned_data)
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("已保存"))
                return redirect("care:hospital_detail", pk=hospital.pk)
        status = 400
    return render(request, "care/hospital_form.html", {"form": form, "hospital": hospital}, status=status)


@require_http_methods(["GET", "POST"])
def hospital_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    hospital = selectors.access_hospital(actor, pk)
    error = ""
    if request.method == "POST":
        try:
            services.hospital_delete(actor=actor, hospital=hospital)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("已删除协作医院"))
            return redirect("care:hospital_list")
    return render(request, "org/confirm_delete.html", {
        "message": _("确定删除协作医院“%(n)s”及其服务和窗口？") % {"n": hospital.name}, "error": error,
        "cancel_url": reverse("care:hospital_detail", args=[hospital.pk])}, status=400 if error else 200)


def _hospital_part_add(request: HttpRequest, pk: int, form_class: type[forms.Form], add: Any,
                       missing: str) -> HttpResponse:
    """Add a green-channel service or a police window to a hospital (the actor must manage it)."""
    actor = request.user
    hospital = selectors.access_hospital(actor, pk)
    form = form_class(request.POST)
    if form.is_valid():
        add(actor=actor, hospital=hospital, **form.cleaned_data)
    else:
        messages.error(request, missing)
    return redirect("care:hospital_detail", pk=hospital.pk)


@require_POST
def hospital_service_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _hospital_part_add(request, pk, ServiceForm, services.hospital_service_add, _("请选择服务类别"))


@require_POST
def hospital_service_delete(request: HttpRequest, pk: int) -> HttpResponse:
    service = selectors.access_service(request.user, pk)
    services.hospital_service_remove(actor=request.user, service=service)
    return redirect("care:hospital_detail", pk=service.hospital_id)


@require_POST
def police_window_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _hospital_part_add(request, pk, WindowForm, services.police_window_add, _("请填写窗口位置"))


@require_POST
def police_window_delete(request: HttpRequest, pk: int) -> HttpResponse:
    window = selectors.access_window(request.user, pk)
    services.police_window_remove(actor=request.user, window=window)
    return redirect("care:hospital_detail", pk=window.hospital_id)


def hospital_export(request: HttpRequest) -> HttpResponse:
    """The directory in the import's layout (hospitals, services, windows), so it can be edited
    in Excel and uploaded back (jingying.care.import_hospitals)."""
    qs = selectors.hospital_list(actor=request.user).prefetch_related("services", "windows")
    return xlsx_response(hospital_workbook(qs), _("协作医院.xlsx"))


@require_http_methods(["GET", "POST"])
def hospital_import(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "care.manage_hospital")
    return import_page(request, import_spec())


def hospital_import_template(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "care.manage_hospital")
    return xlsx_response(template_workbook(), _("协作医院导入模板.xlsx"))


# --- referrals (health domain) --------------------------------------------------------------

REFERRAL_FILTERS = ("status", "source", "hospital", "q")


def referral_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    require_perm(actor, "care.view_referral", domain=HEALTH)
    filters = {k: request.GET.get(k, "").strip() for k in REFERRAL_FILTERS}
    if filters["hospital"] and not filters["hospital"].isdigit():
        filters["hospital"] = ""
    page = paginate(request, selectors.referral_list(actor=actor, filters=filters))
    context = {"page": page, "filters": filters, "statuses": ReferralStatus.choices, "sources": ReferralSource.choices,
               "can_add": has_perm(actor, "care.manage_referral", domain=HEALTH)}
    return render_page(request, "care/referral_list.html", context, fragment="care/partials/referral_rows.html")


def _person_by_ref(actor: Any, ref: str) -> Person | None:
    ref = ref.strip().upper()
    qs = restrict(Person.objects.select_related("unit"), actor, "care.manage_referral", domain=HEALTH)
    return qs.filter(Q(police_number=ref) | Q(id_number=ref)).first()


@require_http_methods(["GET", "POST"])
def referral_create(request: HttpRequest) -> HttpResponse:
    actor = request.user
    require_perm(actor, "care.manage_referral", domain=HEALTH)
    hospitals = selectors.hospital_list(actor=actor, filters={"current": "1"})
    initial: dict[str, Any] = {"referred_on": timezone.localdate()}
    if request.GET.get("person", "").isdigit():
        person = restrict(Person.objects.all(), actor, "care.manage_referral", domain=HEALTH).filter(
            pk=request.GET["person"]).first()
        if person is not None:
            initial["person"] = person.police_number or person.id_number
    form = ReferralForm(request.POST or None, hospitals=hospitals, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            person = _person_by_ref(actor, data["person"])
            if person is None:
                form.add_error("person", _("在您负责的范围内找不到警号或身份证号为“%(r)s”的人员") % {"r": data["person"]})
            else:
                try:
                    referral = services.referral_create(
                        actor=actor, person=person, hospital=data["hospital"], service=data["service"],
                        reason=data["reason"], referred_on=data["referred_on"])
                except ValidationError as exc:
                    form_errors(form, exc)
                else:
                    messages.success(request, _("已转介"))
                    return redirect("care:referral_detail", pk=referral.pk)
        status = 400
    return render(request, "care/referral_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    referral = selectors.referral_read(actor=actor, pk=pk)
    can_manage = covers(actor, "care.manage_referral", referral.person.unit.path, domain=HEALTH)
    form = ReferralUpdateForm(request.POST or None, initial={
        "status": referral.status, "seen_on": referral.seen_on, "outcome": referral.outcome})
    status = 200
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("care.manage_referral")
        if form.is_valid():
            try:
                with transaction.atomic():
                    locked = selectors.access_referral(actor, pk, for_write=True, perm="care.manage_referral")
                    services.referral_update(actor=actor, referral=locked, **form.cleaned_data)
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("已保存"))
                return redirect("care:referral_detail", pk=pk)
        status = 400
    return render(request, "care/referral_detail.html",
                  {"referral": referral, "form": form, "can_manage": can_manage}, status=status)


def referral_export(request: HttpRequest) -> HttpResponse:
    actor = request.user
    require_perm(actor, "care.export_referral", domain=HEALTH)
    filters = {k: request.GET.get(k, "").strip() for k in REFERRAL_FILTERS}
    if filters["hospital"] and not filters["hospital"].isdigit():
        filters["hospital"] = ""
    qs = selectors.referral_list(actor=actor, filters=filters)
    headers = [_("姓名"), _("警号"), _("单位"), _("医院"), _("绿色通道服务"), _("来源"), _("转介日期"), _("状态"),
               _("就诊日期"), _("转介原因"), _("诊疗结果")]
    rows = ([r.person.name, r.person.police_number or "", r.person.unit.name, r.hospital.name,
             r.service.get_kind_display() if r.service else "", r.get_source_display(), r.referred_on,
             r.get_status_display(), r.seen_on, r.reason, r.outcome] for r in qs.iterator(chunk_size=2000))
    from jingying.core import audit

    audit.record(actor=actor, action="care.referral.export", object_type="care.referral",
                 after={"filters": filters})
    return xlsx_response(table_workbook(_("就医转介"), headers, rows), _("就医转介.xlsx"))


urlpatterns = [
    path("hospitals/", hospital_list, name="hospital_list"),
    path("hospitals/new/", hospital_create, name="hospital_create"),
    path("hospitals/export.xlsx", hospital_export, name="hospital_export"),
    path("hospitals/import/", hospital_import, name="hospital_import"),
    path("hospitals/import/template.xlsx", hospital_import_template, name="hospital_import_template"),
    path("hospitals/<int:pk>/", hospital_detail, name="hospital_detail"),
    path("hospitals/<int:pk>/edit/", hospital_edit, name="hospital_edit"),
    path("hospitals/<int:pk>/delete/", hospital_delete, name="hospital_delete"),
    path("hospitals/<int:pk>/services/", hospital_service_add, name="hospital_service_add"),
    path("hospitals/services/<int:pk>/delete/", hospital_service_delete, name="hospital_service_delete"),
    path("hospitals/<int:pk>/windows/", police_window_add, name="police_window_add"),
    path("hospitals/windows/<int:pk>/delete/", police_window_delete, name="police_window_delete"),
    path("referrals/", referral_list, name="referral_list"),
    path("referrals/new/", referral_create, name="referral_create"),
    path("referrals/export.xlsx", referral_export, name="referral_export"),
    path("referrals/<int:pk>/", referral_detail, name="referral_detail"),
]
