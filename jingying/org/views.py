"""Screens for units, people and their families (issue 2, "Screens").

Thin views (style rule 5): reads through jingying.org.selectors, writes through
jingying.org.services, one view answers with the whole page or the htmx fragment it swaps.
Out of scope is 404; a list the user holds no permission for at all is 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jingying.core.scoping import access, covers, has_perm
from jingying.core.views_generic import is_htmx, paginate, render_page, require_perm
from jingying.org import selectors, services
from jingying.org.choices import SERVING_STATUSES, Category, PersonStatus, ethnicity_label
from jingying.org.filters import PersonFilterSet
from jingying.org.forms import DependentForm, PersonForm, bootstrap
from jingying.org.models import Dependent, Person, Unit
from jingying.org.panels import dependents_context, panels_for
from jingying.org.tables import PersonTable, age_on, sort_order

# --- units ---------------------------------------------------------------------------------


def _visible_ancestors(actor: Any, unit: Unit) -> list[Unit]:
    """Breadcrumbs: the unit's ancestors the actor may open (the part above their grant is cut)."""
    return [u for u in selectors.unit_ancestors(unit) if covers(actor, "org.view_unit", u.path)]


def _tree_nodes(actor: Any, units: list[Unit]) -> list[dict[str, Any]]:
    counts = selectors.unit_headcounts(actor=actor, units=units)
    children = selectors.unit_child_counts(actor=actor, units=units)
    return [{"unit": u, "headcount": counts.get(u.pk, 0), "children": children.get(u.pk, 0)} for u in units]


def unit_tree(request: HttpRequest) -> HttpResponse:
    """The visible tree from the user's roots; `?parent=ID` (htmx) answers that unit's children."""
    require_perm(request, "org.view_unit")
    actor = request.user
    parent_id = request.GET.get("parent")
    if parent_id:
        parent = selectors.access_unit(actor, parent_id)
        nodes = _tree_nodes(actor, selectors.unit_children(actor=actor, unit=parent))
        return render_page(request, "org/unit_tree.html", {"nodes": nodes, "parent": parent, "roots": False},
                           fragment="org/partials/unit_nodes.html")
    nodes = _tree_nodes(actor, selectors.unit_roots(actor=actor))
    if len(nodes) <= 3:
        # A user with a few roots sees their first level opened; more roots stay folded.
        for node in nodes:
            if node["children"]:
                node["expanded"] = _tree_nodes(actor, selectors.unit_children(actor=actor, unit=node["unit"]))
    return render_page(request, "org/unit_tree.html", {"nodes": nodes, "roots": True},
                       fragment="org/partials/unit_nodes.html")


def _breakdown_table(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts by category (rows) × status (columns), with totals, for the unit page."""
    statuses = [s for s in PersonStatus if any(r["status"] == s for r in rows)]
    categories = [c for c in Category if any(r["category"] == c for r in rows)]
    cell = {(r["category"], r["status"]): r["n"] for r in rows}
    table = []
    for cat in categories:
        values = [cell.get((cat, s), 0) for s in statuses]
        serving = sum(cell.get((cat, s), 0) for s in SERVING_STATUSES)
        table.append({"label": cat.label, "values": values, "serving": serving, "total": sum(values)})
    totals = [sum(cell.get((c, s), 0) for c in categories) for s in statuses]
    return {"statuses": [s.label for s in statuses], "rows": table, "totals": totals, "total": sum(totals),
            "serving": sum(r["serving"] for r in table)}


def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    unit = selectors.access_unit(actor, pk)
    children = selectors.unit_children(actor=actor, unit=unit)
    nodes = _tree_nodes(actor, children)
    context = {
        "unit": unit,
        "breadcrumbs": _visible_ancestors(actor, unit)[:-1],
        "nodes": nodes,
        "breakdown": _breakdown_table(selectors.unit_breakdown(actor=actor, unit=unit)),
        "people_url": (reverse("org:person_list") + "?" + urlencode({"unit": unit.pk})
                       if has_perm(actor, "org.view_person") else ""),
        "add_url": (reverse("org:person_create") + "?" + urlencode({"unit": unit.pk})
                    if covers(actor, "org.add_person", unit.path) else ""),
    }
    return render_page(request, "org/unit_detail.html", context)


# --- people --------------------------------------------------------------------------------

INDENT = "\u3000"  # an ideographic space per tree level in a plain <select>
FILTER_FIELDS = ("unit", "category", "rank", "status", "age_band", "q")


def _unit_options(actor: Any, selected: str) -> SafeString:
    """The picker's <option>s, built here: at a whole-force scope there are hundreds."""
    rows = list(selectors.unit_list(actor=actor).values_list("pk", "name", "depth"))
    if not rows:
        return mark_safe("")
    top = min(depth for _pk, _name, depth in rows)
    # Down to two levels below the user's top unit (city bureaus and counties for the whole
    # force); deeper units are one click away on the unit pages, whose "people" link filters.
    options = [
        f'<option value="{pk}"{" selected" if str(pk) == selected else ""}>{INDENT * (depth - top)}{escape(name)}</option>'
        for pk, name, depth in rows
        if depth - top <= 2 or str(pk) == selected
    ]
    return mark_safe("\n".join(options))  # noqa: S308 - names escaped, the rest are integers


def _filter_selects(filterset: PersonFilterSet, data: dict[str, str]) -> list[dict[str, Any]]:
    """The choice filters as (name, label, options, selected) with an "all" option first."""
    out = []
    for name in ("category", "status", "rank", "age_band"):
        field = filterset.form.fields[name]
        options = [(str(v), label) for v, label in field.choices if v != ""]
        selected = data.get(name, "")
        # The <option>s as one string: ~30 of them per page, each a few template nodes otherwise.
        options_html = mark_safe("".join(  # noqa: S308 - values and labels escaped
            f'<option value="{escape(v)}"{" selected" if v == selected else ""}>{escape(label)}</option>'
            for v, label in options
        ))
        out.append({"name": name, "label": field.label, "options": options, "selected": selected,
                    "options_html": options_html})
    return out


def _per_page_options(page: Any) -> SafeString:
    return mark_safe("".join(  # noqa: S308 - integers only
        f'<option value="{n}"{" selected" if n == page.per_page else ""}>{n}</option>' for n in page.sizes
    ))


def _export_url(actor: Any, unit: str) -> str:
    """The roster export for the current unit filter, once the import/export slice provides it."""
    if not has_perm(actor, "org.export_person") or (unit and not unit.isdigit()):
        return ""  # the export takes a unit id; a unit typed as a code is not offered
    try:
        url = reverse("org:roster_export")
    except NoReverseMatch:
        return ""
    return url + ("?" + urlencode({"unit": unit}) if unit else "")


def person_list(request: HttpRequest) -> HttpResponse:
    require_perm(request, "org.view_person")
    actor = request.user
    data = {k: request.GET[k].strip() for k in FILTER_FIELDS if request.GET.get(k, "").strip()}
    qs, filterset = selectors.person_filter(actor=actor, filters=data)
    sort, ordering = sort_order(request.GET.get("sort", ""))
    qs = PersonTable.page_query(qs.order_by(*ordering))
    page = paginate(request, qs)
    context = {
        "filterset": filterset,
        "filter_form": filterset.form,
        "filter_selects": _filter_selects(filterset, data),
        "filter_open": any(k in data for k in ("category", "status", "rank", "age_band")),
        "per_page_options": _per_page_options(page),
        "unit_options": _unit_options(actor, data.get("unit", "")) if not is_htmx(request) else "",
        "page": page,
        "table": PersonTable(page.page.object_list, sort=sort, sort_url=lambda key: page.url_for(sort=key)),
        "sort": sort,
        "export_url": _export_url(actor, data.get("unit", "")),
        "can_add": has_perm(actor, "org.add_person"),
    }
    return render_page(request, "org/person_list.html", context, fragment="org/partials/person_results.html")


def _years_since(day: dt.date | None) -> int | None:
    return age_on(day)


def _profile_fields(person: Person) -> list[tuple[str, Any]]:
    def f(name: str) -> str:
        return str(Person._meta.get_field(name).verbose_name)  # type: ignore[union-attr]

    return [
        (f("name"), person.name),
        (f("gender"), person.get_gender_display()),
        (f("ethnicity"), ethnicity_label(person.ethnicity, person.ethnicity)),
        # Dates as rosters write them (1985-03-12), as in every table of the app.
        (f("birth_date"), person.birth_date.isoformat()),
        (str(_("年龄")), age_on(person.birth_date)),
        (f("id_number"), person.id_number),
        (f("category"), person.get_category_display()),
        (f("police_number"), person.police_number or ""),
        (f("position"), person.position),
        (f("rank"), person.rank_label),
        (f("level"), person.get_level_display() if person.level else ""),
        (f("political_status"), person.get_political_status_display()),
        (f("education"), person.get_education_display() if person.education else ""),
        (f("police_start_date"), person.police_start_date.isoformat() if person.police_start_date else ""),
        (str(_("警龄（年）")), _years_since(person.police_start_date)),
        (f("phone"), person.phone),
        (f("status"), person.get_status_display()),
    ]


def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    person = selectors.access_person(actor, pk)
    context = {
        "person": person,
        "fields": _profile_fields(person),
        "breadcrumbs": _visible_ancestors(actor, person.unit),
        "panels": panels_for(actor, person),
        "can_edit": covers(actor, "org.change_person", person.unit.path),
        "can_delete": covers(actor, "org.delete_person", person.unit.path),
    }
    if request.headers.get("HX-Target") == "dependents":
        context["panel"] = dependents_context(actor=actor, person=person)
    return render_page(request, "org/person_detail.html", context,
                       fragments={"dependents": "org/partials/dependents_panel.html"})


def _person_for(actor: Any, pk: int, perm: str) -> Person:
    # access_person knows view/change only; delete and family edits need their own permission.
    return access(Person.objects.select_related("unit"), actor, perm, pk)


def _dependent_for(actor: Any, pk: int) -> Dependent:
    # Viewing a family member (officers: their own) is not enough to change one: 404 as for any
    # object outside what the actor may change.
    return access(Dependent.objects.select_related("person__unit"), actor, "org.change_dependent", pk)


def _form_page(request: HttpRequest, template: str, context: dict[str, Any], *, fragment: str | None = None,
               invalid: bool = False) -> HttpResponse:
    bootstrap(context["form"])
    return render_page(request, template, context, fragment=fragment, status=400 if invalid else 200)


@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    require_perm(request, "org.add_person")
    actor = request.user
    units = selectors.unit_list(actor=actor, perm="org.add_person")
    form = PersonForm(request.POST if request.method == "POST" else None, units=units, initial={"unit": request.GET.get("unit")})
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        unit = changes.pop("unit")
        try:
            person = services.person_create(actor=actor, unit=unit, **changes)
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("已添加 %(name)s") % {"name": person.name})
            return redirect("org:person_detail", pk=person.pk)
    return _form_page(request, "org/person_form.html", {"form": form, "person": None},
                      invalid=request.method == "POST")


@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    person = _person_for(actor, pk, "org.change_person")
    units = selectors.unit_list(actor=actor, perm="org.change_person")
    if request.method == "POST":
        form = PersonForm(request.POST, instance=person, units=units)
        if form.is_valid():
            changes = form.changes()
            try:
                with transaction.atomic():
                    locked = selectors.access_person(actor, pk, for_write=True)
                    services.person_update(actor=actor, person=locked, **changes)
            except ValidationError as exc:
                form.apply_errors(exc)
            else:
                messages.success(request, _("已保存"))
                return redirect("org:person_detail", pk=pk)
        return _form_page(request, "org/person_form.html", {"form": form, "person": person}, invalid=True)
    form = PersonForm(instance=person, units=units)
    return _form_page(request, "org/person_form.html", {"form": form, "person": person})


@require_http_methods(["GET", "POST"])
def person_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    person = _person_for(actor, pk, "org.delete_person")
    context = {
        "object": person, "person": person,
        "cancel_url": reverse("org:person_detail", args=[person.pk]),
        "message": _("删除 %(name)s 的档案？其家属和履历记录将一并删除，此操作不能撤销。") % {"name": person.name},
    }
    if request.method == "POST":
        name = person.name
        try:
            services.person_delete(actor=actor, person=person)
        except (ProtectedError, RestrictedError):
            # Later modules keep records that must outlive no one (cases, honours…): say so.
            context["error"] = _("%(name)s 还有其他业务记录，不能删除；如已离开队伍，请把状态改为离职、调出或退休。") % {
                "name": name}
            return render_page(request, "org/confirm_delete.html", context, status=400)
        messages.success(request, _("已删除 %(name)s 的档案") % {"name": name})
        return redirect("org:person_list")
    return render_page(request, "org/confirm_delete.html", context)


# --- families ------------------------------------------------------------------------------


def _dependents_done(request: HttpRequest, person: Person) -> HttpResponse:
    """After a family change: the refreshed panel for htmx, the profile otherwise."""
    if is_htmx(request):
        person = selectors.access_person(request.user, person.pk)
        return render_page(request, "org/partials/dependents_panel.html",
                           {"person": person, "panel": dependents_context(actor=request.user, person=person)})
    return HttpResponseRedirect(reverse("org:person_detail", args=[person.pk]) + "#dependents")


@require_http_methods(["GET", "POST"])
def dependent_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    person = _person_for(actor, pk, "org.change_dependent")
    form = DependentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.dependent_create(actor=actor, person=person, **form.changes())
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            if not is_htmx(request):
                messages.success(request, _("已添加家属"))
            return _dependents_done(request, person)
    return _form_page(request, "org/dependent_form.html", {"form": form, "person": person, "dependent": None},
                      fragment="org/partials/dependent_form.html", invalid=request.method == "POST")


@require_http_methods(["GET", "POST"])
def dependent_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    dependent = _dependent_for(actor, pk)
    person = dependent.person
    form = DependentForm(request.POST if request.method == "POST" else None, instance=dependent)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                locked = selectors.access_dependent(actor, pk, for_write=True)
                services.dependent_update(actor=actor, dependent=locked, **form.changes())
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            if not is_htmx(request):
                messages.success(request, _("已保存"))
            return _dependents_done(request, person)
    return _form_page(request, "org/dependent_form.html", {"form": form, "person": person, "dependent": dependent},
                      fragment="org/partials/dependent_form.html", invalid=request.method == "POST")


@require_http_methods(["GET", "POST"])
def dependent_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    dependent = _dependent_for(actor, pk)
    person = dependent.person
    if request.method == "POST":
        services.dependent_delete(actor=actor, dependent=dependent)
        if not is_htmx(request):
            messages.success(request, _("已删除家属 %(name)s") % {"name": dependent.name})
        return _dependents_done(request, person)
    return render_page(request, "org/confirm_delete.html", {
        "object": dependent, "person": person,
        "cancel_url": reverse("org:person_detail", args=[person.pk]),
        "message": _("删除家属 %(name)s？此操作不能撤销。") % {"name": str(dependent)},
    })


urlpatterns = [
    path("units/", unit_tree, name="unit_tree"),
    path("units/<int:pk>/", unit_detail, name="unit_detail"),
    path("people/", person_list, name="person_list"),
    path("people/add/", person_create, name="person_create"),
    path("people/<int:pk>/", person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", person_edit, name="person_edit"),
    path("people/<int:pk>/delete/", person_delete, name="person_delete"),
    path("people/<int:pk>/dependents/add/", dependent_create, name="dependent_create"),
    path("dependents/<int:pk>/edit/", dependent_edit, name="dependent_edit"),
    path("dependents/<int:pk>/delete/", dependent_delete, name="dependent_delete"),
]
