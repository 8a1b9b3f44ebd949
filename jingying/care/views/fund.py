"""Screens of the relief fund (抚恤基金): the ledger, donations, grants and their approval, the
yearly statement. Every view needs the `fund` domain; opening one entry or grant is audited."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jingying.care.choices import EntryKind, GrantStatus
from jingying.care.export_fund import statement_workbook
from jingying.care.forms_fund import DonationForm, FundForm, GrantRequestForm, ReasonForm
from jingying.care.selectors import fund as selectors
from jingying.care.services import fund as services
from jingying.care.views.fund_common import add_errors, find_person, form_page, xlsx_response
from jingying.core.scoping import covers, grant_roots, has_perm, require_perm, restrict
from jingying.core.views_generic import paginate, render_page
from jingying.org.models import Person, Unit

D = "fund"


def _gate(request: HttpRequest, perm: str = "care.view_fund") -> Any:
    require_perm(request.user, perm, domain=D)
    return request.user


def _year(request: HttpRequest) -> int | None:
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else None


def fund_home(request: HttpRequest) -> HttpResponse:
    actor = _gate(request)
    funds = list(selectors.fund_list(actor=actor))
    context = {"funds": funds, "pending": selectors.pending_count(actor=actor),
               "can_create": has_perm(actor, "care.manage_fund", domain=D),
               "can_request": bool(funds) and covers(actor, "care.request_grant", funds[0].unit.path, domain=D)}
    return render_page(request, "care/fund_home.html", context)


@require_http_methods(["GET", "POST"])
def fund_create(request: HttpRequest) -> HttpResponse:
    """Set up the fund of the actor's top unit (one fund per unit)."""
    actor = _gate(request, "care.manage_fund")
    roots = sorted({g.unit_path for g in grant_roots(actor, "care.manage_fund") if D in g.domains})
    unit = Unit.objects.filter(path__in=roots).exclude(relief_fund__isnull=False).order_by("path").first()
    if unit is None:
        messages.info(request, _("您管辖的单位已设立抚恤基金。"))
        return redirect("care:fund_home")
    form = FundForm(request.POST or None, initial={"name": f"{unit.label}抚恤基金"})
    if request.method == "POST" and form.is_valid():
        try:
            fund = services.fund_create(actor=actor, unit=unit, name=form.cleaned_data["name"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("care:fund_detail", fund.pk)
    return form_page(request, {"form": form, "title": _("设立抚恤基金：%(unit)s") % {"unit": unit.name},
                               "cancel": reverse("care:fund_home")}, invalid=request.method == "POST")


def fund_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The ledger, newest first, with the running balance on every line."""
    actor = request.user  # one object: out of scope or domain is 404 (access), like a missing one
    fund = selectors.access_fund(actor, pk)
    kind = request.GET.get("kind", "") if request.GET.get("kind", "") in EntryKind.values else ""
    year = _year(request)
    page = paginate(request, selectors.entry_list(actor=actor, fund=fund, year=year, kind=kind))
    context = {
        "fund": fund, "page": page, "kinds": EntryKind.choices, "kind": kind, "year": year or "",
        "this_year": timezone.localdate().year,
        "can_donate": covers(actor, "care.add_donation", fund.unit.path, domain=D),
        "can_export": covers(actor, "care.export_fund", fund.unit.path, domain=D),
    }
    return render_page(request, "care/fund_detail.html", context, fragment="care/partials/fund_entries.html")


@require_http_methods(["GET", "POST"])
def donation_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _gate(request, "care.add_donation")
    fund = selectors.access_fund(actor, pk, perm="care.add_donation")
    form = DonationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.donation_record(actor=actor, fund=fund, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("已记入捐赠 %(amount)s 元。") % {"amount": entry.amount})
            return redirect("care:fund_detail", fund.pk)
    return form_page(request, {"form": form, "title": _("登记捐赠"), "cancel": fund_url(fund)},
                     invalid=request.method == "POST")


def fund_url(fund: Any) -> str:
    return reverse("care:fund_detail", args=[fund.pk])


def fund_statement(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _gate(request, "care.export_fund")
    fund = selectors.access_fund(actor, pk, perm="care.export_fund")
    year = _year(request) or timezone.localdate().year
    statement = selectors.fund_statement(actor=actor, fund=fund, year=year)
    return xlsx_response(statement_workbook(statement), f"{fund.name}-{year}.xlsx")


def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    entry = selectors.access_entry(actor, pk)
    reversal = entry.reversed_by if hasattr(entry, "reversed_by") else None
    can_reverse = (entry.kind != EntryKind.REVERSAL and reversal is None
                   and covers(actor, "care.reverse_entry", entry.fund.unit.path, domain=D))
    context = {"entry": entry, "reversal": reversal, "can_reverse": can_reverse, "form": ReasonForm()}
    return render_page(request, "care/fund_entry.html", context)


@require_POST
def entry_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _gate(request, "care.reverse_entry")
    entry = selectors.access_entry(actor, pk, perm="care.reverse_entry", reason="reverse")
    try:
        reversal = services.entry_reverse(actor=actor, entry=entry, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("care:fund_entry", entry.pk)
    messages.success(request, _("已冲正，冲正流水 #%(seq)s。") % {"seq": reversal.seq})
    return redirect("care:fund_entry", reversal.pk)


# --- grants --------------------------------------------------------------------------------

def grant_list(request: HttpRequest) -> HttpResponse:
    actor = _gate(request)
    status = request.GET.get("status", "") if request.GET.get("status", "") in GrantStatus.values else ""
    q = request.GET.get("q", "").strip()[:50]
    page = paginate(request, selectors.grant_list(actor=actor, status=status, q=q))
    context = {"page": page, "status": status, "q": q, "states": GrantStatus.choices,
               "can_request": has_perm(actor, "care.request_grant", domain=D)}
    return render_page(request, "care/grant_list.html", context, fragment="care/partials/grant_rows.html")


@require_http_methods(["GET", "POST"])
def grant_create(request: HttpRequest) -> HttpResponse:
    actor = _gate(request, "care.request_grant")
    funds = selectors.fund_list(actor=actor)
    form = GrantRequestForm(request.POST or None, funds=funds)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            people = restrict(Person.objects.all(), actor, "care.request_grant", domain=D)
            person = find_person(people, data["person_ref"])
            dependent = None
            if data["dependent_name"]:
                dependent = person.dependents.filter(name=data["dependent_name"].strip()).first()
                if dependent is None:
                    raise ValidationError({"dependent_name": [_("%(name)s 没有名为“%(dep)s”的家属")
                                                              % {"name": person.name, "dep": data["dependent_name"]}]})
            grant = services.grant_request(actor=actor, fund=data["fund"], person=person, dependent=dependent,
                                           reason=data["reason"], amount=data["amount"], details=data["details"])
        except ValidationError as exc:
            add_errors(form, exc, {"person": "person_ref", "dependent": "dependent_name"})
        else:
            messages.success(request, _("抚恤申请已提交，等待初审。"))
            return redirect("care:grant_detail", grant.pk)
    return form_page(request, {"form": form, "title": _("提出抚恤申请"), "cancel": reverse("care:grant_list")},
                     invalid=request.method == "POST")


def grant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    grant = selectors.access_grant(actor, pk)
    may_approve = covers(actor, "care.approve_grant", grant.person.unit.path, domain=D)
    open_states = (GrantStatus.REQUESTED, GrantStatus.FIRST_APPROVED)
    context = {
        "grant": grant,
        "entries": list(grant.entries.order_by("seq")),
        "can_approve": may_approve and grant.status in open_states and actor.pk not in
        (grant.requested_by_id, grant.first_approver_id),
        "can_reject": may_approve and grant.status in (*open_states, GrantStatus.APPROVED),
        "can_pay": grant.status == GrantStatus.APPROVED and covers(actor, "care.pay_grant", grant.fund.unit.path,
                                                                   domain=D),
        "form": ReasonForm(),
    }
    return render_page(request, "care/grant_detail.html", context)


def _grant_action(request: HttpRequest, pk: int, perm: str, action: Any, done: str) -> HttpResponse:
    actor = _gate(request, perm)
    grant = selectors.access_grant(actor, pk, perm=perm, reason=perm)
    try:
        action(actor, grant)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("care:grant_detail", grant.pk)


@require_POST
def grant_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _grant_action(request, pk, "care.approve_grant",
                         lambda a, g: services.grant_approve(actor=a, grant=g), _("已审批通过。"))


@require_POST
def grant_reject(request: HttpRequest, pk: int) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _grant_action(request, pk, "care.approve_grant",
                         lambda a, g: services.grant_reject(actor=a, grant=g, reason=reason), _("已驳回。"))


@require_POST
def grant_pay(request: HttpRequest, pk: int) -> HttpResponse:
    return _grant_action(request, pk, "care.pay_grant",
                         lambda a, g: services.grant_pay(actor=a, grant=g), _("已拨付并记入基金流水。"))


urlpatterns = [
    path("fund/", fund_home, name="fund_home"),
    path("fund/new/", fund_create, name="fund_create"),
    path("fund/<int:pk>/", fund_detail, name="fund_detail"),
    path("fund/<int:pk>/donate/", donation_create, name="fund_donate"),
    path("fund/<int:pk>/statement/", fund_statement, name="fund_statement"),
    path("fund/entries/<int:pk>/", entry_detail, name="fund_entry"),
    path("fund/entries/<int:pk>/reverse/", entry_reverse, name="fund_entry_reverse"),
    path("fund/grants/", grant_list, name="grant_list"),
    path("fund/grants/new/", grant_create, name="grant_create"),
    path("fund/grants/<int:pk>/", grant_detail, name="grant_detail"),
    path("fund/grants/<int:pk>/approve/", grant_approve, name="grant_approve"),
    path("fund/grants/<int:pk>/reject/", grant_reject, name="grant_reject"),
    path("fund/grants/<int:pk>/pay/", grant_pay, name="grant_pay"),
]
