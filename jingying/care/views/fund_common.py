"""Small helpers the fund, equipment and scorecard views share."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from jingying.core.views_generic import render_page
from jingying.org.forms import bootstrap
from jingying.org.models import Person

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def form_page(request: HttpRequest, context: dict[str, Any], *, invalid: bool = False) -> HttpResponse:
    bootstrap(context["form"])
    return render_page(request, "care/fund_form.html", context, status=400 if invalid else 200)


def add_errors(form: BaseForm, exc: ValidationError, fields: dict[str, str] | None = None) -> None:
    """A service's errors onto the form (field names mapped where the form names them differently)."""
    fields = fields or {}
    if hasattr(exc, "error_dict"):
        for key, messages in exc.message_dict.items():
            name = fields.get(key, key)
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


def find_person(people: Any, ref: str) -> Person:
    """A person in `people` by ID number or police number; one not there reads as unknown."""
    ref = (ref or "").strip().upper()
    person = people.filter(Q(id_number=ref) | Q(police_number=ref)).select_related("unit").first() if ref else None
    if person is None:
        raise ValidationError({"person_ref": [_("找不到身份证号或警号为“%(ref)s”的人员") % {"ref": ref}]})
    return person


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
