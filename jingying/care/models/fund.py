"""The relief fund (抚恤基金): a ledger of donations in and grants out, and the grants to the
families of fallen or injured officers with their two-step approval.

Invariants (proven by jingying/care/tests/test_fund_properties.py):
- the stored `Fund.balance` equals the sum of the fund's ledger entries and is never negative
  (a database check constraint backs the services' own check);
- a ledger entry is never changed or deleted once written: corrections are reversing entries
  that name the entry they reverse, at most one per entry (a unique one-to-one column).
Only jingying.care.services.fund writes these tables.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingying.care.choices import EntryKind, GrantReason, GrantStatus

MAX_DIGITS = 14  # up to 999,999,999,999.99 yuan


class Fund(models.Model):
    """One relief fund, held by a unit (usually the region's political department), with its
    running balance. Its row is the lock every money movement takes (select_for_update)."""

    scope_unit_path = "unit__path"

    unit = models.OneToOneField("org.Unit", verbose_name=_("管理单位"), on_delete=models.PROTECT,
                                related_name="relief_fund")
    name = models.CharField(_("基金名称"), max_length=100)
    balance = models.DecimalField(_("当前余额"), default=0, max_digits=MAX_DIGITS, decimal_places=2)
    last_seq = models.PositiveIntegerField(_("最后流水号"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("抚恤基金")
        verbose_name_plural = _("抚恤基金")
        ordering = ["unit__path"]
        constraints = [
            models.CheckConstraint(condition=models.Q(balance__gte=0), name="care_fund_balance_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class LedgerQuerySet(models.QuerySet["LedgerEntry"]):
    """Ledger rows cannot be changed or deleted in bulk either."""

    def update(self, **kwargs: Any) -> int:
        raise TypeError("ledger entries are immutable; write a reversing entry instead")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("ledger entries are immutable; write a reversing entry instead")


class LedgerEntry(models.Model):
    """One movement of money, numbered per fund. `amount` is signed: in > 0, out < 0.

    Immutable: `save()` only inserts and `delete()` refuses, as does the queryset (a guard, not
    business logic: the services never try)."""

    scope_unit_path = "fund__unit__path"

    fund = models.ForeignKey(Fund, verbose_name=_("基金"), on_delete=models.PROTECT, related_name="entries")
    seq = models.PositiveIntegerField(_("流水号"))
    kind = models.CharField(_("类型"), max_length=12, choices=EntryKind.choices)
    amount = models.DecimalField(_("金额"), max_digits=MAX_DIGITS, decimal_places=2)
    balance_after = models.DecimalField(_("记账后余额"), max_digits=MAX_DIGITS, decimal_places=2)
    booked_on = models.DateField(_("记账日期"))
    occurred_on = models.DateField(_("发生日期"))
    donor = models.CharField(_("捐赠人/单位"), max_length=100, blank=True)
    note = models.CharField(_("摘要"), max_length=300, blank=True)
    grant = models.ForeignKey("care.ReliefGrant", verbose_name=_("抚恤申请"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="entries")
    reverses = models.OneToOneField("self", verbose_name=_("冲正的流水"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="reversed_by")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记账人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("记账时间"), auto_now_add=True)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        verbose_name = _("基金流水")
        verbose_name_plural = _("基金流水")
        ordering = ["fund", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "seq"], name="care_ledger_seq_unique"),
            models.CheckConstraint(condition=~models.Q(amount=0), name="care_ledger_amount_not_zero"),
            models.CheckConstraint(condition=models.Q(balance_after__gte=0), name="care_ledger_balance_not_negative"),
        ]
        indexes = [models.Index(fields=["fund", "booked_on"]), models.Index(fields=["fund", "kind"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.get_kind_display()} {self.amount}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None or not self._state.adding:
            raise TypeError("ledger entries are immutable; write a reversing entry instead")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("ledger entries are immutable; write a reversing entry instead")


class ReliefGrant(models.Model):
    """A grant to the family of a fallen or injured officer: requested, approved twice by two
    different people (neither the requester), then paid from the fund (a ledger entry)."""

    scope_unit_path = "person__unit__path"
    scope_person = "person_id"

    fund = models.ForeignKey(Fund, verbose_name=_("基金"), on_delete=models.PROTECT, related_name="grants")
    person = models.ForeignKey("org.Person", verbose_name=_("民警/辅警"), on_delete=models.PROTECT,
                               related_name="relief_grants")
    dependent = models.ForeignKey("org.Dependent", verbose_name=_("领取家属"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="relief_grants")
    reason = models.CharField(_("事由"), max_length=12, choices=GrantReason.choices)
    details = models.TextField(_("情况说明"), blank=True)
    amount = models.DecimalField(_("金额"), max_digits=MAX_DIGITS, decimal_places=2)
    status = models.CharField(_("状态"), max_length=16, choices=GrantStatus.choices, default=GrantStatus.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人"), null=True,
                                     on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    first_approver = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("初审人"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    first_approved_at = models.DateTimeField(_("初审时间"), null=True, blank=True)
    second_approver = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("复审人"), null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    second_approved_at = models.DateTimeField(_("复审时间"), null=True, blank=True)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("拨付人"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    paid_at = models.DateTimeField(_("拨付时间"), null=True, blank=True)
    rejected_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("驳回人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    rejected_at = models.DateTimeField(_("驳回时间"), null=True, blank=True)
    rejection_reason = models.CharField(_("驳回理由"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("抚恤申请")
        verbose_name_plural = _("抚恤申请")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["status", "requested_at"]), models.Index(fields=["fund", "status"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="care_grant_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_reason_display()} {self.amount}"
