"""The broadcaster's `Sender` for Telegram: queued notifications (core.notify bodies) out.

The broadcaster owns pacing and retries: flood control and a blocked bot are reported to it in
its own exception types. Once part of a message is out (a long text is several messages), the
rest is finished here, so a retry by the broadcaster never repeats what the resident already has.
"""
from __future__ import annotations

import logging
from functools import partial
from typing import Any

from bot import broadcast
from bot.channels.telegram.api import Blocked, RetryAfter, TelegramApi, with_retry
from bot.channels.telegram.convert import plan
from handlers.messages import Attachment, Button, Outgoing

log = logging.getLogger(__name__)


def outgoing(body: dict[str, Any]) -> Outgoing:
    """A notification body ({text, buttons: [[{label, payload}]]}) as a reply.

    An image the broadcaster has drawn (bot.charts.attach_images: {"filename", "content_type",
    "data"}) goes out as a photo; an unresolved reference is dropped, the text carries the message.
    """
    rows = tuple(tuple(Button(str(b["label"]), str(b["payload"])) for b in row)
                 for row in body.get("buttons") or [])
    img = body.get("image")
    image = (Attachment(str(img.get("filename") or "image.png"), str(img.get("content_type") or "image/png"),
                        img["data"]) if isinstance(img, dict) and isinstance(img.get("data"), bytes) else None)
    return Outgoing(str(body.get("text") or ""), rows, image=image)


class TelegramSender:
    def __init__(self, api: TelegramApi) -> None:
        self.api = api

    async def send(self, chat_id: str, body: dict[str, Any]) -> None:
        for i, call in enumerate(plan(outgoing(body), chat_id)):
            try:
                if i == 0:
                    await self.api.send(call)  # nothing out yet: the broadcaster may reschedule it
                else:
                    await with_retry(partial(self.api.send, call))
            except Blocked as e:
                raise broadcast.Blocked(e.description) from e
            except RetryAfter as e:
                raise broadcast.RetryAfter(e.seconds) from e
