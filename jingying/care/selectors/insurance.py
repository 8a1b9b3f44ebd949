"""Reads of accident insurance: policies (staff of the policy's unit), insured people and
claims (staff over the person's unit; each officer their own)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404

from jingying.care.models.insurance import InsuranceClaim, InsurancePolicy, InsuredPerson
from jingying.care.selectors.support_filters import ClaimFilterSet, PolicyFilterSet, apply
from jingying.core.scoping import restrict

VIEW = "care.view_insurance"


def insurance_policy_list(*, actor: Any, filters: dict[str, Any] | None = None,
                          perm: str = VIEW) -> tuple[QuerySet[InsurancePolicy], PolicyFilterSet]:
    qs = restrict(InsurancePolicy.objects.select_related("unit"), actor, perm).annotate(
        insured_count=Count("insured", distinct=True))
    qs, filterset = apply(PolicyFilterSet, qs, filters)
    return qs.order_by("-start", "-id"), filterset


def access_insurance_policy(actor: Any, pk: Any, *, perm: str = VIEW) -> InsurancePolicy:
    try:
        return restrict(InsurancePolicy.objects.select_related("unit"), actor, perm).get(pk=pk)
    except (InsurancePolicy.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def policy_insured(actor: Any, policy: InsurancePolicy) -> QuerySet[InsuredPerson]:
    return restrict(policy.insured.select_related("person__unit"), actor, VIEW).order_by("person__name", "id")


def access_insured(actor: Any, pk: Any, *, perm: str) -> InsuredPerson:
    try:
        return restrict(InsuredPerson.objects.select_related("policy__unit", "person__unit"), actor, perm).get(pk=pk)
    except (InsuredPerson.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def insurance_claim_list(*, actor: Any, filters: dict[str, Any] | None = None,
                         perm: str = VIEW) -> tuple[QuerySet[InsuranceClaim], ClaimFilterSet]:
    qs = restrict(InsuranceClaim.objects.select_related("policy", "person__unit"), actor, perm)
    qs, filterset = apply(ClaimFilterSet, qs, filters)
    return qs.order_by("-submitted_on", "-id"), filterset


def access_insurance_claim(actor: Any, pk: Any, *, perm: str = VIEW, for_write: bool = False) -> InsuranceClaim:
    rows = restrict(InsuranceClaim.objects.select_related("policy__unit", "person__unit"), actor, perm)
    if for_write:
        rows = rows.select_for_update(of=("self",))
    try:
        return rows.get(pk=pk)
    except (InsuranceClaim.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def my_policies(person_id: int) -> QuerySet[InsurancePolicy]:
    return InsurancePolicy.objects.filter(insured__person_id=person_id).order_by("-start")


def policies_for_claims(actor: Any) -> QuerySet[InsurancePolicy]:
    """Policies a claim may be filed under: those of units in the actor's scope, and those bought
    by a unit above it (a county clerk files claims on the city's group policy)."""
    from django.db.models import Q

    from jingying.core.scoping import grant_roots

    ancestors: set[str] = set()
    for grant in grant_roots(actor, "care.change_insurance"):
        path = grant.unit_path
        ancestors.update(path[: i + 1] for i, ch in enumerate(path) if ch == "/")
    own = restrict(InsurancePolicy.objects.all(), actor, "care.change_insurance").values("id")
    return InsurancePolicy.objects.filter(Q(id__in=own) | Q(unit__path__in=ancestors)).order_by("-start", "-id")
