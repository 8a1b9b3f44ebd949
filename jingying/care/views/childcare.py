"""Screens for childcare (子女托管): programmes for staff, the officer's own page (phone-first)
to enrol children, waiting list, cancellations and daily attendance."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_http_methods, require_POST

from jingying.care.choices import EnrolmentStatus
from jingying.care.forms_childcare import EnrolForm, ParentLookupForm, ProgrammeForm, programme_initial
from jingying.care.models.childcare import ChildcareProgramme
from jingying.care.selectors import childcare as selectors
from jingying.care.services import childcare as services
from jingying.care.views import support_kit as kit
from jingying.care.views.support_kit import Col
from jingying.core.scoping import covers
from jingying.core.views_generic import render_page, require_perm, save_form
from jingying.org.models import Person
from jingying.org.selectors import unit_list
from jingying.org.tables import age_on

FILTERS = ("unit", "year", "q")
COLUMNS = [
    Col(_l("项目名称"), lambda p: p.name),
    Col(_l("期次"), lambda p: p.period),
    Col(_l("主办单位"), lambda p: p.unit.name),
    Col(_l("托管场所"), lambda p: p.centre),
    Col(_l("开始日期"), lambda p: p.start),
    Col(_l("结束日期"), lambda p: p.end),
    Col(_l("年龄"), lambda p: f"{p.min_age}–{p.max_age}"),
    Col(_l("名额"), lambda p: p.capacity),
    Col(_l("已录取"), lambda p: p.enrolled_count),
    Col(_l("候补"), lambda p: p.waiting_count),
]


def childcare_list(request: HttpRequest) -> HttpResponse:
    return kit.list_view(request, selectors.childcare_programme_list, filters=FILTERS, perm="care.view_childcare",
                         columns=COLUMNS, title=_("子女托管"), url="care:childcare_list", detail="care:childcare_detail",
                         add=("care.add_childcare", "care:childcare_create"),
                         export=("care.export_childcare", "care:childcare_list_export"), empty=_("没有托管项目"))


def childcare_list_export(request: HttpRequest) -> HttpResponse:
    return kit.export_view(request, selectors.childcare_programme_list, filters=FILTERS, perm="care.export_childcare",
                           columns=COLUMNS, filename=_("子女托管项目.xlsx"), sheet=_("托管项目"))


@require_http_methods(["GET", "POST"])
def childcare_create(request: HttpRequest) -> HttpResponse:
    require_perm(request, "care.add_childcare")
    actor = request.user
    form = ProgrammeForm(request.POST if request.method == "POST" else None,
                         units=unit_list(actor=actor, perm="care.add_childcare"))
    done = save_form(request, form, lambda data: services.childcare_programme_create(actor=actor, **data),
                     success=_("已创建托管项目"), next_url=lambda p: reverse("care:childcare_detail", args=[p.pk]))
    return done or kit.form_page(request, form=form, title=_("新建托管项目"), cancel_url=reverse("care:childcare_list"),
                                 invalid=request.method == "POST")


def childcare_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    programme = selectors.access_childcare_programme(actor, pk)
    enrolments = selectors.programme_enrolments(programme)

    def rows(status: str) -> list[dict[str, Any]]:
        """The enrolments in one state, each with the child's age when the programme starts."""
        return [{"enrolment": e, "age": age_on(e.child.birth_date, programme.start)}
                for e in enrolments if e.status == status]

    context = {
        "programme": programme,
        "enrolled": rows(EnrolmentStatus.ENROLLED),
        "waiting": rows(EnrolmentStatus.WAITING),
        "cancelled": rows(EnrolmentStatus.CANCELLED),
        "can_change": covers(actor, "care.change_childcare", programme.unit.path),
        "can_delete": covers(actor, "care.delete_childcare", programme.unit.path),
        "can_mark": covers(actor, "care.mark_childcare", programme.unit.path),
        "can_export": covers(actor, "care.export_childcare", programme.unit.path),
    }
    return render_page(request, "care/childcare_detail.html", context)


@require_http_methods(["GET", "POST"])
def childcare_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    programme = selectors.access_childcare_programme(actor, pk, perm="care.change_childcare")
    form = ProgrammeForm(request.POST if request.method == "POST" else None,
                         units=unit_list(actor=actor, perm="care.change_childcare"),
                         initial=programme_initial(programme))
    return kit.edit_page(request, form,
                         lambda data: services.childcare_programme_update(actor=actor, programme=programme, **data),
                         title=_("编辑托管项目"), detail_url=reverse("care:childcare_detail", args=[pk]))


@require_http_methods(["GET", "POST"])
def childcare_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    programme = selectors.access_childcare_programme(actor, pk, perm="care.delete_childcare")
    if request.method == "POST":
        services.childcare_programme_delete(actor=actor, programme=programme)
        messages.success(request, _("已删除托管项目"))
        return redirect("care:childcare_list")
    return kit.confirm_page(request, message=_("删除托管项目“%(name)s”及其报名和出勤记录？此操作不能撤销。") % {"name": str(programme)},
                            cancel_url=reverse("care:childcare_detail", args=[pk]))


def childcare_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The programme's enrolments and its attendance grid (one column per day)."""
    require_perm(request, "care.export_childcare")
    programme = selectors.access_childcare_programme(request.user, pk, perm="care.export_childcare")
    enrolments = selectors.programme_enrolments(programme)
    rows = [[e.child.name, age_on(e.child.birth_date, programme.start), e.person.name, e.person.unit.name,
             e.get_status_display(), e.requested_at] for e in enrolments]
    days, enrolled, grid = selectors.attendance_grid(programme)
    present, absent = _("出勤"), _("缺勤")
    attendance = [[e.child.name, e.person.name, *[(present if grid[(e.pk, d)] else absent) if (e.pk, d) in grid else ""
                                                 for d in days],
                   sum(1 for d in days if grid.get((e.pk, d)))] for e in enrolled]
    return kit.workbook(_("%(name)s-报名与出勤.xlsx") % {"name": programme.name}, [
        (_("报名"), [_("子女"), _("年龄"), _("家长"), _("单位"), _("状态"), _("报名时间")], rows),
        (_("出勤"), [_("子女"), _("家长"), *[d.isoformat() for d in days], _("出勤天数")], attendance),
    ])


@require_http_methods(["GET", "POST"])
def childcare_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """One day's attendance: every enrolled child, ticked when present."""
    actor = request.user
    programme = selectors.access_childcare_programme(actor, pk, perm="care.mark_childcare")
    raw = request.POST.get("day") or request.GET.get("day") or ""
    try:
        day = dt.date.fromisoformat(raw) if raw else min(timezone.localdate(), programme.end)
    except ValueError:
        day = min(timezone.localdate(), programme.end)
    days, enrolled, grid = selectors.attendance_grid(programme)
    error = ""
    if request.method == "POST":
        present = {int(v) for v in request.POST.getlist("present") if v.isdigit()}
        try:
            services.childcare_attendance_mark(actor=actor, programme=programme, day=day, present_ids=present)
        except ValidationError as exc:
            error = "；".join(exc.messages)
        else:
            messages.success(request, _("已登记 %(day)s 的出勤") % {"day": day.isoformat()})
            return redirect(reverse("care:childcare_attendance", args=[pk]) + f"?day={day.isoformat()}")
    rows = [{"enrolment": e, "present": grid.get((e.pk, day), True), "marked": (e.pk, day) in grid} for e in enrolled]
    return render_page(request, "care/childcare_attendance.html",
                       {"programme": programme, "day": day, "rows": rows, "days": days[-10:], "error": error},
                       status=400 if error else 200)


@require_http_methods(["GET", "POST"])
def childcare_enrol_for(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff enrol a child for a parent: find the officer (警号 or 身份证号, within the staff
    member's units), then pick one of the officer's children. The service checks the rest (age,
    audience, duplicates) and puts the child on the waiting list when the places are taken."""
    actor = request.user
    programme = selectors.access_childcare_programme(actor, pk, perm="care.change_childcare")
    posted = request.method == "POST"
    data = request.POST if posted else (request.GET if "officer" in request.GET else None)
    lookup = ParentLookupForm(data, find=lambda ref: selectors.childcare_parent(actor, ref))
    parent = lookup.cleaned_data["officer"] if lookup.is_valid() else None
    children = selectors.my_children(parent) if parent else []
    form = EnrolForm(request.POST if posted and parent else None, children=children)
    kit.set_choices(form, "child", [(c.pk, _child_label(c, programme)) for c in children])
    if posted and parent and form.is_valid():
        child = next(c for c in children if str(c.pk) == form.cleaned_data["child"])
        try:
            enrolment = services.childcare_enrol(actor=actor, programme=programme, child=child,
                                                 notes=form.cleaned_data["notes"])
        except ValidationError as exc:
            kit.apply_errors(form, exc)
        else:
            if enrolment.status == EnrolmentStatus.ENROLLED:
                messages.success(request, _("已为 %(parent)s 的子女 %(child)s 报名，已录取")
                                 % {"parent": parent.name, "child": child.name})
            else:
                messages.warning(request, _("名额已满，%(child)s 已进入候补名单（第 %(n)s 位）")
                                 % {"child": child.name, "n": selectors.waiting_position(enrolment)})
            return redirect("care:childcare_detail", pk=pk)
    kit.bootstrap(lookup)
    kit.bootstrap(form)
    failed = (lookup.is_bound and not lookup.is_valid()) or (form.is_bound and not form.is_valid())
    return render_page(request, "care/childcare_enrol_for.html",
                       {"programme": programme, "lookup": lookup, "parent": parent, "children": children,
                        "form": form}, status=400 if failed else 200)


def _child_label(child: Any, programme: ChildcareProgramme) -> str:
    age = age_on(child.birth_date, programme.start) if child.birth_date else None
    if age is None:
        return _("%(name)s（未登记出生日期）") % {"name": child.name}
    return _("%(name)s（开班时 %(age)d 岁）") % {"name": child.name, "age": age}


def _my_person(request: HttpRequest) -> Person | None:
    person_id = getattr(request.user, "person_id", None)
    return Person.objects.select_related("unit").filter(pk=person_id).first() if person_id else None


def childcare_mine(request: HttpRequest) -> HttpResponse:
    """The officer's own page: programmes open to them, their children, their enrolments."""
    require_perm(request, "care.enrol_childcare")
    person = _my_person(request)
    if person is None:
        return render_page(request, "care/childcare_mine.html", {"person": None})
    children = selectors.my_children(person)
    # Each enrolment with its place on the waiting list; each open programme with the form that
    # offers the children of the right age.
    enrolments = [{"enrolment": e, "position": selectors.waiting_position(e)} for e in selectors.my_enrolments(person)]
    programmes = []
    for p in selectors.programmes_open_to(person):
        form = EnrolForm(children=[c for c in children if (a := age_on(c.birth_date, p.start)) is not None
                                   and p.min_age <= a <= p.max_age], prefix=f"p{p.pk}")
        form.fields["child"].widget.attrs["class"] = "form-select"
        programmes.append({"programme": p, "form": form})
    return render_page(request, "care/childcare_mine.html",
                       {"person": person, "children": children, "enrolments": enrolments, "programmes": programmes})


@require_POST
def childcare_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, "care.enrol_childcare")
    person = _my_person(request)
    if person is None:
        raise Http404
    try:
        programme = selectors.programmes_open_to(person).get(pk=pk)
    except (ChildcareProgramme.DoesNotExist, ValueError):
        raise Http404 from None
    children = selectors.my_children(person)
    form = EnrolForm(request.POST, children=children, prefix=f"p{pk}")
    if not form.is_valid():
        messages.error(request, _("请选择要报名的子女"))
        return redirect("care:childcare_mine")
    child = next(c for c in children if str(c.pk) == form.cleaned_data["child"])
    try:
        enrolment = services.childcare_enrol(actor=request.user, programme=programme, child=child,
                                             notes=form.cleaned_data["notes"])
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        if enrolment.status == EnrolmentStatus.ENROLLED:
            messages.success(request, _("%(child)s 报名成功，已录取") % {"child": child.name})
        else:
            messages.warning(request, _("名额已满，%(child)s 已进入候补名单，有空位时会按报名先后递补并通知您")
                             % {"child": child.name})
    return redirect("care:childcare_mine")


@require_POST
def childcare_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    enrolment = selectors.access_enrolment(actor, pk)
    try:
        promoted = services.childcare_cancel(actor=actor, enrolment=enrolment)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已取消报名") + ("，" + _("已递补 %(n)d 人") % {"n": len(promoted)} if promoted else ""))
    if enrolment.person_id == getattr(actor, "person_id", None):
        return redirect("care:childcare_mine")
    return redirect("care:childcare_detail", pk=enrolment.programme_id)


urlpatterns = [
    path("childcare/", childcare_list, name="childcare_list"),
    path("childcare/export/", childcare_list_export, name="childcare_list_export"),
    path("childcare/add/", childcare_create, name="childcare_create"),
    path("childcare/mine/", childcare_mine, name="childcare_mine"),
    path("childcare/<int:pk>/", childcare_detail, name="childcare_detail"),
    path("childcare/<int:pk>/edit/", childcare_edit, name="childcare_edit"),
    path("childcare/<int:pk>/delete/", childcare_delete, name="childcare_delete"),
    path("childcare/<int:pk>/export/", childcare_export, name="childcare_export"),
    path("childcare/<int:pk>/attendance/", childcare_attendance, name="childcare_attendance"),
    path("childcare/<int:pk>/enrol/", childcare_enrol, name="childcare_enrol"),
    path("childcare/<int:pk>/enrol-for/", childcare_enrol_for, name="childcare_enrol_for"),
    path("childcare/enrolments/<int:pk>/cancel/", childcare_cancel, name="childcare_cancel"),
]
