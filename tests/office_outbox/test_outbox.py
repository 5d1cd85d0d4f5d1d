"""Ticket events to offices' own channels through the outbox: written with the event, only for the
office whose queue holds the ticket, without personal data; delivered after an outage with nothing
lost or doubled; re-sent with the same key after the sender is killed mid-call; WeCom robot format,
frequency limit and per-minute limit; Telegram group cards."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from bot.office_delivery import OfficeSender, backoff, sign
from core.tickets.lifecycle import Action
from core.tickets.outbox import ChannelError, add_channel
from core.tickets.service import act, staff_actor
from storage.db import Database
from storage.models import Estate
from storage.models.office_outbox import OfficeChannel, OfficeDelivery
from storage.models.tickets import Ticket, TicketEvent
from tests.office_outbox.receiver import Receiver
from tests.tickets_app.helpers import T0, Place, new_ticket, setup_place

ROOT = Path(__file__).resolve().parents[2]


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def company_of(db: Database, p: Place) -> int:
    async with db.session() as s:
        estate = await s.get(Estate, p.estate_id)
        assert estate is not None and estate.property_company_id is not None
        return estate.property_company_id


async def place_with_channel(db: Database, kind: str, target: str, secret: str | None = None,
                             per_minute: int = 20) -> tuple[Place, int]:
    async with db.session() as s:
        p = await setup_place(s)
    company = await company_of(db, p)
    async with db.session() as s:
        ch = await add_channel(s, "property_company", str(company), kind, target, secret=secret,
                               per_minute=per_minute)
        return p, ch.id


async def open_many(db: Database, p: Place, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        async with db.session() as s:
            await new_ticket(s, p, text=f"6号楼电梯坏了 第{i}次", at=T0 + timedelta(minutes=i))


async def deliveries(db: Database) -> list[OfficeDelivery]:
    async with db.session() as s:
        return list(await s.scalars(select(OfficeDelivery).order_by(OfficeDelivery.id)))


# -- enqueue ------------------------------------------------------------------------------------------
async def test_events_are_owed_to_the_queue_office_channels_only_and_with_the_event(db: Database) -> None:
    p, hook = await place_with_channel(db, "webhook", "http://127.0.0.1:9/hook", secret="k")
    company = await company_of(db, p)
    async with db.session() as s:
        off = await add_channel(s, "property_company", str(company), "wecom_robot", "http://127.0.0.1:9/w")
        off.enabled = False
        street = await add_channel(s, "street_office", str(p.street_office_id), "webhook", "http://x/h",
                                   secret="k")
        street_id = street.id
    async with db.session() as s:
        t = await new_ticket(s, p)
        await act(s, t, await staff_actor(s, p.property_staff, t), Action.ACCEPT, T0 + timedelta(minutes=5))
        events = list(await s.scalars(select(TicketEvent.id).where(TicketEvent.ticket_id == t.id)
                                      .order_by(TicketEvent.id)))
    rows = await deliveries(db)
    assert [(r.channel_id, r.ticket_event_id) for r in rows] == [(hook, e) for e in events]
    assert len({r.idempotency_key for r in rows}) == 2
    assert [r.payload["event"]["action"] for r in rows] == ["create", "accept"]
    assert all(r.status == "pending" and r.attempts == 0 for r in rows)

    # A ticket rolled back leaves nothing owed.
    with pytest.raises(RuntimeError):
        async with db.session() as s:
            await new_ticket(s, p, text="门禁坏了")
            raise RuntimeError("the message failed after the ticket was written")
    assert len(await deliveries(db)) == 2
    assert street_id not in {r.channel_id for r in rows}


async def test_payload_carries_no_reporter_and_redacts_hidden_reporters(db: Database) -> None:
    p, _ = await place_with_channel(db, "webhook", "http://127.0.0.1:9/hook", secret="k")
    async with db.session() as s:
        await new_ticket(s, p, text="电梯坏了，请打13812345678", unit="2", room="501")
        await new_ticket(s, p, text="我是王芳，住3号楼2单元501，电梯坏了", unit="2", room="501", anonymous=True)
    plain, hidden = [r.payload for r in await deliveries(db)]
    for payload in (plain, hidden):
        text = json.dumps(payload, ensure_ascii=False)
        assert "张阿姨" not in text and "13812345678" not in text
        assert "actor_person_id" not in payload["event"] and "reporter_person_id" not in payload["ticket"]
    assert "138****5678" in plain["ticket"]["description"]
    assert plain["ticket"]["place"] == "6号楼2单元501"
    assert hidden["ticket"]["place"] == "6号楼"
    assert "王芳" not in hidden["ticket"]["description"] and "501" not in hidden["ticket"]["description"]


async def test_add_channel_refusals(db: Database) -> None:
    async with db.session() as s:
        p = await setup_place(s)
    async with db.session() as s:
        with pytest.raises(ChannelError):
            await add_channel(s, "property_company", "nope", "webhook", "http://x", secret="k")
        with pytest.raises(ChannelError):
            await add_channel(s, "street_office", str(p.street_office_id), "webhook", "http://x")  # no secret
        with pytest.raises(ChannelError):
            await add_channel(s, "street_office", str(p.street_office_id), "telegram_group", "http://x")


# -- outage -------------------------------------------------------------------------------------------
async def test_outage_then_recovery_loses_nothing_and_doubles_nothing(db: Database, receiver: Receiver) -> None:
    p, _ = await place_with_channel(db, "webhook", f"{receiver.url}/hook", secret=receiver.secret)
    receiver.down = True
    await open_many(db, p, 4)
    async with httpx.AsyncClient(timeout=5) as http:
        sender = OfficeSender(db, http, base_delay=0.05, max_delay=0.2)
        for _ in range(3):
            assert await sender.run_once() == 0
            await asyncio.sleep(0.25)
        assert receiver.refused_while_down >= 8 and receiver.raw == []
        await open_many(db, p, 3, start=4)  # events keep coming during the outage
        receiver.down = False
        sent = await asyncio.wait_for(sender.drain(idle=0.05), 20)
    rows = await deliveries(db)
    assert sent == len(rows) == 7
    assert all(r.status == "sent" and r.sent_at is not None for r in rows)
    assert min(r.attempts for r in rows[:4]) >= 2  # the first four waited out the outage
    assert sorted(receiver.accepted) == sorted(r.idempotency_key for r in rows)
    assert len(receiver.raw) == 7 and all(h.signature_ok for h in receiver.raw)
    body = json.loads(receiver.accepted[rows[0].idempotency_key])
    assert body["delivery"] == rows[0].idempotency_key and body["ticket"]["category"] == "elevator"


async def test_back_off_grows_and_is_capped() -> None:
    assert [backoff(a, 2, 900) for a in (1, 2, 3, 4)] == [2, 4, 8, 16]
    assert backoff(30, 2, 900) == 900


async def test_a_wrong_signature_is_refused_by_the_receiver(db: Database, receiver: Receiver) -> None:
    p, _ = await place_with_channel(db, "webhook", f"{receiver.url}/hook", secret="not-the-receivers")
    await open_many(db, p, 1)
    async with httpx.AsyncClient(timeout=5) as http:
        assert await OfficeSender(db, http).run_once() == 0
    [row] = await deliveries(db)
    assert row.status == "pending" and row.attempts == 1 and "401" in (row.last_error or "")
    assert receiver.accepted == {} and receiver.raw[0].signature_ok is False
    assert sign("k", b"{}") != sign("k2", b"{}")


# -- crash --------------------------------------------------------------------------------------------
def start_sender(db_url: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "tests.office_outbox.sender_proc", db_url], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


async def test_sender_killed_mid_call_resends_with_the_same_key_and_loses_nothing(
        db: Database, db_url: str, receiver: Receiver) -> None:
    p, _ = await place_with_channel(db, "webhook", f"{receiver.url}/hook", secret=receiver.secret,
                                    per_minute=1000)
    await open_many(db, p, 12)
    receiver.hold_at = 6  # the 6th delivery arrives, is applied, and its answer never comes back
    proc = start_sender(db_url)
    try:
        await asyncio.wait_for(receiver.held.wait(), 60)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    held_key = receiver.raw[5].key
    rows = {r.idempotency_key: r for r in await deliveries(db)}
    assert rows[held_key].status == "sending"  # the crash left it claimed, not sent
    assert sum(r.status == "sent" for r in rows.values()) == 5
    receiver.hold_at = None
    await open_many(db, p, 3, start=12)  # and more events while no sender runs

    proc = start_sender(db_url)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            async with db.session() as s:
                left = await s.scalar(select(func.count()).select_from(OfficeDelivery)
                                      .where(OfficeDelivery.status != "sent"))
            if left == 0:
                break
            await asyncio.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    assert left == 0, proc.stderr.read().decode()[-2000:] if proc.stderr else ""
    rows = {r.idempotency_key: r for r in await deliveries(db)}
    assert len(rows) == 15
    assert sorted(receiver.accepted) == sorted(rows)  # every event delivered ...
    assert len({json.loads(b)["event"]["id"] for b in receiver.accepted.values()}) == 15  # ... once each
    # At least once: only the call in flight at the crash came again, under the same key and body.
    repeats = {h.key for h in receiver.raw if receiver.times(h.key) > 1}
    assert repeats == {held_key} and receiver.times(held_key) == 2
    assert len({h.body for h in receiver.raw if h.key == held_key}) == 1
    assert all(h.signature_ok for h in receiver.raw)


# -- WeCom robot ---------------------------------------------------------------------------------------
async def test_wecom_robot_format_errcode_frequency_limit_and_per_minute(db: Database, receiver: Receiver) -> None:
    p, ch = await place_with_channel(db, "wecom_robot", f"{receiver.url}/wecom", per_minute=3)
    await open_many(db, p, 5)
    clock = Clock(T0 + timedelta(hours=1))
    receiver.wecom_answers = [{"errcode": 45009, "errmsg": "api freq out of limit"}]
    async with httpx.AsyncClient(timeout=5) as http:
        sender = OfficeSender(db, http, clock=clock, base_delay=10)
        # The robot's frequency limit: not an attempt; the whole channel waits a minute, in order.
        assert await sender.run_once() == 0
        rows = await deliveries(db)
        assert rows[0].status == "pending" and rows[0].attempts == 0
        assert "rate limited" in (rows[0].last_error or "")
        assert {r.next_attempt_at for r in rows} == {clock.now + timedelta(seconds=60)}
        assert await sender.run_once() == 0 and len(receiver.wecom) == 1
        clock.now += timedelta(seconds=61)
        # Three per minute: the rest wait for the window.
        assert await sender.run_once() == 3
        assert await sender.run_once() == 0
        clock.now += timedelta(seconds=30)
        assert await sender.run_once() == 0
        clock.now += timedelta(seconds=31)
        # An errcode other than 0 is a failure, retried with back-off.
        receiver.wecom_answers = [{"errcode": 93000, "errmsg": "invalid webhook url"}]
        assert await sender.run_once() == 1
        failed = [r for r in await deliveries(db) if r.status == "pending"]
        assert len(failed) == 1 and failed[0].attempts == 1 and "93000" in (failed[0].last_error or "")
        assert failed[0].next_attempt_at == clock.now + timedelta(seconds=10)
        clock.now += timedelta(seconds=61)
        assert await sender.run_once() == 1
    assert all(r.status == "sent" for r in await deliveries(db))
    msg = receiver.wecom[1]
    assert set(msg) == {"msgtype", "markdown"} and msg["msgtype"] == "markdown"
    content = msg["markdown"]["content"]
    async with db.session() as s:
        first = await s.scalar(select(Ticket).order_by(Ticket.id))
        assert first is not None
    assert first.number in content and "电梯" in content and "6号楼" in content and "答复期限" in content
    assert len(receiver.wecom) == 7  # 1 limited + 3 + 1 refused + 1 + 1 retried
    async with db.session() as s:
        assert (await s.get(OfficeChannel, ch)) is not None


# -- Telegram group ------------------------------------------------------------------------------------
async def test_telegram_group_card(db: Database, receiver: Receiver) -> None:
    p, _ = await place_with_channel(db, "telegram_group", "-1001234567890")
    await open_many(db, p, 1)
    async with httpx.AsyncClient(timeout=5) as http:
        # Without a bot token the group's deliveries wait (nothing is lost, nothing is tried).
        assert await OfficeSender(db, http).run_once() == 0
        sender = OfficeSender(db, http, telegram_api_base=f"{receiver.url}/tg", telegram_token="123:abc")
        assert await sender.run_once() == 1
    [msg] = receiver.telegram
    assert msg["token"] == "123:abc" and msg["chat_id"] == "-1001234567890"
    async with db.session() as s:
        t = await s.scalar(select(Ticket))
        assert t is not None
    text = msg["text"]
    assert t.number in text and "电梯" in text and "6号楼" in text and "11月" in text and "新工单" in text
