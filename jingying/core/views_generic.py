"""Helpers every app's views share (style rule 5): one view answers with the whole page or,
for htmx, just the fragment it swaps; bounded pagination; the permission gate for list pages.

Kept as functions rather than a class hierarchy so a view stays readable top to bottom.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from jingying.core import scoping

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
