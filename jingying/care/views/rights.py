"""Screens for rights-protection cases (维护民警执法权威). Thin: selectors read, services write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_http_methods, require_POST

from jingying.care.choices import OfferAnswer
from jingying.care.forms_rights import (
    RightsActionForm,
    RightsAdvanceForm,
    RightsCaseForm,
    RightsEvidenceForm,
    case_initial,
)
from jingying.care.models.rights import RightsCase, RightsEvidence
from jingying.care.selectors import rights as selectors
from jingying.care.services import rights as services
from jingying.care.views import support_kit as kit
from jingying.care.views.support_kit import Col
from jingying.core.scoping import covers
from jingying.core.views_generic import render_page, require_perm, run_service, save_form
from jingying.org.selectors import unit_list

FILTERS = ("unit", "status", "incident_kind", "year", "q")


def _officers(case: Any) -> str:
    return "、".join(v.person.name for v in case.victims.all())


COLUMNS = [
    Col(_l("发生日期"), lambda c: c.incident_date),
    Col(_l("涉及民警"), _officers),
    Col(_l("侵权类型"), lambda c: c.get_incident_kind_display()),
    Col(_l("发生地点"), lambda c: c.place),
    Col(_l("承办单位"), lambda c: c.unit.name),
    Col(_l("状态"), lambda c: c.get_status_display()),
]


def rights_list(request: HttpRequest) -> HttpResponse:
    return kit.list_view(request, selectors.rights_case_list, filters=FILTERS, perm="care.view_rightscase",
                         columns=COLUMNS, title=_("维权案件"), url="care:rights_list", detail="care:rights_detail",
                         add=("care.add_rightscase", "care:rights_create"),
                         export=("care.export_rightscase", "care:rights_export"), empty=_("没有维权案件"))


def rights_export(request: HttpRequest) -> HttpResponse:
    columns = [*COLUMNS, Col(_l("经过"), lambda c: c.description), Col(_l("处理结果"), lambda c: c.outcome),
               Col(_l("结案日期"), lambda c: c.closed_on)]
    return kit.export_view(request, selectors.rights_case_list, filters=FILTERS, perm="care.export_rightscase",
                           columns=columns, filename=_("维权案件.xlsx"), sheet=_("维权案件"))


@require_http_methods(["GET", "POST"])
def rights_create(request: HttpRequest) -> HttpResponse:
    require_perm(request, "care.add_rightscase")
    actor = request.user
    units = unit_list(actor=actor, perm="care.add_rightscase")
    form = RightsCaseForm(request.POST if request.method == "POST" else None, actor=actor, units=units)
    done = save_form(request, form, lambda data: services.rights_case_create(actor=actor, **data),
                     success=_("已登记维权案件，并已向涉及民警提供心理支持"),
                     next_url=lambda c: reverse("care:rights_detail", args=[c.pk]))
    return done or kit.form_page(request, form=form, title=_("登记维权案件"), cancel_url=reverse("care:rights_list"),
                                 invalid=request.method == "POST")


def rights_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    case = selectors.access_rights_case(actor, pk)
    can_change = covers(actor, "care.change_rightscase", case.unit.path)
    victims = selectors.rights_case_victims(case)
    context = {
        "case": case, "victims": victims, "evidence": selectors.rights_case_evidence(case),
        "actions": selectors.rights_case_actions(case), "can_change": can_change and case.status != "closed",
        "can_edit": can_change, "can_delete": covers(actor, "care.delete_rightscase", case.unit.path),
        "my_person": getattr(actor, "person_id", None), "answers": OfferAnswer,
        "advance_form": kit.bootstrap(RightsAdvanceForm()), "action_form": kit.bootstrap(RightsActionForm()),
        "evidence_form": kit.bootstrap(RightsEvidenceForm()),
    }
    return render_page(request, "care/rights_detail.html", context)


@require_http_methods(["GET", "POST"])
def rights_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    case = selectors.access_rights_case(actor, pk, perm="care.change_rightscase")
    units = unit_list(actor=actor, perm="care.change_rightscase")
    form = RightsCaseForm(request.POST if request.method == "POST" else None, actor=actor, units=units,
                          initial=case_initial(case))

    @transaction.atomic
    def save(data: dict[str, Any]) -> None:
        locked = selectors.access_rights_case(actor, pk, perm="care.change_rightscase", for_write=True)
        services.rights_case_update(actor=actor, case=locked, **data)

    return kit.edit_page(request, form, save, title=_("编辑维权案件"), detail_url=reverse("care:rights_detail", args=[pk]))


@require_http_methods(["GET", "POST"])
def rights_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    case = selectors.access_rights_case(actor, pk, perm="care.delete_rightscase")
    if request.method == "POST":
        services.rights_case_delete(actor=actor, case=case)
        messages.success(request, _("已删除维权案件"))
        return redirect("care:rights_list")
    return kit.confirm_page(request, message=_("删除维权案件“%(case)s”及其证据和措施记录？此操作不能撤销。") % {"case": str(case)},
                            cancel_url=reverse("care:rights_detail", args=[pk]))


def _back(pk: int, anchor: str = "") -> HttpResponse:
    return redirect(reverse("care:rights_detail", args=[pk]) + anchor)


def _case_step(request: HttpRequest, pk: int, form: forms.Form, call: Callable[[RightsCase, dict[str, Any]], Any], *,
               invalid: str, success: str, anchor: str = "") -> HttpResponse:
    """A button on the case page: the case (404 unless the actor manages it), the posted form,
    one service call, then back to the case (refusals and bad input as messages there)."""
    case = selectors.access_rights_case(request.user, pk, perm="care.change_rightscase")
    if not form.is_valid():
        messages.error(request, invalid)
    else:
        run_service(request, lambda: call(case, form.cleaned_data), success=success)
    return _back(pk, anchor)


@require_POST
def rights_advance(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_step(request, pk, RightsAdvanceForm(request.POST),
                      lambda case, data: services.rights_case_advance(actor=request.user, case=case, **data),
                      invalid=_("请选择要推进到的状态"), success=_("案件状态已更新"))


@require_POST
def rights_action_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_step(request, pk, RightsActionForm(request.POST),
                      lambda case, data: services.rights_action_add(actor=request.user, case=case, **data),
                      invalid=_("措施、日期和承办人必须填写"), success=_("已记录维权措施"), anchor="#actions")


@require_POST
def rights_action_delete(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.access_rights_action(request.user, pk, perm="care.change_rightscase")
    run_service(request, lambda: services.rights_action_delete(actor=request.user, action=action))
    return _back(action.case_id, "#actions")


@require_POST
def rights_evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_step(request, pk, RightsEvidenceForm(request.POST, request.FILES),
                      lambda case, data: services.rights_evidence_add(actor=request.user, case=case,
                                                                      upload=data["file"],
                                                                      description=data["description"]),
                      invalid=_("请选择要上传的文件"), success=_("已上传证据"), anchor="#evidence")


def rights_evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    return evidence_file_response(selectors.rights_evidence_download(actor=request.user, pk=pk))


def evidence_file_response(evidence: RightsEvidence) -> FileResponse:
    """The stored file as a download under its original name (404 if the file has gone)."""
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=evidence.file_name, content_type=evidence.content_type)


@require_POST
def rights_evidence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = selectors.access_rights_evidence(request.user, pk, perm="care.change_rightscase")
    run_service(request, lambda: services.rights_evidence_delete(actor=request.user, evidence=evidence))
    return _back(evidence.case_id, "#evidence")


@require_POST
def rights_offer_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The officer's answer to the support offer (own record), or staff recording it."""
    actor = request.user
    try:
        victim = selectors.access_rights_victim(actor, pk, perm="care.respond_rightscase")
    except Http404:
        victim = selectors.access_rights_victim(actor, pk, perm="care.change_rightscase")
    run_service(request, lambda: services.rights_offer_answer(actor=actor, victim=victim,
                                                              answer=request.POST.get("answer", "")),
                success=_("已记录答复"))
    return _back(victim.case_id)


urlpatterns = [
    path("rights/", rights_list, name="rights_list"),
    path("rights/export/", rights_export, name="rights_export"),
    path("rights/add/", rights_create, name="rights_create"),
    path("rights/<int:pk>/", rights_detail, name="rights_detail"),
    path("rights/<int:pk>/edit/", rights_edit, name="rights_edit"),
    path("rights/<int:pk>/delete/", rights_delete, name="rights_delete"),
    path("rights/<int:pk>/advance/", rights_advance, name="rights_advance"),
    path("rights/<int:pk>/actions/add/", rights_action_add, name="rights_action_add"),
    path("rights/actions/<int:pk>/delete/", rights_action_delete, name="rights_action_delete"),
    path("rights/<int:pk>/evidence/add/", rights_evidence_add, name="rights_evidence_add"),
    path("rights/evidence/<int:pk>/", rights_evidence_download, name="rights_evidence_download"),
    path("rights/evidence/<int:pk>/delete/", rights_evidence_delete, name="rights_evidence_delete"),
    path("rights/officers/<int:pk>/answer/", rights_offer_answer, name="rights_offer_answer"),
]
