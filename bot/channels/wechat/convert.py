"""WeChat pushes -> `Incoming`, and `Outgoing` -> what WeChat can show.

A WeChat chat has no buttons: choices are rendered as numbered lines whose labels are menu
links (`weixin://bizmsgmenu`, which come back as a text message holding the label). The shown
choices are remembered per user so that "2" or a tapped label maps back to the payload.
"""
from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.channels.wechat.wire import cdata
from handlers.messages import Attachment, Incoming, Location, Outgoing, Photo

CHANNEL = "wechat"
# WeChat's limit for one text message (passive reply or customer-service message), in bytes.
TEXT_MAX_BYTES = 2048

UNSUPPORTED = "抱歉，暂时只能处理文字、图片和位置消息。请用文字描述您要办的事，例如「3号楼电梯坏了」。"
CHOOSE_HINT = "（回复序号即可选择）"
TAP_HINT = "（点击选项或回复序号）"

Option = tuple[str, str]  # (label as shown and as it comes back when tapped, payload)


@dataclass(frozen=True)
class Converted:
    incoming: Incoming | None  # None: nothing for the conversation core
    notice: str | None = None  # a fixed answer for what Linli cannot read (voice, video, links)


def dedupe_key(msg: dict[str, str]) -> str:
    """MsgId for messages; events have none, so sender + CreateTime + event name."""
    if msg.get("MsgId"):
        return "m:" + msg["MsgId"]
    kind = (msg.get("Event") or msg.get("MsgType") or "").lower()
    return f"e:{msg.get('FromUserName', '')}:{msg.get('CreateTime', '')}:{kind}"[:200]


# Events WeChat counts as the user writing (they open the 48-hour customer-service window):
# following, scanning a QR code, and the menu types that push to the account. Opening a link
# (VIEW), unfollowing, location reports and job reports do not.
WINDOW_EVENTS = frozenset({"subscribe", "scan", "click", "scancode_push", "scancode_waitmsg"})


def opens_window(msg: dict[str, str]) -> bool:
    """Whether this push lets the account send customer-service messages to its sender."""
    if not msg.get("FromUserName"):
        return False
    if msg.get("MsgType", "").lower() != "event":
        return True
    return msg.get("Event", "").lower() in WINDOW_EVENTS


def convert(msg: dict[str, str], options: Sequence[Option] = ()) -> Converted:
    openid = msg.get("FromUserName", "")
    if not openid:
        return Converted(None)
    mtype = msg.get("MsgType", "").lower()

    def incoming(**kw: object) -> Converted:
        return Converted(Incoming(channel=CHANNEL, chat_id=openid, sender_id=openid,
                                  message_id=msg.get("MsgId") or None, **kw))  # type: ignore[arg-type]

    if mtype == "text":
        text = msg.get("Content", "")
        payload = chosen(text, options)
        if payload is not None:
            return incoming(payload=payload)
        return incoming(text=text) if text.strip() else Converted(None)
    if mtype == "image":
        ref = msg.get("MediaId") or msg.get("PicUrl")
        return incoming(photo=Photo(ref=ref)) if ref else Converted(None)
    if mtype == "location":
        try:
            lat, lon = float(msg["Location_X"]), float(msg["Location_Y"])
        except (KeyError, ValueError):
            return Converted(None)
        return incoming(location=Location(lat, lon, msg.get("Label") or None))
    if mtype == "voice" and msg.get("Recognition"):
        # WeChat's own speech recognition, when the account has it switched on.
        return incoming(text=msg["Recognition"])
    if mtype == "event":
        event = msg.get("Event", "").lower()
        if event == "subscribe":  # also a subscription through a QR code (EventKey qrscene_...)
            return incoming(text="/start")
        if event == "click" and msg.get("EventKey"):
            return incoming(payload=msg["EventKey"])
        # unsubscribe, VIEW, LOCATION reports, SCAN, job reports: nothing the resident said.
        return Converted(None)
    return Converted(None, notice=UNSUPPORTED)


def chosen(text: str, options: Sequence[Option]) -> str | None:
    """The payload a reply picks from the last shown choices: its number or its label."""
    s = text.strip().rstrip(".、。")
    if s.isdigit() and 1 <= int(s) <= len(options):
        return options[int(s) - 1][1]
    for label, payload in options:
        if s == label:
            return payload
    return None


# -- replies ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class TextPart:
    text: str


@dataclass(frozen=True)
class ImagePart:
    image: Attachment


Part = TextPart | ImagePart


@dataclass
class Delivery:
    """Everything one turn says to one user, as WeChat messages in order."""

    openid: str
    parts: list[Part] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)

    @property
    def passive_text(self) -> str | None:
        """The reply fits one passive text reply (else it goes as customer-service messages)."""
        if len(self.parts) == 1 and isinstance(self.parts[0], TextPart):
            return self.parts[0].text
        return None

    def add_text(self, text: str) -> None:
        last = self.parts[-1] if self.parts else None
        if isinstance(last, TextPart) and _nbytes(last.text + "\n\n" + text) <= TEXT_MAX_BYTES:
            self.parts[-1] = TextPart(last.text + "\n\n" + text)
            return
        self.parts.extend(TextPart(chunk) for chunk in split_text(text))


def plan(replies: Sequence[Outgoing], openid: str, *, links: bool = True) -> dict[str, Delivery]:
    """Replies grouped by recipient (the sender unless `Outgoing.chat_id` names another)."""
    out: dict[str, Delivery] = {}
    for r in replies:
        target = r.chat_id or openid
        d = out.setdefault(target, Delivery(target))
        block = [r.text] if r.text else []
        lines: list[str] = []
        for row in r.buttons:
            for b in row:
                label = menu_label(b.label)
                d.options.append((label, b.payload))
                n = len(d.options)
                lines.append(f"{n}. {menu_link(label, n) if links else label}")
        if lines:
            if len(d.options) == len(lines):  # the first choices of this turn
                lines.append(TAP_HINT if links else CHOOSE_HINT)
            block.append("\n".join(lines))
        if r.document is not None:
            block.append(f"（文件「{r.document.filename}」无法在微信中发送，请向物业或业委会索取。）")
        if block:
            d.add_text("\n\n".join(block))
        if r.image is not None:
            d.parts.append(ImagePart(r.image))
    return out


def menu_label(label: str) -> str:
    # The label travels inside an href and comes back as the tapped text: keep it plain.
    return re.sub(r"[\s\"'<>&]+", " ", label).strip()[:60] or "?"


def menu_link(label: str, n: int) -> str:
    return f'<a href="weixin://bizmsgmenu?msgmenucontent={label}&msgmenuid={n}">{label}</a>'


def split_text(text: str, limit: int = TEXT_MAX_BYTES) -> list[str]:
    """Pieces of at most `limit` UTF-8 bytes, cut between lines where possible."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while _nbytes(line) > limit:  # a single line too long: cut it by characters
            head = line
            while _nbytes(head) > limit:
                head = head[: max(1, len(head) * limit // _nbytes(head))]
            if current:
                chunks.append(current)
                current = ""
            chunks.append(head)
            line = line[len(head):]
        candidate = f"{current}\n{line}" if current else line
        if _nbytes(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        chunks.append(current)
    return chunks


def _nbytes(s: str) -> int:
    return len(s.encode())


def text_reply_xml(to_user: str, from_user: str, text: str, now: int | None = None) -> str:
    """A passive text reply (被动回复文本消息)."""
    return ("<xml>"
            f"<ToUserName>{cdata(to_user)}</ToUserName>"
            f"<FromUserName>{cdata(from_user)}</FromUserName>"
            f"<CreateTime>{int(time.time()) if now is None else now}</CreateTime>"
            "<MsgType><![CDATA[text]]></MsgType>"
            f"<Content>{cdata(text)}</Content>"
            "</xml>")
