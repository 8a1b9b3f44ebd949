"""The six guarantees scorecard (六个保障): a unit and its children for a year, each figure marked
computed / entered / rolled up; the Excel export; entering a figure."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jingying.care.choices import Guarantee
from jingying.care.export_fund import scorecard_workbook
from jingying.care.forms_fund import ScorecardEntryForm
from jingying.care.selectors import scorecard as selectors
from jingying.care.services import scorecard as services
from jingying.care.views.fund_common import add_errors, form_page, xlsx_response
from jingying.core.scoping import access, covers, grant_roots, require_perm
from jingying.core.views_generic import render_page
from jingying.org.models import Unit


def _root(request: HttpRequest, perm: str) -> Unit:
    actor = request.user
    value = request.GET.get("unit", "")
    if value.isdigit():
        return access(Unit.objects.all(), actor, perm, int(value))
    paths = sorted({g.unit_path for g in grant_roots(actor, perm)})
    return Unit.objects.get(path=paths[0])


def _year(request: HttpRequest) -> int:
    value = request.GET.get("year", "")
    this = timezone.localdate().year
    return int(value) if value.isdigit() and 2000 <= int(value) <= this else this


def scorecard(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "care.view_scorecard")
    actor = request.user
    root, year = _root(request, "care.view_scorecard"), _year(request)
    rows = selectors.scorecard(actor=actor, root=root, year=year)
    parent = root.parent
    if parent is not None and not covers(actor, "care.view_scorecard", parent.path):
        parent = None
    context: dict[str, Any] = {
        "rows": rows, "root": root, "year": year, "parent": parent, "guarantees": Guarantee.choices,
        "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
        "can_enter": covers(actor, "care.manage_scorecard", root.path),
        "can_export": covers(actor, "care.export_scorecard", root.path),
        "query": urlencode({"unit": root.pk, "year": year}),
    }
    return render_page(request, "care/scorecard.html", context)


def scorecard_export(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "care.export_scorecard")
    root, year = _root(request, "care.export_scorecard"), _year(request)
    rows = selectors.scorecard(actor=request.user, root=root, year=year)
    return xlsx_response(scorecard_workbook(rows, year), f"六个保障-{root.label}-{year}.xlsx")


@require_http_methods(["GET", "POST"])
def scorecard_enter(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "care.manage_scorecard")
    unit = access(Unit.objects.all(), request.user, "care.manage_scorecard", pk)
    initial = {"year": _year(request), "guarantee": request.GET.get("guarantee", Guarantee.LIVING)}
    form = ScorecardEntryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.scorecard_enter(actor=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("已录入。"))
            return redirect(reverse("care:scorecard") + "?" + urlencode({"unit": unit.pk,
                                                                          "year": form.cleaned_data["year"]}))
    return form_page(request, {"form": form, "title": _("录入六个保障评分：%(unit)s") % {"unit": unit.name},
                               "cancel": reverse("care:scorecard") + f"?unit={unit.pk}",
                               "note": _("装备保障、健康保障有数据时由系统计算；录入的得分在没有数据时使用。")},
                     invalid=request.method == "POST")


urlpatterns = [
    path("scorecard/", scorecard, name="scorecard"),
    path("scorecard/export/", scorecard_export, name="scorecard_export"),
    path("scorecard/units/<int:pk>/enter/", scorecard_enter, name="scorecard_enter"),
]
