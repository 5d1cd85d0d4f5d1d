"""Owners' votes in chat: see open votes, vote with buttons (changeable until the close), get a
receipt; committee members announce a vote step by step."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.governance import estates_governed_by
from core.voting.matters import MATTERS
from core.voting.service import (
    CHOICE_NAMES,
    NOTICE_PERIOD,
    VoteDraft,
    VoteError,
    announce,
    ballot_buttons,
    cast,
    voters_for_person,
)
from handlers.dispatcher import Context, Router
from storage.models import Estate
from storage.models.votes import Vote

router = Router("votes")
TZ = ZoneInfo("Asia/Shanghai")
FLOW = "newvote"


def _local(dt: datetime) -> str:
    return dt.astimezone(TZ).strftime("%m月%d日 %H:%M")


async def _estates_of(ctx: Context) -> set[int]:
    return set((await ctx.actor()).owned_estates)


@router.command("vote", aliases=("投票", "表决", "我要投票"))
async def list_votes(ctx: Context) -> None:
    estates = await _estates_of(ctx)
    if not estates:
        ctx.reply("只有认证业主可以参加表决。请先发送 /bind 输入验证码绑定房屋。", [[("绑定房屋", "bind")]])
        return
    votes = list(await ctx.session.scalars(
        select(Vote).where(Vote.estate_id.in_(estates), Vote.status.in_(("announced", "open", "published")))
        .order_by(Vote.opens_at.desc()).limit(5)))
    if not votes:
        ctx.reply("目前没有进行中的表决。")
        return
    for v in votes:
        if v.status == "announced":
            ctx.reply(f"【即将开始】{v.title}\n{v.question}\n投票时间：{_local(v.opens_at)} 至 {_local(v.closes_at)}")
        elif v.status == "open":
            mine = await voters_for_person(ctx.session, v, ctx.speaker.person.id)
            current = "、".join(f"{CHOICE_NAMES[x.choice]}" for x in mine if x.choice) or "尚未表决"
            ctx.reply(f"【表决中】{v.title}\n{v.question}\n截止：{_local(v.closes_at)}\n您的意见：{current}",
                      [ballot_buttons(v.id)])
        else:
            outcome = "通过" if v.result and v.result["verdict"]["passed"] else "未通过"
            ctx.reply(f"【已公布】{v.title}：{outcome}", [[("查看结果", f"voteres:{v.id}")]])


@router.button("vote")
async def press_ballot(ctx: Context) -> None:
    _, vote_id, choice = (ctx.incoming.payload or "").split(":")
    vote = await ctx.session.get(Vote, int(vote_id))
    if vote is None:
        ctx.reply("这项表决不存在。")
        return
    voters = await voters_for_person(ctx.session, vote, ctx.speaker.person.id)
    if not voters:
        ctx.reply("您不在这项表决的业主名册中（需先绑定本小区已交付的房屋；未交付的房屋由建设单位表决）。")
        return
    lines = []
    try:
        for voter in voters:
            r = await cast(ctx.session, vote.id, voter.owner_code, choice, ctx.now, by_person_id=ctx.speaker.person.id)
            lines.append(f"{voter.name}：{CHOICE_NAMES[choice]}，回执 {r.hash[:16]}")
    except VoteError as e:
        ctx.reply(str(e))
        return
    ctx.reply(f"已记录您对「{vote.title}」的表决：\n" + "\n".join(lines)
              + "\n截止前可以重新选择，以最后一次为准。回执可用于核对选票已计入。", [ballot_buttons(vote.id)])


@router.button("voteres")
async def show_result(ctx: Context) -> None:
    vote = await ctx.session.get(Vote, int((ctx.incoming.payload or "").split(":")[1]))
    if vote is None or vote.status != "published" or not vote.result:
        ctx.reply("结果尚未公布。")
        return
    ctx.reply(f"【表决结果】{vote.title}\n{vote.result['explanation']}")


# -- announcing a vote (committee; the street office where no committee exists) ----------------
async def governed_estates(ctx: Context) -> list[Estate]:
    return await estates_governed_by(ctx.session, await ctx.actor())


@router.command("newvote", aliases=("发起表决",))
async def new_vote(ctx: Context) -> None:
    estates = await governed_estates(ctx)
    if not estates:
        ctx.reply("只有业委会成员（未成立业委会的小区由街道）可以发起表决。")
        return
    ctx.goto(FLOW, "title", estate_id=estates[0].id)
    ctx.reply(f"发起「{estates[0].name}」业主表决。\n第1步：请输入表决标题（例如：续聘安居物业）。", [[("取消", "cancel")]])


@router.step(FLOW, "title")
async def vote_title(ctx: Context) -> None:
    title = (ctx.incoming.text or "").strip()
    if not 2 <= len(title) <= 100:
        ctx.reply("标题需要2到100个字，请重新输入。", [[("取消", "cancel")]])
        return
    ctx.goto(FLOW, "question", title=title)
    ctx.reply("第2步：请输入表决内容（向业主说明要决定的事项）。", [[("取消", "cancel")]])


@router.step(FLOW, "question")
async def vote_question(ctx: Context) -> None:
    q = (ctx.incoming.text or "").strip()
    if len(q) < 4:
        ctx.reply("表决内容太短，请写清楚要决定的事项。", [[("取消", "cancel")]])
        return
    ctx.goto(FLOW, "matter", question=q)
    ctx.reply("第3步：请选择事项类型（民法典第二百七十八条）：",
              [[(f"{m.number}. {m.title[:14]}", f"nvm:{m.code}")] for m in MATTERS])


@router.button("nvm")
async def vote_matter(ctx: Context) -> None:
    if ctx.flow != FLOW or ctx.step != "matter":
        ctx.reply("请先发送 /newvote 发起表决。")
        return
    code = (ctx.incoming.payload or "").split(":", 1)[1]
    earliest = (ctx.now + NOTICE_PERIOD).astimezone(TZ).date() + timedelta(days=1)
    ctx.goto(FLOW, "dates", matter=code)
    ctx.reply(f"第4步：请输入开始和截止日期，格式 YYYY-MM-DD YYYY-MM-DD。\n须提前15日公告：最早 {earliest.isoformat()} 开始。",
              [[("取消", "cancel")]])


@router.step(FLOW, "dates")
async def vote_dates(ctx: Context) -> None:
    parts = (ctx.incoming.text or "").replace("至", " ").replace("到", " ").split()
    try:
        start, end = (datetime.fromisoformat(p).date() for p in parts)
    except ValueError:
        ctx.reply("日期格式不对，请输入如 2026-12-20 2026-12-31。", [[("取消", "cancel")]])
        return
    d = ctx.data
    estate = await ctx.session.get(Estate, d["estate_id"])
    assert estate is not None
    draft = VoteDraft(estate_id=d["estate_id"], title=d["title"], question=d["question"], matter_code=d["matter"],
                      opens_at=datetime.combine(start, time(8, 0), TZ),
                      closes_at=datetime.combine(end, time(20, 0), TZ),
                      # The estate's 议事规则 decides whether non-voters follow the majority.
                      deemed_rule=bool((estate.settings or {}).get("deemed_votes", False)))
    try:
        vote = await announce(ctx.session, draft, ctx.speaker.person.id, ctx.now)
    except VoteError as e:
        ctx.reply(str(e), [[("取消", "cancel")]])
        return
    ctx.end_flow()
    ctx.reply(f"已公告表决「{vote.title}」，编号 {vote.id}。\n投票时间：{_local(vote.opens_at)} 至 {_local(vote.closes_at)}。"
              "公告已发送给全体认证业主；开始时业主会收到投票按钮。")
