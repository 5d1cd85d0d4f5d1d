"""The web chat: a WeChat-style page and the small JSON API behind it (docs/webchat-api.md).

The visitor is identified by a signed, HttpOnly cookie. Every message in and out is kept in
the transcript, written in the same transaction as whatever the message changed, so a reload
shows the whole conversation and answers that arrive later appear by polling.
"""
from __future__ import annotations

import logging
import mimetypes
import secrets
from pathlib import Path
from typing import Any

from fastapi import APIRouter, File, HTTPException, Request, Response, UploadFile
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.runtime import Runtime
from bot.web.cookies import new_visitor_id, sign, unsign
from handlers.messages import Incoming, Location, Outgoing, Photo
from storage.models import ChatMessage, UploadedFile
from storage.repositories.conversation import ConversationRepository

log = logging.getLogger(__name__)

COOKIE = "linli_chat"
CHANNEL = "web"
MAX_TEXT = 2000


class LocationIn(BaseModel):
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    label: str | None = Field(default=None, max_length=200)


class MessageIn(BaseModel):
    text: str | None = Field(default=None, max_length=MAX_TEXT)
    payload: str | None = Field(default=None, max_length=64)
    label: str | None = Field(default=None, max_length=100)  # the pressed button's label, for the transcript
    photo: str | None = Field(default=None, max_length=64)  # an upload token
    location: LocationIn | None = None
    lang: str | None = Field(default=None, max_length=8)


def _row(m: ChatMessage) -> dict[str, Any]:
    return {"id": m.id, "direction": m.direction, "body": m.body, "created_at": m.created_at.isoformat()}


def make_router(rt: Runtime) -> APIRouter:
    r = APIRouter()
    upload_dir = Path(rt.settings.data_dir) / "uploads"

    def visitor(request: Request, response: Response) -> str:
        chat_id = unsign(rt.services.secret, request.cookies.get(COOKIE))
        if chat_id is None:
            chat_id = new_visitor_id()
            response.set_cookie(COOKIE, sign(rt.services.secret, chat_id), httponly=True,
                                samesite="lax", max_age=3600 * 24 * 365,
                                secure=request.url.scheme == "https")
        return chat_id

    @r.get("/api/chat/messages")
    async def history(request: Request, response: Response, after: int = 0) -> dict[str, Any]:
        chat_id = visitor(request, response)
        async with rt.db.session() as s:
            rows = await ConversationRepository(s).transcript(chat_id, after_id=after)
        return {"messages": [_row(m) for m in rows]}

    @r.post("/api/chat/messages")
    async def send(msg: MessageIn, request: Request, response: Response) -> Any:
        chat_id = visitor(request, response)
        text = (msg.text or "").strip() or None
        if not (text or msg.payload or msg.photo or msg.location):
            return JSONResponse({"error": "消息不能为空"}, status_code=422)
        photo = None
        if msg.photo:
            async with rt.db.session() as s:
                f = await s.scalar(select(UploadedFile).where(UploadedFile.token == msg.photo,
                                                              UploadedFile.chat_id == chat_id))
            if f is None:
                return JSONResponse({"error": "图片不存在或已过期，请重新上传"}, status_code=422)
            photo = Photo(ref=f"web-upload:{f.token}", content_type=f.content_type)
        incoming = Incoming(
            channel=CHANNEL, chat_id=chat_id, sender_id=chat_id, text=text, payload=msg.payload,
            photo=photo,
            location=Location(msg.location.latitude, msg.location.longitude, msg.location.label)
            if msg.location else None,
            language=msg.lang if msg.lang in ("zh", "en") else None)
        first_id: list[int] = []

        async def record(session: AsyncSession, inc: Incoming, replies: list[Outgoing]) -> None:
            repo = ConversationRepository(session)
            body: dict[str, Any] = {"text": inc.text or msg.label or ""}
            if msg.payload:
                body["payload"] = msg.payload
            if photo is not None:
                body["photo"] = f"/api/chat/uploads/{msg.photo}"
            if inc.location is not None:
                body["location"] = {"latitude": inc.location.latitude,
                                    "longitude": inc.location.longitude, "label": inc.location.label}
            first_id.append((await repo.add_transcript(CHANNEL, chat_id, "in", body)).id)
            for out in replies:
                await repo.add_transcript(CHANNEL, chat_id, "out",
                                          await _store_attachments(session, upload_dir, chat_id, out))

        try:
            await rt.dispatcher.handle(incoming, record=record)
        except Exception:
            log.exception("web chat message failed")
            return JSONResponse({"error": "抱歉，系统开了个小差，请稍后再试。"}, status_code=500)
        async with rt.db.session() as s:
            rows = await ConversationRepository(s).transcript(chat_id, after_id=first_id[0] - 1)
        return {"messages": [_row(m) for m in rows]}

    @r.post("/api/chat/uploads")
    async def upload(request: Request, response: Response, file: UploadFile = File(...)) -> Any:
        chat_id = visitor(request, response)
        ctype = (file.content_type or "").lower()
        if ctype not in ("image/jpeg", "image/png", "image/gif", "image/webp"):
            return JSONResponse({"error": "只能上传图片（JPG、PNG、GIF、WebP）"}, status_code=415)
        limit = rt.settings.max_upload_mb * 1024 * 1024
        data = await file.read(limit + 1)
        if len(data) > limit:
            return JSONResponse({"error": f"图片不能超过 {rt.settings.max_upload_mb}MB"}, status_code=413)
        token = secrets.token_urlsafe(16)
        upload_dir.mkdir(parents=True, exist_ok=True)
        path = upload_dir / (token + (mimetypes.guess_extension(ctype) or ""))
        path.write_bytes(data)
        async with rt.db.session() as s:
            s.add(UploadedFile(token=token, chat_id=chat_id, content_type=ctype, path=str(path)))
        return {"token": token, "url": f"/api/chat/uploads/{token}"}

    @r.get("/api/chat/uploads/{token}")
    async def uploaded(token: str, request: Request, response: Response) -> Any:
        chat_id = visitor(request, response)
        async with rt.db.session() as s:
            f = await s.scalar(select(UploadedFile).where(UploadedFile.token == token))
        # Photos are private to the chat that sent or received them.
        if f is None or f.chat_id != chat_id:
            raise HTTPException(404)
        return FileResponse(f.path, media_type=f.content_type)

    return r


async def _store_attachments(session: AsyncSession, upload_dir: Path, chat_id: str,
                             out: Outgoing) -> dict[str, Any]:
    body = out.to_json()
    for key, att in (("image", out.image), ("document", out.document)):
        if att is None:
            continue
        token = secrets.token_urlsafe(16)
        upload_dir.mkdir(parents=True, exist_ok=True)
        path = upload_dir / f"{token}-{Path(att.filename).name}"
        path.write_bytes(att.data)
        session.add(UploadedFile(token=token, chat_id=chat_id, content_type=att.content_type,
                                 path=str(path)))
        body[key]["url"] = f"/api/chat/uploads/{token}"
    return body
