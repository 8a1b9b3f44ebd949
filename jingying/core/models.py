"""Cross-cutting records: the tamper-evident audit trail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One audited event. Entries form a SHA-256 chain: `hash` covers this entry's fields and
    the previous entry's hash, so changing or deleting any row breaks every hash after it.

    Written only by jingying.core.audit.record(); never updated or deleted by the application.
    """

    seq = models.PositiveBigIntegerField(_("序号"), unique=True)
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", db_constraint=False,
    )
    actor_name = models.CharField(_("操作人账号"), max_length=150, blank=True)
    source_ip = models.CharField(_("来源地址"), max_length=45, blank=True)
    # "token:jy_AbCdE" when the request authenticated with an API token; blank for the browser
    # session and the system. Hashed only when set, so entries written before it existed verify.
    credential = models.CharField(_("凭据"), max_length=32, blank=True)
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    object_id = models.CharField(_("对象标识"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    person_id = models.BigIntegerField(_("涉及人员"), null=True, blank=True, db_index=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    reason = models.CharField(_("事由"), max_length=200, blank=True)
    prev_hash = models.CharField(_("前一条哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id"]), models.Index(fields=["at"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_repr}"


class AuditHead(models.Model):
    """The chain's tip, one row, locked by every writer so entries get consecutive numbers."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash[:8]}"


class Notification(models.Model):
    """An in-app message to one user (reminders, alerts, escalations from every module).

    Written only by jingying.core.notifications.notify(); urgent ones also go out through the
    configured channels (JINGYING_NOTIFY_CHANNELS, e.g. e-mail or an SMS gateway).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE,
                             related_name="notifications")
    kind = models.CharField(_("类别"), max_length=48)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    urgent = models.BooleanField(_("紧急"), default=False)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"]), models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return self.title


class PeriodicRun(models.Model):
    """When each periodic job (escalations, reminders: settings.JINGYING_PERIODIC_JOBS) last ran.

    The row is locked while a runner decides whether the job is due, so several app nodes each
    running `jingying periodic --loop` start a job once, not once per node.
    """

    name = models.CharField(_("任务"), max_length=64, unique=True)
    started_at = models.DateTimeField(_("上次开始"), null=True, blank=True)
    finished_at = models.DateTimeField(_("上次结束"), null=True, blank=True)
    result = models.CharField(_("上次结果"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("定时任务")
        verbose_name_plural = _("定时任务")

    def __str__(self) -> str:
        return self.name
