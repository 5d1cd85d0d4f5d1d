"""Tally of a 100,000-premises estate, computed in the database.

    python bench/vote_tally.py [--premises 100000] [--url URL ...]

Without --url it measures SQLite (a temporary file) and, when LINLI_TEST_PG_URL is set, PostgreSQL
(a temporary database). Setup (register, electorate, ballots) is bulk SQL and is not timed; the
figure is the wall time of core.voting.service.count(): a GROUP BY over the frozen electorate.
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
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text, update  # noqa: E402

from core.voting.service import count  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Community, District, Estate, StreetOffice  # noqa: E402
from storage.models.votes import Vote, VoteVoter  # noqa: E402


async def measure(url: str, n: int, runs: int = 5) -> dict[str, float]:
    upgrade(url)
    db = Database(url)
    rng = random.Random(7)
    now = datetime(2026, 11, 23, tzinfo=timezone.utc)
    async with db.session() as s:
        d = District(code="BD", name="区")
        s.add(d)
        await s.flush()
        so = StreetOffice(code="BS", name="街道", district_id=d.id)
        s.add(so)
        await s.flush()
        c = Community(code="BC", name="社区", street_office_id=so.id)
        s.add(c)
        await s.flush()
        e = Estate(code="BIG", name="大型小区", community_id=c.id, settings={})
        s.add(e)
        await s.flush()
        areas = [Decimal(rng.randint(4000, 16000)).scaleb(-2) for _ in range(n)]
        v = Vote(estate_id=e.id, title="bench", question="bench", matter_code="rebuild", matter_type="major",
                 status="open", announced_at=now - timedelta(days=20), opens_at=now - timedelta(days=1),
                 closes_at=now + timedelta(days=9), total_area=sum(areas, Decimal(0)), total_persons=n,
                 frozen_at=now)
        s.add(v)
        await s.flush()
        vote_id = v.id
        choices = ["yes", "yes", "no", "abstain", None]
        for start in range(0, n, 10000):
            await s.execute(insert(VoteVoter), [
                {"vote_id": vote_id, "owner_code": f"P{i}", "name": f"业主{i}", "area": areas[i],
                 "choice": rng.choice(choices), "buildings": [str(i // 500 + 1)]}
                for i in range(start, min(n, start + 10000))])
    if not db.is_sqlite:
        async with db.engine.begin() as conn:
            await conn.execute(text("ANALYZE vote_voter"))
    times = []
    async with db.session() as s:
        vote = await s.get(Vote, vote_id)
        assert vote is not None
        verdict = await count(s, vote)  # warm
        for _ in range(runs):
            t0 = time.perf_counter()
            verdict = await count(s, vote)
            times.append(time.perf_counter() - t0)
    await db.dispose()
    return {"best_s": min(times), "median_s": statistics.median(times),
            "participants": verdict.participants.persons, "passed": verdict.passed}


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--premises", type=int, default=100_000)
    ap.add_argument("--url", action="append", default=[])
    args = ap.parse_args()
    targets: list[tuple[str, str, str | None]] = []
    tmp = tempfile.mkdtemp()
    if args.url:
        targets = [(u.split(":")[0], u, None) for u in args.url]
    else:
        targets.append(("sqlite", f"sqlite+aiosqlite:///{tmp}/bench.sqlite3", None))
        pg = os.environ.get("LINLI_TEST_PG_URL")
        if pg:
            import psycopg
            from sqlalchemy.engine import make_url

            name = "linli_bench_" + uuid.uuid4().hex[:8]
            u = make_url(pg)
            with psycopg.connect(host=u.host, port=u.port or 5432, user=u.username, dbname=u.database,
                                 autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            targets.append(("postgresql", u.set(drivername="postgresql+psycopg", database=name)
                            .render_as_string(hide_password=False), name))
    for label, url, dbname in targets:
        try:
            r = await measure(url, args.premises)
            print(f"{label:11s} premises={args.premises} tally best={r['best_s'] * 1000:.1f} ms "
                  f"median={r['median_s'] * 1000:.1f} ms participants={r['participants']} passed={r['passed']}")
        finally:
            if dbname:
                import psycopg
                from sqlalchemy.engine import make_url

                u = make_url(os.environ["LINLI_TEST_PG_URL"])
                with psycopg.connect(host=u.host, port=u.port or 5432, user=u.username, dbname=u.database,
                                     autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


if __name__ == "__main__":
    asyncio.run(main())
