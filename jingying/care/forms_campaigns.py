"""Forms of the campaign screens: they parse the input; the services validate the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jingying.care.choices import CareMeasure
from jingying.care.forms_rights import UnitChoiceField
from jingying.care.views.support_kit import DateInput, set_choices, set_queryset
from jingying.org.choices import Category
from jingying.org.models import Unit


class UnitMultipleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return "\u3000" * obj.depth + obj.name


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("活动名称"), max_length=100)
    unit = UnitChoiceField(label=_("组织单位"), queryset=Unit.objects.none())
    start = forms.DateField(label=_("开始日期"), widget=DateInput())
    end = forms.DateField(label=_("结束日期"), widget=DateInput())
    units = UnitMultipleField(label=_("参与单位"), queryset=Unit.objects.none(),
                              widget=forms.SelectMultiple(attrs={"size": 8}),
                              help_text=_("所选单位及其全部下级单位的人员即本次活动的民警"))
    measures = forms.MultipleChoiceField(label=_("启用措施"), choices=CareMeasure.choices,
                                         widget=forms.CheckboxSelectMultiple, initial=list(CareMeasure.values))
    category = forms.ChoiceField(label=_("人员类别"), choices=[("", _("全部类别")), *Category.choices], required=False)
    notes = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "unit", units)
        set_queryset(self, "units", units)


class ChecklistForm(forms.Form):
    done = forms.BooleanField(label=_("已落实"), required=False)
    done_on = forms.DateField(label=_("落实日期"), required=False, widget=DateInput())
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class ReachForm(forms.Form):
    """Who a measure reached: a whole unit, a list of ID numbers, or a workbook of them."""

    measure = forms.ChoiceField(label=_("措施"))
    day = forms.DateField(label=_("日期"), required=False, widget=DateInput(), help_text=_("留空为今天"))
    unit = UnitChoiceField(label=_("按单位全部标记"), queryset=Unit.objects.none(), required=False)
    id_numbers = forms.CharField(label=_("按名单标记（身份证号）"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 4}), help_text=_("每行一个身份证号"))
    file = forms.FileField(label=_("或上传 Excel 名单"), required=False,
                           help_text=_("第一张工作表中“身份证号”一列（或第一列）；有一行不对则全部不导入"))

    def __init__(self, *args: Any, measures: list[tuple[str, str]], units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "measure", measures)
        set_queryset(self, "unit", units)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = [k for k in ("unit", "id_numbers", "file") if data.get(k)]
        if len(given) != 1:
            raise ValidationError(_("请在单位、身份证号名单和 Excel 文件中选择一种方式"))
        return data
