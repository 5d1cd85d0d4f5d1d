"""Telegram webhook throughput of the full pipeline, against a bare aiogram echo bot, in one run.

    .venv/bin/python bench/webhook.py [--updates 2000] [--concurrency 32] [--rounds 1] [--md FILE]

Both bots talk to the same fake Bot API (tests/channels/fake_bot_api.py), served in this process
together with the load generator. Each target runs in its own process:

- Linli: `python -m bot run` (web app + Telegram webhook + broadcaster + scheduler, i.e. one
  production worker) on a fresh SQLite file, and again on a fresh PostgreSQL database when
  LINLI_TEST_PG_URL is set. Every update goes update in -> dedupe -> dialogue (core, nlp) ->
  commit -> sendMessage -> 200.
- echo: aiogram's `SimpleRequestHandler` on aiohttp, `handle_in_background=False`, whose handler
  sends the text back with sendMessage: the least a webhook bot on this stack can do.

Both answer the webhook only after their reply was sent, so a latency is "update in -> reply out".
Update JSON is Telegram's (tests/channels/updates.py): /help and free-text questions and complaints
from many private chats. Everything stays on 127.0.0.1; the number of updates and the wall time
(--max-seconds per target) are bounded. The first --warmup updates of each target are not timed
(Linli loads its classifier on the first free text).
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import math
import os
import platform
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN = "7123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
SECRET = "bench_" + secrets.token_hex(16)
PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# What residents send: a command and free text that goes through the classifier (questions about
# fees, complaints that open a ticket intake, small talk).
TEXTS = ["/help", "物业费怎么交？一年多少钱", "3号楼电梯又坏了，停在8楼不动", "/help",
         "楼道灯坏了好几天了，晚上很黑", "小区停车费是怎么收的？", "你好", "楼上漏水，我家天花板湿了一片"]


# -- the bare echo bot (child process) ------------------------------------------------------------
def serve_echo(port: int, api_base: str, secret: str) -> None:
    from aiogram import Bot, Dispatcher, Router
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import Message
    from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
    from aiohttp import web

    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(api_base)))
    dp = Dispatcher()
    router = Router()

    @router.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "…")

    dp.include_router(router)
    app = web.Application()
    # Not in background: answer Telegram after the reply is out, as Linli does.
    SimpleRequestHandler(dp, bot, secret_token=secret, handle_in_background=False).register(app, path=PATH)
    setup_application(app, dp, bot=bot)

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app.router.add_get("/healthz", healthz)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


# -- load -----------------------------------------------------------------------------------------
@dataclass
class Result:
    name: str
    sent: int = 0
    ok: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    wall: float = 0.0
    replies: int = 0
    stopped_early: bool = False
    cpu: float = 0.0  # CPU seconds (user + system) the target process spent on the timed updates
    round: int = 1

    @property
    def rate(self) -> float:
        return self.ok / self.wall if self.wall else 0.0

    @property
    def cpu_ms(self) -> float:
        return self.cpu / self.ok * 1000 if self.ok else float("nan")

    def pct(self, p: float) -> float:
        xs = sorted(self.latencies)
        return xs[max(0, math.ceil(p * len(xs)) - 1)] * 1000 if xs else float("nan")


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (Linux), to tell CPU-bound from waiting."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_updates(first_id: int, n: int, users: int, first_uid: int) -> list[tuple[int, dict[str, Any]]]:
    from tests.channels.updates import message, user

    out = []
    for i in range(n):
        uid = first_uid + i % users
        u = user(uid, first=f"居民{i % users}", last="", username=None)
        out.append((uid, message(first_id + i, u, TEXTS[(i // users + i) % len(TEXTS)])))
    return out


async def wait_ready(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 90) -> None:
    import aiohttp

    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"{proc.args} exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(url) as r:
                    if r.status == 200:
                        return
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{url} not ready after {timeout}s:\n{log.read_text()[-3000:]}")


async def post_all(name: str, url: str, updates: list[tuple[int, dict[str, Any]]], concurrency: int,
                   max_seconds: float, timed: bool) -> Result:
    import aiohttp

    res = Result(name)
    queue = iter(updates)
    headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    deadline = time.monotonic() + max_seconds

    async def worker(http: aiohttp.ClientSession) -> None:
        for _uid, upd in queue:
            if time.monotonic() > deadline:
                res.stopped_early = True
                return
            body = json.dumps(upd, ensure_ascii=False).encode()
            t0 = time.perf_counter()
            try:
                async with http.post(url, data=body, headers=headers) as r:
                    await r.read()
                    status = r.status
            except (aiohttp.ClientError, asyncio.TimeoutError):
                status = 0
            dt = time.perf_counter() - t0
            res.sent += 1
            res.statuses[status] = res.statuses.get(status, 0) + 1
            if status == 200:
                res.ok += 1
                if timed:
                    res.latencies.append(dt)

    conn = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=conn, timeout=aiohttp.ClientTimeout(total=30)) as http:
        t0 = time.perf_counter()
        await asyncio.gather(*(worker(http) for _ in range(concurrency)))
        res.wall = time.perf_counter() - t0
    return res


async def bench_target(name: str, cmd: list[str], env: dict[str, str], port: int, fake: Any,
                       args: argparse.Namespace, ids: itertools.count[int], workdir: Path) -> Result:
    log = workdir / f"{name}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=workdir, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        await wait_ready(f"http://127.0.0.1:{port}/healthz", proc, log)
        url = f"http://127.0.0.1:{port}{PATH}"
        first_uid = 8_100_000 + next(ids) * 10_000
        warm = make_updates(next(ids) * 100_000, args.warmup, args.users, first_uid)
        await post_all(name, url, warm, args.concurrency, args.max_seconds, timed=False)
        load = make_updates(next(ids) * 100_000, args.updates, args.users, first_uid)
        chats = {uid for uid, _ in load}
        before = sum(1 for c in fake.sent() if c.chat_id in chats)
        cpu0 = cpu_seconds(proc.pid)
        res = await post_all(name, url, load, args.concurrency, args.max_seconds, timed=True)
        res.cpu = cpu_seconds(proc.pid) - cpu0
        # Every update acknowledged must have produced at least one reply in its chat.
        res.replies = sum(1 for c in fake.sent() if c.chat_id in chats) - before
        return res
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def pg_database(base: str) -> tuple[str, str]:
    import psycopg
    from sqlalchemy.engine import make_url

    name = "linli_bench_" + uuid.uuid4().hex[:8]
    u = make_url(base)
    with psycopg.connect(host=u.host or "127.0.0.1", port=u.port or 5432, user=u.username or "postgres",
                         password=u.password or None, dbname=u.database or "postgres", autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    return name, u.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)


def drop_pg(base: str, name: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(base)
    with psycopg.connect(host=u.host or "127.0.0.1", port=u.port or 5432, user=u.username or "postgres",
                         password=u.password or None, dbname=u.database or "postgres", autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def report(results: list[Result], args: argparse.Namespace, command: str, load: tuple[float, ...]) -> str:
    lines = [
        "# Telegram webhook throughput",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}. "
        f"{args.updates} timed updates per target after {args.warmup} untimed, concurrency "
        f"{args.concurrency}, {args.users} private chats; texts: {', '.join(sorted(set(TEXTS)))}.",
        "The load generator and the fake Bot API share one process; each target is its own process "
        "(one Linli worker = one `linli run`), started fresh (fresh database) for every round. "
        f"Load average before / after: {load[0]:.2f} / {load[1]:.2f}.",
        "",
        "| round | target | ok / sent | updates/s | p50 ms | p99 ms | CPU ms/update | replies | "
        "throughput / echo |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    ratios: dict[str, list[float]] = {}
    for r in results:
        echo = next(e for e in results if e.name == "aiogram echo" and e.round == r.round)
        bad = {k: v for k, v in r.statuses.items() if k != 200}
        ok = f"{r.ok} / {r.sent}" + (f" (other: {bad})" if bad else "") + (" (time cap hit)" if r.stopped_early else "")
        ratio = r.rate / echo.rate if echo.rate else float("nan")
        if r is not echo:
            ratios.setdefault(r.name, []).append(ratio)
        lines.append(f"| {r.round} | {r.name} | {ok} | {r.rate:.1f} | {r.pct(0.50):.1f} | {r.pct(0.99):.1f} | "
                     f"{r.cpu_ms:.1f} | {r.replies} | {ratio:.3f} |")
    lines.append("")
    for name, rs in ratios.items():
        med = statistics.median(rs)
        lines.append(f"- **{name} / aiogram echo = {med:.3f}** (median over {len(rs)} round(s)): the bare echo "
                     f"bot serves {1 / med:.1f}x the updates per second.")
    return "\n".join(lines) + "\n"


async def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--updates", type=int, default=2000)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--users", type=int, default=400)
    ap.add_argument("--max-seconds", type=float, default=300.0, help="cap per target")
    ap.add_argument("--rounds", type=int, default=1, help="repeat, alternating the order of the targets")
    ap.add_argument("--md", default="/tmp/bench_webhook.md", help="where the figures are written")
    ap.add_argument("--no-pg", action="store_true", help="skip PostgreSQL even if LINLI_TEST_PG_URL is set")
    args = ap.parse_args()
    if not (0 < args.updates <= 100_000 and 0 < args.concurrency <= 256 and 0 < args.rounds <= 10):
        ap.error("--updates 1..100000, --concurrency 1..256, --rounds 1..10")

    from tests.channels.fake_bot_api import FakeBotApi

    fake = FakeBotApi(TOKEN)
    await fake.start()
    workdir = Path(tempfile.mkdtemp(prefix="linli-bench-webhook-"))
    pg_base = "" if args.no_pg else os.environ.get("LINLI_TEST_PG_URL", "")
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("LINLI_")}
    base_env["PYTHONPATH"] = str(ROOT)
    ids = itertools.count(1)
    results: list[Result] = []
    pg_names: list[str] = []
    load0 = os.getloadavg()[0]
    try:
        for rnd in range(1, args.rounds + 1):
            targets = ["linli sqlite"] + (["linli postgresql"] if pg_base else []) + ["aiogram echo"]
            if rnd % 2 == 0:
                targets.reverse()  # drift on a shared machine falls on both sides
            for name in targets:
                port = free_port()
                if name == "aiogram echo":
                    env = base_env
                    cmd = [sys.executable, str(Path(__file__).resolve()), "--serve-echo", str(port),
                           fake.base_url, SECRET]
                else:
                    if name == "linli postgresql":
                        pg_name, db_url = pg_database(pg_base)
                        pg_names.append(pg_name)
                    else:
                        db_url = f"sqlite+aiosqlite:///{workdir}/linli-{rnd}.sqlite3"
                    env = {**base_env, "LINLI_DATABASE_URL": db_url, "LINLI_HOST": "127.0.0.1",
                           "LINLI_PORT": str(port), "LINLI_DATA_DIR": str(workdir / f"data-{port}"),
                           "LINLI_TELEGRAM_TOKEN": TOKEN, "LINLI_TELEGRAM_API_BASE": fake.base_url,
                           "LINLI_TELEGRAM_WEBHOOK_SECRET": SECRET,
                           "LINLI_TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}{PATH}"}
                    cmd = [sys.executable, "-m", "bot", "run"]
                res = await bench_target(name, cmd, env, port, fake, args, ids, workdir)
                res.round = rnd
                results.append(res)
                print(f"round {rnd} {name}: {res.rate:.1f} updates/s, p50 {res.pct(0.5):.0f} ms", flush=True)
    finally:
        await fake.close()
        for pg_name in pg_names:
            drop_pg(pg_base, pg_name)
    from sqlalchemy.engine import make_url

    shown_pg = [f"LINLI_TEST_PG_URL={make_url(pg_base).render_as_string(hide_password=True)}"] if pg_base else []
    command = " ".join([*shown_pg, ".venv/bin/python", "bench/webhook.py", *sys.argv[1:]])
    text = report(results, args, command, (load0, os.getloadavg()[0]))
    print(text)
    if args.md:
        Path(args.md).write_text(text, encoding="utf-8")
    failed = any(r.ok != r.sent or r.replies < r.ok for r in results)
    if not failed:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"some updates failed or went unanswered; logs kept in {workdir}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--serve-echo":
        serve_echo(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    else:
        sys.exit(asyncio.run(main()))
