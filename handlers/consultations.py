"""Consultations in chat: the committee asks, owners answer with a button or in their own words,
the committee reads counts, themes and anonymised quotes."""
from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from core.consultation import ConsultationError, publish, render, respond, results
from handlers.dispatcher import Context, Router
from handlers.votes import governed_estates
from storage.models.votes import Consultation

router = Router("consultations")
TZ = ZoneInfo("Asia/Shanghai")
FLOW = "consult"
CANCEL = [[("取消", "cancel")]]


@router.command("consult", aliases=("征求意见", "发起征求意见"))
async def new_consultation(ctx: Context) -> None:
    estates = await governed_estates(ctx)
    if not estates:
        ctx.reply("只有业委会成员（未成立业委会的小区由街道）可以发起征求意见。")
        return
    ctx.goto(FLOW, "question", estate_id=estates[0].id)
    ctx.reply("请输入要征求意见的问题（例如：小区东门是否改为夜间关闭？）", CANCEL)


@router.step(FLOW, "question")
async def question(ctx: Context) -> None:
    q = (ctx.incoming.text or "").strip()
    if len(q) < 4:
        ctx.reply("问题太短，请写清楚想征求什么意见。", CANCEL)
        return
    ctx.goto(FLOW, "choices", question=q)
    ctx.reply("请输入选项，用逗号或顿号分隔（例如：同意、不同意、无所谓）；只收集文字意见请回复「无」。", CANCEL)


@router.step(FLOW, "choices")
async def choices(ctx: Context) -> None:
    raw = (ctx.incoming.text or "").strip()
    items = [] if raw in ("无", "没有", "none") else [
        x.strip() for x in raw.replace("，", ",").replace("、", ",").split(",") if x.strip()]
    if len(items) > 8 or any(len(x) > 20 for x in items):
        ctx.reply("最多8个选项，每个不超过20字，请重新输入。", CANCEL)
        return
    ctx.goto(FLOW, "deadline", choices=items)
    ctx.reply("请输入截止日期（YYYY-MM-DD）。", CANCEL)


@router.step(FLOW, "deadline")
async def deadline(ctx: Context) -> None:
    try:
        day = datetime.fromisoformat((ctx.incoming.text or "").strip()).date()
    except ValueError:
        ctx.reply("日期格式不对，请输入如 2026-12-31。", CANCEL)
        return
    d = ctx.data
    try:
        c = await publish(ctx.session, d["estate_id"], d["question"], d["choices"], True,
                          datetime.combine(day, time(23, 59), TZ), ctx.now, ctx.speaker.person.id)
    except ConsultationError as e:
        ctx.reply(str(e), CANCEL)
        return
    ctx.end_flow()
    ctx.reply(f"已向本小区认证业主发出征求意见（编号 {c.id}），截止 {day.isoformat()}。",
              [[("查看结果", f"consr:{c.id}")]])


@router.button("cons")
async def choose(ctx: Context) -> None:
    _, cid, idx = (ctx.incoming.payload or "").split(":")
    c = await ctx.session.get(Consultation, int(cid))
    if c is None or not 0 <= int(idx) < len(c.choices):
        ctx.reply("这项征求意见不存在。")
        return
    try:
        await respond(ctx.session, c.id, ctx.speaker.person.id, ctx.now, choice=c.choices[int(idx)])
    except ConsultationError as e:
        ctx.reply(str(e))
        return
    ctx.reply(f"已记录您的选择：{c.choices[int(idx)]}。截止前可以修改。",
              [[("补充文字意见", f"consw:{c.id}")]] if c.free_text else [])


@router.button("consw")
async def ask_text(ctx: Context) -> None:
    cid = int((ctx.incoming.payload or "").split(":")[1])
    ctx.goto(FLOW, "answer", consultation_id=cid)
    ctx.reply("请直接输入您的意见（不要写姓名、电话或门牌号，结果中的引用会匿名）。", CANCEL)


@router.step(FLOW, "answer")
async def answer_text(ctx: Context) -> None:
    text = (ctx.incoming.text or "").strip()
    if len(text) < 2:
        ctx.reply("请写下您的意见，或点「取消」。", CANCEL)
        return
    try:
        await respond(ctx.session, ctx.data["consultation_id"], ctx.speaker.person.id, ctx.now, text=text)
    except ConsultationError as e:
        ctx.end_flow()
        ctx.reply(str(e))
        return
    ctx.end_flow()
    ctx.reply("谢谢，您的意见已记录。")


@router.button("consr")
async def show_results(ctx: Context) -> None:
    cid = int((ctx.incoming.payload or "").split(":")[1])
    c = await ctx.session.get(Consultation, cid)
    if c is None or c.estate_id not in {e.id for e in await governed_estates(ctx)}:
        ctx.reply("只有发起方可以随时查看征求意见结果。")
        return
    ctx.reply(render(await results(ctx.session, cid)))
