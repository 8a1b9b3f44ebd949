"""Screens for leaders' field visits, care visits (with the approval of money) and the yearly
visit plans with their "not yet visited" view (style rule 5)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jingying.care.choices import CareApproval, CareReason
from jingying.care.export_cases import xlsx_response
from jingying.care.forms_concerns import (
    CarePlanAddForm,
    CarePlanForm,
    CarePlanGenerateForm,
    CareVisitDecisionForm,
    CareVisitForm,
    FieldVisitForm,
    bootstrap,
    find_person,
)
from jingying.care.models import CareVisitTarget
from jingying.care.selectors import visits as sel
from jingying.care.services import visits as svc
from jingying.core.scoping import access, covers, has_perm, restrict
from jingying.core.views_generic import paginate, render_page, require_perm
from jingying.org.models import Person, Unit

VISIT_FILTERS = ("unit", "year", "q", "reason", "approval", "person")


def _filters(request: HttpRequest) -> dict[str, str]:
    return {k: request.GET[k].strip() for k in VISIT_FILTERS if request.GET.get(k, "").strip()}


def _units(actor: Any, perm: str) -> Any:
    return restrict(Unit.objects.all(), actor, perm).order_by("path")


def _people(actor: Any, perm: str) -> Any:
    return Person.objects.select_related("unit").filter(unit__in=_units(actor, perm))


def _form_page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    bootstrap(context["form"])
    return render_page(request, template, context, status=400 if request.method == "POST" else 200)


def _delete_page(request: HttpRequest, message: str, cancel: str, error: str = "") -> HttpResponse:
    return render_page(request, "org/confirm_delete.html",
                       {"message": message, "cancel_url": cancel, "error": error}, status=400 if error else 200)


# --- field visits --------------------------------------------------------------------------


def field_visit_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "care.view_fieldvisit")
    data = _filters(request)
    page = paginate(request, sel.field_visit_list(actor=request.user, filters=data))
    return render_page(request, "care/field_visit_list.html", {
        "page": page, "data": data, "can_add": has_perm(request.user, "care.manage_fieldvisit"),
        "can_export": has_perm(request.user, "care.export_fieldvisit")})


def field_visit_export(request: HttpRequest) -> HttpResponse:
    require_perm(request, "care.export_fieldvisit")
    qs = sel.field_visit_list(actor=request.user, filters=_filters(request)).prefetch_related("visitors", "met_people")
    headers = [_("走访日期"), _("走访单位"), _("主题"), _("走访人员"), _("座谈对象"), _("发现的问题和情况"), _("反映诉求数")]
    rows = ([v.visit_date.isoformat(), v.unit.name, v.topic,
             "、".join([p.name for p in v.visitors.all()] + ([v.visitors_text] if v.visitors_text else [])),
             "、".join([p.name for p in v.met_people.all()] + ([v.met_text] if v.met_text else [])),
             v.findings, getattr(v, "n_concerns", 0)] for v in qs)
    return xlsx_response(_("走访调研"), _("走访调研"), headers, rows)


def field_visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor: Any = request.user
    visit: Any = sel.access_field_visit(actor, pk)
    concerns = restrict(visit.concerns.select_related("person"), actor, "care.view_concern")
    return render_page(request, "care/field_visit_detail.html", {
        "visit": visit, "visitors": list(visit.visitors.all()), "met_people": list(visit.met_people.all()),
        "concerns": list(concerns), "today": timezone.localdate(),
        "can_edit": covers(actor, "care.manage_fieldvisit", visit.unit.path),
        "can_add_concern": covers(actor, "care.add_concern", visit.unit.path)})


def _field_visit_form(request: HttpRequest, instance: Any = None) -> FieldVisitForm:
    actor: Any = request.user
    initial = {}
    if instance is not None:
        initial = {"unit": instance.unit, "visit_date": instance.visit_date, "topic": instance.topic,
                   "visitors": ",".join(p.police_number or p.id_number for p in instance.visitors.all()),
                   "visitors_text": instance.visitors_text, "met_text": instance.met_text,
                   "met_people": ",".join(p.police_number or p.id_number for p in instance.met_people.all()),
                   "findings": instance.findings}
    else:
        initial = {"visit_date": timezone.localdate()}
    return FieldVisitForm(request.POST if request.method == "POST" else None, initial=initial,
                          units=_units(actor, "care.manage_fieldvisit"), people=_people(actor, "org.view_person"))


@require_http_methods(["GET", "POST"])
def field_visit_create(request: HttpRequest) -> HttpResponse:
    require_perm(request, "care.manage_fieldvisit")
    form = _field_visit_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            visit = svc.field_visit_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("care:field_visit_detail", pk=visit.pk)
    return _form_page(request, "care/cases_form.html", {"form": form, "title": _("登记走访调研"),
                                                         "cancel_url": reverse("care:field_visit_list")})


@require_http_methods(["GET", "POST"])
def field_visit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    visit = sel.access_field_visit(request.user, pk, perm="care.manage_fieldvisit")
    form = _field_visit_form(request, visit)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                locked = sel.access_field_visit(request.user, pk, perm="care.manage_fieldvisit", for_write=True)
                svc.field_visit_update(actor=request.user, visit=locked, **form.cleaned_data)
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("care:field_visit_detail", pk=pk)
    return _form_page(request, "care/cases_form.html", {"form": form, "title": _("编辑走访调研"),
                                                         "cancel_url": reverse("care:field_visit_detail", args=[pk])})


@require_http_methods(["GET", "POST"])
def field_visit_delete(request: HttpRequest, pk: int) -> HttpResponse:
    visit = sel.access_field_visit(request.user, pk, perm="care.manage_fieldvisit")
    if request.method == "POST":
        svc.field_visit_delete(actor=request.user, visit=visit)
        messages.success(request, _("已删除"))
        return redirect("care:field_visit_list")
    return _delete_page(request, _("删除走访调研“%(topic)s”？其中反映的诉求会保留。") % {"topic": visit.topic},
                        reverse("care:field_visit_detail", args=[pk]))


# --- care visits ---------------------------------------------------------------------------


def care_visit_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "care.view_carevisit")
    data = _filters(request)
    qs = sel.care_visit_list(actor=request.user, filters=data)
    page = paginate(request, qs)
    return render_page(request, "care/care_visit_list.html", {
        "page": page, "data": data, "totals": sel.care_visit_totals(qs),
        "reason_options": [(v, label, v == data.get("reason")) for v, label in CareReason.choices],
        "approval_options": [(v, label, v == data.get("approval")) for v, label in CareApproval.choices],
        "can_add": has_perm(request.user, "care.manage_carevisit"),
        "can_export": has_perm(request.user, "care.export_carevisit")})


def care_visit_export(request: HttpRequest) -> HttpResponse:
    require_perm(request, "care.export_carevisit")
    qs = sel.care_visit_list(actor=request.user, filters=_filters(request))
    headers = [_("慰问日期"), _("慰问对象"), _("单位"), _("家属"), _("慰问事由"), _("慰问人员"), _("慰问金（元）"),
               _("慰问品"), _("帮扶措施"), _("审批状态")]
    rows = ([v.visit_date.isoformat(), v.person.name, v.person.unit.name, str(v.dependent or ""),
             v.get_reason_display(), v.visitors, f"{v.money:.2f}", v.goods, v.help_given, v.get_approval_display()]
            for v in qs.iterator(chunk_size=1000))
    return xlsx_response(_("走访慰问"), _("走访慰问"), headers, rows)


def care_visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor: Any = request.user
    visit = sel.access_care_visit(actor, pk)
    path_ = visit.person.unit.path
    can_decide = (visit.approval == CareApproval.PENDING and covers(actor, "care.approve_carevisit", path_)
                  and visit.requested_by_id != actor.pk)
    return render_page(request, "care/care_visit_detail.html", {
        "visit": visit, "can_edit": covers(actor, "care.manage_carevisit", path_),
        "can_decide": can_decide, "decision_form": bootstrap(CareVisitDecisionForm()),
        "own_request": visit.approval == CareApproval.PENDING and visit.requested_by_id == actor.pk})


def _care_visit_form(request: HttpRequest, instance: Any = None) -> CareVisitForm:
    """The form; `?for=<person id>` (from "not yet visited") or `?person=<badge/ID number>` (htmx,
    when the person is typed) fills in the person and offers their family members."""
    actor: Any = request.user
    people = _people(actor, "care.manage_carevisit")
    data = request.POST if request.method == "POST" else None
    if instance is not None:
        initial = {k: getattr(instance, k) for k in ("dependent", "visit_date", "reason", "visitors", "money",
                                                     "goods", "help_given", "note")}
        initial["person"] = instance.person.police_number or instance.person.id_number
        form = CareVisitForm(data, initial=initial, people=people, person=instance.person)
    else:
        initial = {"visit_date": timezone.localdate()}
        pk, ref = request.GET.get("for", ""), request.GET.get("person", "")
        found = people.filter(pk=pk).first() if pk.isdigit() else find_person(people, ref) if ref else None
        if found is not None:
            initial["person"] = found.police_number or found.id_number
        form = CareVisitForm(data, initial=initial, people=people, person=found)
    # Typing the person reloads the family-member choices (htmx swaps just that <select>).
    form.fields["person"].widget.attrs.update({
        "hx-get": reverse("care:care_visit_create"), "hx-trigger": "change", "hx-target": "#id_dependent",
        "hx-select": "#id_dependent", "hx-swap": "outerHTML"})
    return form


@require_http_methods(["GET", "POST"])
def care_visit_create(request: HttpRequest) -> HttpResponse:
    require_perm(request, "care.manage_carevisit")
    form = _care_visit_form(request)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        d["money"] = d.get("money") or 0
        try:
            visit = svc.care_visit_create(actor=request.user, **d)
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("已保存") if visit.approval != CareApproval.PENDING
                             else _("已保存，慰问金待另一位同志审批"))
            return redirect("care:care_visit_detail", pk=visit.pk)
    return _form_page(request, "care/cases_form.html", {"form": form, "title": _("登记走访慰问"),
                                                         "cancel_url": reverse("care:care_visit_list")})


@require_http_methods(["GET", "POST"])
def care_visit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    visit = sel.access_care_visit(request.user, pk, perm="care.manage_carevisit")
    form = _care_visit_form(request, visit)
    form.fields["person"].disabled = True
    form.fields["person"].required = False
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        d.pop("person", None)
        d["money"] = d.get("money") or 0
        try:
            with transaction.atomic():
                locked = sel.access_care_visit(request.user, pk, perm="care.manage_carevisit", for_write=True)
                svc.care_visit_update(actor=request.user, visit=locked, **d)
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("care:care_visit_detail", pk=pk)
    return _form_page(request, "care/cases_form.html", {"form": form, "title": _("编辑走访慰问"),
                                                         "cancel_url": reverse("care:care_visit_detail", args=[pk])})


@require_http_methods(["GET", "POST"])
def care_visit_delete(request: HttpRequest, pk: int) -> HttpResponse:
    visit = sel.access_care_visit(request.user, pk, perm="care.manage_carevisit")
    message = _("删除对 %(name)s 的走访慰问记录？") % {"name": visit.person.name}
    cancel = reverse("care:care_visit_detail", args=[pk])
    if request.method == "POST":
        try:
            svc.care_visit_delete(actor=request.user, visit=visit)
        except ValidationError as exc:
            return _delete_page(request, message, cancel, error=" ".join(exc.messages))
        messages.success(request, _("已删除"))
        return redirect("care:care_visit_list")
    return _delete_page(request, message, cancel)


def _decide(approve: bool) -> Any:
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        form = CareVisitDecisionForm(request.POST)
        form.is_valid()
        try:
            with transaction.atomic():
                visit = sel.access_care_visit(request.user, pk, for_write=True)
                svc.care_visit_decide(actor=request.user, visit=visit, approve=approve,
                                      note=form.cleaned_data.get("note", ""))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已批准") if approve else _("已退回"))
        return redirect("care:care_visit_detail", pk=pk)

    view.__name__ = "care_visit_approve" if approve else "care_visit_reject"
    return view


# --- yearly plans --------------------------------------------------------------------------


def care_plan_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "care.view_carevisit")
    data = _filters(request)
    page = paginate(request, sel.care_plan_list(actor=request.user, filters=data))
    return render_page(request, "care/care_plan_list.html", {
        "page": page, "data": data, "year": timezone.localdate().year,
        "can_add": has_perm(request.user, "care.manage_carevisit")})


@require_http_methods(["GET", "POST"])
def care_plan_create(request: HttpRequest) -> HttpResponse:
    require_perm(request, "care.manage_carevisit")
    form = CarePlanForm(request.POST if request.method == "POST" else None,
                        initial={"year": timezone.localdate().year}, units=_units(request.user, "care.manage_carevisit"))
    if request.method == "POST" and form.is_valid():
        try:
            plan = svc.care_plan_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            return redirect("care:care_plan_detail", pk=plan.pk)
    return _form_page(request, "care/cases_form.html", {"form": form, "title": _("新建年度走访慰问计划"),
                                                         "cancel_url": reverse("care:care_plan_list")})


def care_plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor: Any = request.user
    plan = sel.access_care_plan(actor, pk)
    can_edit = covers(actor, "care.manage_carevisit", plan.unit.path)
    targets: list[Any] = list(sel.plan_targets(plan=plan))
    return render_page(request, "care/care_plan_detail.html", {
        "plan": plan, "targets": targets, "visited": sum(1 for t in targets if t.visited), "can_edit": can_edit,
        "generate_form": bootstrap(CarePlanGenerateForm()),
        "add_form": bootstrap(CarePlanAddForm(people=Person.objects.none()))})


@require_POST
def care_plan_generate(request: HttpRequest, pk: int) -> HttpResponse:
    plan = sel.access_care_plan(request.user, pk, perm="care.manage_carevisit")
    form = CarePlanGenerateForm(request.POST)
    if form.is_valid():
        n = svc.care_plan_generate(actor=request.user, plan=plan, criteria=form.cleaned_data["criteria"])
        messages.success(request, _("按条件加入 %(n)s 人") % {"n": n})
    else:
        messages.error(request, _("请至少选择一个条件"))
    return redirect("care:care_plan_detail", pk=pk)


@require_POST
def care_plan_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = sel.access_care_plan(request.user, pk, perm="care.manage_carevisit")
    form = CarePlanAddForm(request.POST, people=_people(request.user, "care.manage_carevisit"))
    if form.is_valid():
        try:
            svc.care_plan_add(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已加入计划"))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("care:care_plan_detail", pk=pk)


@require_POST
def care_plan_remove(request: HttpRequest, pk: int) -> HttpResponse:
    target = access(CareVisitTarget.objects.select_related("plan__unit"), request.user, "care.manage_carevisit", pk)
    svc.care_plan_remove(actor=request.user, target=target)
    messages.success(request, _("已移出计划"))
    return redirect("care:care_plan_detail", pk=target.plan_id)


def _not_visited_args(request: HttpRequest) -> tuple[Unit, int]:
    actor: Any = request.user
    require_perm(request, "care.view_carevisit")
    units = _units(actor, "care.view_carevisit")
    ref = request.GET.get("unit", "")
    unit = units.filter(pk=ref).first() if ref.isdigit() else None
    unit = unit or units.first()
    if unit is None:
        raise PermissionDenied("care.view_carevisit")
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    return unit, year


def care_not_visited(request: HttpRequest) -> HttpResponse:
    unit, year = _not_visited_args(request)
    page = paginate(request, sel.not_visited(actor=request.user, unit=unit, year=year))
    return render_page(request, "care/care_not_visited.html", {
        "page": page, "unit": unit, "year": year,
        "unit_options": [(u.pk, u.name, u.pk == unit.pk)
                         for u in _units(request.user, "care.view_carevisit").filter(depth__lte=unit.depth + 2)[:300]],
        "can_export": has_perm(request.user, "care.export_carevisit"),
        "can_add": has_perm(request.user, "care.manage_carevisit")})


def care_not_visited_export(request: HttpRequest) -> HttpResponse:
    require_perm(request, "care.export_carevisit")
    unit, year = _not_visited_args(request)
    rows = ([t.person.name, t.person.police_number or "", t.person.unit.name, t.reason, t.plan.year]
            for t in sel.not_visited(actor=request.user, unit=unit, year=year))
    return xlsx_response(_("未走访慰问人员"), _("未走访"),
                         [_("姓名"), _("警号"), _("单位"), _("列入原因"), _("年度")], rows)


urlpatterns = [
    path("field-visits/", field_visit_list, name="field_visit_list"),
    path("field-visits/export/", field_visit_export, name="field_visit_export"),
    path("field-visits/new/", field_visit_create, name="field_visit_create"),
    path("field-visits/<int:pk>/", field_visit_detail, name="field_visit_detail"),
    path("field-visits/<int:pk>/edit/", field_visit_edit, name="field_visit_edit"),
    path("field-visits/<int:pk>/delete/", field_visit_delete, name="field_visit_delete"),
    path("care-visits/", care_visit_list, name="care_visit_list"),
    path("care-visits/export/", care_visit_export, name="care_visit_export"),
    path("care-visits/new/", care_visit_create, name="care_visit_create"),
    path("care-visits/<int:pk>/", care_visit_detail, name="care_visit_detail"),
    path("care-visits/<int:pk>/edit/", care_visit_edit, name="care_visit_edit"),
    path("care-visits/<int:pk>/delete/", care_visit_delete, name="care_visit_delete"),
    path("care-visits/<int:pk>/approve/", _decide(True), name="care_visit_approve"),
    path("care-visits/<int:pk>/reject/", _decide(False), name="care_visit_reject"),
    path("care-visits/plans/", care_plan_list, name="care_plan_list"),
    path("care-visits/plans/new/", care_plan_create, name="care_plan_create"),
    path("care-visits/plans/<int:pk>/", care_plan_detail, name="care_plan_detail"),
    path("care-visits/plans/<int:pk>/generate/", care_plan_generate, name="care_plan_generate"),
    path("care-visits/plans/<int:pk>/add/", care_plan_add, name="care_plan_add"),
    path("care-visits/plan-targets/<int:pk>/remove/", care_plan_remove, name="care_plan_remove"),
    path("care-visits/not-visited/", care_not_visited, name="care_not_visited"),
    path("care-visits/not-visited/export/", care_not_visited_export, name="care_not_visited_export"),
]
