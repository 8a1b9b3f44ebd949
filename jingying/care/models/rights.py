"""Rights protection (维护民警执法权威): a case opened when an officer is assaulted, obstructed,
threatened, defamed online or maliciously complained about."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingying.care.choices import OfferAnswer, RightsActionKind, RightsIncident, RightsStatus
from jingying.org.models import Person, Unit


class RightsCase(models.Model):
    """One incident against one or more officers, from registration to the outcome.

    Owned by the unit that handles it (scope); each officer concerned sees their own cases.
    """

    scope_unit_path = "unit__path"
    scope_person = "officers"

    unit = models.ForeignKey(Unit, verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="+")
    officers: models.ManyToManyField[Person, RightsCaseOfficer] = models.ManyToManyField(
        Person, verbose_name=_("涉及民警"), through="RightsCaseOfficer", related_name="rights_cases")
    incident_kind = models.CharField(_("侵权类型"), max_length=16, choices=RightsIncident.choices)
    incident_date = models.DateField(_("发生日期"))
    place = models.CharField(_("发生地点"), max_length=200)
    description = models.TextField(_("经过"))
    status = models.CharField(_("状态"), max_length=16, choices=RightsStatus.choices, default=RightsStatus.REGISTERED)
    outcome = models.TextField(_("处理结果"), blank=True)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("维权案件")
        verbose_name_plural = _("维权案件")
        ordering = ["-incident_date", "-id"]
        indexes = [models.Index(fields=["unit", "status"]), models.Index(fields=["incident_date", "id"]),
                   models.Index(fields=["status", "incident_date"])]

    def __str__(self) -> str:
        return f"{self.incident_date:%Y-%m-%d} {self.get_incident_kind_display()}（{self.place}）"


class RightsCaseOfficer(models.Model):
    """An officer concerned by a case, with the psychological support offered to them on registration."""

    scope_unit_path = "case__unit__path"
    scope_person = "person_id"

    case = models.ForeignKey(RightsCase, verbose_name=_("维权案件"), on_delete=models.CASCADE, related_name="victims")
    person = models.ForeignKey(Person, verbose_name=_("民警"), on_delete=models.PROTECT, related_name="+")
    offer_at = models.DateTimeField(_("心理支持提供时间"), null=True, blank=True)
    offer_answer = models.CharField(_("心理支持答复"), max_length=12, choices=OfferAnswer.choices,
                                    default=OfferAnswer.PENDING)
    offer_answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("涉及民警")
        verbose_name_plural = _("涉及民警")
        ordering = ["case", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "person"], name="rights_case_person_unique")]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.person_id}"


def _evidence_path(instance: RightsEvidence, filename: str) -> str:
    # The stored name never comes from the upload (path tricks, clashes); the original is kept in file_name.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"care/rights/{instance.case_id}/{instance.sha256[:16]}.{ext}"


class RightsEvidence(models.Model):
    """A file proving what happened (photo, video, screenshot, medical report, document)."""

    scope_unit_path = "case__unit__path"
    scope_person = "case__officers"

    case = models.ForeignKey(RightsCase, verbose_name=_("维权案件"), on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("文件"), upload_to=_evidence_path, max_length=200)
    file_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("证据材料")
        verbose_name_plural = _("证据材料")
        ordering = ["case", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.file_name


class RightsAction(models.Model):
    """One step taken for the officer: legal aid, public clarification, referral, compensation."""

    scope_unit_path = "case__unit__path"
    scope_person = "case__officers"

    case = models.ForeignKey(RightsCase, verbose_name=_("维权案件"), on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(_("措施"), max_length=16, choices=RightsActionKind.choices)
    date = models.DateField(_("日期"))
    handled_by = models.CharField(_("承办人"), max_length=100)
    result = models.TextField(_("结果"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("维权措施")
        verbose_name_plural = _("维权措施")
        ordering = ["case", "date", "id"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"
