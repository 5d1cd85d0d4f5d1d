"""After a complaint is submitted: the resident asks for progress, adds details and photos to the same
thread, and rates the answer (不满意 reopens once, then escalates). The free-text router calls
`show_progress` for intent progress."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.tickets import catalog, texts
from core.tickets.lifecycle import Action, ActorRole, TicketStatus, TransitionRefused
from core.tickets.queries import residents_tickets
from core.tickets.service import (
    RATE_CODES,
    TicketActor,
    TicketError,
    act,
    add_details,
    due_text,
    estate_context,
    is_party,
    place_text,
    ticket_by_id,
)
from handlers.complaints import cancel, me, say, ticket_config
from handlers.dispatcher import Context, Router
from storage.models.tickets import Ticket, TicketMessage

router = Router("ticket_followup")
ADD_FLOW = "tkadd"
RATE_FLOW = "tkrate"


async def ticket_from_payload(ctx: Context) -> Ticket | None:
    try:
        return await ticket_by_id(ctx.session, int((ctx.incoming.payload or "").split(":")[1]))
    except (TicketError, ValueError, IndexError):
        ctx.reply("工单不存在。")
        return None


# -- progress ---------------------------------------------------------------------------------------
@router.command("tickets", aliases=("我的工单", "工单进度", "查询进度"))
async def show_progress(ctx: Context) -> None:
    """The resident's recent tickets with their status, deadline and latest answer."""
    tickets = await residents_tickets(ctx.session, me(ctx))
    if not tickets:
        ctx.reply("您还没有反映过问题。直接描述需要处理的问题即可，例如「6号楼电梯坏了」。")
        return
    lines = ["您最近的工单："]
    rows: list[list[tuple[str, str]]] = []
    for t in tickets:
        zone = (await estate_context(ctx.session, t.estate_id)).zone
        status = TicketStatus(t.status)
        where = place_text(t.building, None, None, t.place)
        line = f"· {t.number} {catalog.short_category_name(t.category)}{'，' + where if where else ''}：{status.zh}"
        if not status.final and status is not TicketStatus.ANSWERED and status is not TicketStatus.RATED:
            line += f"，{due_text(t.answer_due, zone)} 前答复"
        answer = await _latest_answer(ctx, t)
        if answer:
            line += f"\n  答复：{answer}"
        lines.append(line)
        if not status.final:
            rows.append([(f"补充 {t.number}", f"tkadd:{t.id}")])
        if status is TicketStatus.ANSWERED and t.reporter_person_id == me(ctx):
            rows.append([(f"{r.zh}", f"tkrate:{t.id}:{c}") for c, r in RATE_CODES.items()])
    ctx.reply("\n".join(lines), rows)


@router.button("tkmine")
async def mine_button(ctx: Context) -> None:
    await show_progress(ctx)


async def _latest_answer(ctx: Context, t: Ticket) -> str | None:
    return await ctx.session.scalar(
        select(TicketMessage.text).where(TicketMessage.ticket_id == t.id, TicketMessage.kind == "answer")
        .order_by(TicketMessage.id.desc()).limit(1))


# -- adding details ---------------------------------------------------------------------------------
@router.command("addinfo", aliases=("补充", "补充说明"))
async def add_command(ctx: Context) -> None:
    """补充 [工单号] [内容]: straight into the thread, or pick the ticket first."""
    number, _, text = ctx.command_args.partition(" ")
    tickets = [t for t in await residents_tickets(ctx.session, me(ctx), limit=10)
               if not TicketStatus(t.status).final]
    chosen = [t for t in tickets if t.number == number.strip()] if number else []
    if not chosen and len(tickets) == 1:
        chosen, text = tickets, ctx.command_args
    if not chosen:
        if not tickets:
            ctx.reply("您没有办理中的工单。")
            return
        ctx.reply("要补充到哪个工单？", [[(f"{t.number} {catalog.short_category_name(t.category)}", f"tkadd:{t.id}")]
                                        for t in tickets[:5]])
        return
    await _start_adding(ctx, chosen[0], text.strip() or None)


@router.button("tkadd")
async def add_button(ctx: Context) -> None:
    t = await ticket_from_payload(ctx)
    if t is not None:
        await _start_adding(ctx, t, None)


async def _start_adding(ctx: Context, t: Ticket, text: str | None) -> None:
    if not await is_party(ctx.session, t, me(ctx)):
        ctx.reply("这不是您反映的工单。")
        return
    if TicketStatus(t.status).final:
        ctx.reply(f"工单 {t.number} 已结束，不能再补充。如有新问题请直接描述。")
        return
    ctx.state.flow, ctx.state.step, ctx.state.data = ADD_FLOW, "details", {"ticket_id": t.id}
    if text:
        await _append(ctx, t, text, None)
        return
    ctx.reply(f"请发送要补充到工单 {t.number} 的文字或照片，可以发送多条。发完请点「完成」。",
              [[("完成", "tkdone")]])


@router.step(ADD_FLOW, "details")
async def details(ctx: Context) -> None:
    inc = ctx.incoming
    t = await ticket_by_id(ctx.session, int(ctx.data["ticket_id"]))
    await _append(ctx, t, inc.text, inc.photo.ref if inc.photo else None)


async def _append(ctx: Context, t: Ticket, text: str | None, photo: str | None) -> None:
    try:
        await add_details(ctx.session, t, me(ctx), ctx.now, text=text, photo_ref=photo)
    except (TicketError, TransitionRefused) as e:
        ctx.end_flow()
        ctx.reply(getattr(e, "message", None) or str(e))
        return
    what = "照片" if photo and not text else "内容"
    ctx.reply(f"已补充到工单 {t.number}（{what}）。可以继续发送，发完请点「完成」。", [[("完成", "tkdone")]])


@router.button("tkdone")
async def done_adding(ctx: Context) -> None:
    if ctx.flow == ADD_FLOW:
        ctx.end_flow()
    ctx.reply("好的，补充内容已提交给处理人员。", [[("我的工单", "tkmine")]])


# -- rating -------------------------------------------------------------------------------------------
@router.button("tkrate")
async def rate(ctx: Context) -> None:
    parts = (ctx.incoming.payload or "").split(":")
    t = await ticket_from_payload(ctx)
    if t is None or len(parts) != 3 or parts[2] not in RATE_CODES:
        return
    rating = RATE_CODES[parts[2]]
    if t.reporter_person_id != me(ctx):
        ctx.reply("只有反映问题的居民可以评价这个工单。")
        return
    if TicketStatus(t.status) is not TicketStatus.ANSWERED:
        ctx.reply(f"工单 {t.number} 目前{TicketStatus(t.status).zh}，无需评价。")
        return
    if rating.value == "unsatisfied":
        ctx.state.flow, ctx.state.step, ctx.state.data = RATE_FLOW, "reason", {"ticket_id": t.id}
        ctx.reply("很抱歉没能让您满意。请说明不满意的原因，我们会据此重新办理：", [[cancel(ctx)]])
        return
    await _rate(ctx, t, rating, None)


@router.step(RATE_FLOW, "reason")
async def unsatisfied_reason(ctx: Context) -> None:
    reason = (ctx.incoming.text or "").strip()
    if not reason:
        ctx.reply("请用文字说明不满意的原因，或点「取消」。", [[cancel(ctx)]])
        return
    t = await ticket_by_id(ctx.session, int(ctx.data["ticket_id"]))
    ctx.end_flow()
    await _rate(ctx, t, RATE_CODES["u"], reason)


async def _rate(ctx: Context, t: Ticket, rating: Any, reason: str | None) -> None:
    try:
        await act(ctx.session, t, TicketActor(ActorRole.RESIDENT, me(ctx)), Action.RATE, ctx.now,
                  reason=reason, rating=rating, config=ticket_config(ctx))
    except (TicketError, TransitionRefused) as e:
        ctx.reply(getattr(e, "message", None) or str(e))
        return
    status = TicketStatus(t.status)
    if status is TicketStatus.REOPENED:
        zone = (await estate_context(ctx.session, t.estate_id)).zone
        ctx.reply(f"已记录。工单 {t.number} 已重新交办，将在 {due_text(t.answer_due, zone)} 前再次答复您。")
    elif t.supervised and rating.value == "unsatisfied":
        ctx.reply(f"已记录。工单 {t.number} 已转街道督办，督办结果会通知您。")
    else:
        ctx.reply(say(ctx, "rated", rating=texts.rating_name(rating, ctx.lang)))


__all__ = ["router", "show_progress", "ticket_from_payload"]
