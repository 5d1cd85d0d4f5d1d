"""The street office's desk for a large street: the overview's queries and the month's report.

    python bench/street_view.py [--tickets 20000] [--estates 40] [--url URL]

Without --url it measures SQLite (a temporary file). Setup is bulk SQL and not timed: --estates
estates in one street office, each with its own property company, and --tickets tickets received
over November 2026, spread over the categories with varied outcomes (a third still open, some
overdue, some supervised). Figures (best and median of three runs, milliseconds):
- overview: open_by_department + supervision + monthly_report (what GET /console/street computes);
- report: monthly_report for the month, then both PNG charts and the XLSX workbook.
"""
from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402

from bot.commands.report import write_workbook  # noqa: E402
from bot.web.console.street_charts import CHARTS  # noqa: E402
from core.tickets import catalog  # noqa: E402
from core.tickets.report import monthly_report  # noqa: E402
from core.tickets.supervision import open_by_department, supervision  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Community, District, Estate, PropertyCompany, StreetOffice  # noqa: E402
from storage.models.tickets import Ticket  # noqa: E402

START = datetime(2026, 11, 1, 0, 0, tzinfo=timezone.utc)
NOW = datetime(2026, 11, 28, 2, 0, tzinfo=timezone.utc)
STATUSES = ["closed"] * 5 + ["rated"] * 2 + ["answered", "accepted", "dispatched", "new", "in_progress", "referred"]


async def setup(db: Database, n: int, estates: int) -> int:
    rng = random.Random(7)
    categories = catalog.category_codes()
    async with db.session() as s:
        d = District(code="BD", name="区")
        s.add(d)
        await s.flush()
        office = StreetOffice(code="BS", name="大街道", district_id=d.id)
        s.add(office)
        await s.flush()
        c = Community(code="BC", name="社区", street_office_id=office.id)
        s.add(c)
        await s.flush()
        rows = []
        for i in range(estates):
            company = PropertyCompany(code=f"BP{i}", name=f"物业{i}")
            s.add(company)
            await s.flush()
            e = Estate(code=f"E{i}", name=f"小区{i}", community_id=c.id, property_company_id=company.id, settings={})
            s.add(e)
            await s.flush()
            rows.append((e.id, company.id))
        tickets = []
        for i in range(n):
            estate_id, company_id = rows[i % estates]
            created = START + timedelta(minutes=rng.randrange(27 * 24 * 60))
            due = created + timedelta(days=7)
            status = rng.choice(STATUSES)
            answered = created + timedelta(days=rng.randint(1, 9)) if status in ("closed", "rated", "answered") else None
            tickets.append({
                "number": f"B{i:07d}", "estate_id": estate_id, "community_id": c.id, "street_office_id": office.id,
                "district_id": d.id, "property_company_id": company_id, "category": rng.choice(categories),
                "description": "…", "status": status, "supervised": rng.random() < 0.05,
                "rating": rng.choice(["satisfied", "basically_satisfied", None]) if status == "rated" else None,
                "level": "property", "matter_level": "property", "queue": "property_company", "office_id": company_id,
                "department": rng.choice(["market", "police", "fire", None]), "sla_profile": "standard",
                "answer_due": due, "first_due": due, "created_at": created, "updated_at": created,
                "responded_at": created + timedelta(hours=rng.randint(1, 200)) if status != "new" else None,
                "answered_at": answered})
        for at in range(0, n, 5000):
            await s.execute(insert(Ticket), tickets[at:at + 5000])
        return office.id


async def timed(label: str, work) -> None:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(3):
        t = time.perf_counter()
        await work()
        times.append((time.perf_counter() - t) * 1000)
    print(f"  {label:<10} best {min(times):8.1f} ms   median {statistics.median(times):8.1f} ms")


async def measure(url: str, n: int, estates: int) -> None:
    db = Database(url)
    office_id = await setup(db, n, estates)

    async def overview() -> None:
        async with db.session() as s:
            await open_by_department(s, office_id, NOW)
            await supervision(s, office_id, NOW)
            await monthly_report(s, "BS", "2026-11", NOW)

    async def report() -> None:
        async with db.session() as s:
            r = await monthly_report(s, "BS", "2026-11", NOW)
        for draw in CHARTS.values():
            draw(r)
        with tempfile.TemporaryDirectory() as tmp:
            write_workbook(r, Path(tmp) / "r.xlsx")

    print(f"{url.split(':')[0]}: {n} tickets in {estates} estates of one street office")
    await timed("overview", overview)
    await timed("report", report)
    await db.dispose()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tickets", type=int, default=20000)
    ap.add_argument("--estates", type=int, default=40)
    ap.add_argument("--url")
    a = ap.parse_args()
    if a.url:
        upgrade(a.url)
        asyncio.run(measure(a.url, a.tickets, a.estates))
        return
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.sqlite3"
        upgrade(url)
        asyncio.run(measure(url, a.tickets, a.estates))


if __name__ == "__main__":
    main()
