"""What the property view's pages cost on a large estate: balances (one page, and arrears only),
the reminder preview and the collection rates, each read in one unit of work as the pages do.

    python bench/console_property.py [--premises 50000] [--url URL ...]

The estate is bench/bills.py's (buildings of 500 premises, a monthly schedule); setup is untimed:
November 2026 billed, 90% of households paid. Figures are the best and median of three reads,
as of 15 December 2026 (November overdue), on SQLite (a temporary file) unless --url is given.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time as clock, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncSession  # noqa: E402

from bench.bills import PERIOD, setup  # noqa: E402
from core.fees import desk  # noqa: E402
from core.fees.ledger import generate_bills  # noqa: E402
from core.fees.service import collection  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Estate  # noqa: E402
from storage.models.fees import FeeBill, FeePayment  # noqa: E402

AS_OF = datetime(2026, 12, 15, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai


async def _prepare(db: Database, n: int) -> int:
    estate_id = await setup(db, n, 4)
    async with db.session() as s:
        await generate_bills(s, estate_id, PERIOD)
        bills = (await s.execute(select(FeeBill.premises_id, FeeBill.total)
                                 .where(FeeBill.estate_id == estate_id))).tuples().all()
        paid = [{"estate_id": estate_id, "premises_id": p, "amount": t, "period_key": PERIOD.key,
                 "paid_at": datetime.combine(date(2026, 11, 10), clock(2, 0), timezone.utc),
                 "paid_on": date(2026, 11, 10), "reference": f"B-{p}", "source": "import"}
                for p, t in bills if p % 10 and t > 0]
        for start in range(0, len(paid), 5000):
            await s.execute(insert(FeePayment), paid[start:start + 5000])
    return estate_id


async def _time(db: Database, read: Callable[[AsyncSession, Estate], Awaitable[Any]],
                runs: int = 3) -> tuple[float, float, Any]:
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        async with db.session() as s:
            estate = await s.scalar(select(Estate).where(Estate.code == "BIG"))
            assert estate is not None
            out = await read(s, estate)
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times), out


async def measure(label: str, url: str, n: int) -> None:
    upgrade(url)
    db = Database(url)
    await _prepare(db, n)
    today = AS_OF.date()
    reads: dict[str, Callable[[AsyncSession, Estate], Awaitable[Any]]] = {
        "balances page 1": lambda s, e: desk.balances(s, e, today),
        "balances arrears only": lambda s, e: desk.balances(s, e, today, arrears_only=True),
        "reminder preview": lambda s, e: desk.reminder_preview(s, e, AS_OF),
        "collection rates": lambda s, e: collection(s, e, AS_OF),
    }
    for name, read in reads.items():
        best, median, out = await _time(db, read)
        extra = f" ({out.matching} premises)" if isinstance(out, desk.BalancePage) else ""
        extra = f" ({len(out.candidates)} in arrears)" if isinstance(out, desk.ReminderPreview) else extra
        print(f"{label:11s} premises={n} {name:22s} best={best:.2f} s median={median:.2f} s{extra}")
    await db.dispose()


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--premises", type=int, default=50_000)
    ap.add_argument("--url", action="append", default=[])
    args = ap.parse_args()
    targets = [(u.split(":")[0].split("+")[0], u) for u in args.url] or [
        ("sqlite", f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.sqlite3")]
    for label, url in targets:
        await measure(label, url, args.premises)


if __name__ == "__main__":
    asyncio.run(main())
