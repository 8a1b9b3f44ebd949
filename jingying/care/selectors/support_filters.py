"""Filter sets for the care-support lists (rights, campaigns, childcare, insurance), shared by
the screens, the API and the Excel exports."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from jingying.care.choices import ClaimStatus, RightsIncident, RightsStatus
from jingying.care.models.campaigns import CareCampaign
from jingying.care.models.childcare import ChildcareProgramme
from jingying.care.models.insurance import InsuranceClaim, InsurancePolicy
from jingying.care.models.rights import RightsCase
from jingying.core.scoping import subtree_q
from jingying.org.models import Unit


def _unit_path(value: str) -> str | None:
    paths = Unit.objects.order_by().values_list("path", flat=True)
    path = next(iter(paths.filter(code=value)[:1]), None)
    if path is None and value.isdigit() and len(value) < 12:
        path = next(iter(paths.filter(pk=int(value))[:1]), None)
    return path


class _UnitFilterMixin:
    unit_lookup = "unit__path"

    def filter_unit(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        path = _unit_path(value.strip())
        return queryset.none() if path is None else queryset.filter(subtree_q(self.unit_lookup, path))


class RightsCaseFilterSet(_UnitFilterMixin, django_filters.FilterSet):
    unit = django_filters.CharFilter(label=_("单位（含下级）"), method="filter_unit")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=RightsStatus.choices)
    incident_kind = django_filters.ChoiceFilter(label=_("侵权类型"), choices=RightsIncident.choices)
    year = django_filters.NumberFilter(label=_("年度"), field_name="incident_date", lookup_expr="year")
    q = django_filters.CharFilter(label=_("搜索（民警姓名/地点）"), method="filter_q")

    class Meta:
        model = RightsCase
        fields = ["unit", "status", "incident_kind", "year", "q"]

    def filter_q(self, queryset: QuerySet[RightsCase], name: str, value: str) -> QuerySet[RightsCase]:
        text = value.strip()
        if not text:
            return queryset
        ids = RightsCase.objects.filter(Q(place__contains=text) | Q(victims__person__name__contains=text)).values("id")
        return queryset.filter(id__in=ids)


class CampaignFilterSet(_UnitFilterMixin, django_filters.FilterSet):
    unit = django_filters.CharFilter(label=_("组织单位（含下级）"), method="filter_unit")
    year = django_filters.NumberFilter(label=_("年度"), field_name="start", lookup_expr="year")
    q = django_filters.CharFilter(label=_("名称"), field_name="name", lookup_expr="contains")

    class Meta:
        model = CareCampaign
        fields = ["unit", "year", "q"]


class ProgrammeFilterSet(_UnitFilterMixin, django_filters.FilterSet):
    unit = django_filters.CharFilter(label=_("主办单位（含下级）"), method="filter_unit")
    year = django_filters.NumberFilter(label=_("年度"), field_name="start", lookup_expr="year")
    q = django_filters.CharFilter(label=_("名称"), field_name="name", lookup_expr="contains")

    class Meta:
        model = ChildcareProgramme
        fields = ["unit", "year", "q"]


class PolicyFilterSet(_UnitFilterMixin, django_filters.FilterSet):
    unit = django_filters.CharFilter(label=_("投保单位（含下级）"), method="filter_unit")
    year = django_filters.NumberFilter(label=_("年度"), field_name="start", lookup_expr="year")
    q = django_filters.CharFilter(label=_("保险公司或保单号"), method="filter_q")

    class Meta:
        model = InsurancePolicy
        fields = ["unit", "year", "q"]

    def filter_q(self, queryset: QuerySet[InsurancePolicy], name: str, value: str) -> QuerySet[InsurancePolicy]:
        text = value.strip()
        return queryset.filter(Q(insurer__contains=text) | Q(policy_number__contains=text)) if text else queryset


class ClaimFilterSet(_UnitFilterMixin, django_filters.FilterSet):
    unit_lookup = "person__unit__path"
    unit = django_filters.CharFilter(label=_("出险人单位（含下级）"), method="filter_unit")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ClaimStatus.choices)
    policy = django_filters.NumberFilter(label=_("保单"), field_name="policy_id")
    year = django_filters.NumberFilter(label=_("年度"), field_name="incident_date", lookup_expr="year")
    q = django_filters.CharFilter(label=_("出险人姓名"), field_name="person__name", lookup_expr="contains")

    class Meta:
        model = InsuranceClaim
        fields = ["unit", "status", "policy", "year", "q"]


def apply(filterset_class: type[django_filters.FilterSet], qs: QuerySet[Any],
          filters: dict[str, Any] | None) -> tuple[QuerySet[Any], django_filters.FilterSet]:
    """The filtered queryset (none when the filters are invalid) and the filter set for its form."""
    filterset = filterset_class(data=filters or {}, queryset=qs)
    return (filterset.qs if filterset.is_valid() else qs.none()), filterset
