"""The conversation core's only vocabulary: an incoming message in, replies out.

Channel adapters translate their platform's updates into `Incoming` and render `Outgoing`;
nothing here knows which platform it is talking to.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Telegram limits callback data to 64 bytes; every channel lives with the smallest limit.
MAX_PAYLOAD_BYTES = 64


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float
    label: str | None = None


@dataclass(frozen=True)
class Photo:
    """A picture the resident sent: a channel file id or a web upload token."""

    ref: str
    content_type: str = "image/jpeg"


@dataclass(frozen=True)
class Incoming:
    channel: str  # web / telegram / wechat / console
    chat_id: str  # where replies go (private chat or group)
    sender_id: str  # the platform's id of the person
    sender_name: str = ""
    text: str | None = None
    photo: Photo | None = None
    location: Location | None = None
    payload: str | None = None  # a pressed button's data
    message_id: str | None = None
    reply_to_message_id: str | None = None
    is_group: bool = False
    language: str | None = None  # the client's language hint, e.g. "en"


@dataclass(frozen=True)
class Button:
    label: str
    payload: str

    def __post_init__(self) -> None:
        if len(self.payload.encode()) > MAX_PAYLOAD_BYTES:
            raise ValueError(f"button payload over {MAX_PAYLOAD_BYTES} bytes: {self.payload!r}")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class Outgoing:
    text: str = ""
    buttons: tuple[tuple[Button, ...], ...] = ()
    image: Attachment | None = None
    document: Attachment | None = None
    # None: reply into the chat the message came from.
    chat_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The web chat's JSON shape (attachments are served separately)."""
        d: dict[str, Any] = {"text": self.text,
                             "buttons": [[asdict(b) for b in row] for row in self.buttons]}
        if self.image is not None:
            d["image"] = {"filename": self.image.filename, "content_type": self.image.content_type}
        if self.document is not None:
            d["document"] = {"filename": self.document.filename,
                             "content_type": self.document.content_type}
        return d


def buttons(*rows: list[tuple[str, str]]) -> tuple[tuple[Button, ...], ...]:
    """buttons([("绑定房屋", "bind")], [("帮助", "help")]) — rows of (label, payload)."""
    return tuple(tuple(Button(label, payload) for label, payload in row) for row in rows)
