"""Helpers every app's views share (style rule 5): one view answers with the whole page or,
for htmx, just the fragment it swaps; bounded pagination; the permission gate for list pages;
a list and its Excel export reading the same filters (`filtered_list`); a form or a POST-only
action handing its data to one service (`save_form`, `run_service`).

Kept as functions rather than a class hierarchy so a view stays readable top to bottom.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from jingying.core import scoping

T = TypeVar("T")

PAGE_SIZES: tuple[int, ...] = (20, 50, 100)
DEFAULT_PAGE_SIZE = 50


def is_htmx(request: HttpRequest) -> bool:
    """An htmx request that wants a fragment (a history restore wants the whole page)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def htmx_target(request: HttpRequest) -> str:
    return request.headers.get("HX-Target", "") if is_htmx(request) else ""


def render_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    fragment: str | None = None,
    fragments: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The full page, or the fragment for an htmx request.

    `fragment` is used for any htmx request; `fragments` maps an HX-Target element id to the
    fragment that fills it, for pages with more than one swappable region.
    """
    chosen = template
    if is_htmx(request):
        target = htmx_target(request)
        if fragments and target in fragments:
            chosen = fragments[target]
        elif fragment:
            chosen = fragment
    response = render(request, chosen, context, status=status)
    # The same URL answers with two bodies; caches and the back button must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def require_perm(request: HttpRequest, perm: str) -> None:
    """403 unless some grant gives the permission (objects are still scoped one by one)."""
    scoping.require_perm(request.user, perm)


@dataclass
class PageInfo:
    page: Page
    per_page: int
    sizes: Sequence[int]
    params: QueryDict  # the current query without `page`

    @property
    def query(self) -> str:
        return self.params.urlencode()

    def url_for(self, **changes: Any) -> str:
        """The current query with some parameters replaced (e.g. another page or sort)."""
        params = self.params.copy()
        for key, value in changes.items():
            params[key] = str(value)
        return "?" + params.urlencode()

    def page_url(self, number: int) -> str:
        return self.url_for(page=number)

    @property
    def first_url(self) -> str:
        return self.page_url(1)

    @property
    def prev_url(self) -> str:
        return self.page_url(self.page.previous_page_number()) if self.page.has_previous() else ""

    @property
    def next_url(self) -> str:
        return self.page_url(self.page.next_page_number()) if self.page.has_next() else ""

    @property
    def last_url(self) -> str:
        return self.page_url(self.page.paginator.num_pages)


def paginate(request: HttpRequest, qs: QuerySet[Any], *, default: int = DEFAULT_PAGE_SIZE,
             sizes: Sequence[int] = PAGE_SIZES) -> PageInfo:
    """One bounded page: the page size is one of `sizes`, the number is clamped to what exists.

    Costs two queries whatever the page size (COUNT and the page itself).
    """
    try:
        per_page = int(request.GET.get("per_page", default))
    except ValueError:
        per_page = default
    if per_page not in sizes:
        per_page = default
    paginator = Paginator(qs, per_page)
    page = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return PageInfo(page=page, per_page=per_page, sizes=sizes, params=params)


# --- lists and their exports ----------------------------------------------------------------


def query_filters(request: HttpRequest, names: Sequence[str]) -> dict[str, str]:
    """The filters a list (and its export) reads from the query string: the non-blank ones among `names`."""
    return {k: request.GET[k].strip() for k in names if request.GET.get(k, "").strip()}


def filtered_list(request: HttpRequest, selector: Callable[..., tuple[QuerySet[Any], Any]], *,
                  filters: Sequence[str], perm: str) -> tuple[QuerySet[Any], Any]:
    """The gate and the rows of a list page or of its export, so both show the same rows.

    403 unless some grant gives `perm`; then the selector's scoped, filtered queryset and its
    filterset. The list passes its view permission, the export its export permission.
    """
    require_perm(request, perm)
    return selector(actor=request.user, filters=query_filters(request, filters), perm=perm)


def url_if(request: HttpRequest, perm: str, name: str, *args: Any) -> str:
    """The URL of a button the user may use (some grant gives `perm`), else "" (no button)."""
    return reverse(name, args=args) if scoping.has_perm(request.user, perm) else ""


# --- forms and actions that call one service ------------------------------------------------


def apply_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """A service's ValidationError onto the matching fields (`unit_id` onto `unit`), the rest onto the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            key = name.removesuffix("_id")
            form.add_error(key if key in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def save_form(request: HttpRequest, form: forms.BaseForm, save: Callable[[dict[str, Any]], T], *,
              success: str | Callable[[T], str], next_url: Callable[[T], str]) -> HttpResponse | None:
    """A POSTed form handed to one service: `save(cleaned_data)`, then a success message (text, or
    made from the result) and a redirect to `next_url(result)`.

    None means "show the form again": a GET, an invalid form, or a service that refused (its
    ValidationError is then on the form, so nothing was written and the user sees why).
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = save(dict(form.cleaned_data))
    except ValidationError as exc:
        apply_errors(form, exc)
        return None
    messages.success(request, success(result) if callable(success) else success)
    return redirect(next_url(result))


def run_service(request: HttpRequest, call: Callable[[], T], *, success: str = "") -> T | None:
    """One service call from a POST-only action (a button on a detail page).

    A refusal (ValidationError) becomes an error message on the next page and None; otherwise
    the `success` message (if any) and the service's result.
    """
    try:
        result = call()
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return None
    if success:
        messages.success(request, success)
    return result
