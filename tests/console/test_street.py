"""The street office's desk through the console client: the overview (open tickets by department,
overdue supervision, the ranking), the monthly report with its charts and XLSX, bad months, and
another street's office refused. The figures are checked against tickets made here with known
outcomes; the expected rates are worked out from those outcomes, not by the report's code."""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from openpyxl import load_workbook
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession

from core.roles import Role, ScopeKind
from core.tickets.jobs import escalate_overdue
from core.tickets.lifecycle import Action, ActorRole
from core.tickets.rating import Rating
from core.tickets.service import TicketActor, TicketDraft, act, open_ticket, staff_actor
from core.tickets.supervision import late_text, parse_month
from core.tickets.report import ReportError
from storage.db import Database
from storage.models.tickets import Ticket
from storage.repositories.people import PeopleRepository
from tests.console.conftest import Desk

START = datetime(2026, 11, 2, 2, 0, tzinfo=timezone.utc)  # Monday 2 November 2026, 10:00 in Shanghai
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Outcome:
    """What was done to one ticket, as the statistics must see it."""
    label: str
    estate: str  # "main" or "neighbour"
    category: str
    responded: bool  # accepted or referred before its first deadline
    referred: bool
    resolved: bool
    rating: Rating | None
    overdue: bool
    department: str | None
    company: bool  # a property matter of the estate's company (ranked)


# The month of the street office S01, as made by `make_month` (checked by reading the code below).
OUTCOMES = [
    Outcome("lift_ok", "main", "elevator", True, False, True, Rating.SATISFIED, False, "market", True),
    Outcome("leak_ok", "main", "water_leak", True, False, True, Rating.BASICALLY_SATISFIED, False, None, True),
    Outcome("lift_late", "main", "elevator", False, False, False, None, True, "market", True),
    Outcome("noise_referred", "main", "noise", True, True, False, None, False, "police", False),
    Outcome("dirty_late", "neighbour", "sanitation", False, False, False, None, True, None, True),
    Outcome("green_answered", "neighbour", "greening", True, False, False, None, False, None, True),
]


async def _person(s: AsyncSession, name: str, role: Role | None = None, kind: ScopeKind | None = None,
                  scope_id: int | None = None) -> int:
    people = PeopleRepository(s)
    p = await people.add_person(name)
    if role is not None and kind is not None:
        await people.grant(p.id, role.value, kind.value, scope_id)
    return p.id


async def make_month(db: Database, main_id: int, neighbour_id: int | None, office_id: int,
                     other_street_estate: int | None = None) -> dict[str, str]:
    """November's tickets (OUTCOMES) of the street office; returns label -> ticket number. With no
    neighbour estate, its tickets are made in the main estate instead."""
    neighbour_id = neighbour_id or main_id
    made: dict[str, Ticket] = {}
    async with db.session() as s:
        resident = await _person(s, "张阿姨")
        main_staff = await _person(s, "安居客服", Role.PROPERTY_STAFF, ScopeKind.ESTATE, main_id)
        neighbour_staff = await _person(s, "绿城客服", Role.PROPERTY_STAFF, ScopeKind.ESTATE, neighbour_id)
        street_staff = await _person(s, "街道办事员", Role.STREET_STAFF, ScopeKind.STREET_OFFICE, office_id)
        me = TicketActor(ActorRole.RESIDENT, resident)

        async def new(label: str, estate_id: int, category: str, text: str, at: datetime = START) -> Ticket:
            t = await open_ticket(s, TicketDraft(estate_id=estate_id, category=category, text=text,
                                                 reporter_person_id=resident, channel="web", building="6"), at)
            made[label] = t
            return t

        async def answered(t: Ticket, staff: int, rating: Rating | None) -> None:
            who = await staff_actor(s, staff, t)
            for step in (Action.ACCEPT, Action.DISPATCH):
                await act(s, t, who, step, START + HOUR)
            await act(s, t, who, Action.ANSWER, START + DAY, text="已处理")
            if rating is not None:
                await act(s, t, me, Action.RATE, START + DAY + HOUR, rating=rating)

        await answered(await new("lift_ok", main_id, "elevator", "6号楼电梯停了"), main_staff, Rating.SATISFIED)
        await answered(await new("leak_ok", main_id, "water_leak", "楼道水管漏水"), main_staff,
                       Rating.BASICALLY_SATISFIED)
        await new("lift_late", main_id, "elevator", "5号楼电梯异响")  # never touched
        noise = await new("noise_referred", main_id, "noise", "楼下酒吧太吵")
        await act(s, noise, await staff_actor(s, street_staff, noise), Action.REFER, START + HOUR, target="派出所")
        dirty = await new("dirty_late", neighbour_id, "sanitation", "垃圾三天没清运")
        # Accepted ten days on: after its first deadline, and still not answered.
        await act(s, dirty, await staff_actor(s, neighbour_staff, dirty), Action.ACCEPT, START + 10 * DAY)
        await answered(await new("green_answered", neighbour_id, "greening", "树枝挡住窗户"), neighbour_staff, None)
        # Not November's: received on 31 October, 23:00 in Shanghai.
        await new("october", main_id, "elevator", "电梯坏了", datetime(2026, 10, 31, 15, 0, tzinfo=timezone.utc))
        if other_street_estate is not None:  # another street's ticket: never in S01's figures
            await new("elsewhere", other_street_estate, "elevator", "电梯坏了")
        numbers = {label: t.number for label, t in made.items()}
    return numbers


def percent(f: Fraction | None) -> str:
    """As the page prints a rate: half up to one decimal, or 「—」."""
    if f is None:
        return "—"
    return f"{(Decimal(f.numerator) * 100 / Decimal(f.denominator)).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


def rates(rows: list[Outcome]) -> tuple[str, str, str]:
    received = len(rows)
    referred = sum(o.referred for o in rows)
    rated = [o.rating for o in rows if o.rating is not None]
    good = sum(r in (Rating.SATISFIED, Rating.BASICALLY_SATISFIED) for r in rated)
    return (percent(Fraction(sum(o.responded for o in rows), received) if received else None),
            percent(Fraction(sum(o.resolved for o in rows), received - referred) if received - referred else None),
            percent(Fraction(good, len(rated)) if rated else None))


def cells(html: str, css: str, key: str) -> list[str]:
    """The text of the cells of one row (data-*="key") of the table with class `css`."""
    table = re.search(rf'<table class="responsive {css}">(.*?)</table>', html, re.S)
    assert table, f"no table {css}"
    row = re.search(rf'<tr data-[a-z]+="{re.escape(key)}">(.*?)</tr>', table.group(1), re.S)
    assert row, f"no row {key} in {css}"
    found = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip() for c in found]


def figure(html: str, name: str) -> str:
    m = re.search(rf'data-figure="{name}">([^<]*)<', html)
    assert m, name
    return m.group(1)


async def _month(desk: Desk) -> dict[str, str]:
    numbers = await make_month(desk.rt.db, desk.estate.id, desk.neighbour.id, desk.office.id, desk.elsewhere.id)
    await escalate_overdue(desk.rt.db, desk.clock.now)  # the scheduler's run: overdue property matters → 督办
    return numbers


async def test_monthly_report_figures_from_known_tickets(desk: Desk) -> None:
    await _month(desk)
    c = await desk.signed_in("street")
    r = await c.get(f"/console/street/{desk.office.id}/report?month=2026-11")
    assert r.status_code == 200, r.text
    html = r.text
    response, resolution, satisfaction = rates(OUTCOMES)
    assert (response, resolution, satisfaction) == ("66.7%", "40.0%", "100.0%")  # 4/6, 2/5, 2/2
    assert figure(html, "received") == str(len(OUTCOMES))
    assert figure(html, "response") == response
    assert figure(html, "resolution") == resolution
    assert figure(html, "satisfaction") == satisfaction
    assert figure(html, "overdue") == str(sum(o.overdue for o in OUTCOMES))
    for code in {o.category for o in OUTCOMES}:
        rows = [o for o in OUTCOMES if o.category == code]
        assert cells(html, "by-category", code)[1:] == [str(len(rows)), *rates(rows), str(sum(o.overdue for o in rows))]
    for which, estate in (("main", desk.estate), ("neighbour", desk.neighbour)):
        rows = [o for o in OUTCOMES if o.estate == which]
        row = cells(html, "by-estate", str(estate.id))
        assert row == [estate.name, str(len(rows)), *rates(rows), str(sum(o.overdue for o in rows))]
    assert desk.elsewhere.name not in html
    # The ranking: the mean of the available rates, the better company on the red list.
    anju = [o for o in OUTCOMES if o.company and o.estate == "main"]
    lvcheng = [o for o in OUTCOMES if o.company and o.estate == "neighbour"]
    first = cells(html, "ranking", "安居物业服务有限公司")
    assert first[0] == "1 红榜" and first[2:6] == [str(len(anju)), *rates(anju)]
    second = cells(html, "ranking", "绿城物业")
    assert second[0] == "2 灰榜" and second[2:6] == [str(len(lvcheng)), *rates(lvcheng)]
    # Charts are real PNG images of the month.
    for kind in ("rates", "categories"):
        assert f"/console/street/{desk.office.id}/report/2026-11/chart.png?kind={kind}" in html
        png = await c.get(f"/console/street/{desk.office.id}/report/2026-11/chart.png?kind={kind}")
        assert png.status_code == 200 and png.headers["content-type"] == "image/png"
        img = Image.open(io.BytesIO(png.content))
        assert img.format == "PNG" and img.width == 900 and img.height > 150
    # October holds only the one ticket of 31 October.
    october = await c.get(f"/console/street/{desk.office.id}/report?month=2026-10")
    assert figure(october.text, "received") == "1"


async def test_xlsx_export_read_back(desk: Desk) -> None:
    await _month(desk)
    c = await desk.signed_in("street")
    r = await c.get(f"/console/street/{desk.office.id}/report.xlsx?month=2026-11")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert 'filename="S01-2026-11.xlsx"' in r.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["概览", "按小区", "按部门", "按类别", "红灰榜"]
    total = [c.value for c in wb["概览"][4]]
    received, responded = len(OUTCOMES), sum(o.responded for o in OUTCOMES)
    referred, resolved = sum(o.referred for o in OUTCOMES), sum(o.resolved for o in OUTCOMES)
    assert total[:7] == ["幸福街道办事处", received, responded, 66.7, referred, resolved, 40.0]
    assert total[-1] == sum(o.overdue for o in OUTCOMES)
    estates = {row[0].value: row[1].value for row in wb["按小区"].iter_rows(min_row=2)}
    assert estates == {desk.estate.name: 4, desk.neighbour.name: 2}
    board = [(row[1].value, row[3].value) for row in wb["红灰榜"].iter_rows(min_row=2)]
    assert board == [("红榜", "安居物业服务有限公司"), ("灰榜", "绿城物业")]


async def test_overview_by_department_supervision_and_ranking(desk: Desk) -> None:
    numbers = await _month(desk)
    c = await desk.signed_in("street")
    r = await c.get("/console/street")
    assert r.status_code == 200
    html = r.text
    assert desk.office.name in html and desk.office_elsewhere.name not in html
    # Open = not final: everything but the referred ticket, and October's untouched lift ticket
    # (department market, overdue); never the other street's.
    open_rows = [o for o in OUTCOMES if not o.referred]
    assert figure(html, "open") == str(len(open_rows) + 1)
    assert figure(html, "overdue") == str(sum(o.overdue for o in OUTCOMES) + 1)
    market = [o for o in open_rows if o.department == "market"]
    assert cells(html, "departments", "market")[1:3] == [str(len(market) + 1), str(sum(o.overdue for o in market) + 1)]
    assert '/console/tickets?department=market&amp;overdue=1' in html
    assert '/console/tickets?department=market&amp;status=open' in html
    none = [o for o in open_rows if o.department is None]
    assert cells(html, "departments", "")[:3] == ["（无需部门）", str(len(none)), str(sum(o.overdue for o in none))]
    # Supervision: the overdue property matters, escalated by the scheduler, longest overdue first
    # (the two of 2 November share a deadline: the older ticket first).
    late = re.findall(r'<tr data-ticket="([^"]+)">', html)
    assert late == [numbers["october"], numbers["lift_late"], numbers["dirty_late"]]
    row = cells(html, "supervision", numbers["lift_late"])
    assert "督办" in row[0] and row[1] == desk.estate.name and row[4] == "安居物业服务有限公司"
    assert row[5] == "区市场监督管理局特种设备科"  # the street office's own department of that kind
    assert re.fullmatch(r"\d+天(\d+小时)?", row[6]), row[6]
    assert 'href="/console/tickets/' in html
    handlers = re.search(r'<ul class="plain overdue-handlers">(.*?)</ul>', html, re.S)
    assert handlers and re.sub(r"<[^>]+>|\s+", "", handlers.group(1)) == "安居物业服务有限公司2绿城物业1"
    # The ranking of November (the clock's month).
    assert cells(html, "ranking", "安居物业服务有限公司")[0] == "1 红榜"


async def test_street_elsewhere_sees_only_its_own_office(desk: Desk) -> None:
    await _month(desk)
    other = await desk.signed_in("street_elsewhere")
    r = await other.get("/console/street")
    assert r.status_code == 200
    assert desk.office_elsewhere.name in r.text
    assert desk.office.name not in r.text and desk.estate.name not in r.text
    assert figure(r.text, "open") == "1"  # 晴天小区's one ticket
    for url in (f"/console/street/{desk.office.id}/report?month=2026-11",
                f"/console/street/{desk.office.id}/report.xlsx?month=2026-11",
                f"/console/street/{desk.office.id}/report/2026-11/chart.png"):
        refused = await other.get(url)
        assert refused.status_code == 404, url
        assert "幸福街道" not in refused.text
    assert (await other.get("/console/street/abc/report")).status_code == 404
    for label in ("property", "community", "committee", "admin"):
        assert (await (await desk.signed_in(label)).get("/console/street")).status_code == 403


async def test_bad_months_get_a_clear_message(desk: Desk) -> None:
    c = await desk.signed_in("street")
    base = f"/console/street/{desk.office.id}"
    for bad in ("2026-13", "11-2026", "abc", "2026-1", "1999-12", "2026-11-05", "<script>"):
        r = await c.get(f"{base}/report", params={"month": bad})
        assert r.status_code == 400, bad
        assert "格式不正确" in r.text and "YYYY-MM" in r.text
        assert "<script>" not in r.text
        x = await c.get(f"{base}/report.xlsx", params={"month": bad})
        assert x.status_code == 400 and "格式不正确" in x.text
    png = await c.get(f"{base}/report/2026-13/chart.png")
    assert png.status_code == 400 and "格式不正确" in png.text
    kind = await c.get(f"{base}/report/2026-11/chart.png?kind=pie")
    assert kind.status_code == 400 and "不存在" in kind.text
    # No month: the current one (the desk's clock is in November 2026), with nothing received.
    r = await c.get(f"{base}/report")
    assert r.status_code == 200 and 'value="2026-11"' in r.text and figure(r.text, "received") == "0"
    assert figure(r.text, "response") == "—"
    # English on request.
    c.c.cookies.set("linli_lang", "en")
    r = await c.get(f"{base}/report?month=2026-11")
    assert "Response rate" in r.text and "Export XLSX" in r.text and "响应率" not in r.text
    overview = await c.get("/console/street")
    assert "Open tickets by department" in overview.text and "Overdue supervision" in overview.text


def test_month_and_lateness_words() -> None:
    assert parse_month(" 2026-11 ") == "2026-11"
    for bad in ("2026-00", "202611", "", "2026-1"):
        try:
            parse_month(bad)
        except ReportError as e:
            assert "YYYY-MM" in str(e)
        else:
            raise AssertionError(bad)
    assert late_text(timedelta(minutes=59)) == "不足1小时"
    assert late_text(timedelta(hours=5, minutes=30)) == "5小时"
    assert late_text(timedelta(days=3)) == "3天"
    assert late_text(timedelta(days=3, hours=4)) == "3天4小时"
