"""A generated roster workbook for the B1 benchmark and tests.

`synthetic_workbook(path, units, n, seed)` writes `n` valid rows (deterministic for a seed) in the
shape offices send: a title row above the header, dates in several of the formats clerks type,
ranks, levels and units by their Chinese names. Every ID number is valid and unique and agrees
with birth date and gender; 警号 are unique.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any

import xlsxwriter

from jingying.org import idnumber
from jingying.org.choices import ETHNICITIES, Education, Level, PersonStatus, PoliticalStatus, Rank
from jingying.org.roster.columns import COLUMNS

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰飞鹏宇浩凯晨辉斌波海峰"
MONGOLIAN = ["巴特尔", "其其格", "苏和", "乌云", "额尔敦", "斯琴", "朝鲁", "萨仁", "孟和", "图雅", "阿拉坦", "那日苏"]
POSITIONS = ["科员", "副所长", "所长", "副大队长", "大队长", "副局长", "民警", "教导员", "社区民警", "中队长"]


def _date_text(day: dt.date, style: int) -> Any:
    if style == 0:
        return day.isoformat()
    if style == 1:
        return f"{day.year}.{day.month:02d}.{day.day:02d}"
    if style == 2:
        return f"{day.year}/{day.month}/{day.day}"
    return f"{day.year}年{day.month}月{day.day}日"


def synthetic_rows(units: Sequence[Any], n: int, seed: int = 1) -> list[list[Any]]:
    """`units`: Unit objects (or anything with `.name` and `.division_code`)."""
    rng = random.Random(seed)
    used_ids: set[str] = set()
    ranks = [str(label) for _v, label in Rank.choices][5:]
    levels = [str(label) for _v, label in Level.choices][5:12]
    political = [str(PoliticalStatus.CPC.label)] * 3 + [str(PoliticalStatus.MASSES.label), str(PoliticalStatus.CYL.label)]
    education = [str(Education.BACHELOR.label)] * 3 + [str(Education.JUNIOR_COLLEGE.label), str(Education.MASTER.label)]
    rows = []
    for i in range(n):
        unit = units[i % len(units)]
        address = (getattr(unit, "division_code", "") or "150102")[:6].ljust(6, "0")
        police = rng.random() < 0.7
        male = rng.random() < 0.8
        while True:
            birth = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randrange(0, 13000))
            seq = rng.randrange(0, 500) * 2 + (1 if male else 0)
            number = idnumber.make(address, birth, seq)
            if number not in used_ids:
                used_ids.add(number)
                break
        mongolian = rng.random() < 0.2
        name = (rng.choice(MONGOLIAN) if mongolian else rng.choice(SURNAMES) + "".join(
            rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))))
        start = birth.replace(day=1) + dt.timedelta(days=365 * 22 + rng.randrange(0, 3000))
        rows.append([
            name, "男" if male else "女", ETHNICITIES[1][1] if mongolian else ETHNICITIES[0][1],
            _date_text(birth, i % 4), number, "民警" if police else "辅警", f"{100000 + i:06d}" if police else "",
            unit.name, rng.choice(POSITIONS), rng.choice(ranks) if police else "",
            rng.choice(levels) if police else "", rng.choice(political), rng.choice(education),
            f"{start.year}.{start.month:02d}" if i % 3 == 0 else start.isoformat(),
            f"1{rng.randrange(3, 9)}{rng.randrange(0, 10**9):09d}", str(PersonStatus.ACTIVE.label),
        ])
    return rows


def synthetic_workbook(path: Any, units: Sequence[Any], n: int, seed: int = 1, *, title: bool = True) -> int:
    """Write the workbook; returns the Excel row number of the header."""
    book = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("花名册")
    row = 0
    if title:
        sheet.merge_range(0, 0, 0, len(COLUMNS) - 1, "某某公安局民警（辅警）花名册")
        row = 2  # a blank line under the title, as offices leave one
    sheet.write_row(row, 0, [c.header for c in COLUMNS])
    for offset, values in enumerate(synthetic_rows(units, n, seed), start=row + 1):
        sheet.write_row(offset, 0, values)
    book.close()
    return row + 1
