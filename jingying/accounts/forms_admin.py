"""Forms of the security administrator's screens; each feeds one service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jingying.accounts.roles import Domain, Role
from jingying.org.models import Person, Unit


class TablerForm(forms.Form):
    """Gives widgets Tabler's classes so templates can render fields generically."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class UserCreateForm(TablerForm):
    username = forms.RegexField(label=_("账号"), max_length=150, regex=r"^[A-Za-z0-9_.@-]+$",
                                error_messages={"invalid": _("账号只能包含字母、数字和 _ . @ -")})
    display_name = forms.CharField(label=_("显示名"), max_length=64, required=False)
    police_or_id = forms.CharField(label=_("关联人员（警号或身份证号，可空）"), max_length=18, required=False)
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput, strip=False,
                               help_text=_("首次登录时须修改。"))

    def clean_police_or_id(self) -> Person | None:
        value = self.cleaned_data["police_or_id"].strip().upper()
        if not value:
            return None
        person = Person.objects.filter(police_number=value).first() or Person.objects.filter(id_number=value).first()
        if person is None:
            raise forms.ValidationError(_("找不到警号或身份证号为“%(v)s”的人员") % {"v": value})
        return person


class GrantForm(TablerForm):
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    unit = forms.CharField(label=_("授权范围（单位代码）"), max_length=32)
    domains = forms.MultipleChoiceField(label=_("敏感数据域"), choices=Domain.choices, required=False,
                                        widget=forms.CheckboxSelectMultiple)
    reason = forms.CharField(label=_("授权理由"), max_length=200)
    expires_at = forms.DateField(label=_("到期日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_unit(self) -> Unit:
        code = self.cleaned_data["unit"].strip()
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            raise forms.ValidationError(_("找不到代码为“%(c)s”的单位") % {"c": code})
        return unit


class ReasonForm(TablerForm):
    reason = forms.CharField(label=_("原因"), max_length=200)


class PasswordResetForm(TablerForm):
    password = forms.CharField(label=_("新的临时密码"), widget=forms.PasswordInput, strip=False)
