"""The fake Bot API (tests/channels/fake_bot_api.py) with Telegram's flood control enforced.

Above `rate` messages in any sliding second, or a second message to one chat within `per_chat`
seconds, sendMessage answers 429 "Too Many Requests: retry after N" as Telegram does. Every
accepted message is logged with the time it arrived, for the pacing and duplicate checks.
"""
from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from tests.channels.fake_bot_api import ApiError, Call, FakeBotApi, Upload


@dataclass(frozen=True)
class Accepted:
    at: float  # time.time() on arrival
    chat_id: int
    text: str


class EnforcingBotApi(FakeBotApi):
    def __init__(self, token: str, rate: float = 30.0, per_chat: float = 1.0,
                 blocked: frozenset[int] = frozenset()) -> None:
        super().__init__(token)
        self.rate = rate
        self.per_chat = per_chat
        self.blocked = set(blocked)
        self.accepted: list[Accepted] = []
        self.refused_429 = 0
        self.call_times: list[float] = []  # when each of `calls` was answered, in order
        self._window: deque[float] = deque()
        self._last: dict[int, float] = {}

    def _flood(self, chat_id: int, now: float) -> float:
        """Seconds to wait before this message would be accepted (0: accept)."""
        while self._window and self._window[0] <= now - 1.0:
            self._window.popleft()
        if len(self._window) >= self.rate:
            return self._window[0] + 1.0 - now
        last = self._last.get(chat_id)
        if last is not None and now - last < self.per_chat:
            return last + self.per_chat - now
        return 0.0

    async def _record(self, call: Call) -> None:
        self.call_times.append(time.time())
        await super()._record(call)

    def send_times(self) -> list[float]:
        """When each sendMessage call was answered (accepted or refused), in order."""
        return [t for c, t in zip(self.calls, self.call_times) if c.method == "sendMessage"]

    async def _m_sendmessage(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        chat_id, now = int(params["chat_id"]), time.time()
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        wait = self._flood(chat_id, now)
        if wait > 0:
            self.refused_429 += 1
            seconds = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})
        result = await super()._m_sendmessage(params, files)
        self._window.append(now)
        self._last[chat_id] = now
        self.accepted.append(Accepted(now, chat_id, str(params.get("text") or "")))
        return result

    def max_per_second(self) -> int:
        """The most messages accepted in any sliding one-second window."""
        times = [a.at for a in self.accepted]
        best, lo = 0, 0
        for hi, t in enumerate(times):
            while times[lo] <= t - 1.0:
                lo += 1
            best = max(best, hi - lo + 1)
        return best

    def min_gap_per_chat(self) -> float | None:
        """The shortest time between two messages to one chat (None: no chat got two)."""
        last: dict[int, float] = {}
        gap: float | None = None
        for a in self.accepted:
            if a.chat_id in last:
                d = a.at - last[a.chat_id]
                gap = d if gap is None else min(gap, d)
            last[a.chat_id] = a.at
        return gap
