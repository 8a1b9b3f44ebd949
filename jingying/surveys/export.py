"""Excel export of aggregated, k-suppressed results — never of answers one by one.

`campaign_workbook` is the whole export as one synchronous function; the web and the API run it
in the background (jingying.surveys.tasks.results_export_run), because with the analysis sheets
it takes seconds to tens of seconds on a force-wide campaign.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from jingying.core.scoping import covers
from jingying.surveys.selectors import RateRow, Results

Progress = Callable[[int, int], None]


def check_export(*, actor: Any, campaign: Any, unit: Any) -> None:
    """May `actor` export `unit`'s results of `campaign`? 404 when not (out of scope or no
    permission), a ValidationError saying why when the results are not shown yet (below k)."""
    from jingying.surveys import selectors

    if not unit.path.startswith(campaign.unit.path) or not covers(actor, "surveys.export_results", unit.path):
        raise Http404
    selectors.access_campaign(actor, campaign.pk, perm="surveys.view_results")
    if not covers(actor, "surveys.view_results", unit.path):
        raise Http404
    if not selectors.results_shown(campaign=campaign, unit=unit):
        raise ValidationError(_("回答人数还不足 %(k)d 人，暂不能导出结果。") % {"k": campaign.k_threshold})


def campaign_workbook(*, actor: Any, campaign: Any, unit: Any, progress: Progress | None = None) -> bytes:
    """The results workbook of `unit` (its subtree) as `actor` may see it: the distributions,
    the response rates and the analysis sheets, every figure k-suppressed. Raises Http404 /
    ValidationError as `check_export` does."""
    from jingying.surveys import selectors

    check_export(actor=actor, campaign=campaign, unit=unit)
    results = selectors.campaign_results(actor=actor, campaign=campaign, unit=unit, with_texts=False)
    head, children = selectors.campaign_rates(campaign=campaign, unit=unit)
    extra = analysis_export(actor=actor, campaign=campaign, unit=unit, progress=progress)
    return results_workbook(results, head, children, extra)


def results_workbook(results: Results, head: RateRow, children: list[RateRow], extra: Any = None) -> bytes:
    """The results page as a workbook; `extra` (an AnalysisExport) adds the cross-tab, index
    and theme sheets."""
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
    if extra is not None:
        analysis_sheets(book, extra, bold)
    book.close()
    return buffer.getvalue()


# --- analysis sheets (issue 4 point 6) -------------------------------------------------------


@dataclass
class AnalysisExport:
    crosstabs: list[Any]  # analysis.CrossTab
    indices: list[tuple[Any, list[Any]]]  # (analysis.IndexResult, [analysis.TrendPoint])
    themes: list[Any]  # analysis.ThemeResult


def analysis_export(*, actor: Any, campaign: Any, unit: Any, progress: Progress | None = None) -> AnalysisExport:
    """Everything the analysis tabs show for the unit, for the workbook: each closed question by
    each breakdown, each index with its trend, the themes of each text question (no examples:
    the export carries no text answers). `progress(done, total)` is called after each piece."""
    from jingying.surveys import analysis

    dims = analysis.dimensions(campaign, unit)
    questions = analysis.crosstab_questions(campaign)
    indices = analysis.campaign_indices(actor=actor, campaign=campaign, unit=unit)
    texts = analysis.text_questions(campaign)
    total = len(questions) * len(dims) + len(indices) + len(texts)
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    tabs = []
    for q in questions:
        for d in dims:
            tabs.append(analysis.crosstab(actor=actor, campaign=campaign, question=q, dimension=d.key, unit=unit))
            step()
    index_rows = []
    for r in indices:
        _name, points = analysis.index_trend(actor=actor, campaign=campaign, code=r.code, unit=unit)
        index_rows.append((r, points))
        step()
    themes = []
    for q in texts:
        themes.append(analysis.campaign_themes(actor=actor, campaign=campaign, question=q, unit=unit))
        step()
    return AnalysisExport(tabs, index_rows, themes)


def analysis_sheets(book: Any, data: AnalysisExport, bold: Any) -> None:
    hidden = _("不显示（人数不足）")
    sheet = book.add_worksheet(_("交叉分析"))
    sheet.set_column(0, 0, 36)
    sheet.set_column(1, 30, 14)
    row = 0
    sheet.write(row, 0, _("每组至少 k 人才显示；为防止分组相减推算出少数人，部分人员计入“未单列”。"))
    row += 2
    for tab in data.crosstabs:
        sheet.write(row, 0, f"{tab.question.text} · {tab.dimension.label}", bold)
        row += 1
        if not tab.shown:
            sheet.write(row, 0, hidden)
            row += 2
            continue
        cols = [tab.total, *tab.columns]
        sheet.write(row, 0, _("分组"), bold)
        for n, c in enumerate(cols, start=1):
            sheet.write(row, n, c.label, bold)
        row += 1
        sheet.write(row, 0, _("作答人数"))
        for n, c in enumerate(cols, start=1):
            sheet.write(row, n, c.respondents if c.shown else hidden)
        row += 1
        for row_code, row_label in tab.rows:
            for value, label in tab.options:
                sheet.write(row, 0, f"{row_label} · {label}" if row_label else label)
                for n, c in enumerate(cols, start=1):
                    cell = c.cell(row_code, value)
                    sheet.write(row, n, cell[0] if cell is not None else hidden)
                row += 1
        row += 1

    sheet = book.add_worksheet(_("指数"))
    sheet.set_column(0, 0, 36)
    sheet.set_column(1, 3, 16)
    row = 0
    for r, points in data.indices:
        sheet.write(row, 0, f"{r.name}（{r.items}）", bold)
        row += 1
        sheet.write_row(row, 0, [_("单位"), _("指数（0–100）"), _("人数")], bold)
        row += 1
        sheet.write_row(row, 0, [_("合计"), float(r.value), r.respondents] if r.shown else [_("合计"), hidden])
        row += 1
        for c in r.children:
            name = c.unit.name if c.unit is not None else _("本级")
            sheet.write_row(row, 0, [name, float(c.value), c.respondents] if c.shown else [name, hidden])
            row += 1
        sheet.write_row(row, 0, [_("历次调查"), _("指数（0–100）"), _("人数")], bold)
        row += 1
        for p in points:
            sheet.write_row(row, 0, [p.campaign.title, float(p.value), p.respondents] if p.shown
                            else [p.campaign.title, hidden])
            row += 1
        row += 1

    sheet = book.add_worksheet(_("主题"))
    sheet.set_column(0, 0, 40)
    sheet.set_column(1, 1, 12)
    row = 0
    sheet.write(row, 0, _("文字回答按关键词归为主题；少于 k 条的主题不列出；导出不含文字回答原文。"))
    row += 2
    for t in data.themes:
        sheet.write(row, 0, t.question.text, bold)
        row += 1
        if not t.shown:
            sheet.write(row, 0, hidden)
            row += 2
            continue
        sheet.write_row(row, 0, [_("主题"), _("条数")], bold)
        row += 1
        for theme in t.themes:
            sheet.write_row(row, 0, [theme.label, theme.count])
            row += 1
        sheet.write_row(row, 0, [_("其他（未归入主题）"), t.other or 0])
        row += 2
