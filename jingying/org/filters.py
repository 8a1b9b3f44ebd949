"""Filters for the person and unit lists, shared by the UI, the API and exports."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jingying.core.scoping import subtree_q
from jingying.org.choices import Category, PersonStatus, Rank
from jingying.org.models import Person, Unit

# Labels stay lazy so each request sees them in its own language.
AGE_BANDS: list[tuple[str, Promise, int, int | None]] = [
    ("lt30", _("30 岁以下"), 0, 30),
    ("30-39", _("30–39 岁"), 30, 40),
    ("40-49", _("40–49 岁"), 40, 50),
    ("50-54", _("50–54 岁"), 50, 55),
    ("55+", _("55 岁及以上"), 55, None),
]


def age_band_q(band: str, today: dt.date | None = None) -> Q:
    """People whose age today is within the band, as a birth-date range (uses the index)."""
    today = today or timezone.localdate()  # the date where the force is, not UTC
    for code, _label, low, high in AGE_BANDS:
        if code == band:
            q = Q(birth_date__lte=_years_before(today, low))
            if high is not None:
                q &= Q(birth_date__gt=_years_before(today, high))
            return q
    return Q()


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


class PersonFilterSet(django_filters.FilterSet):
    unit = django_filters.CharFilter(label=_("单位（含下级）"), method="filter_unit")
    category = django_filters.ChoiceFilter(label=_("人员类别"), choices=Category.choices)
    rank = django_filters.TypedChoiceFilter(label=_("警衔"), choices=Rank.choices, coerce=int)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=PersonStatus.choices)
    age_band = django_filters.ChoiceFilter(
        label=_("年龄段"), choices=[(c, label) for c, label, _l, _h in AGE_BANDS], method="filter_age_band"
    )
    q = django_filters.CharFilter(label=_("搜索（姓名/警号/身份证号）"), method="filter_search")

    class Meta:
        model = Person
        fields = ["unit", "category", "rank", "status", "age_band", "q"]

    def filter_unit(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        """By unit code, else by id; the whole subtree under it.

        Code first (unique index, no ordering): codes are digits too, so "150100" is a code.
        """
        paths = Unit.objects.order_by().values_list("path", flat=True)
        path = next(iter(paths.filter(code=value)[:1]), None)
        if path is None and value.isdigit():
            path = next(iter(paths.filter(pk=int(value))[:1]), None)
        if path is None:
            return queryset.none()
        return queryset.filter(subtree_q("unit__path", path))

    def filter_age_band(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        return queryset.filter(age_band_q(value))

    def filter_search(self, queryset: QuerySet[Person], name: str, value: Any) -> QuerySet[Person]:
        from jingying.org.idnumber import normalise

        text = normalise(value) if value else ""
        if not text:
            return queryset
        if text.isdigit() and len(text) == 6:
            return queryset.filter(Q(police_number=text) | Q(name__contains=str(value).strip()))
        if len(text) >= 6 and text[:-1].isdigit():
            return queryset.filter(id_number__startswith=text)
        return queryset.filter(name__contains=str(value).strip())
