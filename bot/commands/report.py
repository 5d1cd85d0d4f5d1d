"""`linli report monthly --street CODE --month YYYY-MM -o FILE.xlsx`: a street office's monthly
ticket statistics and the 红灰榜 of property companies, as a workbook for the monthly 通报."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands.common import in_session
from core.tickets.report import CompanyRank, MonthlyReport, ReportError, SliceStats, monthly_report
from core.tickets.stats import Rate

HEADER = ["名称", "受理量", "按时响应", "响应率(%)", "转办", "已解决", "解决率(%)", "满意", "基本满意", "不满意",
          "满意率(%)", "超期"]
BOLD = Font(bold=True)
RED = PatternFill("solid", fgColor="F8D7DA")
GREY = PatternFill("solid", fgColor="E2E3E5")


def _pct(rate: Rate) -> Any:
    p = rate.percent()
    return "—" if p is None else float(p)


def _row(s: SliceStats) -> list[Any]:
    c = s.counts
    return [s.name, c.received, c.responded, _pct(s.response), c.referred, c.resolved, _pct(s.resolution),
            c.satisfied, c.basically_satisfied, c.unsatisfied, _pct(s.satisfaction), s.overdue]


def _sheet(wb: Workbook, title: str, rows: list[SliceStats]) -> None:
    ws = wb.create_sheet(title)
    ws.append(HEADER)
    for cell in ws[1]:
        cell.font = BOLD
    for s in rows:
        ws.append(_row(s))
    ws.column_dimensions["A"].width = 28


def write_workbook(report: MonthlyReport, path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "概览"
    ws.append([f"{report.street_name} {report.month} 诉求办理情况"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    ws.append(HEADER)
    for cell in ws[3]:
        cell.font = BOLD
    ws.append(_row(report.total))
    ws.append([])
    ws.append(["口径：响应率＝按时受理或转办÷受理量；解决率＝已解决÷(受理量−转办)；满意率＝(满意+基本满意)÷已评价；"
               "合并的重复诉求不重复计数。"])
    ws.column_dimensions["A"].width = 28
    _sheet(wb, "按小区", report.by_estate)
    _sheet(wb, "按部门", report.by_department)
    _sheet(wb, "按类别", report.by_category)
    ranking = wb.create_sheet("红灰榜")
    ranking.append(["排名", "榜单", "综合得分", *HEADER])
    for cell in ranking[1]:
        cell.font = BOLD
    for c in report.ranking:
        ranking.append(_rank_row(c))
        if c.board:
            for cell in ranking[ranking.max_row]:
                cell.fill = RED if c.board == "red" else GREY
    ranking.column_dimensions["D"].width = 28
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def _rank_row(c: CompanyRank) -> list[Any]:
    score = "样本不足" if c.score is None else round(float(c.score) * 100, 1)
    return [c.rank if c.rank is not None else "—", c.board_zh, score, *_row(c.stats)]


@click.group("report")
def report_group() -> None:
    """Statistics of tickets for street offices."""


@report_group.command("monthly")
@click.option("--street", required=True, help="the street office's code, e.g. S01")
@click.option("--month", required=True, help="YYYY-MM, e.g. 2026-11 (tickets received that month)")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="the workbook to write (.xlsx)")
@click.option("--min-tickets", default=1, show_default=True, help="fewest tickets for a company to be ranked")
def monthly(street: str, month: str, output: Path, min_tickets: int) -> None:
    """Per estate, department and category: 响应率, 解决率, 满意率, overdue; and the 红灰榜."""
    if output.suffix.lower() != ".xlsx":
        raise click.ClickException("输出文件须为 .xlsx")

    async def go(s: AsyncSession) -> MonthlyReport:
        return await monthly_report(s, street, month, datetime.now(timezone.utc), min_received=min_tickets)

    report = in_session(go, (ReportError,))
    write_workbook(report, output)
    t = report.total
    click.echo(f"{report.street_name} {month}：受理 {t.counts.received} 件，响应率 {_pct(t.response)}，"
               f"解决率 {_pct(t.resolution)}，满意率 {_pct(t.satisfaction)}，超期 {t.overdue} 件 → {output}")
