"""Screens of protective equipment (防护装备): issues by unit with the expiring/expired lists and
their export, issuing, return/replacement, the Excel import and the catalogue of types."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jingying.care.export_fund import equipment_workbook, import_template
from jingying.care.forms_fund import EquipmentImportForm, EquipmentIssueForm, EquipmentTypeForm
from jingying.care.models import EquipmentIssue, EquipmentType
from jingying.care.selectors import equipment as selectors
from jingying.care.services import equipment as services
from jingying.care.views.fund_common import add_errors, find_person, form_page, xlsx_response
from jingying.core.scoping import access, grant_roots, has_perm, require_perm, restrict
from jingying.core.views_generic import paginate, render_page
from jingying.org.forms import bootstrap
from jingying.org.models import Person, Unit

STATES = [("held", _("在用")), ("expiring", _("60天内到期")), ("expired", _("已过期")), ("returned", _("已交回/更换"))]
MAX_EXPORT = 20000


def _unit(request: HttpRequest, actor: Any) -> Unit | None:
    value = request.GET.get("unit", "")
    if not value.isdigit():
        return None
    return access(Unit.objects.all(), actor, "org.view_unit", int(value))


def _filters(request: HttpRequest, actor: Any, default_state: str = "") -> dict[str, Any]:
    state = request.GET.get("state", default_state)
    kind = request.GET.get("type", "")
    return {"unit": _unit(request, actor), "state": state if state in dict(STATES) else "",
            "kind": int(kind) if kind.isdigit() else None, "q": request.GET.get("q", "").strip()[:50]}


def _list(request: HttpRequest, *, default_state: str = "", template: str = "care/equipment_list.html") -> HttpResponse:
    require_perm(request.user, "care.view_equipment")
    actor = request.user
    filters = _filters(request, actor, default_state)
    qs = selectors.issue_list(actor=actor, **filters)
    page = paginate(request, qs)
    by_unit: list[dict[str, Any]] = []
    if default_state:
        today = timezone.localdate()
        held = qs.model.Status.ISSUED
        by_unit = list(
            selectors.issue_list(actor=actor, unit=filters["unit"], state="held")
            .filter(expires_on__lte=today + dt.timedelta(days=services.EXPIRY_WARNING_DAYS))
            .values("person__unit", "person__unit__name")
            .annotate(expired=Count("id", filter=Q(expires_on__lt=today, status=held)),
                      expiring=Count("id", filter=Q(expires_on__gte=today, status=held)))
            .order_by("person__unit__name", "person__unit")[:200]
        )
    context = {
        "page": page, "filters": filters, "states": STATES, "kinds": selectors.equipment_type_list(),
        "export_query": request.GET.urlencode(), "by_unit": by_unit, "default_state": default_state,
        "today": timezone.localdate(),
        "can_manage": bool(grant_roots(actor, "care.manage_equipment")),
        "can_import": bool(grant_roots(actor, "care.import_equipment")),
        "can_export": bool(grant_roots(actor, "care.export_equipment")),
        "can_types": has_perm(actor, "care.manage_equipment_type"),
        "list_url": request.path,
    }
    return render_page(request, template, context, fragment="care/partials/equipment_rows.html")


def equipment_list(request: HttpRequest) -> HttpResponse:
    return _list(request)


def equipment_expiring(request: HttpRequest) -> HttpResponse:
    """The expiring-within-60-days (default) or expired list, with counts per unit."""
    return _list(request, default_state="expiring")


def equipment_export(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "care.export_equipment")
    actor = request.user
    qs = selectors.issue_list(actor=actor, perm="care.export_equipment", **_filters(request, actor))
    return xlsx_response(equipment_workbook(qs[:MAX_EXPORT].iterator(chunk_size=2000), timezone.localdate()),
                         f"防护装备-{timezone.localdate().isoformat()}.xlsx")


@require_http_methods(["GET", "POST"])
def issue_create(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "care.manage_equipment")
    actor = request.user
    initial = {}
    if request.GET.get("person", "").isdigit():
        person = access(Person.objects.all(), actor, "care.manage_equipment", int(request.GET["person"]))
        initial["person_ref"] = person.police_number or person.id_number
    form = EquipmentIssueForm(request.POST or None, initial=initial,
                              kinds=selectors.equipment_type_list(active_only=True))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            people = restrict(Person.objects.all(), actor, "care.manage_equipment")
            person = find_person(people, data["person_ref"])
            services.equipment_issue_create(actor=actor, person=person, kind=data["kind"], issued_on=data["issued_on"],
                                            serial=data["serial"], note=data["note"])
        except ValidationError as exc:
            add_errors(form, exc, {"type": "kind"})
        else:
            messages.success(request, _("已登记配发。"))
            return redirect(reverse("org:person_detail", args=[person.pk]))
    return form_page(request, {"form": form, "title": _("登记装备配发"), "cancel": reverse("care:equipment_list")},
                     invalid=request.method == "POST")


def _issue_action(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    require_perm(request.user, "care.manage_equipment")
    issue = selectors.access_issue(request.user, pk, for_write=True)
    try:
        action(request.user, issue)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect(reverse("org:person_detail", args=[issue.person_id]))


@require_POST
def issue_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _issue_action(request, pk, lambda a, i: services.equipment_issue_return(actor=a, issue=i), _("已交回。"))


@require_POST
def issue_replace(request: HttpRequest, pk: int) -> HttpResponse:
    return _issue_action(request, pk, lambda a, i: services.equipment_issue_replace(actor=a, issue=i),
                         _("已更换并登记新配发。"))


@require_POST
def issue_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _issue_action(request, pk, lambda a, i: services.equipment_issue_delete(actor=a, issue=i),
                         _("已删除误登记的配发记录。"))


@require_http_methods(["GET", "POST"])
def equipment_import(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "care.import_equipment")
    form = EquipmentImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = services.read_rows(upload.read())
            result = services.equipment_import(actor=request.user, rows=rows, commit=not form.cleaned_data["dry_run"])
        except ValidationError as exc:
            form.add_error("file", exc.messages)
        else:
            if result.ok and result.created:
                messages.success(request, _("已导入 %(n)s 条配发记录。") % {"n": result.created})
                return redirect("care:equipment_list")
    bootstrap(form)
    status = 400 if request.method == "POST" and (not form.is_valid() or (result and not result.ok)) else 200
    return render_page(request, "care/equipment_import.html", {"form": form, "result": result}, status=status)


def equipment_template(request: HttpRequest) -> HttpResponse:
    if not (has_perm(request.user, "care.import_equipment")):
        raise PermissionDenied
    return xlsx_response(import_template(), "防护装备配发导入模板.xlsx")


@require_http_methods(["GET", "POST"])
def type_list(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "care.view_equipment")
    can_edit = has_perm(request.user, "care.manage_equipment_type")
    form = EquipmentTypeForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.equipment_type_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("已添加装备类型。"))
                return redirect("care:equipment_types")
    bootstrap(form)
    kinds = selectors.equipment_type_list().annotate(
        held=Count("issues", filter=Q(issues__status=EquipmentIssue.Status.ISSUED)))
    return render_page(request, "care/equipment_types.html", {"kinds": kinds, "form": form, "can_edit": can_edit},
                       status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
def type_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "care.manage_equipment_type")
    kind = EquipmentType.objects.filter(pk=pk).first()
    if kind is None:
        from django.http import Http404

        raise Http404
    form = EquipmentTypeForm(request.POST or None, initial={f: getattr(kind, f) for f in services.TYPE_FIELDS})
    if request.method == "POST" and form.is_valid():
        try:
            services.equipment_type_update(actor=request.user, kind=kind, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("care:equipment_types")
    return form_page(request, {"form": form, "title": _("编辑装备类型"), "cancel": reverse("care:equipment_types")},
                     invalid=request.method == "POST")


urlpatterns = [
    path("equipment/", equipment_list, name="equipment_list"),
    path("equipment/expiring/", equipment_expiring, name="equipment_expiring"),
    path("equipment/export/", equipment_export, name="equipment_export"),
    path("equipment/issue/new/", issue_create, name="equipment_issue_create"),
    path("equipment/issue/<int:pk>/return/", issue_return, name="equipment_issue_return"),
    path("equipment/issue/<int:pk>/replace/", issue_replace, name="equipment_issue_replace"),
    path("equipment/issue/<int:pk>/delete/", issue_delete, name="equipment_issue_delete"),
    path("equipment/import/", equipment_import, name="equipment_import"),
    path("equipment/import/template/", equipment_template, name="equipment_template"),
    path("equipment/types/", type_list, name="equipment_types"),
    path("equipment/types/<int:pk>/", type_edit, name="equipment_type_edit"),
]
