"""The staff API the web console will use (docs/tickets.md): the queue of the caller's jurisdiction,
one ticket with its thread, history and deadline, and the lifecycle actions.

Authentication for now: `Authorization: Bearer <token>`, one token per staff member, minted with
`linli staff token --person-id N`. Every request is one unit of work: an action, its event and
the notifications to residents commit together.
"""
from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Header, HTTPException, Query
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.runtime import Runtime
from core.people import actor_for
from core.roles import Actor, Role, ScopeKind
from core.tickets.config import DEFAULT, TicketConfig
from core.tickets.lifecycle import Action, TicketStatus, TransitionRefused
from core.tickets.queries import OPEN, QueueFilter, is_staff, staff_detail, staff_queue, summary_view
from core.tickets.report import MonthlyReport, ReportError, monthly_report
from core.tickets.recategorise import ACTION as RECATEGORISE
from core.tickets.recategorise import recategorise
from core.tickets.service import (
    NotAllowed,
    TicketError,
    TicketNotFound,
    act,
    handler_name,
    staff_actor,
    ticket_by_id,
)
from core.tickets.tokens import person_for_token
from storage.models import Person, StreetOffice, UploadedFile
from storage.models.tickets import TicketMessage

ZONE = ZoneInfo("Asia/Shanghai")
STAFF_ACTIONS = {a.value: a for a in (Action.ACCEPT, Action.DISPATCH, Action.START, Action.ANSWER, Action.RETURN,
                                      Action.EXTEND, Action.REFER, Action.MERGE, Action.CLOSE, Action.REOPEN)}
NOT_YOURS = "工单不存在或不在您的管辖范围内"


class ActionIn(BaseModel):
    reason: str | None = Field(default=None, max_length=1000)
    text: str | None = Field(default=None, max_length=4000)  # the answer
    department: str | None = Field(default=None, max_length=32)  # dispatch: a department code
    target: str | None = Field(default=None, max_length=200)  # refer: to whom; merge: a ticket number
    days: int | None = Field(default=None, ge=1, le=60)  # extend: working days
    category: str | None = Field(default=None, max_length=40)  # recategorise: a taxonomy code


def to_json(value: Any) -> Any:
    """Dataclasses, datetimes and exact numbers as JSON."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, datetime):
        return value.astimezone(ZONE).isoformat()  # local time with its offset, as residents are told
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Fraction):
        return float(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def make_router(rt: Runtime) -> APIRouter:
    r = APIRouter(prefix="/api/staff")

    def config() -> TicketConfig:
        c = rt.services.extra.get("tickets")
        return c if isinstance(c, TicketConfig) else DEFAULT

    @asynccontextmanager
    async def staff(authorization: str | None) -> AsyncIterator[tuple[AsyncSession, int, Actor]]:
        """The caller's unit of work, person and roles; 401 without a valid token, 403 if not staff."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise HTTPException(401, "需要工作人员令牌（Authorization: Bearer …）",
                                headers={"WWW-Authenticate": "Bearer"})
        async with rt.db.session() as s:
            person_id = await person_for_token(s, token.strip(), rt.services.clock())
            if person_id is None:
                raise HTTPException(401, "令牌无效或已撤销", headers={"WWW-Authenticate": "Bearer"})
            actor = await actor_for(s, person_id)
            if not is_staff(actor):
                raise HTTPException(403, "仅限物业、社区和街道工作人员")
            yield s, person_id, actor

    @r.get("/me")
    async def me(authorization: str | None = Header(default=None)) -> Any:
        async with staff(authorization) as (s, person_id, actor):
            person = await s.get(Person, person_id)
            return {"person_id": person_id, "name": person.display_name if person else "",
                    "grants": [{"role": g.role.value, "scope_kind": g.scope_kind.value, "scope_id": g.scope_id}
                               for g in actor.grants]}

    @r.get("/tickets")
    async def queue(authorization: str | None = Header(default=None),
                    status: str | None = Query(default=None, description="a status, or 'open'"),
                    category: str | None = None, department: str | None = None,
                    overdue: bool | None = None, estate_id: int | None = None,
                    scope: str = Query(default="queue", pattern="^(queue|all)$"),
                    limit: int = Query(default=100, ge=1, le=500), offset: int = Query(default=0, ge=0)) -> Any:
        if status is not None and status != OPEN and status not in {s.value for s in TicketStatus}:
            return _error(422, f"未知状态：{status}")
        now = rt.services.clock()
        async with staff(authorization) as (s, _, actor):
            f = QueueFilter(status=status, category=category, department=department, overdue=overdue,
                            estate_id=estate_id, queue_only=scope == "queue", limit=limit, offset=offset)
            tickets = await staff_queue(s, actor, f, now)
            return {"tickets": [to_json(await summary_view(s, t, now)) for t in tickets]}

    @r.get("/tickets/{ticket_id}")
    async def show(ticket_id: int, authorization: str | None = Header(default=None)) -> Any:
        now = rt.services.clock()
        async with staff(authorization) as (s, person_id, _):
            try:
                t = await ticket_by_id(s, ticket_id)
                return to_json(await staff_detail(s, t, person_id, now))
            except (TicketNotFound, NotAllowed):
                return _error(404, NOT_YOURS)

    @r.post("/tickets/{ticket_id}/{action}")
    async def do(ticket_id: int, action: str, body: ActionIn | None = None,
                 authorization: str | None = Header(default=None)) -> Any:
        if action == RECATEGORISE:
            return await recategorise_ticket(ticket_id, body or ActionIn(), authorization)
        if action not in STAFF_ACTIONS:
            return _error(404, f"未知操作：{action}")
        body = body or ActionIn()
        now = rt.services.clock()
        try:
            async with staff(authorization) as (s, person_id, _):
                try:
                    t = await ticket_by_id(s, ticket_id)
                    who = await staff_actor(s, person_id, t)
                except (TicketNotFound, NotAllowed):
                    return _error(404, NOT_YOURS)
                await act(s, t, who, STAFF_ACTIONS[action], now, reason=body.reason, text=body.text,
                          department=body.department, target=body.target, days=body.days, config=config())
                return to_json(await staff_detail(s, t, person_id, now))
        except TransitionRefused as e:
            return _error(409, e.message)
        except TicketError as e:
            return _error(409, str(e))

    async def recategorise_ticket(ticket_id: int, body: ActionIn, authorization: str | None) -> Any:
        """改类: route again by the new category. The caller may lose sight of the ticket (a street
        matter leaves the property company's queue): then only where it went is returned."""
        if not body.category:
            return _error(422, "请指定新的问题类别（category）")
        now = rt.services.clock()
        try:
            async with staff(authorization) as (s, person_id, _):
                try:
                    t = await ticket_by_id(s, ticket_id)
                    who = await staff_actor(s, person_id, t)
                except (TicketNotFound, NotAllowed):
                    return _error(404, NOT_YOURS)
                await recategorise(s, t, who, body.category, now, reason=body.reason, config=config())
                try:
                    return to_json(await staff_detail(s, t, person_id, now))
                except NotAllowed:
                    return {"id": t.id, "number": t.number, "category": t.category, "level": t.level,
                            "handler": await handler_name(s, t), "visible": False}
        except TicketError as e:
            return _error(409, str(e))

    @r.get("/tickets/{ticket_id}/photos/{message_id}")
    async def photo(ticket_id: int, message_id: int, authorization: str | None = Header(default=None)) -> Any:
        async with staff(authorization) as (s, person_id, _):
            try:
                t = await ticket_by_id(s, ticket_id)
                await staff_actor(s, person_id, t)
            except (TicketNotFound, NotAllowed):
                return _error(404, NOT_YOURS)
            m = await s.get(TicketMessage, message_id)
            if m is None or m.ticket_id != t.id or not m.photo_ref:
                return _error(404, "照片不存在")
            ref = m.photo_ref
            if not ref.startswith("web-upload:"):
                # Photos from Telegram or WeChat stay on the platform; the console shows the reference.
                return {"ref": ref}
            f = await s.scalar(select(UploadedFile).where(UploadedFile.token == ref.split(":", 1)[1]))
            if f is None or not Path(f.path).exists():
                return _error(404, "照片已删除")
            return FileResponse(f.path, media_type=f.content_type)

    @r.get("/stats")
    async def stats(month: str, street: str | None = None,
                    authorization: str | None = Header(default=None)) -> Any:
        """The monthly statistics of a street office the caller supervises (street staff)."""
        now = rt.services.clock()
        async with staff(authorization) as (s, _, actor):
            offices = [o for o in await s.scalars(select(StreetOffice).order_by(StreetOffice.code))
                       if _supervises(actor, o) and (street is None or o.code == street)]
            if not offices:
                return _error(404, "无权查看该街道的统计")
            try:
                report: MonthlyReport = await monthly_report(s, offices[0].code, month, now)
            except ReportError as e:
                return _error(422, str(e))
            return report_json(report)

    return r


def _supervises(actor: Actor, office: StreetOffice) -> bool:
    for g in actor.grants:
        if g.role is not Role.STREET_STAFF:
            continue
        if g.scope_kind is ScopeKind.ALL or (g.scope_kind is ScopeKind.STREET_OFFICE and g.scope_id == office.id) \
                or (g.scope_kind is ScopeKind.DISTRICT and g.scope_id == office.district_id):
            return True
    return False


def report_json(report: MonthlyReport) -> dict[str, Any]:
    def row(x: Any) -> dict[str, Any]:
        return {"key": x.key, "name": x.name, **to_json(x.counts), "overdue": x.overdue,
                "response_rate": to_json(x.response.percent()), "resolution_rate": to_json(x.resolution.percent()),
                "satisfaction_rate": to_json(x.satisfaction.percent())}

    return {"street": report.street_code, "street_name": report.street_name, "month": report.month,
            "total": row(report.total), "by_estate": [row(x) for x in report.by_estate],
            "by_department": [row(x) for x in report.by_department],
            "by_category": [row(x) for x in report.by_category],
            "ranking": [{**row(c.stats), "rank": c.rank, "board": c.board,
                         "score": None if c.score is None else round(float(c.score) * 100, 1)}
                        for c in report.ranking]}

