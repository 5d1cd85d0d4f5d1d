"""The office sender as its own process, for the crash test: `python -m tests.office_outbox.sender_proc
<database url>` sends forever with a 1-second lease and short back-off, until killed."""
from __future__ import annotations

import asyncio
import sys

import httpx

from bot.office_delivery import OfficeSender
from storage.db import Database


async def main(url: str) -> None:
    db = Database(url)
    async with httpx.AsyncClient(timeout=30.0) as http:
        sender = OfficeSender(db, http, lease=1.0, base_delay=0.05, max_delay=0.5)
        await sender.drain(idle=0.05, until_empty=False)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
