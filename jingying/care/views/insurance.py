"""Screens for accident insurance: policies and the people they insure, claims and their steps,
and the officer's own insurance page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_http_methods, require_POST

from jingying.care.forms_insurance import ClaimDecideForm, ClaimForm, InsureForm, PolicyForm
from jingying.care.models.insurance import InsuranceClaim
from jingying.care.selectors import insurance as selectors
from jingying.care.services import insurance as services
from jingying.care.views import support_kit as kit
from jingying.care.views.support_kit import Col
from jingying.core.scoping import covers, subtree_q
from jingying.core.views_generic import (
    paginate,
    render_page,
    require_perm,
    run_service,
    save_form,
)
from jingying.org.selectors import unit_list

POLICY_FILTERS = ("unit", "year", "q")
CLAIM_FILTERS = ("unit", "status", "policy", "year", "q")
POLICY_COLUMNS = [
    Col(_l("保单号"), lambda p: p.policy_number),
    Col(_l("保险公司"), lambda p: p.insurer),
    Col(_l("险种"), lambda p: p.name),
    Col(_l("投保单位"), lambda p: p.unit.name),
    Col(_l("起保日期"), lambda p: p.start),
    Col(_l("终止日期"), lambda p: p.end),
    Col(_l("每人保额（元）"), lambda p: p.cover_per_person),
    Col(_l("被保险人数"), lambda p: p.insured_count),
]
CLAIM_COLUMNS = [
    Col(_l("出险人"), lambda c: c.person.name),
    Col(_l("单位"), lambda c: c.person.unit.name),
    Col(_l("保单号"), lambda c: c.policy.policy_number),
    Col(_l("出险日期"), lambda c: c.incident_date),
    Col(_l("申请金额（元）"), lambda c: c.amount_claimed),
    Col(_l("赔付金额（元）"), lambda c: c.amount_paid),
    Col(_l("状态"), lambda c: c.get_status_display()),
    Col(_l("报案日期"), lambda c: c.submitted_on),
]


# --- policies ------------------------------------------------------------------------------


def policy_list(request: HttpRequest) -> HttpResponse:
    return kit.list_view(request, selectors.insurance_policy_list, filters=POLICY_FILTERS, perm="care.view_insurance",
                         columns=POLICY_COLUMNS, title=_("意外保险保单"), url="care:policy_list",
                         detail="care:policy_detail", add=("care.add_insurance", "care:policy_create"),
                         export=("care.export_insurance", "care:policy_list_export"), empty=_("没有保单"))


def policy_list_export(request: HttpRequest) -> HttpResponse:
    return kit.export_view(request, selectors.insurance_policy_list, filters=POLICY_FILTERS,
                           perm="care.export_insurance", columns=POLICY_COLUMNS, filename=_("意外保险保单.xlsx"),
                           sheet=_("保单"))


@require_http_methods(["GET", "POST"])
def policy_create(request: HttpRequest) -> HttpResponse:
    require_perm(request, "care.add_insurance")
    actor = request.user
    form = PolicyForm(request.POST if request.method == "POST" else None,
                      units=unit_list(actor=actor, perm="care.add_insurance"))
    done = save_form(request, form, lambda data: services.insurance_policy_create(actor=actor, **data),
                     success=_("已登记保单，请添加被保险人"),
                     next_url=lambda p: reverse("care:policy_detail", args=[p.pk]))
    return done or kit.form_page(request, form=form, title=_("登记保单"), cancel_url=reverse("care:policy_list"),
                                 invalid=request.method == "POST")


def policy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    policy = selectors.access_insurance_policy(actor, pk)
    page = paginate(request, selectors.policy_insured(actor, policy))
    claims, _fs = selectors.insurance_claim_list(actor=actor, filters={"policy": str(policy.pk)})
    context = {
        "policy": policy, "page": page, "claims": list(claims[:50]),
        "can_change": covers(actor, "care.change_insurance", policy.unit.path),
        "can_delete": covers(actor, "care.delete_insurance", policy.unit.path),
        "can_export": covers(actor, "care.export_insurance", policy.unit.path),
    }
    return render_page(request, "care/policy_detail.html", context)


@require_http_methods(["GET", "POST"])
def policy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    policy = selectors.access_insurance_policy(actor, pk, perm="care.change_insurance")
    initial = {name: getattr(policy, name) for name in ("insurer", "policy_number", "name", "start", "end",
                                                         "cover_per_person", "notes")}
    initial["unit"] = policy.unit_id
    form = PolicyForm(request.POST if request.method == "POST" else None,
                      units=unit_list(actor=actor, perm="care.change_insurance"), initial=initial)
    return kit.edit_page(request, form, lambda data: services.insurance_policy_update(actor=actor, policy=policy, **data),
                         title=_("编辑保单"), detail_url=reverse("care:policy_detail", args=[pk]))


@require_http_methods(["GET", "POST"])
def policy_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    policy = selectors.access_insurance_policy(actor, pk, perm="care.delete_insurance")
    cancel = reverse("care:policy_detail", args=[pk])
    message = _("删除保单 %(number)s 及其被保险人名单？此操作不能撤销。") % {"number": policy.policy_number}
    if request.method == "POST":
        try:
            services.insurance_policy_delete(actor=actor, policy=policy)
        except ValidationError as exc:
            return kit.confirm_page(request, message=message, cancel_url=cancel, error="；".join(exc.messages), status=400)
        messages.success(request, _("已删除保单"))
        return redirect("care:policy_list")
    return kit.confirm_page(request, message=message, cancel_url=cancel)


@require_http_methods(["GET", "POST"])
def policy_insure(request: HttpRequest, pk: int) -> HttpResponse:
    """Add insured people: a unit's serving people, or a list of ID numbers (all or none)."""
    actor = request.user
    policy = selectors.access_insurance_policy(actor, pk, perm="care.change_insurance")
    units = unit_list(actor=actor, perm="care.change_insurance").filter(subtree_q("path", policy.unit.path))
    form = InsureForm(request.POST or None, request.FILES or None, units=units)
    return kit.add_people_page(
        request, form,
        by_unit=lambda data: services.insurance_insure_unit(actor=actor, policy=policy, unit=data["unit"],
                                                            category=data["category"]),
        by_ids=lambda _data, rows: services.insurance_insure_ids(actor=actor, policy=policy, rows=rows),
        success=_("已新增被保险人 %(n)d 人"), title=_("添加被保险人：%(number)s") % {"number": policy.policy_number},
        done_url=reverse("care:policy_detail", args=[pk]))


@require_POST
def policy_uninsure(request: HttpRequest, pk: int) -> HttpResponse:
    insured = selectors.access_insured(request.user, pk, perm="care.change_insurance")
    run_service(request, lambda: services.insurance_uninsure(actor=request.user, insured=insured),
                success=_("已将 %(name)s 移出保单") % {"name": insured.person.name})
    return redirect("care:policy_detail", pk=insured.policy_id)


def policy_export(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "care.export_insurance")
    actor = request.user
    policy = selectors.access_insurance_policy(actor, pk, perm="care.export_insurance")
    cols = [Col(_l("姓名"), lambda i: i.person.name), Col(_l("身份证号"), lambda i: i.person.id_number),
            Col(_l("单位"), lambda i: i.person.unit.name), Col(_l("人员类别"), lambda i: i.person.get_category_display()),
            Col(_l("加入时间"), lambda i: i.added_at)]
    return kit.workbook(_("%(number)s-被保险人.xlsx") % {"number": policy.policy_number},
                        [(_("被保险人"), [c.label for c in cols], kit.export_rows(selectors.policy_insured(actor, policy), cols))])


# --- claims --------------------------------------------------------------------------------


def claim_list(request: HttpRequest) -> HttpResponse:
    # Registering a claim is part of managing the policy: the add button follows change_insurance.
    return kit.list_view(request, selectors.insurance_claim_list, filters=CLAIM_FILTERS, perm="care.view_insurance",
                         columns=CLAIM_COLUMNS, title=_("保险理赔"), url="care:claim_list", detail="care:claim_detail",
                         add=("care.change_insurance", "care:claim_create"),
                         export=("care.export_insurance", "care:claim_list_export"), empty=_("没有理赔记录"))


def claim_list_export(request: HttpRequest) -> HttpResponse:
    cols = [*CLAIM_COLUMNS, Col(_l("出险经过"), lambda c: c.incident), Col(_l("拒赔原因"), lambda c: c.reject_reason),
            Col(_l("结案日期"), lambda c: c.decided_on)]
    return kit.export_view(request, selectors.insurance_claim_list, filters=CLAIM_FILTERS, perm="care.export_insurance",
                           columns=cols, filename=_("保险理赔.xlsx"), sheet=_("理赔"))


@require_http_methods(["GET", "POST"])
def claim_create(request: HttpRequest) -> HttpResponse:
    require_perm(request, "care.change_insurance")
    actor = request.user
    form = ClaimForm(request.POST if request.method == "POST" else None, actor=actor,
                     policies=selectors.policies_for_claims(actor), initial={"policy": request.GET.get("policy")})
    done = save_form(request, form, lambda data: services.insurance_claim_create(actor=actor, **data),
                     success=_("已登记理赔"), next_url=lambda c: reverse("care:claim_detail", args=[c.pk]))
    return done or kit.form_page(request, form=form, title=_("登记理赔"), cancel_url=reverse("care:claim_list"),
                                 invalid=request.method == "POST")


def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    claim = selectors.access_insurance_claim(actor, pk)
    can_change = covers(actor, "care.change_insurance", claim.person.unit.path)
    context = {"claim": claim, "can_change": can_change and claim.status in ("submitted", "reviewing"),
               "can_delete": covers(actor, "care.delete_insurance", claim.person.unit.path) and claim.status != "paid",
               "decide_form": kit.bootstrap(ClaimDecideForm())}
    return render_page(request, "care/claim_detail.html", context)


@require_http_methods(["GET", "POST"])
def claim_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    claim = selectors.access_insurance_claim(actor, pk, perm="care.change_insurance")
    initial = {"policy": claim.policy_id, "person": claim.person.police_number or claim.person.id_number,
               "incident_date": claim.incident_date, "incident": claim.incident,
               "amount_claimed": claim.amount_claimed, "submitted_on": claim.submitted_on}
    form = ClaimForm(request.POST if request.method == "POST" else None, actor=actor,
                     policies=selectors.policies_for_claims(actor), initial=initial)
    form.fields["policy"].disabled = True
    form.fields["person"].disabled = True

    @transaction.atomic
    def save(cleaned: dict[str, Any]) -> None:
        data = {k: cleaned[k] for k in ("incident", "incident_date", "amount_claimed")}
        if cleaned["submitted_on"]:
            data["submitted_on"] = cleaned["submitted_on"]
        locked = selectors.access_insurance_claim(actor, pk, perm="care.change_insurance", for_write=True)
        services.insurance_claim_update(actor=actor, claim=locked, **data)

    return kit.edit_page(request, form, save, title=_("编辑理赔"), detail_url=reverse("care:claim_detail", args=[pk]))


@require_http_methods(["GET", "POST"])
def claim_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    claim = selectors.access_insurance_claim(actor, pk, perm="care.delete_insurance")
    cancel = reverse("care:claim_detail", args=[pk])
    message = _("删除 %(name)s 的理赔记录？此操作不能撤销。") % {"name": claim.person.name}
    if request.method == "POST":
        try:
            services.insurance_claim_delete(actor=actor, claim=claim)
        except ValidationError as exc:
            return kit.confirm_page(request, message=message, cancel_url=cancel, error="；".join(exc.messages), status=400)
        messages.success(request, _("已删除理赔记录"))
        return redirect("care:claim_list")
    return kit.confirm_page(request, message=message, cancel_url=cancel)


@require_POST
def claim_review(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user

    @transaction.atomic
    def review() -> None:
        claim = selectors.access_insurance_claim(actor, pk, perm="care.change_insurance", for_write=True)
        services.insurance_claim_review(actor=actor, claim=claim)

    run_service(request, review, success=_("已转入审核"))
    return redirect("care:claim_detail", pk=pk)


@require_POST
def claim_decide(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    form = ClaimDecideForm(request.POST)
    claim_pk = selectors.access_insurance_claim(actor, pk, perm="care.change_insurance").pk
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("care:claim_detail", pk=claim_pk)
    data = form.cleaned_data

    @transaction.atomic
    def decide() -> None:
        claim = selectors.access_insurance_claim(actor, pk, perm="care.change_insurance", for_write=True)
        services.insurance_claim_decide(actor=actor, claim=claim, paid=data["outcome"] == "paid",
                                        amount_paid=data["amount_paid"], reason=data["reason"],
                                        decided_on=data["decided_on"])

    run_service(request, decide, success=_("理赔已结案"))
    return redirect("care:claim_detail", pk=claim_pk)


def insurance_mine(request: HttpRequest) -> HttpResponse:
    """The officer's own insurance: the policies covering them and their claims."""
    require_perm(request, "care.view_insurance")
    person_id = getattr(request.user, "person_id", None)
    policies = list(selectors.my_policies(person_id)) if person_id else []
    claims = list(InsuranceClaim.objects.filter(person_id=person_id).select_related("policy")
                  .order_by("-submitted_on")) if person_id else []
    return render_page(request, "care/insurance_mine.html", {"policies": policies, "claims": claims,
                                                             "has_person": bool(person_id)})


urlpatterns = [
    path("insurance/policies/", policy_list, name="policy_list"),
    path("insurance/policies/export/", policy_list_export, name="policy_list_export"),
    path("insurance/policies/add/", policy_create, name="policy_create"),
    path("insurance/policies/<int:pk>/", policy_detail, name="policy_detail"),
    path("insurance/policies/<int:pk>/edit/", policy_edit, name="policy_edit"),
    path("insurance/policies/<int:pk>/delete/", policy_delete, name="policy_delete"),
    path("insurance/policies/<int:pk>/insure/", policy_insure, name="policy_insure"),
    path("insurance/policies/<int:pk>/export/", policy_export, name="policy_export"),
    path("insurance/insured/<int:pk>/remove/", policy_uninsure, name="policy_uninsure"),
    path("insurance/claims/", claim_list, name="claim_list"),
    path("insurance/claims/export/", claim_list_export, name="claim_list_export"),
    path("insurance/claims/add/", claim_create, name="claim_create"),
    path("insurance/claims/<int:pk>/", claim_detail, name="claim_detail"),
    path("insurance/claims/<int:pk>/edit/", claim_edit, name="claim_edit"),
    path("insurance/claims/<int:pk>/delete/", claim_delete, name="claim_delete"),
    path("insurance/claims/<int:pk>/review/", claim_review, name="claim_review"),
    path("insurance/claims/<int:pk>/decide/", claim_decide, name="claim_decide"),
    path("insurance/mine/", insurance_mine, name="insurance_mine"),
]
