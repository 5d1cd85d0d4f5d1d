"""Telegram's JSON to `Incoming`, and `Outgoing` to Bot API calls.

Pure functions over the Bot API's own JSON (as Telegram sends it), so both frameworks and the
webhook share one translation: the adapters only dump their Update objects back to that JSON.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from handlers.messages import Attachment, Button, Incoming, Location, Outgoing, Photo

CHANNEL = "telegram"
# Telegram's limits, counted in UTF-16 code units (an emoji counts twice).
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
# A message needs text; buttons sent alone get this.
BUTTONS_ONLY_TEXT = "👇"
CHOSEN_MARK = "✅"

Rows = tuple[tuple[Button, ...], ...]
Json = Mapping[str, Any]


@dataclass(frozen=True)
class BotIdentity:
    id: int
    username: str | None = None


@dataclass(frozen=True)
class Pressed:
    """A button press: the query to answer and the message whose keyboard was used."""

    query_id: str
    chat_id: int | None = None  # None when Telegram no longer shows us that message
    message_id: int | None = None
    text: str | None = None  # that message's text, to mark the choice in place
    label: str | None = None  # the pressed button's label


@dataclass(frozen=True)
class Converted:
    update_id: int
    incoming: Incoming
    pressed: Pressed | None = None
    reply_to: int | None = None  # in groups, answers quote the resident's message


@dataclass(frozen=True)
class Send:
    """One Bot API call rendering (part of) an `Outgoing`."""

    kind: Literal["message", "photo", "document"]
    chat_id: str
    text: str = ""  # message text, or the caption of a photo or document
    buttons: Rows = ()
    attachment: Attachment | None = None
    reply_to: int | None = None


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def language(code: str | None) -> str | None:
    """Telegram's IETF tag (zh-hans, en-GB) to the languages Linli speaks."""
    if not code:
        return None
    head = code.lower().split("-")[0]
    return head if head in ("zh", "en") else None


def _name(user: Json) -> str:
    full = " ".join(p for p in (user.get("first_name"), user.get("last_name")) if p).strip()
    return full or user.get("username") or ""


def _is_group(chat: Json | None) -> bool:
    return chat is not None and chat.get("type") in ("group", "supergroup")


def convert_update(update: Json, bot: BotIdentity) -> Converted | None:
    """The update as the conversation core sees it, or None when there is nothing to answer."""
    update_id = int(update["update_id"])
    if (msg := update.get("message")) is not None:
        return _from_message(update_id, msg, bot)
    if (query := update.get("callback_query")) is not None:
        return _from_callback(update_id, query)
    return None


def _photo(msg: Json) -> Photo | None:
    sizes = msg.get("photo") or []
    if sizes:
        best = max(sizes, key=lambda s: (s.get("width", 0) * s.get("height", 0), s.get("file_size", 0)))
        return Photo(ref=best["file_id"])
    doc = msg.get("document") or {}
    mime = str(doc.get("mime_type") or "")
    if mime.startswith("image/"):  # a photo sent "as file" keeps its quality; still a photo
        return Photo(ref=doc["file_id"], content_type=mime)
    return None


def _location(msg: Json) -> Location | None:
    venue = msg.get("venue")
    loc = (venue or {}).get("location") or msg.get("location")
    if not loc:
        return None
    label = venue.get("title") if venue else None
    return Location(float(loc["latitude"]), float(loc["longitude"]), label)


def _addressed(msg: Json, text: str | None, bot: BotIdentity) -> bool:
    """In a group Linli answers commands, mentions and replies to itself, not every chat line."""
    reply = msg.get("reply_to_message") or {}
    if (reply.get("from") or {}).get("id") == bot.id:
        return True
    if not text:
        return False
    if text.startswith("/"):
        head = text.split(maxsplit=1)[0]
        if "@" in head:
            return bot.username is not None and head.split("@", 1)[1].lower() == bot.username.lower()
        return True
    return bot.username is not None and f"@{bot.username.lower()}" in text.lower()


def _without_mention(text: str, bot: BotIdentity) -> str:
    if not bot.username or text.startswith("/"):
        return text
    return re.sub(rf"@{re.escape(bot.username)}\b", "", text, flags=re.IGNORECASE).strip()


def _from_message(update_id: int, msg: Json, bot: BotIdentity) -> Converted | None:
    user = msg.get("from")
    chat = msg.get("chat") or {}
    if not user or user.get("is_bot") or chat.get("type") == "channel":
        return None
    text = msg.get("text") or msg.get("caption")
    group = _is_group(chat)
    if group:
        if not _addressed(msg, text, bot):
            return None
        text = _without_mention(text, bot) if text else text
    reply = msg.get("reply_to_message") or {}
    incoming = Incoming(
        channel=CHANNEL,
        chat_id=str(chat["id"]),
        sender_id=str(user["id"]),
        sender_name=_name(user),
        text=text or None,
        photo=_photo(msg),
        location=_location(msg),
        message_id=str(msg["message_id"]),
        reply_to_message_id=str(reply["message_id"]) if reply.get("message_id") else None,
        is_group=group,
        language=language(user.get("language_code")),
    )
    return Converted(update_id, incoming, reply_to=int(msg["message_id"]) if group else None)


def _label(msg: Json, data: str) -> str | None:
    for row in (msg.get("reply_markup") or {}).get("inline_keyboard") or []:
        for b in row:
            if b.get("callback_data") == data:
                return str(b.get("text", ""))
    return None


def _from_callback(update_id: int, query: Json) -> Converted | None:
    user = query["from"]
    data = query.get("data")
    if data is None:  # game buttons carry no data; Linli has none
        return None
    msg = query.get("message") or None
    chat = msg.get("chat") if msg else None
    # An inaccessible message (too old) has date 0 and no content.
    visible = msg is not None and msg.get("date", 0) != 0
    pressed = Pressed(
        query_id=str(query["id"]),
        chat_id=int(chat["id"]) if chat else None,
        message_id=int(msg["message_id"]) if msg else None,
        text=msg.get("text") if visible else None,
        label=_label(msg, data) if visible else None,
    )
    incoming = Incoming(
        channel=CHANNEL,
        chat_id=str(chat["id"]) if chat else str(user["id"]),
        sender_id=str(user["id"]),
        sender_name=_name(user),
        payload=data,
        message_id=str(msg["message_id"]) if msg else None,
        is_group=_is_group(chat),
        language=language(user.get("language_code")),
    )
    return Converted(update_id, incoming, pressed=pressed)


def marked(text: str, label: str) -> str | None:
    """The pressed message's text with the choice shown under it, if that still fits."""
    out = f"{text}\n\n{CHOSEN_MARK} {label}"
    return out if utf16_len(out) <= TEXT_LIMIT else None


# -- sending ---------------------------------------------------------------------------------

_SENTENCE_END = "。！？；!?;."


def _fit(text: str, limit: int) -> int:
    """How many characters of `text` fit in `limit` UTF-16 units."""
    used = 0
    for i, ch in enumerate(text):
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > limit:
            return i
    return len(text)


def _break_at(window: str) -> int:
    """Where to cut a window that is too long: a paragraph, line, sentence or word end."""
    floor = len(window) // 2  # never leave a tiny piece behind
    for sep in ("\n\n", "\n"):
        i = window.rfind(sep)
        if i >= floor:
            return i + len(sep)
    for i in range(len(window) - 1, floor - 1, -1):
        if window[i] in _SENTENCE_END:
            return i + 1
    i = window.rfind(" ")
    return i + 1 if i >= floor else len(window)


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Pieces of at most `limit` UTF-16 units, cut at the most natural boundary available."""
    chunks: list[str] = []
    rest = text
    while utf16_len(rest) > limit:
        cut = _break_at(rest[:_fit(rest, limit)])
        head, rest = rest[:cut].rstrip(), rest[cut:].lstrip("\n")
        if head:
            chunks.append(head)
    if rest.strip():
        chunks.append(rest)
    return chunks


def plan(out: Outgoing, default_chat: str, reply_to: int | None = None) -> list[Send]:
    """The Bot API calls that show one reply: attachments first, text as their caption when it
    fits, else as messages of its own; the buttons go on the last call."""
    chat = out.chat_id or default_chat
    text = out.text.strip()
    kinds: tuple[tuple[Literal["photo", "document"], Attachment | None], ...] = (
        ("photo", out.image), ("document", out.document))
    attachments = [(kind, att) for kind, att in kinds if att is not None]
    caption_fits = bool(attachments) and utf16_len(text) <= CAPTION_LIMIT
    sends: list[Send] = []
    for i, (kind, att) in enumerate(attachments):
        last = caption_fits and i == len(attachments) - 1
        sends.append(Send(kind, chat, text if last else "", out.buttons if last else (), att))
    if not caption_fits:
        pieces = split_text(text) if text else ([BUTTONS_ONLY_TEXT] if out.buttons else [])
        for i, piece in enumerate(pieces):
            sends.append(Send("message", chat, piece, out.buttons if i == len(pieces) - 1 else ()))
    if sends and reply_to is not None:
        first = sends[0]
        sends[0] = Send(first.kind, first.chat_id, first.text, first.buttons, first.attachment, reply_to)
    return sends


def keyboard(rows: Rows) -> list[list[tuple[str, str]]]:
    """(label, callback data) rows; payloads are short ids, at most 64 bytes (checked by Button)."""
    return [[(b.label, b.payload) for b in row] for row in rows if row]
