"""A scripted-dialogue stub: one resident talking to the real conversation core."""
from __future__ import annotations

from handlers.dispatcher import Dispatcher
from handlers.messages import Incoming, Outgoing


class ChatStub:
    def __init__(self, dispatcher: Dispatcher, sender: str = "u1", channel: str = "console") -> None:
        self.dispatcher = dispatcher
        self.sender = sender
        self.channel = channel
        self.last: list[Outgoing] = []

    async def say(self, text: str) -> str:
        return await self._send(Incoming(self.channel, self.sender, self.sender, text=text))

    async def press(self, label: str) -> str:
        for out in reversed(self.last):
            for row in out.buttons:
                for b in row:
                    if b.label == label:
                        return await self._send(Incoming(self.channel, self.sender, self.sender,
                                                         payload=b.payload))
        raise AssertionError(f"no button {label!r} in the last replies: {self.labels()}")

    async def payload(self, payload: str) -> str:
        """Press a button that came in an earlier message (e.g. a notification)."""
        return await self._send(Incoming(self.channel, self.sender, self.sender, payload=payload))

    def labels(self) -> list[str]:
        return [b.label for out in self.last for row in out.buttons for b in row]

    async def _send(self, inc: Incoming) -> str:
        self.last = await self.dispatcher.handle(inc)
        return "\n".join(o.text for o in self.last)
