"""A notice to 10,000 Telegram chats through the real aiogram client, killed at 50% and restarted.

    python bench/broadcast.py [--chats 10000] [--rate 30] [--kill-at 0.5] [--markdown FILE]

A fake Bot API (bench/fake_telegram.py) enforces `--rate` messages/s overall and 1/s per chat and
answers 429 above it. The notifications are queued with core.notify on a fresh SQLite database;
`python -m bot.commands.broadcast run` (= `linli broadcast run`) drains them in a subprocess,
which is SIGKILLed once the fake API has accepted `--kill-at` of the messages, then started again.

Counted at the fake API: achieved rate (accepted messages per second from the first to the last
of each run, and overall including the restart), the most messages in any sliding second, 429s,
lost (chats that never got the notice) and duplicates (messages beyond the first per chat).
Deliveries the kill left `sending` have an unknown outcome to the broadcaster and are not re-sent;
the fake API's log shows whether each of them arrived.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

from bench.fake_telegram import EnforcingBotApi  # noqa: E402
from core.notify import message, notify  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import ChatIdentity, Person  # noqa: E402
from storage.models.notifications import Delivery  # noqa: E402

TOKEN = "7123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
NOTICE = "【停水通知】3号楼明日9:00-12:00停水检修，请提前储水。"
FIRST_CHAT = 100_000_000


async def queue(url: str, chats: int) -> None:
    """`chats` people with one Telegram account each, and one notice to all of them."""
    db = Database(url)
    try:
        async with db.session() as s:
            await s.execute(insert(Person), [{"display_name": f"居民{i}"} for i in range(chats)])
            ids = list(await s.scalars(select(Person.id).order_by(Person.id)))
            await s.execute(insert(ChatIdentity), [
                {"person_id": pid, "channel": "telegram", "external_id": str(FIRST_CHAT + i),
                 "private_chat_id": str(FIRST_CHAT + i)} for i, pid in enumerate(ids)])
            await notify(s, ids, message(NOTICE, [[("查看公告", "help")]]), "notice", "bench:water")
    finally:
        await db.dispose()


async def statuses(url: str) -> Counter[str]:
    db = Database(url)
    try:
        async with db.session() as s:
            rows = await s.execute(select(Delivery.status, func.count()).group_by(Delivery.status))
            return Counter({st: n for st, n in rows.tuples()})
    finally:
        await db.dispose()


async def sending_chats(url: str) -> list[int]:
    db = Database(url)
    try:
        async with db.session() as s:
            return [int(c) for c in await s.scalars(select(Delivery.chat_id).where(Delivery.status == "sending"))]
    finally:
        await db.dispose()


async def start_worker(url: str, api_base: str, rate: float | None) -> asyncio.subprocess.Process:
    env = {**os.environ, "LINLI_DATABASE_URL": url, "LINLI_TELEGRAM_TOKEN": TOKEN,
           "LINLI_TELEGRAM_API_BASE": api_base, "LINLI_TELEGRAM_FRAMEWORK": "aiogram"}
    args = [sys.executable, "-m", "bot.commands.broadcast", "run", "--no-progress"]
    if rate is not None:
        args += ["--rate", str(rate)]
    return await asyncio.create_subprocess_exec(*args, cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.PIPE)


def rate_of(times: list[float]) -> float:
    return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0


async def bench(chats: int, rate: float, kill_at: float, worker_rate: float | None) -> dict[str, object]:
    tmp = tempfile.mkdtemp(prefix="linli-broadcast-")
    url = f"sqlite+aiosqlite:///{tmp}/bench.sqlite3"
    await asyncio.to_thread(upgrade, url)
    t0 = time.perf_counter()
    await queue(url, chats)
    queued = time.perf_counter() - t0
    fake = EnforcingBotApi(TOKEN, rate=rate, per_chat=1.0)
    await fake.start()
    try:
        # Run 1, killed part-way.
        proc = await start_worker(url, fake.base_url, worker_rate)
        kill_after = int(chats * kill_at)
        while len(fake.accepted) < kill_after and proc.returncode is None:
            await asyncio.sleep(0.005)
        killed = proc.returncode is None
        if killed:
            proc.send_signal(signal.SIGKILL)
        await proc.wait()
        n1 = len(fake.accepted)
        await asyncio.sleep(0.2)  # requests the dead process had already written still arrive
        at_kill = await statuses(url)
        ambiguous = await sending_chats(url)
        arrived_before_restart = {a.chat_id for a in fake.accepted}
        # Run 2, to the end.
        proc = await start_worker(url, fake.base_url, worker_rate)
        out, err = await proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(f"worker failed:\n{err.decode()}")
        final = await statuses(url)
    finally:
        await fake.close()
    per_chat = Counter(a.chat_id for a in fake.accepted)
    expected = {FIRST_CHAT + i for i in range(chats)}
    times = [a.at for a in fake.accepted]
    run1, run2 = times[:n1], times[n1:]
    return {
        "chats": chats, "limit": rate, "queued_s": queued, "killed": killed, "killed_after": n1,
        "at_kill": dict(at_kill), "final": dict(final),
        "ambiguous": len(ambiguous),
        "ambiguous_arrived": sum(1 for c in ambiguous if c in arrived_before_restart),
        "delivered": len(per_chat.keys() & expected),
        "lost": len(expected - per_chat.keys()),
        "duplicates": sum(n - 1 for n in per_chat.values()),
        "rate_run1": rate_of(run1), "rate_run2": rate_of(run2), "rate_overall": rate_of(times),
        "restart_gap_s": (run2[0] - run1[-1]) if run1 and run2 else 0.0,
        "max_per_second": fake.max_per_second(), "min_gap_per_chat": fake.min_gap_per_chat(),
        "refused_429": fake.refused_429, "worker_stdout": out.decode().strip(),
    }


def markdown(r: dict[str, object], command: str) -> str:
    limit = float(r["limit"])  # type: ignore[arg-type]
    rows = [
        ("chats (one notice each)", f"{r['chats']:,}"),
        ("killed (SIGKILL) after accepted messages", f"{r['killed_after']:,}" if r["killed"] else "not killed"),
        ("deliveries left `sending` by the kill", f"{r['ambiguous']} (arrived at the API: {r['ambiguous_arrived']})"),
        ("delivered (chats that got the notice)", f"{r['delivered']:,}"),
        ("lost", str(r["lost"])),
        ("sent twice (extra messages)", str(r["duplicates"])),
        ("achieved rate, run 1", f"{r['rate_run1']:.2f}/s ({float(r['rate_run1']) / limit:.3f} of {limit:g})"),  # type: ignore[arg-type]
        ("achieved rate, run 2", f"{r['rate_run2']:.2f}/s ({float(r['rate_run2']) / limit:.3f} of {limit:g})"),  # type: ignore[arg-type]
        ("achieved rate, overall incl. restart", f"{r['rate_overall']:.2f}/s ({float(r['rate_overall']) / limit:.3f})"),  # type: ignore[arg-type]
        ("restart gap (last message of run 1 to first of run 2)", f"{r['restart_gap_s']:.2f} s"),
        ("most messages in any sliding second", str(r["max_per_second"])),
        ("shortest gap between two messages to one chat", str(r["min_gap_per_chat"])),
        ("429 answers", str(r["refused_429"])),
        ("final delivery statuses", str(r["final"])),
    ]
    lines = [f"`{command}`", "", "| figure | value |", "|---|---:|"]
    lines += [f"| {k} | {v} |" for k, v in rows]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chats", type=int, default=10_000)
    ap.add_argument("--rate", type=float, default=30.0, help="the fake API's limit, messages/s")
    ap.add_argument("--kill-at", type=float, default=0.5)
    ap.add_argument("--worker-rate", type=float, default=None,
                    help="the broadcaster's pace (default: its Telegram configuration)")
    ap.add_argument("--markdown", default=None, help="also write the figures to this file")
    a = ap.parse_args()
    r = asyncio.run(bench(a.chats, a.rate, a.kill_at, a.worker_rate))
    for k, v in r.items():
        print(f"{k}: {v}")
    if a.markdown:
        cmd = "python bench/broadcast.py " + " ".join(sys.argv[1:])
        Path(a.markdown).write_text("# Broadcast bench\n\n" + markdown(r, cmd))
    ok = r["lost"] == 0 and r["duplicates"] == 0 and float(r["rate_run1"]) >= 0.9 * a.rate  # type: ignore[arg-type]
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
