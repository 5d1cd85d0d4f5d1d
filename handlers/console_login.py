"""「登录后台」: a one-time console sign-in link, sent only to a staff member's private chat."""
from __future__ import annotations

from core.accounts import LINK_MINUTES, issue_login_link, may_use_console
from handlers.dispatcher import Context, Router

router = Router("console_login")


@router.command("console", aliases=("登录后台", "后台登录", "后台"))
async def console_link(ctx: Context) -> None:
    if ctx.incoming.is_group:
        # Anyone in a group could open it: a sign-in link is as good as a password.
        ctx.reply(ctx.t("console.private"))
        return
    if not may_use_console(await ctx.actor()):
        ctx.reply(ctx.t("console.no_role"))
        return
    token = await issue_login_link(ctx.session, ctx.speaker.person.id, ctx.now)
    ctx.reply(ctx.t("console.link", minutes=LINK_MINUTES, url=f"{ctx.services.public_url}/console/link/{token}"))
