"""Excel workbooks of the relief fund (yearly statement), protective equipment and the six
guarantees scorecard, written with XlsxWriter."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from jingying.care.choices import EntryKind, Guarantee


def _book() -> tuple[Any, io.BytesIO]:
    import xlsxwriter

    buffer = io.BytesIO()
    return xlsxwriter.Workbook(buffer, {"in_memory": True}), buffer


def statement_workbook(statement: Any) -> bytes:
    """Opening balance, every entry of the year in order, closing balance, totals by kind."""
    book, buffer = _book()
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0.00"})
    money_bold = book.add_format({"num_format": "#,##0.00", "bold": True})
    sheet = book.add_worksheet(_("年度收支明细"))
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, 2, 12)
    sheet.set_column(3, 3, 10)
    sheet.set_column(4, 5, 14)
    sheet.set_column(6, 7, 30)
    sheet.write(0, 0, _("%(fund)s %(year)s 年度收支明细") % {"fund": statement.fund.name, "year": statement.year}, bold)
    sheet.write(1, 0, _("期初余额"), bold)
    sheet.write_number(1, 4, float(statement.opening), money_bold)
    headers = [_("流水号"), _("记账日期"), _("发生日期"), _("类型"), _("金额"), _("记账后余额"), _("捐赠人/受助人"), _("摘要")]
    sheet.write_row(3, 0, headers, bold)
    row = 4
    for e in statement.entries:
        who = e.donor or (e.grant.person.name if e.grant_id else "")
        note = e.note + (_("（冲正 #%(seq)s）") % {"seq": e.reverses.seq} if e.reverses_id else "")
        sheet.write_row(row, 0, [e.seq, e.booked_on.isoformat(), e.occurred_on.isoformat(), e.get_kind_display()])
        # Money goes out as a number formatted to two places; the Decimal is exact to the cent.
        sheet.write_number(row, 4, float(e.amount), money)
        sheet.write_number(row, 5, float(e.balance_after), money)
        sheet.write_row(row, 6, [who, note])
        row += 1
    row += 1
    sheet.write(row, 0, _("期末余额"), bold)
    sheet.write_number(row, 4, float(statement.closing), money_bold)
    row += 2
    sheet.write(row, 0, _("按类型合计"), bold)
    row += 1
    for kind in EntryKind:
        sheet.write(row, 0, str(kind.label))
        sheet.write_number(row, 4, float(statement.totals[kind.value]), money)
        row += 1
    sheet.write(row, 0, _("收入合计"))
    sheet.write_number(row, 4, float(statement.income), money)
    sheet.write(row + 1, 0, _("支出合计"))
    sheet.write_number(row + 1, 4, float(statement.outgoing), money)
    book.close()
    return buffer.getvalue()


def equipment_workbook(issues: Iterable[Any], today: Any) -> bytes:
    book, buffer = _book()
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet(_("防护装备"))
    headers = [_("单位"), _("姓名"), _("警号"), _("装备类型"), _("编号"), _("配发日期"), _("到期日期"), _("状态")]
    sheet.write_row(0, 0, headers, bold)
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 7, 12)
    for row, issue in enumerate(issues, start=1):
        state = issue.get_status_display()
        if issue.status == "issued" and issue.expires_on < today:
            state = _("已过期")
        sheet.write_row(row, 0, [issue.person.unit.name, issue.person.name, issue.person.police_number or "",
                                 issue.type.name, issue.serial, issue.issued_on.isoformat(),
                                 issue.expires_on.isoformat(), state])
    book.close()
    return buffer.getvalue()


def import_template() -> bytes:
    from jingying.care.services.equipment import IMPORT_HEADERS

    book, buffer = _book()
    bold = book.add_format({"bold": True})
    text = book.add_format({"num_format": "@"})
    sheet = book.add_worksheet(_("装备配发"))
    sheet.write_row(0, 0, IMPORT_HEADERS, bold)
    sheet.set_column(0, 0, 22, text)
    sheet.set_column(1, 4, 14, text)
    book.close()
    return buffer.getvalue()


def scorecard_workbook(rows: list[Any], year: int) -> bytes:
    book, buffer = _book()
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet(_("六个保障"))
    headers = [_("单位"), _("人数")]
    for g in Guarantee:
        headers += [str(g.label), _("来源")]
    headers.append(_("综合"))
    sheet.write(0, 0, _("%(year)s 年度六个保障评分") % {"year": year}, bold)
    sheet.write_row(1, 0, headers, bold)
    sheet.set_column(0, 0, 30)
    for r, row in enumerate(rows, start=2):
        values: list[Any] = [row.unit.name, row.headcount]
        for cell in row.cells:
            values += [float(cell.value) if cell.value is not None else "", cell.source_label]
        values.append(float(row.overall) if row.overall is not None else "")
        sheet.write_row(r, 0, values)
    book.close()
    return buffer.getvalue()
