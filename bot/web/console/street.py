"""The street office's desk (product.md §3): its jurisdiction's open tickets by department, overdue
supervision (督办), the property-company ranking, and the monthly statistics with charts and XLSX.

Street staff only, and only their own street offices: another office's pages answer 404. The
queue itself is /console/tickets; this view links to it with filters.
"""
from __future__ import annotations

import re
import tempfile
from decimal import Decimal
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands.report import write_workbook
from bot.web.console.base import Missing, now, office_in_reach, offices_of, render, require_role, runtime, viewer
from bot.web.console.street_charts import CHARTS
from core.accounts import SignedIn
from core.roles import Role
from core.tickets.report import MonthlyReport, ReportError, monthly_report
from core.tickets.stats import Rate
from core.tickets.supervision import month_of, open_by_department, parse_month, supervision
from storage.models import StreetOffice

router = APIRouter()


def pct(rate: Rate) -> str:
    """A rate for the page: 「87.5%」, or 「—」 when there is nothing to divide by."""
    p: Decimal | None = rate.percent()
    return "—" if p is None else f"{p}%"


async def _office(s: AsyncSession, me: SignedIn, office_id: str) -> StreetOffice:
    """The viewer's own street office, else 404 (another street's existence does not leak)."""
    require_role(me, Role.STREET_STAFF)
    try:
        wanted = int(office_id)
    except ValueError:
        raise Missing() from None
    return await office_in_reach(s, me, wanted)


@router.get("/console/street", response_class=HTMLResponse)
async def overview(request: Request, me: SignedIn = Depends(viewer)) -> Response:
    require_role(me, Role.STREET_STAFF)
    at = now(request)
    month = month_of(at)
    desks = []
    async with runtime(request).db.session() as s:
        for office in await offices_of(s, me):
            report = await monthly_report(s, office.code, month, at)
            desks.append({"office": office, "departments": await open_by_department(s, office.id, at),
                          "supervision": await supervision(s, office.id, at), "ranking": report.ranking})
    return render(request, me, "street/overview.html", desks=desks, month=month, pct=pct)


async def _report(request: Request, me: SignedIn, office_id: str, month: str | None
                  ) -> tuple[StreetOffice, str, MonthlyReport | None, str | None]:
    """The office, the month asked for, and its report; or a message saying what was wrong with the month."""
    async with runtime(request).db.session() as s:
        office = await _office(s, me, office_id)
        chosen = month_of(now(request)) if month is None else month
        try:
            chosen = parse_month(chosen)
            return office, chosen, await monthly_report(s, office.code, chosen, now(request)), None
        except ReportError as e:
            return office, chosen, None, str(e)


@router.get("/console/street/{office_id}/report", response_class=HTMLResponse)
async def report_page(request: Request, office_id: str, month: str | None = None,
                      me: SignedIn = Depends(viewer)) -> Response:
    office, chosen, report, error = await _report(request, me, office_id, month)
    return render(request, me, "street/report.html", status_code=400 if error else 200, office=office,
                  month=chosen, report=report, error=error, pct=pct)


@router.get("/console/street/{office_id}/report/{month}/chart.png")
async def report_chart(request: Request, office_id: str, month: str, kind: str = "rates",
                       me: SignedIn = Depends(viewer)) -> Response:
    office, chosen, report, error = await _report(request, me, office_id, month)
    draw = CHARTS.get(kind)
    if report is None or draw is None:
        return Response(error or f"图表类型「{kind[:20]}」不存在", status_code=400, media_type="text/plain; charset=utf-8")
    return Response(draw(report), media_type="image/png", headers={"Cache-Control": "no-store"})


@router.get("/console/street/{office_id}/report.xlsx")
async def report_xlsx(request: Request, office_id: str, month: str | None = None,
                      me: SignedIn = Depends(viewer)) -> Response:
    office, chosen, report, error = await _report(request, me, office_id, month)
    if report is None:
        return render(request, me, "street/report.html", status_code=400, office=office, month=chosen,
                      report=None, error=error, pct=pct)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.xlsx"
        write_workbook(report, path)  # the same workbook as `linli report monthly`
        body = path.read_bytes()
    name = f"{re.sub(r'[^A-Za-z0-9_-]', '', office.code) or 'street'}-{chosen}.xlsx"  # a header is ASCII
    return Response(body, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
