"""Greeting, help and cancel: what every newcomer meets first."""
from __future__ import annotations

from handlers.dispatcher import Context, Router

router = Router("start")


def main_menu(ctx: Context) -> list[list[tuple[str, str]]]:
    return [[(ctx.t("btn.bind"), "bind"), (ctx.t("btn.me"), "me")], [(ctx.t("btn.help"), "help")]]


@router.command("start", aliases=("开始", "你好", "您好"))
async def start(ctx: Context) -> None:
    ctx.end_flow()
    name = ctx.speaker.person.display_name or ("邻居" if ctx.lang == "zh" else "neighbour")
    ctx.reply(ctx.t("welcome", name=name), main_menu(ctx))


@router.command("help", aliases=("帮助", "菜单"))
async def help_(ctx: Context) -> None:
    ctx.reply(ctx.t("help"), main_menu(ctx))


@router.button("help")
async def help_button(ctx: Context) -> None:
    await help_(ctx)


@router.command("cancel", aliases=("取消",))
async def cancel(ctx: Context) -> None:
    if ctx.flow:
        ctx.end_flow()
        ctx.reply(ctx.t("cancelled"), main_menu(ctx))
    else:
        ctx.reply(ctx.t("nothing_to_cancel"), main_menu(ctx))


@router.button("cancel")
async def cancel_button(ctx: Context) -> None:
    await cancel(ctx)
