"""Free text, photos and locations that no command, button or flow claimed: understood by nlp and
answered according to the resident's intent."""
from __future__ import annotations

from handlers import complaints, fees, notices, start, ticket_followup, votes
from handlers.dispatcher import Context, Router
from nlp import Understanding, understand
from nlp import taxonomy as tax

router = Router("chat")

INTENT_NAMES = {"complaint": "反映问题/报修", "fee_inquiry": "物业费查询", "vote": "业主表决",
                "progress": "查询办理进度", "notice": "查看公告", "greeting": "使用帮助", "other": "其他"}


@router.message(lambda ctx: ctx.incoming.photo is not None and not ctx.incoming.text)
async def photo(ctx: Context) -> None:
    ctx.reply(ctx.t("photo_received"))


@router.message(lambda ctx: ctx.incoming.location is not None and not ctx.incoming.text)
async def location(ctx: Context) -> None:
    ctx.reply(ctx.t("location_received"))


@router.message(lambda ctx: bool((ctx.incoming.text or "").strip()))
async def free_text(ctx: Context) -> None:
    u = understand(ctx.incoming.text or "")
    if u.urgent:
        await complaints.start_complaint(ctx, u)
        return
    if u.low_confidence and u.intent != "complaint":
        # Not sure what the resident wants: let them pick rather than guess.
        ctx.goto("intent", "pick", text=ctx.incoming.text)
        ctx.reply("我不太确定您的意思，您是想：",
                  [[(INTENT_NAMES[code], f"intent:{code}")] for code, _ in u.intent_candidates])
        return
    await answer(ctx, u.intent, u)


async def answer(ctx: Context, intent: str, u: Understanding, text: str | None = None) -> None:
    match intent:
        case "complaint":
            # From a button press the message has no text of its own: pass the original words.
            await complaints.start_complaint(ctx, u, text=text)
        case "fee_inquiry":
            await fees.answer_fee_question(ctx)
        case "vote":
            await votes.list_votes(ctx)
        case "progress":
            await ticket_followup.show_progress(ctx)
        case "notice":
            await notices.recent_notices(ctx)
        case "greeting":
            await start.help_(ctx)
        case _:
            ctx.reply("这个问题我暂时帮不上忙。我可以受理报事报修和投诉、查询物业费、参与业主表决和查看公告，"
                      "发送 /help 查看用法。")


@router.button("intent")
async def picked_intent(ctx: Context) -> None:
    code = (ctx.incoming.payload or "").split(":", 1)[1]
    text = ctx.data.get("text", "") if ctx.flow == "intent" else ""
    ctx.end_flow()
    if code not in tax.INTENTS:
        ctx.reply(ctx.t("fallback"))
        return
    await answer(ctx, code, understand(text or INTENT_NAMES[code]), text=text or None)
