"""The broadcaster's `Sender` for WeChat: notifications out as customer-service messages (客服消息).

WeChat takes them only within 48 hours of the user's last message or menu click. `closed` names
the users outside that window (from `wechat_contact`), so the broadcaster holds their deliveries
without calling WeChat; WeChat's own refusal (45015) is reported the same way, for a window that
closed between the check and the call. A held delivery is sent when the user writes again.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from bot import broadcast
from bot.broadcast import outgoing
from bot.channels.wechat import store
from bot.channels.wechat.client import WechatApiError, WechatClient
from bot.channels.wechat.convert import ImagePart, Part, TextPart, plan
from storage.db import Database

log = logging.getLogger(__name__)

WINDOW_REASON = "超出48小时客服消息窗口"
# 45015: "response out of time limit" — the user has not written within 48 hours.
WINDOW_CLOSED = {45015}


class WechatSender:
    reason = WINDOW_REASON

    def __init__(self, db: Database, client: WechatClient, *, links: bool = True,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        self.db = db
        self.client = client
        self.links = links
        self.clock = clock

    async def closed(self, chat_ids: list[str], now: datetime) -> set[str]:
        return await store.outside_window(self.db, chat_ids, now)

    async def send(self, chat_id: str, body: dict[str, Any]) -> None:
        d = plan([outgoing(body)], chat_id, links=self.links).get(chat_id)
        if d is None:
            return
        for i, part in enumerate(d.parts):
            if i == 0:
                # Nothing is out yet: every failure goes back to the broadcaster, which holds or retries.
                try:
                    await self._part(chat_id, part)
                except WechatApiError as e:
                    if e.errcode in WINDOW_CLOSED:
                        raise broadcast.Held(WINDOW_REASON) from e
                    raise
                if d.options:
                    await store.remember_menu(self.db, chat_id, d.options, self.clock())
                continue
            try:
                await self._part(chat_id, part)
            except Exception:
                # The user has the beginning; a retry by the broadcaster would repeat it.
                log.exception("part %d of a notification to %s not sent", i + 1, chat_id)

    async def _part(self, openid: str, part: Part) -> None:
        if isinstance(part, TextPart):
            await self.client.send_text(openid, part.text)
        elif isinstance(part, ImagePart):
            media_id = await self.client.upload_image(part.image.filename, part.image.content_type,
                                                      part.image.data)
            await self.client.send_image(openid, media_id)
