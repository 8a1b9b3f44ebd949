"""Cells as offices type them → field values.

Each parser takes one cell as python-calamine gives it (str, float, int, bool, date, datetime,
"" for empty) and returns the field value or raises `CellError` with a Chinese message. They are
plain functions over dict look-ups so 30,000 rows × 16 columns stay well inside a second; the
choice parsers are memoised per distinct cell value by the importer.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from jingying.core.i18n import join_list
from jingying.org.choices import (
    ETHNICITIES,
    Category,
    Education,
    Gender,
    Level,
    PersonStatus,
    PoliticalStatus,
    Rank,
)


class CellError(ValueError):
    """A cell that cannot be read; the message is for a clerk."""


EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's 1900 leap-year bug included)
_SEPARATED = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*(?:[-./月]\s*(\d{1,2})\s*日?|月)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")
_SERIAL = re.compile(r"^\d{4,5}(\.0+)?$")
_DOTS = str.maketrans({"•": "·", "・": "·", "．": "·", "‧": "·", "∙": "·"})
_SPACE = re.compile(r"\s+")


def text(cell: Any) -> str:
    """The cell as clean text: NFKC (full-width digits, letters and spaces to ASCII), trimmed.

    A number Excel stored for a code or phone ("13800001234" → 13800001234.0) comes back
    without the ".0".
    """
    if cell is None or cell == "":
        return ""
    if isinstance(cell, str):
        value = cell
    elif isinstance(cell, bool):
        value = "是" if cell else "否"
    elif isinstance(cell, float):
        value = str(int(cell)) if cell.is_integer() else repr(cell)
    elif isinstance(cell, dt.datetime):
        value = cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat(sep=" ")
    elif isinstance(cell, dt.date):
        value = cell.isoformat()
    else:
        value = str(cell)
    if not value.isascii():
        value = unicodedata.normalize("NFKC", value)
    return value.strip()


def display(cell: Any) -> str:
    """How a cell is shown back in an error report (a long number as Excel shows it)."""
    if isinstance(cell, float) and (not cell.is_integer() or abs(cell) >= 1e15):
        return f"{cell:.15G}"
    return text(cell)


def squeeze(value: str) -> str:
    return _SPACE.sub("", value)


# --- text fields -----------------------------------------------------------------------------


def name(cell: Any) -> str:
    """A person's name: spaces offices use to align two-character names are dropped, and the
    many middle dots of Mongolian and other transliterated names become "·"."""
    if type(cell) is str and cell.isalpha():
        # The usual name: letters only, so nothing to squeeze, trim or re-dot; only NFKC
        # (checked again after, in case it made something other than letters).
        value = cell if cell.isascii() else unicodedata.normalize("NFKC", cell)
        if value.isalpha():
            return value
    value = squeeze(text(cell)).translate(_DOTS)
    if not value:
        raise CellError(_("姓名不能为空"))
    return value


def plain(cell: Any) -> str:
    return text(cell)


def police_number(cell: Any) -> str | None:
    """警号; a number cell whose leading zeros Excel dropped gets them back."""
    if type(cell) is str and cell.isascii() and cell.isdigit():
        return cell  # the usual case, as typed
    if isinstance(cell, float) and cell.is_integer() and 0 < cell < 1_000_000:
        return f"{int(cell):06d}"
    value = squeeze(text(cell))
    return value or None


def phone(cell: Any) -> str:
    if type(cell) is str and cell.isascii() and cell.isdigit():
        return cell
    return squeeze(text(cell)).replace("(", "").replace(")", "")


# --- dates -------------------------------------------------------------------------------------


class MonthDate(dt.date):
    """A date typed only to the month ("1985.03"): the 1st of that month, marked as such.

    A date subclass rather than a wrapper so 30,000 of them cost no more than plain dates."""

    __slots__ = ()


def _make(year: int, month: int, day: int | None, raw: str) -> dt.date:
    if not 1900 <= year <= 2100:
        raise CellError(_("日期“%(v)s”的年份不合理") % {"v": raw})
    try:
        return dt.date(year, month, day) if day else MonthDate(year, month, 1)
    except ValueError:
        raise CellError(_("日期“%(v)s”不存在") % {"v": raw}) from None


def _from_serial(serial: float, raw: str) -> dt.date:
    if not 1 <= serial < 80000:
        raise CellError(_("无法识别的日期“%(v)s”") % {"v": raw})
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


def date(cell: Any) -> dt.date | None:
    """1985-03-12, 1985.03.12, 1985/3/12, 1985年3月12日, 19850312, 1985.03 / 1985年3月 / 198503
    (month precision), Excel date cells and date serials."""
    if cell is None or cell == "":
        return None
    if type(cell) is str and cell.isascii():
        # The usual shapes without the regex: 1985-03-12, 1985.03.12, 1985/3/12 (one separator
        # throughout, digits only between); anything else goes the long way below.
        for sep in "-./":
            if sep in cell:
                parts = cell.split(sep)
                if (len(parts) == 3 and len(parts[0]) == 4 and 1 <= len(parts[1]) <= 2 and 1 <= len(parts[2]) <= 2
                        and parts[0].isdigit() and parts[1].isdigit() and parts[2].isdigit()):
                    return _make(int(parts[0]), int(parts[1]), int(parts[2]), cell)
                break
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return dt.date(cell.year, cell.month, cell.day)
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return _number_date(float(cell))
    raw = text(cell)
    if not raw:
        return None
    match = _SEPARATED.match(raw)
    if match:
        year, month, day = match.groups()
        return _make(int(year), int(month), int(day) if day else None, raw)
    match = _COMPACT.match(raw)
    if match:
        year, month, day = match.groups()
        return _make(int(year), int(month), int(day) if day else None, raw)
    if _SERIAL.match(raw):
        return _from_serial(float(raw), raw)
    raise CellError(_("无法识别的日期“%(v)s”，请写成 1985-03-12 或 1985.03.12") % {"v": raw})


def _number_date(value: float) -> dt.date:
    raw = f"{value:.15G}"
    if value.is_integer():
        whole = int(value)
        if 19000101 <= whole <= 21001231:  # 19850312 typed as a number
            return _make(whole // 10000, whole // 100 % 100, whole % 100, raw)
        if 190001 <= whole <= 210012:  # 198503
            return _make(whole // 100, whole % 100, None, raw)
        return _from_serial(value, raw)
    year = int(value)
    if 1900 <= year <= 2100:
        # "1985.03" typed into a General cell is stored as the number 1985.03; "1985.10" and
        # "1985.1" are then the same number, so October cannot be told from January.
        month = round((value - year) * 100)
        if month == 10:
            raise CellError(
                _("“%(v)s”被 Excel 存成了数字，无法区分 1 月和 10 月；请把该列设为文本并写成 %(y)d.01 或 %(y)d.10")
                % {"v": raw, "y": year}
            )
        return _make(year, month, None, raw)
    return _from_serial(value, raw)


# --- choices -----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def choice_tables() -> dict[str, dict[str, Any]]:
    """Label (and common variant) → stored value, per field.

    Built under zh-hans: the labels are the Chinese msgids, and a roster is Chinese whatever
    language the importing user's screen is in.
    """
    with translation.override("zh-hans"):
        gender = {str(label): value for value, label in Gender.choices}
        gender |= {"男性": Gender.MALE, "女性": Gender.FEMALE, "1": Gender.MALE, "2": Gender.FEMALE}
        ethnicity: dict[str, str] = {}
        for code, label in ETHNICITIES:
            ethnicity[label] = code
            ethnicity[label.removesuffix("族")] = code
            ethnicity[code] = code
        ethnicity["蒙族"] = "02"  # how many Inner Mongolian rosters write 蒙古族
        category = {str(label): value for value, label in Category.choices}
        category |= {
            "辅警": Category.AUXILIARY, "文职辅警": Category.AUXILIARY, "勤务辅警": Category.AUXILIARY,
            "警务辅助人员": Category.AUXILIARY, "协警": Category.AUXILIARY, "人民警察": Category.POLICE,
            "公务员": Category.POLICE, "事业编": Category.CAREER, "事业人员": Category.CAREER,
            "工勤": Category.WORKER, "工勤人员": Category.WORKER,
        }
        rank: dict[str, tuple[int, bool]] = {}
        for rank_value, rank_label in Rank.choices:
            rank[str(rank_label)] = (rank_value, False)
            rank[f"专业技术{rank_label}"] = (rank_value, True)
        level = {str(label): value for value, label in Level.choices}
        level |= {"一级警员": Level.ZF11, "二级警员": Level.ZF12}
        political = {str(label): value for value, label in PoliticalStatus.choices}
        political |= {
            "党员": PoliticalStatus.CPC, "共产党员": PoliticalStatus.CPC, "中国共产党党员": PoliticalStatus.CPC,
            "预备党员": PoliticalStatus.CPC_PROBATIONARY, "团员": PoliticalStatus.CYL,
            "共青团员": PoliticalStatus.CYL, "无党派": PoliticalStatus.NONPARTISAN,
        }
        education = {str(label): value for value, label in Education.choices}
        education |= {
            "博士": Education.DOCTORATE, "研究生": Education.MASTER, "硕士": Education.MASTER,
            "本科": Education.BACHELOR, "大学": Education.BACHELOR, "大专": Education.JUNIOR_COLLEGE,
            "专科": Education.JUNIOR_COLLEGE, "中专": Education.TECHNICAL_SECONDARY,
            "中等专业学校": Education.TECHNICAL_SECONDARY, "高中及以下": Education.HIGH_SCHOOL,
            "初中": Education.MIDDLE_SCHOOL, "职高": Education.HIGH_SCHOOL,
        }
        status = {str(label): value for value, label in PersonStatus.choices}
        status |= {"在岗": PersonStatus.ACTIVE, "正常": PersonStatus.ACTIVE, "已退休": PersonStatus.RETIRED,
                   "辞职": PersonStatus.LEFT, "辞退": PersonStatus.LEFT}
    return {
        "gender": gender, "ethnicity": ethnicity, "category": category, "rank": rank, "level": level,
        "political_status": political, "education": education, "status": status,
    }


@lru_cache(maxsize=1)
def _field_labels() -> dict[str, str]:
    with translation.override("zh-hans"):
        return {
            "gender": "、".join(str(label) for _v, label in Gender.choices),
            "ethnicity": _("56 个民族名称，如 汉族、蒙古族"),
            "category": "、".join(str(label) for _v, label in Category.choices),
            "rank": _("警衔名称，如 一级警司、专业技术二级警督"),
            "level": _("职级名称，如 四级高级警长、二级主任科员"),
            "political_status": "、".join(str(label) for _v, label in PoliticalStatus.choices),
            "education": "、".join(str(label) for _v, label in Education.choices),
            "status": "、".join(str(label) for _v, label in PersonStatus.choices),
        }


def choice(key: str, cell: Any) -> Any:
    """The stored value for a label in column `key`, or None for an empty cell."""
    value = squeeze(text(cell))
    if not value:
        return None
    found = choice_tables()[key].get(value)
    if found is None:
        raise CellError(_("无法识别“%(v)s”；可填：%(allowed)s") % {"v": value, "allowed": _field_labels()[key]})
    return found


# --- units -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRef:
    id: int
    name: str
    path: str


class UnitIndex:
    """Every unit by code, full name and short name, loaded in one query."""

    def __init__(self, rows: list[tuple[int, str, str, str, str]]) -> None:
        self.by_code: dict[str, UnitRef] = {}
        self.by_name: dict[str, UnitRef] = {}
        self.by_short: dict[str, list[UnitRef]] = {}
        self.by_id: dict[int, UnitRef] = {}
        for pk, code, full, short, path in rows:
            ref = UnitRef(pk, full, path)
            self.by_id[pk] = ref
            self.by_code[squeeze(text(code)).upper()] = ref
            self.by_name[squeeze(text(full))] = ref
            if short:
                self.by_short.setdefault(squeeze(text(short)), []).append(ref)

    @classmethod
    def load(cls) -> UnitIndex:
        from jingying.org.models import Unit

        return cls(list(Unit.objects.values_list("id", "code", "name", "short_name", "path")))

    def resolve(self, cell: Any) -> UnitRef:
        key = squeeze(text(cell))
        if not key:
            raise CellError(_("单位不能为空"))
        ref = self.by_name.get(key) or self.by_code.get(key.upper())
        if ref is not None:
            return ref
        candidates = self.by_short.get(key, [])
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            names = join_list(c.name for c in candidates[:5])
            raise CellError(_("单位简称“%(v)s”对应多个单位（%(names)s），请填写单位全称或代码") % {"v": key, "names": names})
        raise CellError(_("找不到单位“%(v)s”（按全称、简称和单位代码都未找到）") % {"v": key})
