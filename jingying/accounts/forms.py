from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingying.accounts import login_rules
from jingying.core.middleware import client_ip

if TYPE_CHECKING:
    from jingying.accounts.models import User

# One message for a wrong name and a wrong password, so a reply never tells whether an
# account exists.
BAD_CREDENTIALS = _("账号或密码不正确。")


class LoginForm(forms.Form):
    username = forms.CharField(label=_("账号"), max_length=150)
    password = forms.CharField(label=_("密码"), strip=False, widget=forms.PasswordInput)

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        self.request = request
        self.user_cache: User | None = None
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        username, password = cleaned.get("username"), cleaned.get("password")
        if not username or not password:
            return cleaned
        address = client_ip(self.request)
        until = login_rules.locked_until(username, address)
        if until is not None:
            minutes = max(1, int((until - timezone.now()).total_seconds() // 60) + 1)
            raise forms.ValidationError(
                _("登录失败次数过多，已暂时锁定，请 %(m)d 分钟后再试。") % {"m": minutes}, code="locked"
            )
        user = authenticate(self.request, username=username, password=password)
        if user is None:
            login_rules.login_failed(username=username, address=address)
            raise forms.ValidationError(BAD_CREDENTIALS, code="invalid_login")
        self.user_cache = user
        return cleaned


class TotpForm(forms.Form):
    code = forms.CharField(label=_("动态口令"), max_length=8, widget=forms.TextInput(
        attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}))


class JingyingPasswordChangeForm(PasswordChangeForm):
    """Django's form (old password + validators incl. history); the save goes through the service."""

    def save(self, commit: bool = True) -> Any:
        login_rules.password_set(actor=self.user, user=self.user, raw_password=self.cleaned_data["new_password1"])
        return self.user


class ApiTokenForm(forms.Form):
    """A new API token for oneself: a name to recognise it by and its life in days."""

    name = forms.CharField(label=_("名称"), max_length=64, help_text=_("用途，例如“统计报表脚本”"),
                           widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}))
    days = forms.IntegerField(label=_("有效天数"), min_value=1,
                              widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}))

    def __init__(self, *args: Any, max_days: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_days = max_days
        self.fields["days"].initial = min(30, max_days)
        self.fields["days"].help_text = _("最长 %(n)d 天") % {"n": max_days}

    def clean_days(self) -> int:
        days: int = self.cleaned_data["days"]
        if days > self.max_days:
            raise forms.ValidationError(_("有效期最长 %(n)d 天") % {"n": self.max_days})
        return days
