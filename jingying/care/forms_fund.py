"""Forms of the relief fund, the scorecard and protective equipment: input shape only; the
services validate the rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jingying.care.choices import GrantReason, Guarantee

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def money_field(label: Any = None) -> forms.DecimalField:
    return forms.DecimalField(label=label or _("金额（元）"), max_digits=14, decimal_places=2,
                              min_value=Decimal("0.01"))


class FundForm(forms.Form):
    name = forms.CharField(label=_("基金名称"), max_length=100)


class DonationForm(forms.Form):
    donor = forms.CharField(label=_("捐赠人/单位"), max_length=100)
    occurred_on = forms.DateField(label=_("捐赠日期"), widget=DATE)
    amount = money_field()
    note = forms.CharField(label=_("摘要"), max_length=300, required=False)


class GrantRequestForm(forms.Form):
    fund: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("基金"), queryset=None, empty_label=None)  # type: ignore[arg-type]
    person_ref = forms.CharField(label=_("民警/辅警（身份证号或警号）"), max_length=18)
    dependent_name = forms.CharField(label=_("领取家属姓名（可不填）"), max_length=50, required=False)
    reason = forms.ChoiceField(label=_("事由"), choices=GrantReason.choices)
    amount = money_field()
    details = forms.CharField(label=_("情况说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, funds: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = funds  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=300)


class ScorecardEntryForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    guarantee = forms.ChoiceField(label=_("保障项目"), choices=Guarantee.choices)
    score = forms.DecimalField(label=_("得分（0–100）"), max_digits=4, decimal_places=1, min_value=0, max_value=100)
    note = forms.CharField(label=_("依据说明"), max_length=300)


class EquipmentIssueForm(forms.Form):
    person_ref = forms.CharField(label=_("人员（身份证号或警号）"), max_length=18)
    kind: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("装备类型"), queryset=None)  # type: ignore[arg-type]
    issued_on = forms.DateField(label=_("配发日期"), widget=DATE, initial=dt.date.today)
    serial = forms.CharField(label=_("编号"), max_length=50, required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args: Any, kinds: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = kinds  # type: ignore[attr-defined]


class EquipmentTypeForm(forms.Form):
    name = forms.CharField(label=_("装备名称"), max_length=50)
    service_life_months = forms.IntegerField(label=_("使用年限（月）"), min_value=1, max_value=600)
    required = forms.BooleanField(label=_("必配"), required=False, initial=True)
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)


class EquipmentImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))
    dry_run = forms.BooleanField(label=_("只校验，不导入"), required=False)
