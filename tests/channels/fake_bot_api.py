"""A fake Telegram Bot API server on 127.0.0.1, for running the real aiogram and the real
python-telegram-bot against it.

It answers the methods Linli calls as Telegram does (same JSON shapes, same error texts for
"message is not modified", "query is too old", flood control), keeps a queue of scripted updates
for getUpdates with Telegram's offset semantics, serves files for getFile, and records every call
with its parameters decoded (form, multipart with the uploaded bytes, or JSON).
"""
from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

# Parameters that frameworks send JSON-encoded inside form fields.
JSON_PARAMS = {"reply_markup", "commands", "allowed_updates", "scope", "reply_parameters",
               "link_preview_options", "entities", "caption_entities"}
INT_PARAMS = {"chat_id", "message_id", "offset", "limit", "timeout", "user_id"}

NOT_MODIFIED = ("Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message")
QUERY_TOO_OLD = ("Bad Request: query is too old and response timeout expired or query ID is invalid")


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    data: bytes = field(repr=False)


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, Upload]
    status: int = 200
    result: Any = None

    @property
    def chat_id(self) -> int | None:
        v = self.params.get("chat_id")
        return int(v) if v is not None else None

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def keyboard(self) -> list[list[dict[str, Any]]]:
        return (self.params.get("reply_markup") or {}).get("inline_keyboard") or []

    def labels(self) -> list[str]:
        return [b["text"] for row in self.keyboard for b in row]

    def button(self, label: str) -> str:
        for row in self.keyboard:
            for b in row:
                if b["text"] == label:
                    return str(b["callback_data"])
        raise AssertionError(f"no button {label!r} in {self.labels()}")


class ApiError(Exception):
    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None,
                 skip: int = 0) -> None:
        super().__init__(description)
        self.status, self.description, self.parameters, self.skip = status, description, parameters, skip


class FakeBotApi:
    def __init__(self, token: str, username: str = "LinliTestBot") -> None:
        self.token = token
        self.bot_id = int(token.split(":")[0])
        self.username = username
        self.calls: list[Call] = []
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, bytes)
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}  # what each chat shows now
        self.commands: dict[str | None, list[dict[str, str]]] = {}
        self.webhook: dict[str, Any] | None = None
        self.stale_queries: set[str] = set()
        self.failures: dict[str, list[ApiError]] = {}  # method -> errors to answer next
        # (method, predicate over params, seconds): answer matching calls that much later.
        self.delays: list[tuple[str, Callable[[dict[str, Any]], bool], float]] = []
        self._queue: list[dict[str, Any]] = []  # {"update": ..., "delivered": bool}
        self._ids = itertools.count(1000)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle -----------------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- scripting -----------------------------------------------------------------------------
    async def push(self, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates (the same update_id again is a re-sent update)."""
        async with self._changed:
            self._queue.append({"update": update, "delivered": False})
            self._changed.notify_all()

    def add_file(self, file_id: str, data: bytes, path: str | None = None) -> None:
        self.files[file_id] = (path or f"photos/{file_id}.jpg", data)

    def fail_next(self, method: str, status: int, description: str,
                  parameters: dict[str, Any] | None = None, after: int = 0) -> None:
        """Answer a coming call of `method` with an error, after `after` calls that succeed."""
        self.failures.setdefault(method, []).append(ApiError(status, description, parameters, after))

    def calls_to(self, *methods: str) -> list[Call]:
        return [c for c in self.calls if c.method in methods]

    def sent(self, chat_id: int | None = None) -> list[Call]:
        """Successful sendMessage/sendPhoto/sendDocument calls, optionally to one chat."""
        return [c for c in self.calls_to("sendMessage", "sendPhoto", "sendDocument")
                if c.status == 200 and (chat_id is None or c.chat_id == chat_id)]

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 15.0) -> Any:
        async def until() -> Any:
            async with self._changed:
                while not (result := predicate()):
                    await self._changed.wait()
                return result

        try:
            return await asyncio.wait_for(until(), timeout)
        except TimeoutError:
            raise AssertionError(f"timed out; calls so far: {[c.method for c in self.calls]}") from None

    async def replies(self, chat_id: int, after: int, count: int = 1) -> list[Call]:
        """Wait for `count` messages sent to a chat beyond the first `after`."""
        await self.wait_for(lambda: len(self.sent(chat_id)) >= after + count)
        return self.sent(chat_id)[after:]

    # -- HTTP ----------------------------------------------------------------------------------
    async def _params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
        params: dict[str, Any] = dict(request.query)
        files: dict[str, Upload] = {}
        if request.content_type == "application/json":
            params.update(await request.json())
        elif request.can_read_body:
            form: MultiDictProxy[Any] = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = Upload(value.filename, value.content_type, value.file.read())
                else:
                    params[key] = value
        for key, value in list(params.items()):
            if isinstance(value, str) and value.startswith("attach://") and value[9:] in files:
                files[key] = files.pop(value[9:])  # aiogram uploads under a random name
                del params[key]
            elif key in JSON_PARAMS and isinstance(value, str):
                params[key] = json.loads(value)
            elif key in INT_PARAMS and isinstance(value, str) and value.lstrip("-").isdigit():
                params[key] = int(value)
            elif isinstance(value, str) and value in ("true", "false", "True", "False"):
                params[key] = value.lower() == "true"
        return params, files

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"},
                                     status=401)
        method = request.match_info["method"]
        params, files = await self._params(request)
        for name in files:
            params.setdefault(name, f"<{name}>")
        call = Call(method, params, files)
        handler = getattr(self, f"_m_{method.lower()}", None)
        try:
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            if pending := self.failures.get(method):
                if pending[0].skip > 0:
                    pending[0].skip -= 1
                else:
                    raise pending.pop(0)
            for m, when, seconds in self.delays:
                if m == method and when(params):
                    await asyncio.sleep(seconds)
            call.result = await handler(params, files)
        except ApiError as e:
            call.status = e.status
            call.result = e.description
            body: dict[str, Any] = {"ok": False, "error_code": e.status, "description": e.description}
            if e.parameters:
                body["parameters"] = e.parameters
            await self._record(call)
            return web.json_response(body, status=e.status)
        await self._record(call)
        return web.json_response({"ok": True, "result": call.result})

    async def _record(self, call: Call) -> None:
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    async def _file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        path = request.match_info["path"]
        for file_path, data in self.files.values():
            if file_path == path:
                return web.Response(body=data, content_type="application/octet-stream")
        return web.Response(status=404)

    # -- methods -------------------------------------------------------------------------------
    def _me(self) -> dict[str, Any]:
        return {"id": self.bot_id, "is_bot": True, "first_name": "邻里", "username": self.username}

    @staticmethod
    def _chat(chat_id: int) -> dict[str, Any]:
        if chat_id < 0:
            return {"id": chat_id, "title": "幸福里业主群", "type": "supergroup"}
        return {"id": chat_id, "first_name": "居民", "type": "private"}

    def _message(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        msg = {"message_id": next(self._ids), "from": self._me(), "chat": self._chat(chat_id),
               "date": int(time.time()), **content}
        if params.get("reply_markup"):
            msg["reply_markup"] = params["reply_markup"]
        self.messages[(chat_id, msg["message_id"])] = msg
        return msg

    async def _m_getme(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        return {**self._me(), "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False}

    async def _m_sendmessage(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        text = str(params.get("text") or "")
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text.encode("utf-16-le")) // 2 > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        return self._message(params, text=text)

    async def _m_sendphoto(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        if "photo" not in files:
            raise ApiError(400, "Bad Request: there is no photo in the request")
        n = next(self._ids)
        sizes = [{"file_id": f"sent-photo-{n}-{w}", "file_unique_id": f"u{n}{w}", "width": w, "height": w,
                  "file_size": len(files["photo"].data)} for w in (90, 320)]
        return self._message(params, photo=sizes, **self._caption(params))

    async def _m_senddocument(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        if "document" not in files:
            raise ApiError(400, "Bad Request: there is no document in the request")
        up = files["document"]
        n = next(self._ids)
        doc = {"file_id": f"sent-doc-{n}", "file_unique_id": f"d{n}", "file_name": up.filename,
               "file_size": len(up.data)}
        return self._message(params, document=doc, **self._caption(params))

    @staticmethod
    def _caption(params: dict[str, Any]) -> dict[str, Any]:
        caption = params.get("caption")
        if caption and len(str(caption).encode("utf-16-le")) // 2 > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        return {"caption": caption} if caption else {}

    async def _m_answercallbackquery(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        if str(params.get("callback_query_id")) in self.stale_queries:
            raise ApiError(400, QUERY_TOO_OLD)
        return True

    def _edit(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        key = (int(params["chat_id"]), int(params["message_id"]))
        msg = self.messages.get(key)
        if msg is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        new = {k: v for k, v in msg.items() if k != "reply_markup"}
        new.update(content)
        if params.get("reply_markup"):
            new["reply_markup"] = params["reply_markup"]
        if new == msg:
            raise ApiError(400, NOT_MODIFIED)
        new["edit_date"] = int(time.time())
        self.messages[key] = {k: v for k, v in new.items() if k != "edit_date"}
        return new

    async def _m_editmessagetext(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        return self._edit(params, text=str(params["text"]))

    async def _m_editmessagereplymarkup(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        return self._edit(params)

    async def _m_setmycommands(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        self.commands[params.get("language_code") or None] = params["commands"]
        return True

    async def _m_setwebhook(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        self.webhook = params
        return True

    async def _m_deletewebhook(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        self.webhook = None
        return True

    async def _m_getwebhookinfo(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        return {"url": (self.webhook or {}).get("url", ""), "has_custom_certificate": False,
                "pending_update_count": 0}

    async def _m_getfile(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        file_id = str(params.get("file_id"))
        if file_id not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        path, data = self.files[file_id]
        return {"file_id": file_id, "file_unique_id": f"u-{file_id}", "file_size": len(data),
                "file_path": path}

    async def _m_getupdates(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        if self.webhook is not None:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset = params.get("offset")
        timeout = float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)

        def ready() -> list[dict[str, Any]]:
            # As Telegram: an offset confirms every update delivered before it; unconfirmed
            # updates are delivered again.
            if offset is not None:
                self._queue[:] = [e for e in self._queue
                                  if not (e["delivered"] and e["update"]["update_id"] < int(offset))]
            return self._queue[:limit]

        async with self._changed:
            if not ready() and timeout > 0:
                try:
                    await asyncio.wait_for(self._wait_queue(), timeout)
                except TimeoutError:
                    pass
            batch = ready()
            for e in batch:
                e["delivered"] = True
            return [e["update"] for e in batch]

    async def _wait_queue(self) -> None:
        while not any(not e["delivered"] for e in self._queue):
            await self._changed.wait()
