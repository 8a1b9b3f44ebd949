"""Forms of the childcare screens: they parse the input; the services validate the rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jingying.care.forms_rights import UnitChoiceField
from jingying.care.services.childcare import PROGRAMME_FIELDS
from jingying.care.views.support_kit import DateInput, set_choices, set_queryset
from jingying.org.models import Person, Unit


class ProgrammeForm(forms.Form):
    name = forms.CharField(label=_("项目名称"), max_length=100)
    unit = UnitChoiceField(label=_("主办单位"), queryset=Unit.objects.none(),
                           help_text=_("本单位及下级单位的民警可以报名"))
    centre = forms.CharField(label=_("托管场所"), max_length=200)
    period = forms.CharField(label=_("期次"), max_length=50, help_text=_("例如：2026年暑期"))
    start = forms.DateField(label=_("开始日期"), widget=DateInput())
    end = forms.DateField(label=_("结束日期"), widget=DateInput())
    capacity = forms.IntegerField(label=_("名额"), min_value=1, max_value=10000)
    min_age = forms.IntegerField(label=_("最小年龄"), min_value=0, max_value=18)
    max_age = forms.IntegerField(label=_("最大年龄"), min_value=0, max_value=18)
    open = forms.BooleanField(label=_("开放报名"), required=False, initial=True)
    contact = forms.CharField(label=_("联系人及电话"), max_length=100, required=False)
    notes = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "unit", units)


def programme_initial(programme: Any) -> dict[str, Any]:
    data = {name: getattr(programme, name) for name in PROGRAMME_FIELDS if name != "unit_id"}
    data["unit"] = programme.unit_id
    return data


class ParentLookupForm(forms.Form):
    """Staff enrolling for a parent, step one: which officer (within the staff member's units)."""

    officer = forms.CharField(label=_("民警"), max_length=30, help_text=_("填写警号或身份证号"))

    def __init__(self, *args: Any, find: Callable[[str], Person | None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.find = find

    def clean_officer(self) -> Person:
        ref = self.cleaned_data["officer"]
        person = self.find(ref)
        if person is None:
            raise forms.ValidationError(_("在您负责的单位中找不到警号或身份证号为“%(ref)s”的人员") % {"ref": ref})
        return person


class EnrolForm(forms.Form):
    """An officer's (or staff's) choice of child; the choices are the children the page offers."""

    child = forms.ChoiceField(label=_("子女"))
    notes = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args: Any, children: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "child", [(c.pk, c.name) for c in children])
