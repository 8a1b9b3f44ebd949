"""The analysis tabs of the campaign results page (issue 4 point 6): 分布 / 交叉分析 / 指数 / 主题.

Tabs are links (`?tab=`), choices are a GET form: the page works without script; the trend
chart is drawn by static/surveys/trend.js from a JSON data attribute (CSP: no inline script).
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jingying.core.views_generic import render_page
from jingying.org.forms import bootstrap
from jingying.surveys import analysis, selectors, services
from jingying.surveys import indices as index_defs
from jingying.surveys.forms import IndexForm
from jingying.surveys.models import Campaign

ANALYSIS_TABS = ("dist", "cross", "index", "themes")


def _tabs() -> list[tuple[str, str]]:
    return [("dist", _("分布")), ("cross", _("交叉分析")), ("index", _("指数")), ("themes", _("主题"))]


def analysis_context(request: HttpRequest, campaign: Campaign, unit: Any, tab: str) -> dict[str, Any]:
    actor = request.user
    context: dict[str, Any] = {"tabs": _tabs()}
    if tab == "cross":
        questions = analysis.crosstab_questions(campaign)
        dims = analysis.dimensions(campaign, unit)
        code = request.GET.get("question") or (questions[0].code if questions else "")
        by = request.GET.get("by") or (dims[0].key if dims else "category")
        context.update({"cross_questions": questions, "cross_dims": dims, "cross_code": code, "cross_by": by})
        if questions:
            try:
                question = analysis.campaign_question(campaign, code)
                cross = analysis.crosstab(actor=actor, campaign=campaign, question=question, dimension=by, unit=unit)
                context["cross"] = cross
                context["cross_tables"] = [(label, cross.table(row)) for row, label in cross.rows]
            except ValidationError as exc:
                context["cross_error"] = " ".join(exc.messages)
    elif tab == "index":
        results = analysis.campaign_indices(actor=actor, campaign=campaign, unit=unit)
        charts = []
        for r in results:
            name, points = analysis.index_trend(actor=actor, campaign=campaign, code=r.code, unit=unit)
            charts.append({
                "result": r, "points": points,
                "chart": json.dumps({
                    "name": name,
                    "labels": [timezone.localtime(p.campaign.opens_at).strftime("%Y-%m") for p in points],
                    "titles": [p.campaign.title for p in points],
                    "values": [float(p.value) if p.value is not None else None for p in points],
                    "n": [p.respondents for p in points],
                }, ensure_ascii=False),
            })
        context["indices"] = charts
    elif tab == "themes":
        questions = analysis.text_questions(campaign)
        code = request.GET.get("question") or (questions[0].code if questions else "")
        context.update({"theme_questions": questions, "theme_code": code})
        if questions:
            try:
                question = analysis.campaign_question(campaign, code)
                context["themes"] = analysis.campaign_themes(actor=actor, campaign=campaign, question=question,
                                                             unit=unit)
            except ValidationError as exc:
                context["themes_error"] = " ".join(exc.messages)
    return context


# --- the index editor (questionnaire version page) -------------------------------------------


@require_http_methods(["GET", "POST"])
def index_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Add an index to a version, or edit the one named by ?code= (published versions too)."""
    actor = request.user
    version = selectors.access_version(actor, pk, for_write=True)
    code = request.GET.get("code", "")
    current = next((i for i in version.indices or [] if i.get("code") == code), None) if code else None
    if code and current is None:
        raise Http404
    initial = {"code": current["code"], "name": current["name"], "items": index_defs.format_items(current["items"])} \
        if current else {}
    form = IndexForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.version_index_save(actor=actor, version=version, code=form.cleaned_data["code"],
                                        name=form.cleaned_data["name"],
                                        items=index_defs.parse_items(form.cleaned_data["items"]),
                                        replace=code or None)
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("指数已保存"))
            return redirect(reverse("surveys:version_detail", args=[pk]) + "#indices")
    return render_page(request, "surveys/form.html", {
        "form": bootstrap(form), "title": _("编辑指数") if current else _("添加指数"),
        "note": _("每道题按选项值换算为 0–100（最低值为 0，最高值为 100），反向题取 100 减该值；一份答卷的指数为所答题目的平均值（至少答了一半的题目才计入），单位的指数为答卷的平均值。"),
        "cancel": reverse("surveys:version_detail", args=[pk])}, status=400 if request.method == "POST" else 200)


@require_POST
def index_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    version = selectors.access_version(actor, pk, for_write=True)
    try:
        services.version_index_delete(actor=actor, version=version, code=request.POST.get("code", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("指数已删除"))
    return redirect(reverse("surveys:version_detail", args=[pk]) + "#indices")


urlpatterns = [
    path("versions/<int:pk>/indices/", index_edit, name="index_edit"),
    path("versions/<int:pk>/indices/delete/", index_delete, name="index_delete"),
]
