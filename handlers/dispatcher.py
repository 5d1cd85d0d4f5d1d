"""The conversation core: routes an `Incoming` to one handler and returns its replies.

One unit of work per message: the speaker is resolved, their dialogue state is locked, the
handler runs, and everything (state, tickets, ballots, the web transcript) commits together or
not at all. A failure propagates so the channel can answer 5xx and have the message re-sent.
"""
from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.people import Speaker, actor_for, speaker_for
from core.roles import Actor
from core.verification import VerificationPolicy
from handlers.messages import Incoming, Outgoing, buttons
from handlers.texts import t
from storage.db import Database
from storage.models import DialogueState
from storage.repositories.conversation import ConversationRepository

log = logging.getLogger(__name__)

Handler = Callable[["Context"], Awaitable[None]]
Recorder = Callable[[AsyncSession, Incoming, list[Outgoing]], Awaitable[None]]
# Whether the channel's message was handled already, asked inside the unit of work (one
# transaction instead of a separate read before it).
Done = Callable[[AsyncSession], Awaitable[bool]]


class AlreadyHandled(Exception):
    """The `done` check found the message handled already: nothing was done."""


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Services:
    """What handlers need from the installation, configured by bot/."""

    secret: str
    verification: VerificationPolicy = field(default_factory=VerificationPolicy)
    clock: Callable[[], datetime] = _utcnow
    default_language: str = "zh"
    public_url: str = "http://127.0.0.1:8080"  # links sent in chat point here
    # Capability modules hang their own collaborators here (e.g. the classifier).
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Context:
    incoming: Incoming
    session: AsyncSession
    speaker: Speaker
    state: DialogueState
    services: Services
    command_args: str = ""
    replies: list[Outgoing] = field(default_factory=list)

    @property
    def lang(self) -> str:
        return self.speaker.person.language or self.services.default_language

    @property
    def now(self) -> datetime:
        return self.services.clock()

    def t(self, key: str, **kw: Any) -> str:
        return t(self.lang, key, **kw)

    def reply(self, text: str, rows: tuple[tuple[Any, ...], ...] | list[list[tuple[str, str]]] = (),
              **kw: Any) -> None:
        btns = rows if (not rows or not isinstance(rows[0], list)) else buttons(*rows)
        self.replies.append(Outgoing(text=text, buttons=btns, **kw))  # type: ignore[arg-type]

    # Dialogue state -------------------------------------------------------------------------
    @property
    def flow(self) -> str | None:
        return self.state.flow

    @property
    def step(self) -> str | None:
        return self.state.step

    @property
    def data(self) -> dict[str, Any]:
        return dict(self.state.data or {})

    def goto(self, flow: str, step: str, **data: Any) -> None:
        merged = dict(self.state.data or {}) if self.state.flow == flow else {}
        merged.update(data)
        self.state.flow, self.state.step, self.state.data = flow, step, merged

    def end_flow(self) -> None:
        self.state.flow, self.state.step, self.state.data = None, None, {}

    async def actor(self) -> Actor:
        return await actor_for(self.session, self.speaker.person.id)


@dataclass
class _Command:
    names: tuple[str, ...]
    aliases: tuple[str, ...]
    handler: Handler


class Router:
    """Handlers of one capability. Order of matching: button, command, flow step, message."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.commands: list[_Command] = []
        self.buttons: dict[str, Handler] = {}
        self.steps: dict[tuple[str, str], Handler] = {}
        self.messages: list[tuple[Callable[[Context], bool], Handler]] = []

    def command(self, *names: str, aliases: tuple[str, ...] = ()) -> Callable[[Handler], Handler]:
        """`/name` in any channel, and the plain-word aliases residents type (e.g. 帮助)."""
        def deco(fn: Handler) -> Handler:
            self.commands.append(_Command(tuple(n.lower() for n in names), aliases, fn))
            return fn
        return deco

    def button(self, prefix: str) -> Callable[[Handler], Handler]:
        """Button payloads `prefix` or `prefix:...`."""
        def deco(fn: Handler) -> Handler:
            self.buttons[prefix] = fn
            return fn
        return deco

    def step(self, flow: str, step: str) -> Callable[[Handler], Handler]:
        def deco(fn: Handler) -> Handler:
            self.steps[(flow, step)] = fn
            return fn
        return deco

    def message(self, when: Callable[[Context], bool] = lambda ctx: True) -> Callable[[Handler], Handler]:
        def deco(fn: Handler) -> Handler:
            self.messages.append((when, fn))
            return fn
        return deco


def parse_command(text: str) -> tuple[str, str] | None:
    """'/bind@LinliBot ABCD-EFGH' -> ('bind', 'ABCD-EFGH')."""
    s = text.strip()
    if not s.startswith("/") or len(s) < 2:
        return None
    head, _, rest = s[1:].partition(" ")
    return head.split("@", 1)[0].lower(), rest.strip()


class Dispatcher:
    def __init__(self, db: Database, services: Services, routers: list[Router]) -> None:
        self.db = db
        self.services = services
        self.routers = routers
        self._locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = weakref.WeakValueDictionary()

    def _lock(self, key: tuple[str, str]) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock

    async def handle(self, incoming: Incoming, record: Recorder | None = None,
                     done: Done | None = None) -> list[Outgoing]:
        # In-process ordering per sender; the database lock in lock_state orders across workers.
        async with self._lock((incoming.channel, incoming.sender_id)):
            async with self.db.session() as session:
                if done is not None and await done(session):
                    raise AlreadyHandled()
                # In a group the private chat is unknown; platforms use the user id for it.
                private_chat = incoming.sender_id if incoming.is_group else incoming.chat_id
                speaker = await speaker_for(session, incoming.channel, incoming.sender_id,
                                            private_chat, incoming.sender_name,
                                            language=incoming.language)
                state = await ConversationRepository(session).lock_state(incoming.channel, incoming.sender_id)
                ctx = Context(incoming, session, speaker, state, self.services)
                await self._route(ctx)
                if record is not None:
                    await record(session, incoming, ctx.replies)
                return ctx.replies

    async def _route(self, ctx: Context) -> None:
        inc = ctx.incoming
        if inc.payload:
            prefix = inc.payload.split(":", 1)[0]
            for r in self.routers:
                if prefix in r.buttons:
                    return await r.buttons[prefix](ctx)
            log.info("unknown button payload %r", inc.payload)
            ctx.reply(ctx.t("fallback"))
            return
        if inc.text:
            found = self._find_command(inc.text)
            if found is not None:
                handler, args = found
                ctx.command_args = args
                return await handler(ctx)
        if ctx.flow and ctx.step:
            for r in self.routers:
                h = r.steps.get((ctx.flow, ctx.step))
                if h is not None:
                    return await h(ctx)
            ctx.end_flow()  # a flow that no longer exists (after an upgrade): start afresh
        for r in self.routers:
            for when, h in r.messages:
                if when(ctx):
                    return await h(ctx)
        ctx.reply(ctx.t("fallback"))

    def _find_command(self, text: str) -> tuple[Handler, str] | None:
        parsed = parse_command(text)
        plain = text.strip()
        for r in self.routers:
            for c in r.commands:
                if parsed is not None and parsed[0] in c.names:
                    return c.handler, parsed[1]
                for alias in c.aliases:
                    if plain == alias or plain.startswith(alias + " "):
                        return c.handler, plain[len(alias):].strip()
        return None
