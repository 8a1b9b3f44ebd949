"""Screens for concerns: the officer's own list, raise form and detail (mobile first), the staff
list with filters and export, and one view per handling step (style rule 5)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from jingying.care.choices import ConcernCategory, ConcernSource, ConcernStatus, ConcernUrgency
from jingying.care.export_cases import xlsx_response
from jingying.care.forms_concerns import (
    ConcernForm,
    ConcernRateForm,
    ConcernReassignForm,
    ConcernStepForm,
    bootstrap,
)
from jingying.care.selectors import concerns as sel
from jingying.care.selectors.visits import access_field_visit
from jingying.care.services import concerns as svc
from jingying.core.scoping import covers, grant_roots, has_perm, restrict
from jingying.core.views_generic import paginate, render_page, require_perm
from jingying.org.models import Person, Unit

STEP_LABELS = {
    "accept": gettext_lazy("受理"), "start": gettext_lazy("开始办理"), "resolve": gettext_lazy("办结"),
    "refer": gettext_lazy("转办"), "unsolvable": gettext_lazy("无法解决"),
}


def _filters(request: HttpRequest) -> dict[str, str]:
    return {k: request.GET[k].strip() for k in sel.CONCERN_FILTERS if request.GET.get(k, "").strip()}


def _choice_options(choices: Any, selected: str) -> list[tuple[str, str, bool]]:
    return [(str(v), str(label), str(v) == selected) for v, label in choices]


def concern_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "care.view_concern")
    data = _filters(request)
    qs = sel.concern_list(actor=request.user, filters=data)
    page = paginate(request, qs)
    context = {
        "page": page, "data": data, "today": timezone.localdate(),
        "status_options": _choice_options([("open", _("未办结")), *ConcernStatus.choices], data.get("status", "")),
        "category_options": _choice_options(ConcernCategory.choices, data.get("category", "")),
        "urgency_options": _choice_options(ConcernUrgency.choices, data.get("urgency", "")),
        "unit_options": _unit_options(request.user, data.get("unit", "")),
        "can_export": has_perm(request.user, "care.export_concern"),
        "can_add": bool(grant_roots(request.user, "care.add_concern")),
    }
    return render_page(request, "care/concern_list.html", context, fragment="care/partials/concern_rows.html")


def _unit_options(actor: Any, selected: str) -> list[tuple[str, str, bool]]:
    """The unit picker: two levels below the actor's top unit (deeper units: type the code in `unit`)."""
    roots = grant_roots(actor, "org.view_unit")
    if not roots:
        return []
    top = min(g.unit_path.count("/") - 1 for g in roots)  # a unit's depth is its path's "/" count less one
    rows = restrict(Unit.objects.filter(depth__lte=top + 2), actor, "org.view_unit").values_list("pk", "name", "depth")
    return [(str(pk), "\u3000" * (d - top) + name, str(pk) == selected) for pk, name, d in rows[:1000]]


def _people_for(actor: Any) -> Any:
    """People the actor may record a concern for (their subtree)."""
    return Person.objects.select_related("unit").filter(unit__in=restrict(Unit.objects.all(), actor, "care.add_concern"))


def concern_export(request: HttpRequest) -> HttpResponse:
    require_perm(request, "care.export_concern")
    qs = sel.concern_list(actor=request.user, filters=_filters(request))
    today = timezone.localdate()
    headers = [_("编号"), _("提出时间"), _("提出人"), _("所在单位"), _("类别"), _("紧急程度"), _("标题"), _("来源"),
               _("责任单位"), _("状态"), _("办理期限"), _("是否超期"), _("上报次数"), _("办结时间"), _("满意度")]
    rows = (
        [c.pk, timezone.localtime(c.raised_at).strftime("%Y-%m-%d %H:%M"), c.person.name, c.person.unit.name,
         c.get_category_display(), c.get_urgency_display(), c.title, c.get_source_display(), c.unit.name,
         c.get_status_display(), c.deadline.isoformat(), _("是") if c.is_open and c.deadline < today else "",
         c.escalations, timezone.localtime(c.closed_at).strftime("%Y-%m-%d") if c.closed_at else "",
         c.rating or ""]
        for c in qs.iterator(chunk_size=1000)
    )
    return xlsx_response(_("诉求"), _("诉求"), headers, rows)


def concern_mine(request: HttpRequest) -> HttpResponse:
    """我的诉求: where each of the officer's concerns stands."""
    require_perm(request, "care.rate_concern")
    concerns = list(sel.my_concerns(actor=request.user)[:100])
    return render_page(request, "care/concern_mine.html", {"concerns": concerns, "today": timezone.localdate()})


@require_http_methods(["GET", "POST"])
def concern_create(request: HttpRequest) -> HttpResponse:
    """Raise one's own concern, or (staff) record one for a person in scope."""
    require_perm(request, "care.add_concern")
    actor: Any = request.user
    # Staff record concerns for people in scope; anyone linked to a person may also raise their
    # own from 我的诉求 (?for=self), leaders and clerks included (decision 0014).
    for_self = not grant_roots(actor, "care.add_concern") or request.GET.get("for") == "self"
    if for_self and actor.person_id is None:
        raise PermissionDenied("care.add_concern")
    people = None if for_self else _people_for(actor)
    form = ConcernForm(request.POST if request.method == "POST" else None, people=people, for_self=for_self)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        person = actor.person if for_self else d["person"]
        try:
            concern = svc.concern_raise(
                actor=actor, person=person, category=d["category"], urgency=d["urgency"], title=d["title"],
                description=d["description"], source_ref=d.get("source_ref") or "",
                source=None if for_self else (ConcernSource.SURVEY if d.get("source_ref") else None))
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("诉求已提交，办理期限 %(date)s") % {"date": concern.deadline.isoformat()})
            return redirect("care:concern_detail", pk=concern.pk)
    bootstrap(form)
    return render_page(request, "care/concern_form.html", {"form": form, "for_self": for_self},
                       status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
def concern_from_visit(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a concern raised during a field visit, linked to it."""
    actor: Any = request.user
    visit = access_field_visit(actor, pk, perm="care.manage_fieldvisit")
    require_perm(request, "care.add_concern")
    people = _people_for(actor)
    form = ConcernForm(request.POST if request.method == "POST" else None, people=people, for_self=False)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            concern = svc.concern_raise(actor=actor, person=d["person"], category=d["category"], urgency=d["urgency"],
                                        title=d["title"], description=d["description"],
                                        source_ref=d.get("source_ref") or visit.topic, field_visit=visit)
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("已登记诉求"))
            return redirect("care:concern_detail", pk=concern.pk)
    bootstrap(form)
    return render_page(request, "care/concern_form.html", {"form": form, "for_self": False, "visit": visit},
                       status=400 if request.method == "POST" else 200)


def concern_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor: Any = request.user
    concern = sel.access_concern(actor, pk)
    own = actor.person_id is not None and actor.person_id == concern.person_id
    can_handle = covers(actor, "care.handle_concern", concern.unit.path) and not own  # decision 0014
    steps = []
    if can_handle:
        for step in svc.STEPS:
            allowed = svc._STEPS[step][0]
            if concern.status in allowed:
                steps.append({"step": step, "label": STEP_LABELS[step], "url_name": f"care:concern_{step}",
                              "note_required": step in ("resolve", "refer", "unsolvable")})
    context = {
        "concern": concern,
        "events": list(sel.concern_timeline(concern)),
        "own": own,
        "show_mine": own and has_perm(actor, "care.rate_concern"),
        "can_handle": can_handle,
        "steps": steps,
        "can_reassign": can_handle and concern.is_open,
        "can_rate": own and not concern.is_open and concern.rating is None and has_perm(actor, "care.rate_concern"),
        "rate_form": bootstrap(ConcernRateForm()),
        "overdue": concern.is_open and concern.deadline < timezone.localdate(),
    }
    return render_page(request, "care/concern_detail.html", context)


def _step_view(step: str) -> Any:
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        actor: Any = request.user
        form = ConcernStepForm(request.POST)
        form.is_valid()
        try:
            with transaction.atomic():
                concern = sel.access_concern(actor, pk, for_write=True)
                svc.concern_step(actor=actor, concern=concern, step=step, note=form.cleaned_data.get("note", ""))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("care:concern_detail", pk=pk)
        messages.success(request, _("已%(step)s") % {"step": STEP_LABELS[step]})
        return redirect("care:concern_detail", pk=pk)

    view.__name__ = f"concern_{step}"
    view.__doc__ = f"Concern step: {step} (one service: concern_step)."
    return view


@require_http_methods(["GET", "POST"])
def concern_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    actor: Any = request.user
    concern = sel.access_concern(actor, pk)
    if not covers(actor, "care.handle_concern", concern.unit.path):
        raise PermissionDenied("care.handle_concern")
    units = restrict(Unit.objects.all(), actor, "care.handle_concern").exclude(pk=concern.unit_id)
    units = units.filter(path__in=[concern.unit.path[:i] for i in range(1, len(concern.unit.path))
                                   if concern.unit.path[i - 1] == "/"]) | units.filter(parent=concern.unit)
    form = ConcernReassignForm(request.POST if request.method == "POST" else None, units=units.order_by("path"))
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                locked = sel.access_concern(actor, pk, for_write=True)
                svc.concern_reassign(actor=actor, concern=locked, unit=form.cleaned_data["unit"],
                                     note=form.cleaned_data["note"])
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("已改派"))
            return redirect("care:concern_detail", pk=pk)
    bootstrap(form)
    return render_page(request, "care/concern_reassign.html", {"form": form, "concern": concern},
                       status=400 if request.method == "POST" else 200)


@require_POST
def concern_rate(request: HttpRequest, pk: int) -> HttpResponse:
    actor: Any = request.user
    form = ConcernRateForm(request.POST)
    concern = sel.access_concern(actor, pk, perm="care.rate_concern")  # only one's own
    if not form.is_valid():
        messages.error(request, _("请选择 1 到 5 分"))
        return redirect("care:concern_detail", pk=pk)
    try:
        svc.concern_rate(actor=actor, concern=concern, rating=form.cleaned_data["rating"],
                         comment=form.cleaned_data["comment"])
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("感谢您的评价"))
    return redirect("care:concern_detail", pk=pk)


urlpatterns = [
    path("concerns/", concern_list, name="concern_list"),
    path("concerns/export/", concern_export, name="concern_export"),
    path("concerns/mine/", concern_mine, name="concern_mine"),
    path("concerns/new/", concern_create, name="concern_create"),
    path("concerns/<int:pk>/", concern_detail, name="concern_detail"),
    *[path(f"concerns/<int:pk>/{step}/", _step_view(step), name=f"concern_{step}") for step in svc.STEPS],
    path("concerns/<int:pk>/reassign/", concern_reassign, name="concern_reassign"),
    path("concerns/<int:pk>/rate/", concern_rate, name="concern_rate"),
    path("field-visits/<int:pk>/concern/", concern_from_visit, name="concern_from_visit"),
]
