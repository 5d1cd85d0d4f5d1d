"""Notices in chat: anyone verified reads "最近公告"; the committee, property staff and the street
office publish a notice to the estate, a building or a unit, step by step."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from core.notices import (
    PUBLISHERS,
    SIGNATURES,
    Audience,
    NoticeError,
    publish_notice,
    recent_for,
    render,
)
from core.governance import estates_where
from core.roles import Role
from handlers.dispatcher import Context, Router
from storage.models import Estate
from storage.models.notices import Notice

router = Router("notices")
FLOW = "notice"
CANCEL = [[("取消", "cancel")]]


async def recent_notices(ctx: Context) -> None:
    """For the free-text intent notice, and 最近公告: the latest notices this person may read."""
    actor = await ctx.actor()
    items = await recent_for(ctx.session, actor)
    if not items:
        if actor.owned_premises or await estates_where(ctx.session, actor, PUBLISHERS):
            ctx.reply("最近没有公告。")
        else:
            ctx.reply("绑定房屋后可以查看本小区的公告。请发送 /bind 输入物业或业委会发给您的验证码。",
                      [[("绑定房屋", "bind")]])
        return
    lines = ["最近公告："]
    for i, (n, estate) in enumerate(items, 1):
        when = n.published_at.astimezone(ZoneInfo(estate.timezone or "Asia/Shanghai"))
        scope = "" if not n.building else f"（{Audience(n.building, n.unit).label()}）"
        lines.append(f"{i}. {n.title}{scope} · {when:%m月%d日} · {SIGNATURES.get(Role(n.publisher_role), '')}")
    ctx.reply("\n".join(lines), [[(f"{i}. {n.title[:12]}", f"ntc:{n.id}")] for i, (n, _) in enumerate(items, 1)])


@router.command("notices", aliases=("最近公告", "公告", "查看公告"))
async def notices_command(ctx: Context) -> None:
    await recent_notices(ctx)


@router.button("ntc")
async def read_notice(ctx: Context) -> None:
    ref = (ctx.incoming.payload or "").split(":")[-1]
    wanted = int(ref) if ref.isdigit() else -1
    # Only what recent_for would show this person: their estates, their building and unit.
    visible = {n.id: (n, e) for n, e in await recent_for(ctx.session, await ctx.actor(), limit=50)}
    if wanted not in visible:
        ctx.reply("找不到这条公告，或它不是发给您所在楼栋的。")
        return
    n, estate = visible[wanted]
    if n.kind == "fee_disclosure" and n.ref_id:
        ctx.reply(n.body, [[("公示图片", f"fdimg:{n.ref_id}"), ("打印版PDF", f"fdpdf:{n.ref_id}")]])
    else:
        ctx.reply(render(n, estate))


# -- publishing -------------------------------------------------------------------------------------

async def _publisher(ctx: Context, estate_id: int | None = None) -> tuple[Estate, Role] | None:
    options = await estates_where(ctx.session, await ctx.actor(), PUBLISHERS)
    if estate_id is not None:
        options = [o for o in options if o[0].id == estate_id]
    if not options:
        ctx.end_flow()
        ctx.reply("只有本小区的业委会成员、物业工作人员或街道工作人员可以发布公告。")
        return None
    return options[0]


def _audience_buttons() -> list[list[tuple[str, str]]]:
    return [[("全小区", "ntca:all"), ("指定楼栋", "ntca:b"), ("指定单元", "ntca:u")], *CANCEL]


@router.command("notice", aliases=("发布公告", "发公告"))
async def new_notice(ctx: Context) -> None:
    if ctx.incoming.is_group:
        ctx.reply("请私聊我发布公告。")
        return
    options = await estates_where(ctx.session, await ctx.actor(), PUBLISHERS)
    if not options:
        ctx.reply("只有本小区的业委会成员、物业工作人员或街道工作人员可以发布公告。")
        return
    if len(options) > 1:
        ctx.goto(FLOW, "estate")
        ctx.reply("请选择发布公告的小区：", [[(e.name, f"ntce:{e.id}")] for e, _ in options[:8]] + CANCEL)
        return
    estate, role = options[0]
    ctx.goto(FLOW, "audience", estate_id=estate.id)
    ctx.reply(f"发布「{estate.name}」公告（以{SIGNATURES[role]}名义）。\n第1步：发给谁？", _audience_buttons())


@router.button("ntce")
async def choose_estate(ctx: Context) -> None:
    found = await _publisher(ctx, int((ctx.incoming.payload or "0:0").split(":")[1] or 0))
    if found is None:
        return
    estate, role = found
    ctx.goto(FLOW, "audience", estate_id=estate.id)
    ctx.reply(f"发布「{estate.name}」公告（以{SIGNATURES[role]}名义）。\n第1步：发给谁？", _audience_buttons())


@router.button("ntca")
async def choose_audience(ctx: Context) -> None:
    if ctx.flow != FLOW:
        ctx.reply("请先发送「发布公告」。")
        return
    choice = (ctx.incoming.payload or "").split(":")[1]
    if choice == "b":
        ctx.goto(FLOW, "building")
        ctx.reply("请输入楼栋号（例如 3）：", CANCEL)
    elif choice == "u":
        ctx.goto(FLOW, "unit")
        ctx.reply("请输入楼栋和单元，用 - 分隔（例如 3-2 表示3号楼2单元）：", CANCEL)
    else:
        ctx.goto(FLOW, "title", building=None, unit=None)
        ctx.reply("第2步：请输入公告标题（例如：停水通知）：", CANCEL)


def _clean(text: str) -> str:
    return text.strip().removesuffix("单元").removesuffix("号楼").removesuffix("栋").strip()


@router.step(FLOW, "building")
async def building_step(ctx: Context) -> None:
    building = _clean(ctx.incoming.text or "")
    if not building or len(building) > 20:
        ctx.reply("请输入楼栋号，例如 3。", CANCEL)
        return
    ctx.goto(FLOW, "title", building=building, unit=None)
    ctx.reply(f"发给{building}号楼。\n第2步：请输入公告标题：", CANCEL)


@router.step(FLOW, "unit")
async def unit_step(ctx: Context) -> None:
    parts = [_clean(x) for x in (ctx.incoming.text or "").replace("号楼", "-").replace("栋", "-").split("-")]
    parts = [p for p in parts if p]
    if len(parts) != 2 or any(len(p) > 20 for p in parts):
        ctx.reply("请写成 楼栋-单元，例如 3-2。", CANCEL)
        return
    ctx.goto(FLOW, "title", building=parts[0], unit=parts[1])
    ctx.reply(f"发给{parts[0]}号楼{parts[1]}单元。\n第2步：请输入公告标题：", CANCEL)


@router.step(FLOW, "title")
async def title_step(ctx: Context) -> None:
    title = (ctx.incoming.text or "").strip()
    if not 2 <= len(title) <= 60:
        ctx.reply("标题需要2到60个字，请重新输入。", CANCEL)
        return
    ctx.goto(FLOW, "body", title=title)
    ctx.reply("第3步：请输入公告正文：", CANCEL)


@router.step(FLOW, "body")
async def body_step(ctx: Context) -> None:
    body = (ctx.incoming.text or "").strip()
    if len(body) < 4:
        ctx.reply("正文太短，请写清楚要通知的事情。", CANCEL)
        return
    d = ctx.data
    ctx.goto(FLOW, "confirm", body=body)
    audience = Audience(d.get("building"), d.get("unit")).label()
    ctx.reply(f"请确认（发给{audience}的认证业主）：\n【公告】{d['title']}\n{body}",
              [[("确认发布", "ntcok"), ("取消", "cancel")]])


@router.button("ntcok")
async def confirm(ctx: Context) -> None:
    if ctx.flow != FLOW or ctx.step != "confirm":
        ctx.reply("没有待发布的公告，请发送「发布公告」。")
        return
    d = ctx.data
    found = await _publisher(ctx, d["estate_id"])
    if found is None:
        return
    estate, role = found
    try:
        notice: Notice = await publish_notice(
            ctx.session, estate.id, d["title"], d["body"], Audience(d.get("building"), d.get("unit")),
            role=role, by_person_id=ctx.speaker.person.id, now=ctx.now)
    except NoticeError as e:
        ctx.end_flow()
        ctx.reply(f"未发布：{e}")
        return
    ctx.end_flow()
    ctx.reply(f"公告「{notice.title}」已发布，已通知 {notice.recipients} 位认证业主。")
