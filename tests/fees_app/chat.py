"""A dispatcher with the fees and notices routers, and free text routed by intent the way the chat
router does it (nlp.understand → answer_fee_question / recent_notices)."""
from __future__ import annotations

from datetime import datetime

from handlers import binding, fees, me, notices, start
from handlers.dispatcher import Context, Dispatcher, Router, Services
from storage.db import Database

intents = Router("intents")


@intents.message(lambda ctx: bool((ctx.incoming.text or "").strip()))
async def by_intent(ctx: Context) -> None:
    from nlp import understand

    match understand(ctx.incoming.text or "").intent:
        case "fee_inquiry":
            await fees.answer_fee_question(ctx)
        case "notice":
            await notices.recent_notices(ctx)
        case other:
            ctx.reply(f"(intent {other})")


def dispatcher(db: Database, clock: object) -> Dispatcher:
    routers = [start.router, binding.router, me.router, fees.router, notices.router, intents]
    return Dispatcher(db, Services(secret="test", clock=clock), routers)  # type: ignore[arg-type]


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now
