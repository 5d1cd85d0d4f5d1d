"""Free text, photos and locations that no command or flow claimed."""
from __future__ import annotations

from handlers.dispatcher import Context, Router

router = Router("chat")


@router.message(lambda ctx: ctx.incoming.photo is not None and not ctx.incoming.text)
async def photo(ctx: Context) -> None:
    ctx.reply(ctx.t("photo_received"))


@router.message(lambda ctx: ctx.incoming.location is not None and not ctx.incoming.text)
async def location(ctx: Context) -> None:
    ctx.reply(ctx.t("location_received"))
