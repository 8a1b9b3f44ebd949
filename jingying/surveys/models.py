"""Questionnaires, campaigns, the participation ledger and responses (issue 4 points 1–4).

Anonymity (docs/anonymity.md, architecture §4 "Anonymous means unlinkable"):
- `Invitation` is the participation ledger: who was asked and whether they have answered —
  for an anonymous campaign a bare flag, no time, nothing pointing at the answers;
- `Response`/`Answer` carry no person, account, invitation, address or time (an anonymous
  response stores no date at all), and have random UUID keys;
- an anonymous submission first goes to `PendingResponse` and is moved into `Response` in
  shuffled batches of at least k (services.campaign_flush), so neither the storage order nor
  the transaction that wrote a response can be matched with the ledger or the audit trail.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingying.core.i18n import join_list
from jingying.surveys.choices import CampaignKind, CampaignPurpose, QuestionKind, VersionStatus


class Questionnaire(models.Model):
    """A questionnaire as a family of versions; owned by a unit whose staff may edit it. Units
    below the owner may use its published versions (a force shares its questionnaires down)."""

    scope_unit_path = "unit__path"

    code = models.SlugField(_("代码"), max_length=60, unique=True, allow_unicode=False)
    unit = models.ForeignKey("org.Unit", verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="+")
    instrument_code = models.CharField(_("量表代码"), max_length=16, blank=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("问卷")
        verbose_name_plural = _("问卷")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class QuestionnaireVersion(models.Model):
    """One version of a questionnaire. A published version is frozen: its questions never change
    (services refuse), and editing starts a new draft version copied from it."""

    scope_unit_path = "questionnaire__unit__path"

    questionnaire = models.ForeignKey(Questionnaire, verbose_name=_("问卷"), on_delete=models.CASCADE,
                                      related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    status = models.CharField(_("状态"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    title = models.CharField(_("标题"), max_length=200)
    intro = models.TextField(_("说明"), blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    # Analysis, not questions: may be edited on a published version too (jingying.surveys.indices).
    indices = models.JSONField(_("指数定义"), default=list, blank=True)

    class Meta:
        verbose_name = _("问卷版本")
        verbose_name_plural = _("问卷版本")
        ordering = ["questionnaire", "-number"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "number"], name="survey_version_unique")]

    def __str__(self) -> str:
        return str(_("%(title)s（v%(number)s）") % {"title": self.title, "number": self.number})

    @property
    def frozen(self) -> bool:
        return self.status == VersionStatus.PUBLISHED


class Question(models.Model):
    """One question (or section heading) of a version.

    `options`: [{"value": "a", "label": "…"}] — the choices of single/multiple, the scale of
    rating and matrix; `rows`: [{"code": "r1", "label": "…"}] for a matrix; `show_if`:
    {"question": CODE, "op": "equals|not_equals|in|gte|lte|answered", "value": …} on an
    earlier question (jingying.surveys.logic).
    """

    scope_unit_path = "version__questionnaire__unit__path"

    version = models.ForeignKey(QuestionnaireVersion, verbose_name=_("版本"), on_delete=models.CASCADE,
                                related_name="questions")
    position = models.PositiveIntegerField(_("顺序"))
    code = models.CharField(_("题目代码"), max_length=32)
    kind = models.CharField(_("题型"), max_length=12, choices=QuestionKind.choices)
    text = models.CharField(_("题目"), max_length=500)
    help_text = models.CharField(_("提示"), max_length=500, blank=True)
    required = models.BooleanField(_("必答"), default=True)
    options = models.JSONField(_("选项"), default=list, blank=True)
    rows = models.JSONField(_("矩阵行"), default=list, blank=True)
    min_value = models.IntegerField(_("最小值"), null=True, blank=True)
    max_value = models.IntegerField(_("最大值"), null=True, blank=True)
    show_if = models.JSONField(_("显示条件"), null=True, blank=True)
    instrument_item = models.CharField(_("量表题号"), max_length=8, blank=True)

    class Meta:
        verbose_name = _("题目")
        verbose_name_plural = _("题目")
        ordering = ["version", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="survey_question_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:40]}"

    @property
    def answerable(self) -> bool:
        return self.kind != QuestionKind.SECTION

    @property
    def show_if_label(self) -> str:
        """The condition in words, e.g. "stress 等于 yes"."""
        from jingying.surveys.choices import ShowIfOp

        cond = self.show_if or {}
        try:
            op = str(ShowIfOp(str(cond.get("op"))).label)
        except ValueError:
            op = str(cond.get("op", ""))
        value = cond.get("value")
        shown = join_list(value) if isinstance(value, list) else "" if value is None else str(value)
        return f"{cond.get('question', '')} {op} {shown}".strip()

    def option_label(self, value: str) -> str:
        for option in self.options or []:
            if str(option.get("value")) == str(value):
                return str(option.get("label", value))
        return str(value)


class Campaign(models.Model):
    """A questionnaire version sent to a unit subtree (optionally some person categories only)
    for a window. Its kind (identified / anonymous / public) is fixed when it is created."""

    scope_unit_path = "unit__path"

    title = models.CharField(_("名称"), max_length=200)
    version = models.ForeignKey(QuestionnaireVersion, verbose_name=_("问卷版本"), on_delete=models.PROTECT,
                                related_name="campaigns")
    unit = models.ForeignKey("org.Unit", verbose_name=_("范围单位"), on_delete=models.PROTECT, related_name="+")
    categories = models.JSONField(_("人员类别"), default=list, blank=True)
    kind = models.CharField(_("方式"), max_length=12, choices=CampaignKind.choices)
    # Fixed at creation, like `kind`; a screening campaign is never offered among "my surveys".
    purpose = models.CharField(_("用途"), max_length=12, choices=CampaignPurpose.choices,
                               default=CampaignPurpose.SURVEY, db_index=True)
    opens_at = models.DateTimeField(_("开始时间"))
    closes_at = models.DateTimeField(_("截止时间"))
    k_threshold = models.PositiveSmallIntegerField(_("最小公布人数"), default=5)
    intro = models.TextField(_("致参与者"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finalised = models.BooleanField(_("已结束汇总"), default=False)

    class Meta:
        verbose_name = _("问卷调查")
        verbose_name_plural = _("问卷调查")
        ordering = ["-opens_at", "-id"]
        indexes = [models.Index(fields=["opens_at", "id"]), models.Index(fields=["unit", "opens_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(closes_at__gt=models.F("opens_at")), name="campaign_window"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def anonymous(self) -> bool:
        return self.kind == CampaignKind.ANONYMOUS

    def is_open(self, now: object | None = None) -> bool:
        from django.utils import timezone

        moment = now or timezone.now()
        return self.opens_at <= moment < self.closes_at  # type: ignore[operator]


class Invitation(models.Model):
    """The participation ledger: one row per person in the campaign's scope.

    For an anonymous campaign `answered` is the only trace of a submission: no time, no date,
    nothing pointing at the response. Reminders and the one-response rule read it.
    """

    scope_unit_path = "unit__path"
    scope_person = "person_id"

    campaign = models.ForeignKey(Campaign, verbose_name=_("问卷调查"), on_delete=models.CASCADE,
                                 related_name="invitations")
    person = models.ForeignKey("org.Person", verbose_name=_("人员"), on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("org.Unit", verbose_name=_("所在单位"), on_delete=models.PROTECT, related_name="+")
    answered = models.BooleanField(_("已作答"), default=False)
    # Identified campaigns only; stays empty for anonymous ones.
    answered_on = models.DateField(_("作答日期"), null=True, blank=True)
    reminders = models.PositiveSmallIntegerField(_("提醒次数"), default=0)

    class Meta:
        verbose_name = _("参与记录")
        verbose_name_plural = _("参与记录")
        ordering = ["campaign", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "person"], name="survey_invitation_unique")]
        indexes = [models.Index(fields=["person", "answered"]), models.Index(fields=["campaign", "unit", "answered"])]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.person_id}"


class PendingResponse(models.Model):
    """An anonymous submission waiting to be mixed into `Response` with at least k − 1 others
    (services.campaign_flush). Deleted when moved; never read by results."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, verbose_name=_("问卷调查"), on_delete=models.CASCADE, related_name="+")
    payload = models.JSONField(_("内容"))

    class Meta:
        verbose_name = _("待汇入答卷")
        verbose_name_plural = _("待汇入答卷")

    def __str__(self) -> str:
        return str(self.campaign_id)


class Response(models.Model):
    """One completed questionnaire.

    Anonymous: unit, category and age band (for grouped results, shown only for groups of at
    least k) and nothing else — no person, no date. Identified: also the person and the date.
    Public (point 5): no person; the date.
    """

    scope_unit_path = "unit__path"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, verbose_name=_("问卷调查"), on_delete=models.CASCADE,
                                 related_name="responses")
    unit = models.ForeignKey("org.Unit", verbose_name=_("单位"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    category = models.CharField(_("人员类别"), max_length=12, blank=True)
    age_band = models.CharField(_("年龄段"), max_length=8, blank=True)
    person = models.ForeignKey("org.Person", verbose_name=_("人员"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+")
    submitted_on = models.DateField(_("提交日期"), null=True, blank=True)
    score = models.JSONField(_("量表结果"), null=True, blank=True)

    class Meta:
        verbose_name = _("答卷")
        verbose_name_plural = _("答卷")
        indexes = [models.Index(fields=["campaign", "unit"])]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "person"], name="survey_response_person_unique",
                                    condition=models.Q(person__isnull=False)),
        ]

    def __str__(self) -> str:
        return str(self.pk)


class Answer(models.Model):
    """One answer: a choice (one row per chosen option; per row for a matrix), a number or text."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, verbose_name=_("答卷"), on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, verbose_name=_("题目"), on_delete=models.PROTECT, related_name="+")
    row = models.CharField(_("矩阵行"), max_length=32, blank=True)
    choice = models.CharField(_("选项"), max_length=64, blank=True)
    number = models.DecimalField(_("数值"), max_digits=12, decimal_places=2, null=True, blank=True)
    text = models.TextField(_("文本"), blank=True)

    class Meta:
        verbose_name = _("答案")
        verbose_name_plural = _("答案")
        indexes = [models.Index(fields=["question", "row", "choice"])]

    def __str__(self) -> str:
        return f"{self.question_id}:{self.row}{self.choice}"


class Reminder(models.Model):
    """An in-app reminder to answer a campaign, shown on the person's "my surveys" page."""

    scope_unit_path = "person__unit__path"
    scope_person = "person_id"

    person = models.ForeignKey("org.Person", verbose_name=_("人员"), on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, verbose_name=_("问卷调查"), on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("提醒时间"), auto_now_add=True)
    read = models.BooleanField(_("已读"), default=False)

    class Meta:
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["person", "read"])]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.campaign_id}"


# --- public evaluation (issue 4 point 5) -----------------------------------------------------


class PublicLink(models.Model):
    """The unguessable address of a public campaign (/p/<token>/, the QR poster)."""

    campaign = models.OneToOneField(Campaign, verbose_name=_("问卷调查"), on_delete=models.CASCADE,
                                    related_name="public_link")
    token = models.CharField(_("公开链接码"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("公开评价链接")
        verbose_name_plural = _("公开评价链接")

    def __str__(self) -> str:
        return self.token


class PublicSubmission(models.Model):
    """The ledger of public submissions: idempotency, one per device per day, spam review.

    Holds no person, account or address. `device` is an HMAC of the device cookie, the campaign
    and the day (unlinkable across days and campaigns). An accepted submission's answers are in
    `Response` (with the day only) and nothing here points at that row; a held one keeps its
    answers in `payload` until staff release (→ `Response`) or reject it.
    """

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("已计入")
        HELD = "held", _("待审核")
        RELEASED = "released", _("审核后计入")
        REJECTED = "rejected", _("已剔除")

    class Reason(models.TextChoices):
        NONE = "", _("无")
        SPEED = "speed", _("填写过快")
        BURST = "burst", _("短时间内大量相同答卷")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, verbose_name=_("问卷调查"), on_delete=models.CASCADE,
                                 related_name="public_submissions")
    key = models.CharField(_("提交码"), max_length=64)
    device = models.CharField(_("设备摘要"), max_length=64)
    day = models.DateField(_("日期"))
    at = models.DateTimeField(_("提交时间"))
    digest = models.CharField(_("答案摘要"), max_length=64)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACCEPTED)
    reason = models.CharField(_("原因"), max_length=10, choices=Reason.choices, blank=True, default="")
    payload = models.JSONField(_("待审核内容"), null=True, blank=True)

    class Meta:
        verbose_name = _("公开评价提交")
        verbose_name_plural = _("公开评价提交")
        ordering = ["at"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "key"], name="public_submission_key_unique"),
            models.UniqueConstraint(fields=["campaign", "device"], name="public_submission_device_unique"),
        ]
        indexes = [models.Index(fields=["campaign", "digest", "at"]), models.Index(fields=["campaign", "status"])]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.key}"


class PublicThrottle(models.Model):
    """Public submissions per source address (an HMAC, not the address) in a fixed window;
    shared by every server process through the database."""

    key = models.CharField(_("来源摘要"), max_length=64, unique=True)
    window_start = models.DateTimeField(_("窗口开始"))
    count = models.PositiveIntegerField(_("次数"), default=0)

    class Meta:
        verbose_name = _("公开评价限流")
        verbose_name_plural = _("公开评价限流")

    def __str__(self) -> str:
        return self.key


# --- results export in the background ----------------------------------------------------------


def _export_path(instance: ResultsExport, filename: str) -> str:
    return f"survey_exports/{instance.pk}.xlsx"  # services_export.EXPORT_DIR


class ResultsExport(models.Model):
    """A results workbook built in the background for the user who asked (jingying.surveys.tasks).

    Visible to its requester only; the download re-checks their permission over the unit and is
    audited. The file lives under the data directory until `expires_at`, when the periodic
    cleanup removes it and the row. Holds nothing the results page does not show (k-suppressed
    aggregates, no answer text).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已生成")
        FAILED = "failed", _("生成失败")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, verbose_name=_("问卷调查"), on_delete=models.CASCADE,
                                 related_name="exports")
    unit = models.ForeignKey("org.Unit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("导出人"), on_delete=models.CASCADE,
                                   related_name="+")
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    progress_done = models.PositiveIntegerField(_("已处理"), default=0)
    progress_total = models.PositiveIntegerField(_("总数"), default=0)
    file = models.FileField(_("文件"), upload_to=_export_path, max_length=200, blank=True)
    file_name = models.CharField(_("文件名"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("大小"), default=0)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("保留至"), db_index=True)

    class Meta:
        verbose_name = _("结果导出")
        verbose_name_plural = _("结果导出")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_by", "campaign", "created_at"])]

    def __str__(self) -> str:
        return self.file_name or str(self.pk)

    @property
    def busy(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))
