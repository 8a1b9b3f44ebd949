"""The force itself: the unit tree, the people in it, their families and their history."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingying.org.choices import (
    ETHNICITIES,
    Category,
    Education,
    Gender,
    HistoryField,
    Level,
    PersonStatus,
    PoliticalStatus,
    Rank,
    Relation,
    UnitKind,
)

# One path segment per tree level: the unit's id in fixed-width hex, so a subtree is one
# `path LIKE 'prefix%'` on an indexed column and sorting by path walks the tree depth-first.
PATH_SEGMENT_WIDTH = 6
PATH_SEPARATOR = "/"


def path_segment(unit_id: int) -> str:
    return f"{unit_id:0{PATH_SEGMENT_WIDTH}x}{PATH_SEPARATOR}"


class Unit(models.Model):
    """A unit of the force: 厅, 盟市局, 旗县区局/分局, 派出所, 警务室 or an internal office.

    `path` is the materialised chain of ancestor ids (including this unit's own), maintained by
    the services in jingying.org.services; never set it by hand.
    """

    # Scoping lookups for jingying.core.scoping.
    scope_unit_path = "path"

    parent = models.ForeignKey(
        "self", verbose_name=_("上级单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    code = models.CharField(_("单位代码"), max_length=32, unique=True)
    division_code = models.CharField(_("行政区划代码"), max_length=6, blank=True)
    name = models.CharField(_("单位全称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    kind = models.CharField(_("单位类型"), max_length=16, choices=UnitKind.choices)
    path = models.CharField(_("路径"), max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(_("层级"), default=0, editable=False)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["path"]
        indexes = [models.Index(fields=["short_name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return self.short_name or self.name


class Person(models.Model):
    """A 民警, 辅警 or other member of staff, with what the roster records about them."""

    scope_unit_path = "unit__path"
    scope_person = "id"

    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    ethnicity = models.CharField(_("民族"), max_length=2, choices=ETHNICITIES, default="01")
    birth_date = models.DateField(_("出生日期"))
    id_number = models.CharField(_("身份证号"), max_length=18, unique=True)
    police_number = models.CharField(_("警号"), max_length=6, null=True, blank=True, unique=True)
    category = models.CharField(_("人员类别"), max_length=12, choices=Category.choices, default=Category.POLICE)
    unit = models.ForeignKey(Unit, verbose_name=_("所在单位"), on_delete=models.PROTECT, related_name="people")
    position = models.CharField(_("职务"), max_length=50, blank=True)
    rank = models.PositiveSmallIntegerField(_("警衔"), choices=Rank.choices, null=True, blank=True)
    rank_technical = models.BooleanField(_("专业技术警衔"), default=False)
    level = models.CharField(_("职级"), max_length=4, choices=Level.choices, blank=True)
    political_status = models.CharField(
        _("政治面貌"), max_length=2, choices=PoliticalStatus.choices, default=PoliticalStatus.MASSES
    )
    education = models.CharField(_("学历"), max_length=2, choices=Education.choices, blank=True)
    police_start_date = models.DateField(_("入警时间"), null=True, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=PersonStatus.choices, default=PersonStatus.ACTIVE)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["name", "id"]),
            models.Index(fields=["unit", "name"]),
            models.Index(fields=["birth_date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rank__isnull=True) | models.Q(rank__gte=1, rank__lte=13),
                name="person_rank_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def rank_label(self) -> str:
        if self.rank is None:
            return ""
        label = str(Rank(self.rank).label)
        return str(_("专业技术%(rank)s") % {"rank": label}) if self.rank_technical else label


class Dependent(models.Model):
    """A family member, with what the care programmes need (childcare, visits, hardship)."""

    scope_unit_path = "person__unit__path"
    scope_person = "person_id"

    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="dependents")
    relation = models.CharField(_("关系"), max_length=16, choices=Relation.choices)
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    school = models.CharField(_("就读学校"), max_length=100, blank=True)
    employer = models.CharField(_("工作单位"), max_length=100, blank=True)
    hardship = models.BooleanField(_("困难家庭"), default=False)
    notes = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("家属")
        verbose_name_plural = _("家属")
        ordering = ["person", "relation", "birth_date"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_relation_display()}）"


class PersonHistory(models.Model):
    """One change of unit, rank, position, level or status, kept for the career record."""

    scope_unit_path = "person__unit__path"
    scope_person = "person_id"

    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="history")
    field = models.CharField(_("变动项"), max_length=12, choices=HistoryField.choices)
    old_value = models.CharField(_("变动前"), max_length=100, blank=True)
    new_value = models.CharField(_("变动后"), max_length=100, blank=True)
    changed_at = models.DateTimeField(_("变动时间"))
    source = models.CharField(_("来源"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("履历变动")
        verbose_name_plural = _("履历变动")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["person", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.field}: {self.old_value} → {self.new_value}"



def _roster_upload_path(instance: RosterImport, filename: str) -> str:
    return f"roster_imports/{instance.pk}.xlsx"


class RosterImport(models.Model):
    """A roster workbook uploaded through the web: validated in the background, shown to its
    uploader as a report, and imported only when they confirm. Visible to its uploader only."""

    class Status(models.TextChoices):
        VALIDATING = "validating", _("校验中")
        INVALID = "invalid", _("有错误")
        VALID = "valid", _("待确认")
        IMPORTING = "importing", _("导入中")
        DONE = "done", _("已导入")
        FAILED = "failed", _("处理失败")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    file = models.FileField(_("文件"), upload_to=_roster_upload_path, max_length=200)
    file_name = models.CharField(_("文件名"), max_length=255)
    size = models.PositiveBigIntegerField(_("大小"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.VALIDATING)
    progress_done = models.PositiveIntegerField(_("已处理"), default=0)
    progress_total = models.PositiveIntegerField(_("总数"), default=0)
    summary = models.JSONField(_("结果摘要"), default=dict, blank=True)
    errors = models.JSONField(_("错误（前若干条）"), default=list, blank=True)
    changes = models.JSONField(_("变更（前若干条）"), default=list, blank=True)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # Set by the retention job (jingying.core.retention) when it deleted the workbook and its error
    # report; the row keeps its summary.
    file_removed_at = models.DateTimeField(_("文件删除时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("花名册导入")
        verbose_name_plural = _("花名册导入")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_by", "created_at"])]

    def __str__(self) -> str:
        return self.file_name

    @property
    def busy(self) -> bool:
        return self.status in (self.Status.VALIDATING, self.Status.IMPORTING)

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))
