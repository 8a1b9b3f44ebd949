"""Excel export of aggregated, k-suppressed results — never of answers one by one."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _

from jingying.surveys.selectors import RateRow, Results


def results_workbook(results: Results, head: RateRow, children: list[RateRow]) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True})
    pct = book.add_format({"num_format": "0%"})
    sheet = book.add_worksheet(_("结果"))
    sheet.set_column(0, 0, 48)
    sheet.set_column(1, 3, 14)
    row = 0

    def line(*cells: Any, fmt: Any = None) -> None:
        nonlocal row
        for col, value in enumerate(cells):
            if col == 2 and isinstance(value, float):
                sheet.write(row, col, value, pct)
            else:
                sheet.write(row, col, value, fmt)
        row += 1

    line(results.campaign.title, fmt=bold)
    line(_("单位"), results.unit.name)
    line(_("作答人数"), results.respondents)
    line(_("最小公布人数"), results.k)
    line(_("说明"), _("少于最小公布人数的分组不显示；文本回答不导出。"))
    row += 1
    for q in results.questions:
        line(q.question.text, fmt=bold)
        if not q.shown:
            line(_("作答人数不足，不显示"))
            row += 1
            continue
        line(_("选项"), _("人数"), _("比例"), fmt=bold)
        if q.options:
            for label, n, percent in q.options:
                line(label, n, percent / 100)
        for row_label, dist in q.matrix:
            for label, n, percent in dist:
                line(f"{row_label} · {label}", n, percent / 100)
        if q.mean is not None:
            line(_("平均值"), float(q.mean))
        line(_("作答人数"), q.respondents)
        row += 1

    rates = book.add_worksheet(_("参与情况"))
    rates.set_column(0, 0, 40)
    rates.write_row(0, 0, [_("单位"), _("应答人数"), _("已答人数"), _("参与率")], bold)
    for n, r in enumerate([head, *children], start=1):
        name = r.unit.name if r.unit is not None else _("本级")
        if r.shown:
            rates.write_row(n, 0, [name, r.invited, r.answered])
            rates.write(n, 3, r.percent / 100, pct)
        else:
            rates.write_row(n, 0, [name, _("人数不足，不显示")])
    book.close()
    return buffer.getvalue()
