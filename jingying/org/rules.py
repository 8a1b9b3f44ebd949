"""Field rules for a person, as plain functions.

One copy of each rule, used both by `services.person_validate` (one person from a form or the
API) and by the roster importer (30,000 rows, where a Django form or `full_clean()` per row would
cost more than the whole import budget). Each returns Chinese messages keyed by field name;
nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _

from jingying.org import idnumber

_PHONE = re.compile(r"^\+?[0-9][0-9\-]{4,19}$")


def identity_errors(
    id_number: object, birth_date: dt.date | None, gender: str | None, *, today: dt.date | None = None
) -> tuple[idnumber.IdNumber | None, dict[str, str]]:
    """Parse the ID number and check that birth date and gender agree with it."""
    try:
        parsed = idnumber.parse(id_number, today=today)
    except idnumber.IdNumberError as exc:
        return None, {"id_number": str(exc)}
    return parsed, agreement_errors(parsed.birth_date, parsed.gender, birth_date, gender)


def agreement_errors(
    id_birth_date: dt.date, id_gender: str, birth_date: dt.date | None, gender: str | None
) -> dict[str, str]:
    """Birth date and gender (when given) against the ones an ID number encodes."""
    errors: dict[str, str] = {}
    if birth_date and birth_date != id_birth_date:
        errors["birth_date"] = _("出生日期与身份证号不一致（身份证号中为 %(d)s）") % {"d": id_birth_date.isoformat()}
    if gender and gender != id_gender:
        errors["gender"] = _("性别与身份证号不一致（身份证号第 17 位表示%(g)s）") % {
            "g": _("男") if id_gender == "1" else _("女")
        }
    return errors


def police_number_error(value: str | None) -> str | None:
    if value and not (len(value) == 6 and value.isdigit()):
        return _("警号应为 6 位数字")
    return None


def phone_error(value: str) -> str | None:
    if value and not _PHONE.match(value):
        return _("电话号码只能包含数字和“-”，5 到 20 位")
    return None


def length_error(value: str, limit: int) -> str | None:
    if len(value) > limit:
        return _("不能超过 %(n)d 个字符（现有 %(m)d 个）") % {"n": limit, "m": len(value)}
    return None
