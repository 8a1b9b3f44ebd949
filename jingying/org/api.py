"""JSON API for units and people: the same selectors and services as the screens (style rules 2–4).

Everything is scoped exactly like the UI: lists go through the selectors' `restrict(...)`, one
object through `access_*` so an object outside the caller's grants answers 404 just like one that
does not exist. Lists page as `{"items": [...], "count": N}` with `limit`/`offset`; `limit` is
capped at MAX_LIMIT rather than refused, so a client asking for "everything" gets pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from jingying.core.scoping import covers, require_perm
from jingying.org import selectors, services
from jingying.org.filters import PersonFilterSet
from jingying.org.models import Person, Unit
from jingying.org.schemas import (
    DependentOut,
    DependentPage,
    ErrorOut,
    HistoryOut,
    HistoryPage,
    PersonIn,
    PersonOut,
    PersonPage,
    PersonPatch,
    UnitOut,
    UnitPage,
)
from jingying.org.tables import SORTS, sort_order

router = Router(tags=["org"])

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# Bounds that keep numbers inside a 64-bit SQL integer (beyond it SQLite raises, not "no rows").
MAX_OFFSET = 10**9
MAX_ID = 2**63 - 1

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class Paging(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, description=f"每页条数，最多 {MAX_LIMIT}")
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class UnitFilters(Schema):
    parent: int | None = Field(None, ge=1, le=MAX_ID, description="只列出该单位的直属下级")
    kind: str | None = Field(None, description="单位类型")
    q: str | None = Field(None, description="按名称、简称或代码搜索")


class PersonFilters(Schema):
    """The person list's filters, exactly those of the screen (jingying.org.filters.PersonFilterSet)."""

    unit: str | None = Field(None, description="单位 id 或代码（含全部下级）")
    category: str | None = Field(None, description="人员类别")
    rank: str | None = Field(None, description="警衔 1–13")
    status: str | None = Field(None, description="状态")
    age_band: str | None = Field(None, description="年龄段：lt30, 30-39, 40-49, 50-54, 55+")
    q: str | None = Field(None, description="搜索（姓名/警号/身份证号）")
    sort: str | None = Field(None, description="排序，与界面相同：name，或 -name 倒序")


def _actor(request: HttpRequest) -> Any:
    return request.user


def _page(rows: QuerySet[Any] | Sequence[Any], paging: Paging) -> tuple[list[Any], int]:
    """One page and the total; two queries for a queryset whatever the page size."""
    limit = min(paging.limit, MAX_LIMIT)
    start = paging.offset
    if isinstance(rows, QuerySet):
        return list(rows[start : start + limit]), rows.count()
    return list(rows[start : start + limit]), len(rows)


def _units_out(actor: Any, units: list[Unit]) -> list[UnitOut]:
    counts = selectors.unit_headcounts(actor=actor, units=units)
    return [UnitOut.from_unit(u, counts.get(u.pk, 0)) for u in units]


def _unit_ref(actor: Any, ref: str) -> Unit:
    """A unit named in a request body by id or code; one the caller cannot see reads as unknown."""
    ref = ref.strip()
    q = Q(code=ref) | Q(pk=int(ref)) if ref.isdigit() and int(ref) <= MAX_ID else Q(code=ref)
    unit = selectors.unit_list(actor=actor).filter(q).first()
    if unit is None:
        raise ValidationError({"unit": [_("找不到单位“%(ref)s”") % {"ref": ref}]})
    return unit


def _clean_fields(data: dict[str, Any]) -> dict[str, Any]:
    # The roster leaves 警号 empty for 辅警; the column is unique, so empty must be NULL.
    if "police_number" in data and not data["police_number"]:
        data["police_number"] = None
    return data


# --- units ---------------------------------------------------------------------------------


@router.get("/units", response={200: UnitPage, **ERRORS}, summary="单位列表")
def unit_list(request: HttpRequest, filters: Query[UnitFilters], paging: Query[Paging]) -> UnitPage:
    actor = _actor(request)
    require_perm(actor, "org.view_unit")
    qs = selectors.unit_list(actor=actor).order_by("path")
    if filters.parent is not None:
        qs = qs.filter(parent_id=filters.parent)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.q:
        text = filters.q.strip()
        qs = qs.filter(Q(name__contains=text) | Q(short_name__contains=text) | Q(code__startswith=text))
    units, count = _page(qs, paging)
    return UnitPage(items=_units_out(actor, units), count=count)


@router.get("/units/{int:unit_id}", response={200: UnitOut, **ERRORS}, summary="单位详情")
def unit_detail(request: HttpRequest, unit_id: int) -> UnitOut:
    actor = _actor(request)
    unit = selectors.access_unit(actor, unit_id)
    return _units_out(actor, [unit])[0]


@router.get("/units/{int:unit_id}/children", response={200: UnitPage, **ERRORS}, summary="直属下级单位")
def unit_children(request: HttpRequest, unit_id: int, paging: Query[Paging]) -> UnitPage:
    actor = _actor(request)
    unit = selectors.access_unit(actor, unit_id)
    units, count = _page(selectors.unit_children(actor=actor, unit=unit), paging)
    return UnitPage(items=_units_out(actor, units), count=count)


# --- people --------------------------------------------------------------------------------


@router.get("/people", response={200: PersonPage, **ERRORS}, summary="人员列表")
def person_list(request: HttpRequest, filters: Query[PersonFilters], paging: Query[Paging]) -> PersonPage:
    require_perm(_actor(request), "org.view_person")
    data = {k: v for k, v in filters.dict().items() if v not in (None, "")}
    sort = data.pop("sort", "")
    filterset = PersonFilterSet(data=data, queryset=Person.objects.none())
    if not filterset.is_valid():
        raise ValidationError(filterset.errors.as_data())
    if sort and sort.removeprefix("-") not in SORTS:
        allowed = ", ".join(f"{k}, -{k}" for k in SORTS)
        raise ValidationError({"sort": [_("无法按“%(s)s”排序，可用：%(allowed)s") % {"s": sort, "allowed": allowed}]})
    _key, ordering = sort_order(sort)
    qs = selectors.person_list(actor=_actor(request), filters=data).order_by(*ordering)
    people, count = _page(qs, paging)
    return PersonPage(items=[PersonOut.from_person(p) for p in people], count=count)


@router.get("/people/{int:person_id}", response={200: PersonOut, **ERRORS}, summary="人员详情")
def person_detail(request: HttpRequest, person_id: int) -> PersonOut:
    return PersonOut.from_person(selectors.access_person(_actor(request), person_id))


@router.post("/people", response={201: PersonOut, **ERRORS}, summary="新增人员")
def person_create(request: HttpRequest, payload: PersonIn) -> Status[PersonOut]:
    actor = _actor(request)
    require_perm(actor, "org.add_person")
    data = _clean_fields(payload.dict())
    unit = _unit_ref(actor, data.pop("unit"))
    person = services.person_create(actor=actor, unit=unit, source="api", **data)
    return Status(201, PersonOut.from_person(person))


@router.patch("/people/{int:person_id}", response={200: PersonOut, **ERRORS}, summary="修改人员")
def person_update(request: HttpRequest, person_id: int, payload: PersonPatch) -> PersonOut:
    actor = _actor(request)
    changes = _clean_fields(payload.dict(exclude_unset=True))
    for key in [k for k, v in changes.items() if v is None and k not in {"police_number", "rank", "police_start_date"}]:
        del changes[key]  # null means "leave as it is" for the fields that cannot be empty
    if "unit" in changes:
        changes["unit"] = _unit_ref(actor, changes["unit"])
    with transaction.atomic():
        selectors.access_person(actor, person_id)  # 404 when the caller cannot see them at all
        try:
            person = selectors.access_person(actor, person_id, for_write=True)
        except Http404:
            raise PermissionDenied from None  # visible but not theirs to change
        person = services.person_update(actor=actor, person=person, source="api", **changes)
    return PersonOut.from_person(person)


@router.get("/people/{int:person_id}/dependents", response={200: DependentPage, **ERRORS}, summary="家属")
def person_dependents(request: HttpRequest, person_id: int, paging: Query[Paging]) -> DependentPage:
    actor = _actor(request)
    require_perm(actor, "org.view_dependent")
    person = selectors.access_person(actor, person_id)
    if person.pk != getattr(actor, "person_id", None) and not covers(actor, "org.view_dependent", person.unit.path):
        # Dependents held only as self-service (decision 0014) are one's own, not anyone's visible.
        raise Http404
    rows, count = _page(selectors.dependent_list(actor=actor, person=person), paging)
    return DependentPage(items=[DependentOut.from_dependent(d) for d in rows], count=count)


@router.get("/people/{int:person_id}/history", response={200: HistoryPage, **ERRORS}, summary="履历变动")
def person_history(request: HttpRequest, person_id: int, paging: Query[Paging]) -> HistoryPage:
    actor = _actor(request)
    person = selectors.access_person(actor, person_id)
    rows, count = _page(selectors.person_history(actor=actor, person=person), paging)
    return HistoryPage(items=[HistoryOut.from_history(h) for h in rows], count=count)
