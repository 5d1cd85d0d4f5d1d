"""/me: who Linli thinks you are, and which premises you own."""
from __future__ import annotations

from core.area import counted_area
from handlers.dispatcher import Context, Router
from handlers.texts import ROLE_NAMES, USE_NAMES, place_label
from storage.repositories.people import PeopleRepository
from storage.repositories.register import RegisterRepository

router = Router("me")


@router.command("me", aliases=("我的信息", "我的"))
async def me(ctx: Context) -> None:
    person = ctx.speaker.person
    actor = await ctx.actor()
    lines = [ctx.t("me.header")]
    if person.display_name:
        lines.append(ctx.t("me.name", name=person.display_name))
    order = list(ROLE_NAMES)
    roles = sorted(actor.roles, key=order.index)
    lines.append(ctx.t("me.roles", roles="、".join(ROLE_NAMES[r][ctx.lang] for r in roles)))
    residencies = await PeopleRepository(ctx.session).residencies(person.id)
    repo = RegisterRepository(ctx.session)
    premises = await repo.premises_with_place([r.premises_id for r in residencies])
    if premises:
        lines.append(ctx.t("me.premises"))
        for p in premises:
            estate = await repo.estate(p.estate_id)
            assert estate is not None
            area = counted_area(p.area_registered, p.area_surveyed, p.area_contract)
            lines.append(ctx.t("me.premises_line", estate=estate.name,
                               place=place_label(ctx.lang, p.building.number, p.unit_key or None, p.room),
                               use=USE_NAMES[p.use][ctx.lang], area=f"{area:.2f}"))
        ctx.reply("\n".join(lines))
    else:
        lines.append(ctx.t("me.none"))
        ctx.reply("\n".join(lines), [[(ctx.t("btn.bind"), "bind")]])


@router.button("me")
async def me_button(ctx: Context) -> None:
    await me(ctx)
