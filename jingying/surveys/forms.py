"""Forms of the survey screens: they parse input; the services validate the rules."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingying.org.choices import Category
from jingying.org.forms import UnitChoiceField
from jingying.surveys.choices import CHOICE_KINDS, CampaignKind, QuestionKind, ShowIfOp
from jingying.surveys.models import Question, QuestionnaireVersion

MAX_IMPORT_BYTES = 1024 * 1024
LIKERT_KINDS = (QuestionKind.RATING, QuestionKind.MATRIX)


class ServiceErrorsMixin:
    def apply_errors(self, exc: ValidationError) -> None:
        form: Any = self
        if hasattr(exc, "error_dict"):
            for key, errors in exc.message_dict.items():
                form.add_error(key if key in form.fields else None, errors)
        else:
            form.add_error(None, exc.messages)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class QuestionnaireForm(ServiceErrorsMixin, forms.Form):
    unit = UnitChoiceField(queryset=None, label=_("所属单位"))
    code = forms.SlugField(label=_("代码"), max_length=60, help_text=_("小写字母、数字和连字符，如 morale-2026"))
    title = forms.CharField(label=_("标题"), max_length=200)
    intro = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class VersionForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    intro = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ImportForm(ServiceErrorsMixin, forms.Form):
    unit = UnitChoiceField(queryset=None, label=_("所属单位"))
    file = forms.FileField(label=_("问卷文件（.json）"))

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(_("文件太大（最大 1 MB）"))
        try:
            return json.loads(upload.read().decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ValidationError(_("不是有效的 JSON 文件")) from None


def _lines(text: str, key: str) -> list[dict[str, str]]:
    """"value|label" per line (or just the label: values 1, 2, 3…)."""
    out = []
    for n, line in enumerate((x.strip() for x in text.splitlines()), start=1):
        if not line:
            continue
        value, sep, label = line.partition("|")
        out.append({key: value.strip(), "label": label.strip()} if sep else {key: str(n), "label": value})
    return out


LIKERT = [{"value": str(n), "label": str(label)} for n, label in enumerate(
    [_("非常不同意"), _("不同意"), _("一般"), _("同意"), _("非常同意")], start=1)]


def _unlines(items: list[dict[str, Any]], key: str) -> str:
    return "\n".join(f"{i.get(key)}|{i.get('label')}" for i in items or [])


class QuestionForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("题型"), choices=QuestionKind.choices)
    code = forms.CharField(label=_("题目代码"), max_length=32, help_text=_("字母开头，如 q1；显示条件用它引用本题"))
    text = forms.CharField(label=_("题目"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    help_text = forms.CharField(label=_("提示"), max_length=500, required=False)
    required = forms.BooleanField(label=_("必答"), required=False, initial=True)
    options = forms.CharField(label=_("选项"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("每行一个；可写成“值|文字”，只写文字时值为 1、2、3…（单选、多选、量表、矩阵）；量表和矩阵不填时为五级“非常不同意—非常同意”"))
    rows = forms.CharField(label=_("矩阵行"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("每行一个；可写成“代码|文字”（仅矩阵题）"))
    min_value = forms.IntegerField(label=_("最小值"), required=False)
    max_value = forms.IntegerField(label=_("最大值"), required=False)
    show_if_question = forms.ChoiceField(label=_("显示条件：当题目"), required=False,
                                         help_text=_("不选即总是显示"))
    show_if_op = forms.ChoiceField(label=_("比较"), required=False, choices=[("", "—"), *ShowIfOp.choices])
    show_if_value = forms.CharField(label=_("值"), required=False, max_length=200,
                                    help_text=_("选项的值；“为其中之一”时用逗号分隔"))

    def __init__(self, *args: Any, earlier: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["show_if_question"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("总是显示")), *[(q.code, f"{q.code} {q.text[:30]}") for q in earlier if q.answerable]]

    @classmethod
    def initial_for(cls, q: Question) -> dict[str, Any]:
        cond = q.show_if or {}
        value = cond.get("value")
        return {
            "kind": q.kind, "code": q.code, "text": q.text, "help_text": q.help_text, "required": q.required,
            "options": _unlines(q.options, "value"), "rows": _unlines(q.rows, "code"),
            "min_value": q.min_value, "max_value": q.max_value, "show_if_question": cond.get("question", ""),
            "show_if_op": cond.get("op", ""), "show_if_value": ",".join(value) if isinstance(value, list) else value or "",
        }

    def fields_for_service(self) -> dict[str, Any]:
        data = self.cleaned_data
        kind = data["kind"]
        show_if = None
        if data.get("show_if_question"):
            op = data.get("show_if_op") or ShowIfOp.EQUALS
            value: Any = data.get("show_if_value", "").strip()
            if op == ShowIfOp.IN:
                value = [v.strip() for v in value.split(",") if v.strip()]
            show_if = {"question": data["show_if_question"], "op": op, "value": value}
        return {
            "kind": kind, "code": data["code"].strip(), "text": data["text"].strip(),
            "help_text": data.get("help_text", ""), "required": bool(data.get("required")) and kind != QuestionKind.SECTION,
            "options": (_lines(data.get("options", ""), "value") or (LIKERT if kind in LIKERT_KINDS else []))
            if kind in CHOICE_KINDS else [],
            "rows": _lines(data.get("rows", ""), "code") if kind == QuestionKind.MATRIX else [],
            "min_value": data.get("min_value") if kind == QuestionKind.NUMBER else None,
            "max_value": data.get("max_value") if kind == QuestionKind.NUMBER else None,
            "show_if": show_if,
        }


class CampaignForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("名称"), max_length=200)
    version = forms.ModelChoiceField(queryset=QuestionnaireVersion.objects.none(), label=_("问卷"))
    unit = UnitChoiceField(queryset=None, label=_("范围单位（含下级）"))
    categories = forms.MultipleChoiceField(label=_("人员类别"), required=False, choices=Category.choices,
                                           widget=forms.CheckboxSelectMultiple, help_text=_("不选即全部类别"))
    kind = forms.ChoiceField(label=_("方式"), choices=[(CampaignKind.ANONYMOUS, _("匿名")),
                                                      (CampaignKind.IDENTIFIED, _("实名")),
                                                      (CampaignKind.PUBLIC, _("公开评价（群众扫码，无需登录）"))],
                             help_text=_("创建后不能更改。公开评价：按单位（派出所、服务窗口）生成二维码海报"))
    opens_at = forms.DateTimeField(label=_("开始时间"), widget=DateTimeInput())
    closes_at = forms.DateTimeField(label=_("截止时间"), widget=DateTimeInput())
    k_threshold = forms.IntegerField(label=_("最小公布人数"), min_value=1, max_value=1000,
                                     help_text=_("少于此人数的分组不显示结果；不能低于系统设定"))
    intro = forms.CharField(label=_("致参与者"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, versions: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = versions  # type: ignore[attr-defined]
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for key in ("opens_at", "closes_at"):
            if data.get(key) and timezone.is_naive(data[key]):
                data[key] = timezone.make_aware(data[key])
        return data


class CampaignEditForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("名称"), max_length=200)
    closes_at = forms.DateTimeField(label=_("截止时间"), widget=DateTimeInput())
    intro = forms.CharField(label=_("致参与者"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class IndexForm(ServiceErrorsMixin, forms.Form):
    """One index of a questionnaire version (jingying.surveys.indices); items in the short form."""

    code = forms.CharField(label=_("指数代码"), max_length=32, help_text=_("小写字母开头，如 morale"))
    name = forms.CharField(label=_("名称"), max_length=60, help_text=_("如：士气指数"))
    items = forms.CharField(label=_("题目"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                            help_text=_("题目代码，用空格分隔；反向题前加“-”；矩阵题写“题目代码.行代码”。如：mood -stress grid.pay"))
