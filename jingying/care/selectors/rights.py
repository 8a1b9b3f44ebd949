"""Reads of rights-protection cases: scoped to the actor (political staff and leaders their
subtree, each officer their own cases)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from jingying.care.models.rights import RightsAction, RightsCase, RightsCaseOfficer, RightsEvidence
from jingying.care.selectors.support_filters import RightsCaseFilterSet, apply
from jingying.core import audit
from jingying.core.scoping import access, restrict

VIEW = "care.view_rightscase"


def _victims() -> Prefetch[Any]:
    return Prefetch("victims", queryset=RightsCaseOfficer.objects.select_related("person__unit").order_by("id"))


def rights_case_list(*, actor: Any, filters: dict[str, Any] | None = None,
                     perm: str = VIEW) -> tuple[QuerySet[RightsCase], RightsCaseFilterSet]:
    # An officer's own cases join through the officers; a case names each officer once, but a
    # user holding both a subtree grant and a self grant would otherwise see a case twice.
    scoped = restrict(RightsCase.objects.all(), actor, perm).values("id")
    qs = RightsCase.objects.filter(id__in=scoped).select_related("unit").prefetch_related(_victims())
    qs, filterset = apply(RightsCaseFilterSet, qs, filters)
    return qs.order_by("-incident_date", "-id"), filterset


def access_rights_case(actor: Any, pk: Any, *, perm: str = VIEW, for_write: bool = False) -> RightsCase:
    """One case in scope for `perm`, or 404; locked when writing."""
    qs = RightsCase.objects.select_related("unit")
    rows = qs.filter(id__in=restrict(RightsCase.objects.all(), actor, perm).values("id"))
    if for_write:
        rows = rows.select_for_update(of=("self",))
    return _get_any(rows, pk)


def rights_case_victims(case: RightsCase) -> list[RightsCaseOfficer]:
    return list(case.victims.select_related("person__unit").order_by("id"))


def rights_case_evidence(case: RightsCase) -> list[RightsEvidence]:
    return list(case.evidence.select_related("uploaded_by").order_by("uploaded_at", "id"))


def rights_case_actions(case: RightsCase) -> list[RightsAction]:
    return list(case.actions.order_by("date", "id"))


def access_rights_evidence(actor: Any, pk: Any, *, perm: str = VIEW) -> RightsEvidence:
    scoped = restrict(RightsEvidence.objects.all(), actor, perm).values("id")
    return _get_any(RightsEvidence.objects.select_related("case__unit").filter(id__in=scoped), pk)


def rights_evidence_download(*, actor: Any, pk: Any) -> RightsEvidence:
    """One evidence file to hand over (screen or API): in scope for viewing the case, or 404.

    Evidence may show an officer hurt or insulted, so who fetched which file is recorded in the
    audit trail (the record is written before the bytes leave)."""
    evidence = access_rights_evidence(actor, pk)
    audit.record(actor=actor, action="care.rights.evidence_download", obj=evidence.case,
                 after={"evidence": evidence.pk, "file_name": evidence.file_name, "sha256": evidence.sha256})
    return evidence


def access_rights_action(actor: Any, pk: Any, *, perm: str) -> RightsAction:
    scoped = restrict(RightsAction.objects.all(), actor, perm).values("id")
    return _get_any(RightsAction.objects.select_related("case__unit").filter(id__in=scoped), pk)


def access_rights_victim(actor: Any, pk: Any, *, perm: str) -> RightsCaseOfficer:
    return access(RightsCaseOfficer.objects.select_related("case__unit", "person__unit"), actor, perm, pk)


def _get_any(qs: QuerySet[Any], pk: Any) -> Any:
    from django.http import Http404

    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
