"""Forms of the insurance screens: they parse the input; the services validate the rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jingying.care.forms_rights import UnitChoiceField
from jingying.care.services.support_common import people_by_refs, split_refs
from jingying.care.views.support_kit import DateInput, set_queryset
from jingying.org.choices import Category
from jingying.org.models import Person, Unit

MONEY: dict[str, Any] = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0.01")}


class PolicyForm(forms.Form):
    unit = UnitChoiceField(label=_("投保单位"), queryset=Unit.objects.none())
    insurer = forms.CharField(label=_("保险公司"), max_length=100)
    policy_number = forms.CharField(label=_("保单号"), max_length=50)
    name = forms.CharField(label=_("险种"), max_length=100, initial="团体意外伤害保险")
    start = forms.DateField(label=_("起保日期"), widget=DateInput())
    end = forms.DateField(label=_("终止日期"), widget=DateInput())
    cover_per_person = forms.DecimalField(label=_("每人保额（元）"), **MONEY)
    notes = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "unit", units)


class InsureForm(forms.Form):
    unit = UnitChoiceField(label=_("按单位加入（含下级单位在岗人员）"), queryset=Unit.objects.none(), required=False)
    category = forms.ChoiceField(label=_("人员类别"), choices=[("", _("全部类别")), *Category.choices], required=False)
    id_numbers = forms.CharField(label=_("按名单加入（身份证号）"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 4}), help_text=_("每行一个身份证号"))
    file = forms.FileField(label=_("或上传 Excel 名单"), required=False,
                           help_text=_("第一张工作表中“身份证号”一列（或第一列）；有一行不对则全部不导入"))

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "unit", units)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if len([k for k in ("unit", "id_numbers", "file") if data.get(k)]) != 1:
            raise ValidationError(_("请在单位、身份证号名单和 Excel 文件中选择一种方式"))
        return data


class PolicyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.insurer} {obj.policy_number}（{obj.start:%Y-%m-%d}—{obj.end:%Y-%m-%d}）"


class ClaimForm(forms.Form):
    policy = PolicyChoiceField(label=_("保单"), queryset=None)
    person = forms.CharField(label=_("出险人（警号或身份证号）"), max_length=18)
    incident_date = forms.DateField(label=_("出险日期"), widget=DateInput())
    incident = forms.CharField(label=_("出险经过"), widget=forms.Textarea(attrs={"rows": 3}))
    amount_claimed = forms.DecimalField(label=_("申请金额（元）"), **MONEY)
    submitted_on = forms.DateField(label=_("报案日期"), widget=DateInput(), required=False, help_text=_("留空为今天"))

    def __init__(self, *args: Any, actor: Any, policies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        set_queryset(self, "policy", policies)

    def clean_person(self) -> Person:
        try:
            people = people_by_refs(self.actor, split_refs(self.cleaned_data.get("person", "")), field="person")
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["person"]) from None
        if len(people) != 1:
            raise ValidationError(_("请填写一名出险人"))
        return people[0]


class ClaimDecideForm(forms.Form):
    outcome = forms.ChoiceField(label=_("结果"), choices=[("paid", _("赔付")), ("rejected", _("拒赔"))])
    amount_paid = forms.DecimalField(label=_("赔付金额（元）"), required=False, **MONEY)
    reason = forms.CharField(label=_("拒赔原因"), max_length=300, required=False)
    decided_on = forms.DateField(label=_("结案日期"), required=False, widget=DateInput())
