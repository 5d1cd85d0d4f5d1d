"""Where one Telegram update's CPU goes: the real webhook route in this process, profiled.

    .venv/bin/python bench/webhook_profile.py [--updates 400] [--concurrency 8] [--profile FILE]
    LINLI_TEST_PG_URL=postgresql://... .venv/bin/python bench/webhook_profile.py --pg

Runs the web app with the Telegram channel started in webhook mode (aiogram, the real
UpdateHandler and Dispatcher) on a fresh SQLite file (or a fresh PostgreSQL database with --pg),
against the fake Bot API (tests/channels/fake_bot_api.py), and posts the same Update JSON as
bench/webhook.py through httpx's ASGI transport: no sockets for the webhook, so a cProfile of
this process shows the pipeline. Prints the SQL statements of one update of each kind,
statements per update, and CPU ms per update of the whole process (load generator and fake Bot
API included: compare runs of this script with each other, not with bench/webhook.py).
"""
from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.webhook import PATH, SECRET, SECRET_HEADER, TEXTS, TOKEN, drop_pg, make_updates, pg_database  # noqa: E402


async def run(args: argparse.Namespace) -> None:
    import httpx
    from sqlalchemy import event

    from bot.channels.telegram.service import start_telegram
    from bot.config import Settings
    from bot.runtime import start_runtime
    from bot.web.app import create_app
    from tests.channels.fake_bot_api import FakeBotApi

    fake = FakeBotApi(TOKEN)
    await fake.start()
    workdir = tempfile.mkdtemp(prefix="linli-webhook-profile-")
    pg_name = ""
    if args.pg:
        pg_name, url = pg_database(os.environ["LINLI_TEST_PG_URL"])
    else:
        url = f"sqlite+aiosqlite:///{workdir}/linli.sqlite3"
    settings = Settings(database_url=url, data_dir=workdir, telegram_token=TOKEN,
                        telegram_api_base=fake.base_url, telegram_webhook_secret=SECRET,
                        telegram_webhook_url=f"http://127.0.0.1:8080{PATH}")
    rt = await start_runtime(settings)
    service = await start_telegram(rt)
    statements: list[str] = []
    event.listen(rt.db.engine.sync_engine, "before_cursor_execute",
                 lambda _c, _cur, sql, *_a: statements.append(sql))
    headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(rt)),
                                     base_url="http://linli.test") as http:
            async def post_all(updates: list[tuple[int, dict[str, Any]]]) -> None:
                queue = iter(updates)

                async def worker() -> None:
                    for _uid, upd in queue:
                        r = await http.post(PATH, content=json.dumps(upd, ensure_ascii=False).encode(),
                                            headers=headers)
                        if r.status_code != 200:
                            raise RuntimeError(f"update {upd['update_id']}: {r.status_code} {r.text}")

                await asyncio.gather(*(worker() for _ in range(args.concurrency)))

            await post_all(make_updates(1, 50, args.users, 8_100_000))  # warm up (classifier loads)
            for i, text in enumerate(sorted(set(TEXTS))):  # one update of each kind, a known sender
                statements.clear()
                [(_, upd)] = make_updates(900_000 + i, 1, 1, 8_100_000)
                upd["message"]["text"] = text
                await post_all([(0, upd)])
                print(f"{text}: {len(statements)} statements")
                for sql in statements:
                    print("   ", " ".join(sql.split())[:150])
            load = make_updates(100_000, args.updates, args.users, 8_100_000)
            statements.clear()
            profile = cProfile.Profile() if args.profile else None
            cpu0, wall0 = time.process_time(), time.perf_counter()
            if profile is not None:
                profile.enable()
            await post_all(load)
            if profile is not None:
                profile.disable()
                profile.dump_stats(args.profile)
            cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        print(f"{args.updates} updates in {wall:.1f} s: {cpu / args.updates * 1000:.2f} ms CPU per update "
              f"(this whole process{', under cProfile' if profile else ''}), "
              f"{len(statements) / args.updates:.2f} SQL statements per update")
        if profile is not None:
            pstats.Stats(args.profile).sort_stats("tottime").print_stats(25)
    finally:
        await service.stop()
        await rt.close()
        await fake.close()
        if pg_name:
            drop_pg(os.environ["LINLI_TEST_PG_URL"], pg_name)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--updates", type=int, default=400)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--users", type=int, default=100)
    ap.add_argument("--profile", default="", help="write a cProfile to this file and print its top")
    ap.add_argument("--pg", action="store_true", help="a fresh database on LINLI_TEST_PG_URL")
    args = ap.parse_args()
    if not (0 < args.updates <= 100_000 and 0 < args.concurrency <= 256 and 0 < args.users <= 10_000):
        ap.error("--updates 1..100000, --concurrency 1..256, --users 1..10000")
    if args.pg and not os.environ.get("LINLI_TEST_PG_URL"):
        ap.error("--pg needs LINLI_TEST_PG_URL")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
