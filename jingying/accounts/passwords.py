"""Password rules: three of four character classes, no reuse of the last N (等保 2.0)."""

from __future__ import annotations

import string
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def character_classes(password: str) -> int:
    return sum(
        (
            any(c in string.ascii_lowercase for c in password),
            any(c in string.ascii_uppercase for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )


class CharacterClassValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if character_classes(password) < 3:
            raise ValidationError(_("密码须包含大写字母、小写字母、数字、符号中的至少三类"), code="password_classes")

    def get_help_text(self) -> str:
        return _("至少 8 位，包含大写字母、小写字母、数字、符号中的至少三类。")


class HistoryValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None:
            return
        keep = settings.JINGYING_PASSWORD_HISTORY
        if user.password and check_password(password, user.password):
            raise ValidationError(_("新密码不能与当前密码相同"), code="password_reused")
        for encoded in user.password_history.values_list("encoded", flat=True)[:keep]:
            if check_password(password, encoded):
                raise ValidationError(
                    _("新密码不能与最近 %(n)d 次使用过的密码相同") % {"n": keep}, code="password_reused"
                )

    def get_help_text(self) -> str:
        return _("不能与最近使用过的密码相同。")
