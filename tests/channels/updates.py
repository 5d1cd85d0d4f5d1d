"""Update JSON exactly as Telegram sends it (field for field, as in real captures), for a
resident in a private chat, in a group, pressing buttons."""
from __future__ import annotations

import itertools
from typing import Any

_message_ids = itertools.count(50)
DATE = 1795425600  # 2026-11-23 10:00 UTC


def user(uid: int = 7003001, first: str = "建国", last: str = "王", lang: str = "zh-hans",
         username: str | None = "wangjg") -> dict[str, Any]:
    u: dict[str, Any] = {"id": uid, "is_bot": False, "first_name": first, "last_name": last,
                         "language_code": lang}
    if username:
        u["username"] = username
    return u


def private_chat(u: dict[str, Any]) -> dict[str, Any]:
    c = {"id": u["id"], "first_name": u["first_name"], "last_name": u.get("last_name", ""), "type": "private"}
    if u.get("username"):
        c["username"] = u["username"]
    return c


GROUP = {"id": -1001987654321, "title": "幸福里业主群", "type": "supergroup"}


def _entities(text: str) -> list[dict[str, Any]]:
    if text.startswith("/"):
        head = text.split(maxsplit=1)[0]
        return [{"offset": 0, "length": len(head.encode("utf-16-le")) // 2, "type": "bot_command"}]
    return []


def message(update_id: int, u: dict[str, Any], text: str | None = None, *, chat: dict[str, Any] | None = None,
            **extra: Any) -> dict[str, Any]:
    msg: dict[str, Any] = {"message_id": next(_message_ids), "from": u, "chat": chat or private_chat(u),
                           "date": DATE}
    if text is not None:
        msg["text"] = text
        if ents := _entities(text):
            msg["entities"] = ents
    msg.update(extra)
    return {"update_id": update_id, "message": msg}


def photo(update_id: int, u: dict[str, Any], file_id: str, caption: str | None = None) -> dict[str, Any]:
    sizes = [
        {"file_id": f"{file_id}-s", "file_unique_id": "AQADs", "file_size": 1294, "width": 90, "height": 67},
        {"file_id": f"{file_id}-m", "file_unique_id": "AQADm", "file_size": 17354, "width": 320, "height": 240},
        {"file_id": file_id, "file_unique_id": "AQADx", "file_size": 68917, "width": 1280, "height": 960},
    ]
    extra: dict[str, Any] = {"photo": sizes}
    if caption:
        extra["caption"] = caption
    return message(update_id, u, **extra)


def location(update_id: int, u: dict[str, Any], lat: float, lon: float) -> dict[str, Any]:
    return message(update_id, u, location={"latitude": lat, "longitude": lon})


def callback(update_id: int, u: dict[str, Any], sent: dict[str, Any], data: str,
             query_id: str | None = None) -> dict[str, Any]:
    """A button press on `sent`, the Message our bot sent (as the Bot API returned it)."""
    return {"update_id": update_id, "callback_query": {
        "id": query_id or f"{u['id']}{update_id}",
        "from": u,
        "message": sent,
        "chat_instance": "-3841293847561234567",
        "data": data,
    }}
