"""Binding a premises: a resident enters the one-time code and becomes its verified owner."""
from __future__ import annotations

from core.verification import RedeemOutcome, normalize_code, redeem
from handlers.dispatcher import Context, Router
from handlers.texts import ROLE_NAMES, place_label
from storage.models import Community, District, Estate, StreetOffice
from storage.repositories.register import RegisterRepository

router = Router("binding")
FLOW = "bind"


def _cancel_row(ctx: Context) -> list[list[tuple[str, str]]]:
    return [[(ctx.t("btn.cancel"), "cancel")]]


async def _try_code(ctx: Context, text: str) -> None:
    result = await redeem(ctx.session, ctx.services.secret, ctx.speaker.person.id, text, ctx.now,
                          ctx.services.verification)
    match result.outcome:
        case RedeemOutcome.VERIFIED | RedeemOutcome.ALREADY:
            assert result.premises_id is not None
            repo = RegisterRepository(ctx.session)
            [p] = await repo.premises_with_place([result.premises_id])
            estate = await repo.estate(p.estate_id)
            assert estate is not None
            key = "bind.ok" if result.outcome is RedeemOutcome.VERIFIED else "bind.already"
            ctx.end_flow()
            ctx.reply(ctx.t(key, estate=estate.name,
                            place=place_label(ctx.lang, p.building.number, p.unit_key or None, p.room)),
                      [[(ctx.t("btn.me"), "me")]])
        case RedeemOutcome.ROLE_GRANTED:
            ctx.end_flow()
            scope = await _scope_name(ctx, result.scope_kind, result.scope_id)
            role = ROLE_NAMES[result.role or "resident"][ctx.lang]
            ctx.reply(ctx.t("bind.role", role=role, scope=scope), [[(ctx.t("btn.me"), "me")]])
        case RedeemOutcome.THROTTLED:
            ctx.end_flow()
            minutes = int((result.retry_after.total_seconds() if result.retry_after else 900) // 60)
            ctx.reply(ctx.t("bind.throttled", minutes=minutes))
        case RedeemOutcome.MALFORMED:
            ctx.goto(FLOW, "code")
            ctx.reply(ctx.t("bind.malformed"), _cancel_row(ctx))
        case RedeemOutcome.UNKNOWN:
            ctx.goto(FLOW, "code")
            ctx.reply(ctx.t("bind.unknown"), _cancel_row(ctx))


@router.command("bind", aliases=("绑定房屋", "绑定", "认证业主"))
async def bind(ctx: Context) -> None:
    if ctx.command_args:
        await _try_code(ctx, ctx.command_args)
        return
    ctx.goto(FLOW, "code")
    ctx.reply(ctx.t("bind.ask"), _cancel_row(ctx))


@router.button("bind")
async def bind_button(ctx: Context) -> None:
    ctx.command_args = ""
    await bind(ctx)


@router.step(FLOW, "code")
async def code_entered(ctx: Context) -> None:
    await _try_code(ctx, ctx.incoming.text or "")


@router.message(lambda ctx: bool(ctx.incoming.text) and normalize_code(ctx.incoming.text or "") is not None
                and "-" in (ctx.incoming.text or ""))
async def bare_code(ctx: Context) -> None:
    """A code typed without /bind first (as printed: ABCD-EFGH) is still a binding attempt."""
    await _try_code(ctx, ctx.incoming.text or "")


async def _scope_name(ctx: Context, kind: str | None, scope_id: int | None) -> str:
    model = {"estate": Estate, "community": Community, "street_office": StreetOffice,
             "district": District}.get(kind or "")
    if model is None or scope_id is None:
        return ""
    row = await ctx.session.get(model, scope_id)
    return row.name if row is not None else ""
