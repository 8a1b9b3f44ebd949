"""What the care-support API routers share: paging, error responses, unit references."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Schema

from jingying.org.models import Unit
from jingying.org.selectors import unit_list

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_ID = 2**63 - 1


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None


ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class Paging(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, description=f"每页条数，最多 {MAX_LIMIT}")
    offset: int = Field(0, ge=0, le=10**9)


def page(rows: QuerySet[Any] | Sequence[Any], paging: Paging) -> tuple[list[Any], int]:
    limit = min(paging.limit, MAX_LIMIT)
    if isinstance(rows, QuerySet):
        return list(rows[paging.offset: paging.offset + limit]), rows.count()
    return list(rows[paging.offset: paging.offset + limit]), len(rows)


def unit_ref(actor: Any, ref: str, perm: str, *, field: str = "unit") -> Unit:
    """A unit by id or code among those the actor holds `perm` over; anything else reads as unknown."""
    ref = str(ref).strip()
    q = Q(code=ref) | Q(pk=int(ref)) if ref.isdigit() and int(ref) <= MAX_ID else Q(code=ref)
    unit = unit_list(actor=actor, perm=perm).filter(q).first()
    if unit is None:
        raise ValidationError({field: [_("找不到单位“%(ref)s”（或不在您的管理范围内）") % {"ref": ref}]})
    return unit


def filters_of(schema: Schema) -> dict[str, str]:
    return {k: str(v) for k, v in schema.dict().items() if v not in (None, "")}


def check_filters(filterset: Any) -> None:
    if filterset.is_bound and not filterset.is_valid():
        raise ValidationError(filterset.errors.as_data())
