"""One ticket at a desk: its thread, photos, history, deadline and the reporter as privacy allows,
with a form for each action the viewer may take now. Actions go through core.tickets.service.act
like the chat and the staff API; a refusal re-renders the page with the service's words."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, Response

from bot.web.console.base import Missing, Refused, form_viewer, now, redirect, render, require_role, runtime, viewer
from bot.web.console.tickets_base import (
    PAGE_ACTIONS, STAFF, local, ticket_config, ticket_in_reach, id_of, time_left)
from core.accounts import SignedIn
from core.tickets.desk import (
    WEB_UPLOAD, PlatformPhoto, departments, dispatch_targets, may_ever, overdue_count, photo_of, photo_refs)
from core.tickets.lifecycle import Action, ActorRole, TicketStatus, TransitionRefused
from core.tickets.queries import staff_detail
from core.tickets.routing import HandlerLevel
from core.tickets.service import NotAllowed, TicketError, act

router = APIRouter()
FIELDS = ("reason", "text", "department", "days")
CHANNELS = {"telegram": "Telegram", "wechat": "微信"}  # where a photo that is not ours stayed


async def _page(request: Request, me: SignedIn, ticket_id: int, status_code: int = 200, error: str | None = None,
                typed: dict[str, str] | None = None, failed: str | None = None) -> Response:
    at = now(request)
    async with runtime(request).db.session() as s:
        t, who = await ticket_in_reach(s, me, ticket_id)
        view = await staff_detail(s, t, me.person_id, at)
        refs = await photo_refs(s, t.id)
        depts = await departments(s, [t.street_office_id])
        sent_to = await dispatch_targets(s, t)
        overdue = await overdue_count(s, me.actor, at)
        platform = CHANNELS.get(t.channel or "", "聊天平台")
    photos = {mid: None if ref.startswith(WEB_UPLOAD) else platform for mid, ref in refs.items()}
    return render(request, me, "tickets/ticket.html", status_code=status_code, t=view, error=error,
                  failed=failed, typed=typed or {}, photos=photos, overdue_count=overdue,
                  actions=[a for a in PAGE_ACTIONS if a.value in view.actions], role=who.role,
                  departments=[(d.code, d.name) for d in depts], sent_to=sent_to, when=local(request),
                  left=time_left(view.summary.due, at), status_zh=lambda v: TicketStatus(v).zh if v else "")


@router.get("/console/tickets/{ticket_id}")
async def ticket(request: Request, ticket_id: str, me: SignedIn = Depends(viewer)) -> Response:
    require_role(me, *STAFF)
    return await _page(request, me, id_of(ticket_id))


@router.get("/console/tickets/{ticket_id}/photos/{message_id}")
async def photo(request: Request, ticket_id: str, message_id: str, me: SignedIn = Depends(viewer)) -> Response:
    require_role(me, *STAFF)
    async with runtime(request).db.session() as s:
        t, _ = await ticket_in_reach(s, me, id_of(ticket_id))
        found = await photo_of(s, t, id_of(message_id))
    if found is None or isinstance(found, PlatformPhoto):
        raise Missing("照片不存在，或保存在聊天平台上（本系统只保存网页聊天上传的照片）")
    return FileResponse(found.path, media_type=found.content_type)


async def _act(request: Request, me: SignedIn, ticket_id: int, action: Action) -> Response:
    require_role(me, *STAFF)
    form = await request.form()
    typed = {k: str(form.get(k) or "")[:4000] for k in FIELDS}
    days: int | None = None
    if action is Action.EXTEND:
        text = typed["days"].strip()
        if not (text.isdigit() and 1 <= int(text) <= 60):
            return await _page(request, me, ticket_id, 422, "延长的工作日数须是 1 到 60 之间的整数", typed, action.value)
        days = int(text)
    error: str | None = None
    try:
        async with runtime(request).db.session() as s:
            t, who = await ticket_in_reach(s, me, ticket_id)
            _check_role(who.role, action, HandlerLevel(t.level), t.supervised)
            await act(s, t, who, action, now(request), reason=typed["reason"] or None, text=typed["text"] or None,
                      department=typed["department"] or None, days=days, config=ticket_config(request))
            number = t.number
    except TransitionRefused as e:
        error = e.message
    except NotAllowed:
        raise Missing("工单不存在或不在您的管辖范围内") from None
    except TicketError as e:
        error = str(e)
    if error is not None:
        return await _page(request, me, ticket_id, 409, error, typed, action.value)
    return redirect(f"/console/tickets/{ticket_id}", flash=f"工单 {number} 已{action.zh}")


def _check_role(role: ActorRole, action: Action, level: HandlerLevel, supervised: bool) -> None:
    """A role that can never take this action on such a ticket is refused outright (403); a ticket
    that is just not ready for it gets the service's explanation on the page."""
    if not may_ever(role, action, level, supervised):
        raise Refused(f"{role.zh}不能对{level.zh}工单进行「{action.zh}」操作")


def _route(action: Action) -> None:
    async def handler(request: Request, ticket_id: str, me: SignedIn = Depends(form_viewer)) -> Response:
        return await _act(request, me, id_of(ticket_id), action)

    handler.__name__ = f"ticket_{action.value}"
    router.post(f"/console/tickets/{{ticket_id}}/{action.value}")(handler)


for _action in PAGE_ACTIONS:
    _route(_action)
