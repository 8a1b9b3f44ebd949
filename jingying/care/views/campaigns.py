"""Screens for care campaigns (战时从优待警): the campaign, its per-unit checklist, who each
measure reached, the coverage table and its Excel export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_http_methods, require_POST

from jingying.care.choices import CareMeasure
from jingying.care.forms_campaigns import CampaignForm, ChecklistForm, ReachForm
from jingying.care.selectors import campaigns as selectors
from jingying.care.services import campaigns as services
from jingying.care.views import support_kit as kit
from jingying.care.views.support_kit import Col
from jingying.core.scoping import covers, has_perm
from jingying.core.views_generic import paginate, render_page, require_perm, save_form
from jingying.org.models import Unit
from jingying.org.selectors import unit_list

FILTERS = ("unit", "year", "q")
COLUMNS = [
    Col(_l("活动名称"), lambda c: c.name),
    Col(_l("组织单位"), lambda c: c.unit.name),
    Col(_l("开始日期"), lambda c: c.start),
    Col(_l("结束日期"), lambda c: c.end),
    Col(_l("参与单位数"), lambda c: c.unit_count),
    Col(_l("启用措施"), lambda c: "、".join(str(label) for value, label in CareMeasure.choices
                                      if value in c.measures)),
]


def campaign_list(request: HttpRequest) -> HttpResponse:
    return kit.list_view(request, selectors.care_campaign_list, filters=FILTERS, perm="care.view_carecampaign",
                         columns=COLUMNS, title=_("从优待警活动"), url="care:campaign_list", detail="care:campaign_detail",
                         add=("care.add_carecampaign", "care:campaign_create"), empty=_("没有从优待警活动"),
                         extra={"intro": _("专项行动、重大安保期间落实表彰奖励、走访慰问、送医到岗、子女托管、心理疏导、意外保险六项措施。")})


def _form_data(cleaned: dict[str, Any]) -> dict[str, Any]:
    data = dict(cleaned)
    data["units"] = list(data["units"])
    data["measures"] = list(data["measures"])
    return data


@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    require_perm(request, "care.add_carecampaign")
    actor = request.user
    form = CampaignForm(request.POST if request.method == "POST" else None,
                        units=unit_list(actor=actor, perm="care.add_carecampaign"))
    done = save_form(request, form, lambda data: services.care_campaign_create(actor=actor, **_form_data(data)),
                     success=_("已创建活动"), next_url=lambda c: reverse("care:campaign_detail", args=[c.pk]))
    return done or kit.form_page(request, form=form, title=_("新建从优待警活动"),
                                 cancel_url=reverse("care:campaign_list"), invalid=request.method == "POST")


def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    campaign = selectors.access_care_campaign(actor, pk)
    units = selectors.campaign_units(actor, campaign)
    measures = selectors.measure_labels(campaign)
    codes = [m for m, _label in measures]
    rows, total = selectors.campaign_coverage(campaign, units)
    checklist = selectors.campaign_checklist(units)
    can_mark = {cu.pk: covers(actor, "care.mark_carecampaign", cu.unit.path) for cu in units}
    context = {
        "campaign": campaign, "measures": measures,
        "coverage": [{"unit": r.unit, "people": r.people, "cells": r.cells(codes)} for r in rows],
        "total": {"people": total.people, "cells": total.cells(codes)},
        "checklist": [{"cu": cu, "can_mark": can_mark[cu.pk],
                       "items": [checklist[cu.pk].get(m) for m in codes]} for cu in units],
        "can_edit": covers(actor, "care.change_carecampaign", campaign.unit.path),
        "can_delete": covers(actor, "care.delete_carecampaign", campaign.unit.path),
        "can_reach": any(can_mark.values()),
        "can_export": has_perm(actor, "care.export_carecampaign"),
    }
    return render_page(request, "care/campaign_detail.html", context)


@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    campaign = selectors.access_care_campaign(actor, pk, perm="care.change_carecampaign", owner=True)
    units = unit_list(actor=actor, perm="care.change_carecampaign")
    initial = {"name": campaign.name, "unit": campaign.unit_id, "start": campaign.start, "end": campaign.end,
               "units": list(campaign.units.values_list("unit_id", flat=True)), "measures": campaign.measures,
               "category": campaign.category, "notes": campaign.notes}
    form = CampaignForm(request.POST if request.method == "POST" else None, units=units, initial=initial)

    @transaction.atomic
    def save(cleaned: dict[str, Any]) -> None:
        data = _form_data(cleaned)
        data.pop("unit")
        locked = selectors.access_care_campaign(actor, pk, perm="care.change_carecampaign", for_write=True)
        services.care_campaign_update(actor=actor, campaign=locked, **data)

    done = save_form(request, form, save, success=_("已保存"),
                     next_url=lambda _none: reverse("care:campaign_detail", args=[pk]))
    form.fields["unit"].disabled = True
    return done or kit.form_page(request, form=form, title=_("编辑活动"),
                                 cancel_url=reverse("care:campaign_detail", args=[pk]), invalid=request.method == "POST")


@require_http_methods(["GET", "POST"])
def campaign_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    campaign = selectors.access_care_campaign(actor, pk, perm="care.delete_carecampaign", owner=True)
    if request.method == "POST":
        services.care_campaign_delete(actor=actor, campaign=campaign)
        messages.success(request, _("已删除活动"))
        return redirect("care:campaign_list")
    return kit.confirm_page(request, message=_("删除活动“%(name)s”及其落实清单和覆盖记录？此操作不能撤销。") % {"name": campaign.name},
                            cancel_url=reverse("care:campaign_detail", args=[pk]))


@require_POST
def campaign_checklist_mark(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    item = selectors.access_checklist_item(actor, pk, perm="care.mark_carecampaign")
    form = ChecklistForm(request.POST)
    if form.is_valid():
        services.campaign_checklist_mark(actor=actor, item=item, **form.cleaned_data)
        messages.success(request, _("已更新落实情况"))
    else:
        messages.error(request, _("日期格式应为 YYYY-MM-DD"))
    return redirect(reverse("care:campaign_detail", args=[item.campaign_unit.campaign_id]) + "#checklist")


@require_http_methods(["GET", "POST"])
def campaign_reach(request: HttpRequest, pk: int) -> HttpResponse:
    """Record who a measure reached: a whole unit, a list of ID numbers, or an Excel list (all or nothing)."""
    actor = request.user
    campaign = selectors.access_care_campaign(actor, pk, perm="care.mark_carecampaign")
    units = [cu.unit.pk for cu in selectors.campaign_units(actor, campaign, perm="care.mark_carecampaign")]
    form = ReachForm(request.POST or None, request.FILES or None, measures=selectors.measure_labels(campaign),
                     units=Unit.objects.filter(pk__in=units))
    return kit.add_people_page(
        request, form,
        by_unit=lambda data: services.campaign_reach_unit(actor=actor, campaign=campaign, measure=data["measure"],
                                                          unit=data["unit"], day=data["day"]),
        by_ids=lambda data, rows: services.campaign_reach_ids(actor=actor, campaign=campaign, measure=data["measure"],
                                                              rows=rows, day=data["day"]),
        success=_("已新增标记 %(n)d 人"), title=_("登记措施覆盖人员：%(name)s") % {"name": campaign.name},
        done_url=reverse("care:campaign_detail", args=[pk]))


def campaign_reached(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    campaign = selectors.access_care_campaign(actor, pk)
    measure = request.GET.get("measure", "")
    page = paginate(request, selectors.campaign_reach_list(actor, campaign, measure=measure))
    context = {"campaign": campaign, "page": page, "measures": selectors.measure_labels(campaign), "measure": measure,
               "can_mark": has_perm(actor, "care.mark_carecampaign")}
    return render_page(request, "care/campaign_reached.html", context)


@require_POST
def campaign_reach_remove(request: HttpRequest, pk: int) -> HttpResponse:
    from django.http import Http404

    from jingying.care.models.campaigns import CampaignReach
    from jingying.core.scoping import restrict

    actor = request.user
    try:
        reach = restrict(CampaignReach.objects.select_related("person__unit", "campaign"), actor,
                         "care.mark_carecampaign").get(pk=pk)
    except (CampaignReach.DoesNotExist, ValueError):
        raise Http404 from None
    services.campaign_reach_remove(actor=actor, reach=reach)
    messages.success(request, _("已撤销 %(name)s 的标记") % {"name": reach.person.name})
    return redirect(reverse("care:campaign_reached", args=[reach.campaign_id]) + f"?measure={reach.measure}")


def campaign_export(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "care.export_carecampaign")
    actor = request.user
    campaign = selectors.access_care_campaign(actor, pk, perm="care.export_carecampaign")
    units = selectors.campaign_units(actor, campaign, perm="care.export_carecampaign")
    measures = selectors.measure_labels(campaign)
    codes = [m for m, _label in measures]
    rows, total = selectors.campaign_coverage(campaign, units)
    header = [_("单位"), _("活动人数")]
    for _code, label in measures:
        header += [_("%(m)s人数") % {"m": label}, _("%(m)s覆盖率%%") % {"m": label}]

    def coverage_line(label: str, people: int, cells: list[tuple[int, int]]) -> list[Any]:
        line: list[Any] = [label, people]
        for n, pct in cells:
            line += [n, pct]
        return line

    coverage = [coverage_line(r.unit.name, r.people, r.cells(codes)) for r in rows]
    coverage.append(coverage_line(str(_("合计")), total.people, total.cells(codes)))
    checklist = selectors.campaign_checklist(units)
    labels = dict(measures)
    items = [[cu.unit.name, labels.get(m, m), _("是") if item.done else _("否"), item.done_on, item.note,
              item.done_by.username if item.done_by else ""]
             for cu in units for m in codes if (item := checklist[cu.pk].get(m))]
    reach_cols = [Col(_l("措施"), lambda r: r.get_measure_display()), Col(_l("姓名"), lambda r: r.person.name),
                  Col(_l("单位"), lambda r: r.person.unit.name), Col(_l("日期"), lambda r: r.reached_on)]
    reached = selectors.campaign_reach_list(actor, campaign)
    return kit.workbook(_("%(name)s-覆盖情况.xlsx") % {"name": campaign.name}, [
        (_("覆盖情况"), header, coverage),
        (_("落实清单"), [_("单位"), _("措施"), _("已落实"), _("落实日期"), _("说明"), _("填报人")], items),
        (_("覆盖人员"), [c.label for c in reach_cols], kit.export_rows(reached, reach_cols)),
    ])


urlpatterns = [
    path("campaigns/", campaign_list, name="campaign_list"),
    path("campaigns/add/", campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/delete/", campaign_delete, name="campaign_delete"),
    path("campaigns/<int:pk>/reach/", campaign_reach, name="campaign_reach"),
    path("campaigns/<int:pk>/reached/", campaign_reached, name="campaign_reached"),
    path("campaigns/<int:pk>/export/", campaign_export, name="campaign_export"),
    path("campaigns/checklist/<int:pk>/", campaign_checklist_mark, name="campaign_checklist_mark"),
    path("campaigns/reached/<int:pk>/remove/", campaign_reach_remove, name="campaign_reach_remove"),
]
