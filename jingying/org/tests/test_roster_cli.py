"""`jingying roster import|export`: exit codes, the Chinese report, --errors, --dry-run, --as-user."""

from __future__ import annotations

from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from jingying.accounts.roles import Role
from jingying.cli import main
from jingying.org.models import Person
from jingying.org.tests.factories import PersonFactory, Tree, make_user
from jingying.org.tests.test_roster import person_row, write_book

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree() -> Tree:
    return Tree()


def test_import_ok_exits_0_and_summarises(tree: Tree, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_book(tmp_path / "r.xlsx", [person_row(), person_row()])
    assert main(["roster", "import", str(path)]) == 0
    assert "新增 2 人" in capsys.readouterr().out
    assert Person.objects.count() == 2


def test_import_errors_exit_1_with_report_and_workbook(tree: Tree, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = write_book(tmp_path / "r.xlsx", [person_row(), person_row(单位="不存在的单位"), person_row(身份证号="1.50102E+17")])
    errors = tmp_path / "errors.xlsx"
    assert main(["roster", "import", str(path), "--errors", str(errors)]) == 1
    out = capsys.readouterr().out
    assert "第 3 行，“单位”列，值“不存在的单位”：找不到单位" in out
    assert "第 4 行，“身份证号”列，值“1.50102E+17”" in out
    assert "未写入任何数据" in out
    assert Person.objects.count() == 0
    book = CalamineWorkbook.from_path(str(errors))
    details = book.get_sheet_by_index(0).to_python()
    assert details[0] == ["行号", "列", "值", "错误原因"]
    assert [int(r[0]) for r in details[1:]] == [3, 4]
    bad_rows = book.get_sheet_by_index(1).to_python()
    assert [int(r[0]) for r in bad_rows[1:]] == [3, 4]
    assert bad_rows[1][2 + 7] == "不存在的单位"  # the row as read, after 原行号 and 错误原因


def test_dry_run_writes_nothing(tree: Tree, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_book(tmp_path / "r.xlsx", [person_row()])
    assert main(["roster", "import", str(path), "--dry-run"]) == 0
    assert "试运行" in capsys.readouterr().out
    assert Person.objects.count() == 0


def test_as_user_is_scoped(tree: Tree, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_user("county_pd", role=Role.POLITICAL, unit=tree.county)
    path = write_book(tmp_path / "r.xlsx", [person_row(单位="东河分局")])
    assert main(["roster", "import", str(path), "--as-user", "county_pd"]) == 1
    assert "无权" in capsys.readouterr().out
    assert main(["roster", "import", str(path), "--as-user", "nobody"]) == 2


def test_missing_file_exits_2(tree: Tree, tmp_path: Path) -> None:
    assert main(["roster", "import", str(tmp_path / "nope.xlsx")]) == 2


def test_export_and_unit_filter(tree: Tree, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    PersonFactory(unit=tree.station)
    PersonFactory(unit=tree.other_station)
    out = tmp_path / "all.xlsx"
    assert main(["roster", "export", str(out)]) == 0
    assert len(CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()) == 3
    one = tmp_path / "one.xlsx"
    assert main(["roster", "export", str(one), "--unit", tree.county.code]) == 0
    assert "已导出 1 人" in capsys.readouterr().out
    assert main(["roster", "export", str(one), "--unit", "NOPE"]) == 2
    make_user("county_leader", role=Role.LEADER, unit=tree.county)
    assert main(["roster", "export", str(one), "--as-user", "county_leader"]) == 0
    assert len(CalamineWorkbook.from_path(str(one)).get_sheet_by_index(0).to_python()) == 2
