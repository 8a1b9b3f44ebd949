"""Roster import/export: headers, every value format, every error kind (with nothing written),
upsert and history, scope, audit, round trip, and the export's query count.

The helpers at the top (person_row, write_book) are shared by test_roster_cli and
test_roster_views: workbooks are written cell by cell so each test states what a clerk typed.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from jingying.accounts.roles import Role
from jingying.core.models import AuditEntry
from jingying.core.scoping import SYSTEM
from jingying.org import idnumber
from jingying.org.choices import Category, Education, HistoryField, Level, PersonStatus, Rank
from jingying.org.models import Person, PersonHistory
from jingying.org.roster.columns import HEADERS
from jingying.org.roster.exporter import export_roster, write_template
from jingying.org.roster.importer import import_roster
from jingying.org.roster.synthetic import synthetic_workbook
from jingying.org.tests.factories import PersonFactory, Tree, make_unit, make_user

pytestmark = pytest.mark.django_db

_seq = itertools.count(11, 2)  # odd: men


def id_for(birth: dt.date = dt.date(1985, 3, 12), *, male: bool = True, address: str = "150102") -> str:
    seq = next(_seq) % 1000
    if not male:
        seq -= 1
    return idnumber.make(address, birth, seq)


def person_row(**over: Any) -> dict[str, Any]:
    """A complete valid row (header → cell) for the Tree's station; keyword args replace cells."""
    birth = over.pop("birth", dt.date(1985, 3, 12))
    male = over.pop("male", True)
    row: dict[str, Any] = {
        "姓名": "张建国", "性别": "男" if male else "女", "民族": "汉族", "出生日期": birth.isoformat(),
        "身份证号": id_for(birth, male=male), "人员类别": "民警", "警号": "", "单位": "新城区分局海东路派出所",
        "职务": "民警", "警衔": "一级警司", "职级": "四级警长", "政治面貌": "中共党员", "学历": "大学本科",
        "入警时间": "2008-07-01", "手机号": "13800001234", "状态": "在职",
    }
    row.update(over)
    return row


def write_book(path: Path, rows: list[dict[str, Any]], *, headers: list[str] | None = None,
               title: str | None = None, extra_top: int = 0) -> Path:
    """Write `rows` under `headers` (default: the template's), optionally under a merged title."""
    headers = headers or list(HEADERS)
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    sheet = book.add_worksheet("Sheet1")
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    r = 0
    if title:
        sheet.merge_range(0, 0, 0, max(1, len(headers) - 1), title)
        r = 1
    r += extra_top
    sheet.write_row(r, 0, headers)
    for values in rows:
        r += 1
        for c, header in enumerate(headers):
            value = values.get(header, "")
            if isinstance(value, dt.datetime | dt.date):
                sheet.write_datetime(r, c, value if isinstance(value, dt.datetime) else
                                     dt.datetime.combine(value, dt.time()), date_format)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                sheet.write_number(r, c, value)
            elif value != "":
                sheet.write_string(r, c, str(value))
    book.close()
    return path


@pytest.fixture
def tree() -> Tree:
    return Tree()


def run(tmp_path: Path, rows: list[dict[str, Any]], actor: Any = SYSTEM, **book: Any) -> Any:
    path = write_book(tmp_path / "roster.xlsx", rows, **book)
    return import_roster(path, actor=actor)


def messages(result: Any) -> str:
    return "\n".join(f"{e.row}|{e.column}|{e.value}|{e.message}" for e in result.errors)


# --- headers -------------------------------------------------------------------------------


def test_header_variants_under_a_title_row_and_extra_columns_listed(tree: Tree, tmp_path: Path) -> None:
    headers = ["序号", "姓 名", "性别", "公民身份号码", "所在单位", "出生年月", "参加公安工作时间", "联系电话",
               "* 警衔", "文化程度", "备注"]
    row = person_row()
    cells = {"序号": "1", "姓 名": row["姓名"], "性别": "男", "公民身份号码": row["身份证号"],
             "所在单位": "新城分局", "出生年月": "1985.03", "参加公安工作时间": "2008年7月",
             "联系电话": "138 0000 1234", "* 警衔": "二级警督", "文化程度": "本科", "备注": "借调中"}
    result = run(tmp_path, [cells], headers=headers, title="新城区分局民警花名册", extra_top=1)
    assert result.ok, messages(result)
    assert result.header_row == 3
    assert result.ignored_columns == ["序号", "备注"]
    person = Person.objects.get()
    assert person.unit == tree.county
    assert person.birth_date == dt.date(1985, 3, 12)  # month only → exact date from the ID number
    assert person.police_start_date == dt.date(2008, 7, 1)
    assert person.phone == "13800001234"
    assert person.rank == Rank.JINGDU_2
    assert person.education == Education.BACHELOR


def test_no_header_row_is_one_clear_error(tree: Tree, tmp_path: Path) -> None:
    result = run(tmp_path, [{"甲": "1", "乙": "2"}], headers=["甲", "乙"])
    assert not result.ok
    assert "找不到表头" in result.errors[0].message


def test_missing_required_column_is_named(tree: Tree, tmp_path: Path) -> None:
    row = person_row()
    result = run(tmp_path, [row], headers=["姓名", "身份证号", "性别"])
    assert not result.ok
    assert "“单位”" in result.errors[0].message
    assert Person.objects.count() == 0


def test_not_an_xlsx_is_an_error_not_a_crash(tree: Tree) -> None:
    result = import_roster(io.BytesIO(b"this is not a workbook"), actor=SYSTEM)
    assert not result.ok
    assert "xlsx" in result.errors[0].message


# --- values ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    ["1985-03-12", "1985.03.12", "1985/3/12", "1985年3月12日", "19850312", "1985.03", "1985年3月",
     dt.date(1985, 3, 12), 31118.0, "１９８５－０３－１２"],
)
def test_birth_date_formats(tree: Tree, tmp_path: Path, cell: Any) -> None:
    result = run(tmp_path, [person_row(出生日期=cell)])
    assert result.ok, messages(result)
    assert Person.objects.get().birth_date == dt.date(1985, 3, 12)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("2008-07-01", dt.date(2008, 7, 1)), ("2008.07", dt.date(2008, 7, 1)), (2008.09, dt.date(2008, 9, 1)),
     ("2008/7/15", dt.date(2008, 7, 15)), ("", None)],
)
def test_police_start_date_formats(tree: Tree, tmp_path: Path, cell: Any, expected: dt.date | None) -> None:
    result = run(tmp_path, [person_row(入警时间=cell)])
    assert result.ok, messages(result)
    assert Person.objects.get().police_start_date == expected


def test_full_width_digits_spaces_and_lowercase_x(tree: Tree, tmp_path: Path) -> None:
    birth = dt.date(1990, 1, 1)
    number = next(n for seq in range(1, 999, 2) if (n := idnumber.make("150102", birth, seq)).endswith("X"))
    typed = number[:-1].translate({ord(d): chr(0xFF10 + int(d)) for d in "0123456789"}) + "x"
    result = run(tmp_path, [person_row(身份证号=f"　{typed} ", 出生日期="1990.01.01", 警号="１２３４５６",
                                       姓名="王　伟")])
    assert result.ok, messages(result)
    person = Person.objects.get()
    assert person.id_number == number
    assert person.police_number == "123456"
    assert person.name == "王伟"


def test_labels_and_variants(tree: Tree, tmp_path: Path) -> None:
    rows = [
        person_row(姓名="巴特尔•其其格", 民族="蒙古", 人员类别="文职辅警", 警衔="", 职级="", 单位="150102001",
                   政治面貌="团员", 学历="大专", 状态="借调"),
        person_row(民族="蒙族", 人员类别="民警", 警衔="专业技术二级警督", 职级="二级主任科员", 单位="新城分局",
                   警号=100123.0),
        person_row(民族="回族", 人员类别="勤务辅警", 警衔="", 职级="", 单位="呼和浩特市公安局新城区分局", male=False),
    ]
    result = run(tmp_path, rows)
    assert result.ok, messages(result)
    a, b, c = (Person.objects.get(id_number=r["身份证号"]) for r in rows)
    assert (a.name, a.ethnicity, a.category, a.unit, a.status) == (
        "巴特尔·其其格", "02", Category.AUXILIARY, tree.station, PersonStatus.SECONDED)
    assert (a.political_status, a.education) == ("03", Education.JUNIOR_COLLEGE)
    assert (b.ethnicity, b.rank, b.rank_technical, b.level, b.unit, b.police_number) == (
        "02", Rank.JINGDU_2, True, Level.ZH08, tree.county, "100123")
    assert (c.ethnicity, c.category, c.gender) == ("03", Category.AUXILIARY, "2")


def test_gender_and_birth_date_are_read_from_the_id_when_empty(tree: Tree, tmp_path: Path) -> None:
    row = person_row(male=False, 性别="", 出生日期="")
    result = run(tmp_path, [row])
    assert result.ok, messages(result)
    person = Person.objects.get()
    assert (person.gender, person.birth_date) == ("2", dt.date(1985, 3, 12))


# --- errors: each kind, nothing written ------------------------------------------------------


def _bad_checksum() -> str:
    good = id_for()
    return good[:-1] + ("0" if good[-1] != "0" else "1")


@pytest.mark.parametrize(
    ("over", "column", "expected"),
    [
        ({"身份证号": _bad_checksum()}, "身份证号", "校验位错误"),
        ({"身份证号": 1.50102198503121e17}, "身份证号", "被 Excel 存成了数字"),
        ({"身份证号": "1.50102E+17"}, "身份证号", "科学计数法"),
        ({"身份证号": "15010219850312"}, "身份证号", "应为 18 位"),
        ({"出生日期": "1986-03-12"}, "出生日期", "出生日期与身份证号不一致"),
        ({"出生日期": "1985.04"}, "出生日期", "出生日期与身份证号不一致"),
        ({"性别": "女"}, "性别", "性别与身份证号不一致"),
        ({"出生日期": "1985-02-30"}, "出生日期", "不存在"),
        ({"出生日期": "去年"}, "出生日期", "无法识别的日期"),
        ({"入警时间": 2008.1}, "入警时间", "无法区分 1 月和 10 月"),
        ({"单位": "不存在派出所"}, "单位", "找不到单位"),
        ({"警衔": "一级警长"}, "警衔", "无法识别"),
        ({"民族": "火星族"}, "民族", "无法识别"),
        ({"警号": "12345"}, "警号", "6 位数字"),
        ({"手机号": "打电话"}, "手机号", "电话号码"),
        ({"姓名": ""}, "姓名", "不能为空"),
        ({"单位": ""}, "单位", "不能为空"),
    ],
)
def test_error_kinds_write_nothing(tree: Tree, tmp_path: Path, over: dict[str, Any], column: str,
                                   expected: str) -> None:
    good = person_row(姓名="好人")
    result = run(tmp_path, [good, person_row(**over)])
    assert not result.ok
    assert Person.objects.count() == 0
    assert (result.created, result.updated) == (0, 0)
    [error] = result.errors
    assert (error.row, error.column) == (3, column)
    assert expected in error.message, error.message


def test_excel_number_id_is_shown_as_excel_shows_it(tree: Tree, tmp_path: Path) -> None:
    result = run(tmp_path, [person_row(身份证号=1.50102198503121e17)])
    assert result.errors[0].value.endswith("E+17")


def test_ambiguous_short_name_names_the_candidates(tree: Tree, tmp_path: Path) -> None:
    make_unit(tree.other_county, "150202009", "东河区分局海东路派出所", short_name="海东路派出所")
    tree.station.short_name = "海东路派出所"
    tree.station.save()
    result = run(tmp_path, [person_row(单位="海东路派出所")])
    assert not result.ok
    message = result.errors[0].message
    assert "新城区分局海东路派出所" in message
    assert "东河区分局海东路派出所" in message


def test_duplicates_inside_the_file(tree: Tree, tmp_path: Path) -> None:
    first = person_row(警号="100001")
    twin = dict(first, 姓名="另一人", 警号="100002")
    other = person_row(警号="100001")
    result = run(tmp_path, [first, twin, other])
    assert not result.ok
    text = messages(result)
    assert "与第 2 行的身份证号重复" in text
    assert "与第 2 行的警号重复" in text
    assert Person.objects.count() == 0


def test_every_bad_row_is_reported(tree: Tree, tmp_path: Path) -> None:
    rows = [person_row(单位="无此单位") for _ in range(5)] + [person_row()]
    result = run(tmp_path, rows)
    assert [e.row for e in result.errors] == [2, 3, 4, 5, 6]
    assert result.error_row_count == 5
    assert Person.objects.count() == 0


def test_police_number_held_by_someone_else(tree: Tree, tmp_path: Path) -> None:
    PersonFactory(unit=tree.station, police_number="200001")
    result = run(tmp_path, [person_row(警号="200001")])
    assert not result.ok
    assert "已被系统中另一人员使用" in result.errors[0].message


def test_police_numbers_swapped_in_one_file(tree: Tree, tmp_path: Path) -> None:
    a = PersonFactory(unit=tree.station, police_number="200001")
    b = PersonFactory(unit=tree.station, police_number="200002")
    rows = [person_row(姓名=p.name, 身份证号=p.id_number, 出生日期=p.birth_date.isoformat(), 警号=new)
            for p, new in ((a, "200002"), (b, "200001"))]
    result = run(tmp_path, rows)
    assert result.ok, messages(result)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.police_number, b.police_number) == ("200002", "200001")


# --- upsert, history, audit ------------------------------------------------------------------


def test_same_file_twice_changes_nothing(tree: Tree, tmp_path: Path) -> None:
    rows = [person_row(警号=f"30000{i}") for i in range(3)]
    path = write_book(tmp_path / "r.xlsx", rows)
    first = import_roster(path, actor=SYSTEM)
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    stamps = dict(Person.objects.values_list("id", "updated_at"))
    second = import_roster(path, actor=SYSTEM)
    assert second.ok
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3)
    assert dict(Person.objects.values_list("id", "updated_at")) == stamps
    assert PersonHistory.objects.count() == 0


def test_changed_unit_rank_position_write_history(tree: Tree, tmp_path: Path) -> None:
    person = PersonFactory(unit=tree.station, rank=Rank.JINGSI_1, position="民警", phone="13800000000")
    row = person_row(姓名=person.name, 身份证号=person.id_number, 出生日期=person.birth_date.isoformat(),
                     警号=person.police_number, 单位="东河分局", 警衔="三级警督", 职务="副所长",
                     手机号="13900000000")
    result = run(tmp_path, [row])
    assert result.ok, messages(result)
    assert result.updated == 1
    assert set(result.changes[0].fields) >= {"单位", "警衔", "职务", "手机号"}
    person.refresh_from_db()
    assert (person.unit, person.rank, person.position) == (tree.other_county, Rank.JINGDU_3, "副所长")
    history = {h.field: (h.old_value, h.new_value, h.source) for h in PersonHistory.objects.filter(person=person)}
    assert history[HistoryField.UNIT] == (tree.station.name, tree.other_county.name, "roster_import")
    assert history[HistoryField.RANK] == ("一级警司", "三级警督", "roster_import")
    assert history[HistoryField.POSITION] == ("民警", "副所长", "roster_import")
    assert HistoryField.STATUS not in history


def test_absent_column_keeps_value_and_empty_cell_clears(tree: Tree, tmp_path: Path) -> None:
    person = PersonFactory(unit=tree.station, position="所长", phone="13800000000", ethnicity="02")
    row = {"姓名": person.name, "身份证号": person.id_number, "单位": tree.station.name, "职务": "", "民族": ""}
    result = run(tmp_path, [row], headers=["姓名", "身份证号", "单位", "职务", "民族"])
    assert result.ok, messages(result)
    person.refresh_from_db()
    assert person.position == ""  # present and empty: cleared
    assert person.phone == "13800000000"  # column absent: kept
    assert person.ethnicity == "02"  # cannot be empty: kept


def test_one_audit_entry_per_import(tree: Tree, tmp_path: Path) -> None:
    before = AuditEntry.objects.count()
    result = run(tmp_path, [person_row(), person_row()])
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.get(action="org.roster.import")
    assert entry.after["sha256"] == result.sha256
    assert entry.after["file"] == "roster.xlsx"
    assert sorted(entry.after["created_ids"]) == sorted(Person.objects.values_list("id", flat=True))
    assert entry.actor_name == "system"


def test_dry_run_writes_nothing(tree: Tree, tmp_path: Path) -> None:
    path = write_book(tmp_path / "r.xlsx", [person_row()])
    result = import_roster(path, actor=SYSTEM, dry_run=True)
    assert result.ok and result.created == 1
    assert Person.objects.count() == 0
    assert not AuditEntry.objects.filter(action="org.roster.import").exists()


def test_progress_is_reported(tree: Tree, tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    run_path = write_book(tmp_path / "r.xlsx", [person_row() for _ in range(3)])
    import_roster(run_path, actor=SYSTEM, progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1][0] == calls[-1][1]


def test_person_validate_uses_the_same_rules(tree: Tree) -> None:
    from django.core.exceptions import ValidationError

    from jingying.org import services

    person = Person(name="甲", gender="1", birth_date=dt.date(1986, 1, 1), id_number=id_for(), unit=tree.station)
    with pytest.raises(ValidationError) as info:
        services.person_validate(person)
    assert "出生日期与身份证号不一致" in str(info.value)


# --- scope -----------------------------------------------------------------------------------


def test_county_user_cannot_import_into_another_county(tree: Tree, tmp_path: Path) -> None:
    user = make_user("county_pd", role=Role.POLITICAL, unit=tree.county)
    result = run(tmp_path, [person_row(), person_row(单位="东河分局")], actor=user)
    assert not result.ok
    [error] = result.errors
    assert error.row == 3 and "无权" in error.message
    assert Person.objects.count() == 0


def test_county_user_cannot_take_over_someone_from_another_county(tree: Tree, tmp_path: Path) -> None:
    outsider = PersonFactory(unit=tree.other_station)
    user = make_user("county_pd", role=Role.POLITICAL, unit=tree.county)
    row = person_row(姓名=outsider.name, 身份证号=outsider.id_number, 出生日期=outsider.birth_date.isoformat())
    result = run(tmp_path, [row], actor=user)
    assert not result.ok
    assert "不在您的管理范围内" in result.errors[0].message
    outsider.refresh_from_db()
    assert outsider.unit == tree.other_station


def test_leader_without_import_permission_gets_an_error_per_row(tree: Tree, tmp_path: Path) -> None:
    user = make_user("leader", role=Role.LEADER, unit=tree.region)
    result = run(tmp_path, [person_row()], actor=user)
    assert not result.ok and Person.objects.count() == 0


def read_export(path: Path) -> list[list[Any]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def test_export_contains_nobody_outside_scope(tree: Tree, tmp_path: Path) -> None:
    inside = PersonFactory(unit=tree.station)
    PersonFactory(unit=tree.other_station)
    PersonFactory(unit=tree.region_pd)
    user = make_user("county_leader", role=Role.LEADER, unit=tree.county)
    out = tmp_path / "out.xlsx"
    assert export_roster(out, actor=user) == 1
    rows = read_export(out)
    assert [r[4] for r in rows[1:]] == [inside.id_number]
    # A unit filter outside the scope gives nobody, not the other county.
    assert export_roster(tmp_path / "o2.xlsx", actor=user, unit=tree.other_county) == 0


def test_export_unit_filter_and_audit(tree: Tree, tmp_path: Path) -> None:
    PersonFactory(unit=tree.station)
    PersonFactory(unit=tree.other_station)
    assert export_roster(tmp_path / "o.xlsx", actor=SYSTEM, unit=tree.other_county) == 1
    entry = AuditEntry.objects.get(action="org.roster.export")
    assert entry.after == {"rows": 1, "unit": tree.other_county.code, "file": "o.xlsx"}


def test_officer_cannot_export(tree: Tree, tmp_path: Path) -> None:
    me = PersonFactory(unit=tree.station)
    user = make_user("officer", role=Role.OFFICER, unit=tree.station, person=me)
    assert export_roster(tmp_path / "o.xlsx", actor=user) == 0


# --- round trip and export cost ----------------------------------------------------------------


def test_round_trip_export_then_import_is_unchanged(tree: Tree, tmp_path: Path) -> None:
    PersonFactory(unit=tree.station, rank=Rank.JINGDU_2, rank_technical=True, level=Level.ZF08, position="所长",
                  education=Education.MASTER, police_start_date=dt.date(2009, 8, 1), phone="13800001111",
                  ethnicity="02", name="巴特尔·其其格")
    PersonFactory(unit=tree.other_station, category=Category.AUXILIARY, police_number=None, gender="1",
                  status=PersonStatus.SECONDED)
    PersonFactory(unit=tree.county, political_status="01", position="")
    out = tmp_path / "out.xlsx"
    assert export_roster(out, actor=SYSTEM) == 3
    result = import_roster(out, actor=SYSTEM)
    assert result.ok, messages(result)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert result.ignored_columns == []


def test_template_has_the_import_headers(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    write_template(out)
    assert read_export(out)[0] == list(HEADERS)


def test_export_query_count_is_independent_of_rows(tree: Tree, tmp_path: Path) -> None:
    user = make_user("region_leader", role=Role.LEADER, unit=tree.region)
    PersonFactory.create_batch(3, unit=tree.station)

    def count() -> int:
        user.__dict__.pop("_jy_grants", None)
        with CaptureQueriesContext(connection) as ctx:
            export_roster(tmp_path / "q.xlsx", actor=user)
        return len(ctx.captured_queries)

    count()  # the first audit entry also creates the chain head
    few = count()
    PersonFactory.create_batch(40, unit=tree.other_station)
    assert count() == few


def test_synthetic_workbook_imports_cleanly(tree: Tree, tmp_path: Path) -> None:
    path = tmp_path / "s.xlsx"
    synthetic_workbook(path, [tree.station, tree.other_station, tree.county], 60, seed=3)
    result = import_roster(path, actor=SYSTEM)
    assert result.ok, messages(result)
    assert result.created == 60 and result.header_row == 3
