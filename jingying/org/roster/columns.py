"""The roster template's columns, in template order, with the header names offices use.

The first name of each column is what export and the empty template write; the others are the
variants found in real rosters. Header cells are compared after `headers.normalise_header`
(NFKC, no spaces, no "*" required-marks, no trailing "(…)" notes), so "出生日期（格式 1985-03-12）"
and "* 身 份 证 号" match too.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str  # Person attribute, or "unit" for the unit reference
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    width: int = 12


COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", ("名字", "人员姓名", "姓 名"), required=True, width=10),
    Column("gender", "性别", ("性 别",), width=6),
    Column("ethnicity", "民族", ("族别",), width=8),
    Column("birth_date", "出生日期", ("出生年月", "出生年月日", "出生时间", "生日"), width=12),
    Column(
        "id_number",
        "身份证号",
        ("公民身份号码", "身份证号码", "身份证", "公民身份证号", "公民身份证号码", "身份证件号码", "证件号码"),
        required=True,
        width=21,
    ),
    Column("category", "人员类别", ("类别", "人员类型", "人员身份", "身份类别"), width=10),
    Column("police_number", "警号", ("警员编号",), width=9),
    Column(
        "unit",
        "单位",
        ("所在单位", "工作单位", "单位名称", "所属单位", "所在部门", "部门", "单位代码"),
        required=True,
        width=28,
    ),
    Column("position", "职务", ("现任职务", "职务名称"), width=14),
    Column("rank", "警衔", ("现警衔",), width=12),
    Column("level", "职级", ("现职级", "职级层次"), width=14),
    Column("political_status", "政治面貌", ("政治身份",), width=12),
    Column("education", "学历", ("文化程度", "最高学历", "全日制学历"), width=12),
    Column(
        "police_start_date",
        "入警时间",
        ("参加公安工作时间", "参加公安工作日期", "入警日期", "入警年月", "从警时间"),
        width=12,
    ),
    Column("phone", "手机号", ("手机号码", "手机", "联系电话", "电话", "联系方式"), width=14),
    Column("status", "状态", ("人员状态", "在职状态"), width=8),
)

BY_KEY = {c.key: c for c in COLUMNS}
HEADERS = [c.header for c in COLUMNS]
