"""Reads of police-hospital cooperation: the hospital directory (every holder of
care.view_hospital, whole force) and referrals (scoped, domain "health", reads audited)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from jingying.care.models import GreenChannelService, PartnerHospital, PoliceWindow, Referral
from jingying.core import audit
from jingying.core.scoping import access, require_perm, restrict

HEALTH = "health"


def hospital_list(*, actor: Any, filters: dict[str, Any] | None = None) -> QuerySet[PartnerHospital]:
    """The directory: every partner hospital, so an officer sees the green channels open to them.

    Not scoped by unit (hospitals are public directory data); only the permission is checked.
    """
    require_perm(actor, "care.view_hospital")
    qs = PartnerHospital.objects.select_related("unit").annotate(service_count=Count("services", distinct=True))
    f = filters or {}
    if f.get("q"):
        text = str(f["q"]).strip()
        qs = qs.filter(Q(name__contains=text) | Q(address__contains=text) | Q(unit__name__contains=text))
    if f.get("level"):
        qs = qs.filter(level=f["level"])
    if f.get("current"):
        today = timezone.localdate()
        qs = qs.filter(Q(contract_end__isnull=True) | Q(contract_end__gte=today))
    return qs.order_by("name", "id")


def hospital_get(*, actor: Any, pk: Any) -> PartnerHospital:
    """One hospital with its services and windows (404 when missing)."""
    qs = hospital_list(actor=actor).prefetch_related(
        Prefetch("services", queryset=GreenChannelService.objects.order_by("kind", "id")),
        Prefetch("windows", queryset=PoliceWindow.objects.order_by("id")),
    )
    try:
        return qs.get(pk=pk)
    except (PartnerHospital.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_hospital(actor: Any, pk: Any, *, for_write: bool = False) -> PartnerHospital:
    """A hospital the actor may manage (its signing unit in their subtree), or 404."""
    qs = PartnerHospital.objects.select_related("unit")
    return access(qs, actor, "care.manage_hospital", pk, for_write=for_write)


def access_service(actor: Any, pk: Any) -> GreenChannelService:
    return access(GreenChannelService.objects.select_related("hospital__unit"), actor, "care.manage_hospital", pk)


def access_window(actor: Any, pk: Any) -> PoliceWindow:
    return access(PoliceWindow.objects.select_related("hospital__unit"), actor, "care.manage_hospital", pk)


def referral_list(*, actor: Any, filters: dict[str, Any] | None = None) -> QuerySet[Referral]:
    qs = restrict(Referral.objects.all(), actor, "care.view_referral", domain=HEALTH)
    f = filters or {}
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    if f.get("source"):
        qs = qs.filter(source=f["source"])
    if f.get("hospital"):
        qs = qs.filter(hospital_id=f["hospital"])
    if f.get("q"):
        text = str(f["q"]).strip()
        qs = qs.filter(Q(person__name__contains=text) | Q(person__police_number=text))
    return qs.select_related("person__unit", "hospital", "service").order_by("-referred_on", "-id")


def access_referral(actor: Any, pk: Any, *, for_write: bool = False, perm: str = "care.view_referral") -> Referral:
    # Locking: PostgreSQL refuses FOR UPDATE across the outer joins of nullable relations.
    related = ("person__unit", "hospital") if for_write else ("person__unit", "hospital", "service", "created_by")
    return access(Referral.objects.select_related(*related), actor, perm, pk, domain=HEALTH, for_write=for_write)


def referral_read(*, actor: Any, pk: Any) -> Referral:
    """Open one referral: scoped (404 outside), and the read is audited (health domain)."""
    referral = access_referral(actor, pk)
    audit.record_read(actor=actor, obj=referral, person_id=referral.person_id, domain=HEALTH)
    return referral


def my_referrals(*, person_id: int | None) -> QuerySet[Referral]:
    """The officer's own referrals (their own page; no audit for reading one's own)."""
    if person_id is None:
        return Referral.objects.none()
    return Referral.objects.filter(person_id=person_id).select_related("hospital", "service").order_by("-referred_on")
