"""Bills for a 50,000-premises estate, generated and written in one unit of work.

    python bench/bills.py [--premises 50000] [--plans N ...] [--url URL ...]

Without --url it measures SQLite (a temporary file) and, when LINLI_TEST_PG_URL is set, PostgreSQL
(a temporary database). Setup (register, schedule, facts, a shared power bill) is bulk SQL and is
not timed; the figure is the wall time of core.fees.ledger.generate_bills() plus the commit, for one
monthly period (best and median of three runs, the bills deleted in between), with the CPU time of
this process and, for a local PostgreSQL, of the backend serving it (medians; SQLite works inside
this process), and the load average afterwards: on a shared machine the CPU figures say more.

The schedule has five items: 物业服务费 1.35元/㎡·月 with a declining government subsidy whose
tiers change on 16 November (two subsidy terms on every bill), 电梯运行费 0.20元/㎡·月, a new
垃圾分类服务 0.10元/㎡·月 whose two free months end on 9 November (day-prorated), 停车费 for the
5% with a parking space, and the premises' area share of a 186,000元 public power bill. 1% of
households have a 低保 reduction (50% of the property and lift fees), 0.5% a 特困 waiver, and 1%
were handed over on 15 November (charging from then).

Areas: the flats of one building come in a few floor plans, so each building (500 premises) draws
--plans areas of its own (4: 400 distinct areas in 50,000 premises); --plans 0 gives every premises
its own area, the worst case for the per-(area, facts) bill cache. Both are measured unless --plans
is given.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import delete, func, insert, select, text  # noqa: E402

from core.fees.codec import schedule_from_json  # noqa: E402
from core.fees.ledger import generate_bills, set_schedule  # noqa: E402
from core.fees.periods import Period  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Building, Community, District, Estate, Owner, Premises, StreetOffice, Unit  # noqa: E402
from storage.models.fees import FeeBill, FeeSharedCost, PremisesFeeFacts  # noqa: E402

SCHEDULE = {
    "period": "month",
    "items": [
        {"code": "WY", "name": "物业服务费", "method": "per_area_month", "rate": "1.35", "charging_starts": "2020-01-01",
         "price_form": {"kind": "government_guided", "base": "1.30", "float_percent": "10"},
         "declining_subsidies": {"from": "2025-11-16", "per_sqm_month": ["0.10", "0.05", "0.05"]}},
        {"code": "DT", "name": "电梯运行费", "method": "per_area_month", "rate": "0.20", "charging_starts": "2020-01-01"},
        {"code": "LJ", "name": "垃圾分类服务费", "method": "per_area_month", "rate": "0.10",
         "charging_starts": "2026-09-10", "free_months": 2},
        {"code": "CW", "name": "停车费", "method": "per_parking_space_month", "rate": "150",
         "charging_starts": "2020-01-01"},
        {"code": "GG", "name": "公共水电分摊", "method": "shared_by_area", "charging_starts": "2020-01-01"},
    ],
    "reductions": [{"category": "dibao", "percent": "50", "items": ["WY", "DT"]},
                   {"category": "tekun", "percent": "100", "items": ["WY", "DT", "LJ", "GG"]}],
}
PER_BUILDING = 500
PERIOD = Period.parse("2026-11")
HANDOVER = date(2026, 11, 15)


async def setup(db: Database, n: int, plans: int) -> int:
    rng = random.Random(11)
    buildings = (n + PER_BUILDING - 1) // PER_BUILDING
    pool = [[Decimal(rng.randint(4500, 16000)).scaleb(-2) for _ in range(plans)] for _ in range(buildings)]
    async with db.session() as s:
        d = District(code=f"BD{plans}", name="区")
        s.add(d)
        await s.flush()
        so = StreetOffice(code=f"BS{plans}", name="街道", district_id=d.id)
        s.add(so)
        await s.flush()
        c = Community(code=f"BC{plans}", name="社区", street_office_id=so.id)
        s.add(c)
        await s.flush()
        e = Estate(code=f"BIG{plans}", name="大型小区", community_id=c.id, settings={})
        s.add(e)
        await s.flush()
        estate_id = e.id
        await s.execute(insert(Building), [{"estate_id": estate_id, "number": str(b + 1)} for b in range(buildings)])
        bids = list(await s.scalars(select(Building.id).where(Building.estate_id == estate_id).order_by(Building.id)))
        await s.execute(insert(Unit), [{"building_id": b, "number": "1"} for b in bids])
        uids = dict((await s.execute(select(Unit.building_id, Unit.id))).tuples().all())
        for start in range(0, n, 10000):
            await s.execute(insert(Owner), [{"estate_id": estate_id, "code": f"P{i}", "name": f"业主{i}",
                                             "kind": "person"} for i in range(start, min(n, start + 10000))])
        oids = dict((await s.execute(select(Owner.code, Owner.id).where(Owner.estate_id == estate_id))).tuples().all())
        for start in range(0, n, 10000):
            rows = []
            for i in range(start, min(n, start + 10000)):
                b = bids[i // PER_BUILDING]
                area = pool[i // PER_BUILDING][i % plans] if plans else Decimal(4500 + i).scaleb(-2)
                rows.append({"estate_id": estate_id, "building_id": b, "unit_id": uids[b], "unit_key": "1",
                             "room": str(i % PER_BUILDING + 101), "use": "residential", "area_registered": area,
                             "owner_id": oids[f"P{i}"], "delivered": True})
            await s.execute(insert(Premises), rows)
        pids = list(await s.scalars(select(Premises.id).where(Premises.estate_id == estate_id)))
        await s.execute(insert(PremisesFeeFacts), [
            {"premises_id": p, "parking_spaces": 1 if p % 20 == 0 else 0,
             "reduction": "dibao" if p % 100 == 7 else "tekun" if p % 200 == 9 else None,
             "charging_starts": HANDOVER if p % 100 == 11 else None, "reduction_flagged": False}
            for p in pids if p % 20 == 0 or p % 100 in (7, 11) or p % 200 == 9])
        await set_schedule(s, estate_id, schedule_from_json(SCHEDULE), date(2020, 1, 1))
        s.add(FeeSharedCost(estate_id=estate_id, item_code="GG", start=PERIOD.start, end=PERIOD.end,
                            amount=Decimal("186000.00"), description="2026年11月公共区域电费"))
    if not db.is_sqlite:
        async with db.engine.begin() as conn:
            await conn.execute(text("ANALYZE"))
    return estate_id


async def measure(url: str, n: int, plans: int, runs: int = 3) -> dict[str, object]:
    """Best and median of `runs` generations; the bills are deleted (untimed) between runs."""
    upgrade(url)
    db = Database(url)
    estate_id = await setup(db, n, plans)
    times, cpu, server, count, total = [], [], [], 0, None
    for _ in range(runs):
        async with db.session() as s:
            backend = None if db.is_sqlite else await s.scalar(text("SELECT pg_backend_pid()"))
            b0 = _cpu_of(backend)
            t0, c0 = time.perf_counter(), time.process_time()
            report = await generate_bills(s, estate_id, PERIOD)
            await s.commit()
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            b1 = _cpu_of(backend)
            if b0 is not None and b1 is not None:
                server.append(b1 - b0)
        async with db.session() as s:
            count, total = (await s.execute(select(func.count(FeeBill.id), func.sum(FeeBill.total))
                                            .where(FeeBill.estate_id == estate_id))).one()
            assert count == n == report.created
            await s.execute(delete(FeeBill).where(FeeBill.estate_id == estate_id))
    await db.dispose()
    return {"best": min(times), "median": statistics.median(times), "cpu": statistics.median(cpu),
            "server": statistics.median(server) if server else None, "bills": count, "total": total}


def _cpu_of(pid: int | None) -> float | None:
    """CPU seconds used so far by a local process (the PostgreSQL backend serving us), if readable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, TypeError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _pg_admin(u):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(host=u.host or "127.0.0.1", port=u.port or 5432, user=u.username, password=u.password,
                           dbname=u.database, autocommit=True)


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--premises", type=int, default=50_000)
    ap.add_argument("--plans", type=int, action="append",
                    help="floor plans per building (0: every premises its own area); default: 4, then 0")
    ap.add_argument("--url", action="append", default=[])
    args = ap.parse_args()
    targets: list[tuple[str, str, str | None]] = []
    if args.url:
        targets = [(u.split(":")[0].split("+")[0], u, None) for u in args.url]
    else:
        targets.append(("sqlite", f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.sqlite3", None))
        pg = os.environ.get("LINLI_TEST_PG_URL")
        if pg:
            from sqlalchemy.engine import make_url

            name = "linli_bench_" + uuid.uuid4().hex[:8]
            u = make_url(pg)
            with _pg_admin(u) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            targets.append(("postgresql", u.set(drivername="postgresql+psycopg", database=name)
                            .render_as_string(hide_password=False), name))
    for label, url, dbname in targets:
        try:
            for plans in args.plans or [4, 0]:
                r = await measure(url, args.premises, plans)
                areas = f"{plans} floor plans per building" if plans else "all areas distinct"
                print(f"{label:11s} premises={args.premises} ({areas}) bills={r['bills']} "
                      f"generate+commit best={r['best']:.2f} s median={r['median']:.2f} s "
                      f"(CPU: this process {r['cpu']:.2f} s"
                      + (f", PostgreSQL backend {r['server']:.2f} s" if r["server"] is not None else "")
                      + f") total={r['total']}元 load={os.getloadavg()[0]:.1f}",
                      flush=True)
        finally:
            if dbname:
                from sqlalchemy.engine import make_url

                with _pg_admin(make_url(os.environ["LINLI_TEST_PG_URL"])) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


if __name__ == "__main__":
    asyncio.run(main())
