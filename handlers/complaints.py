"""Complaints in chat: from a resident's words (or photo, or location) to a ticket, or to following
an existing one (handlers.ticket_followup has what comes after: progress, details, rating).

The free-text router calls `start_complaint` (intent complaint, or anything urgent). The flow restates what it understood for one-tap
confirmation, asks only for what is missing, and checks for duplicates before opening a ticket.
Urgent messages get safety advice and emergency numbers at once and open an urgent ticket without
waiting for confirmation.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.tickets import catalog, texts
from core.tickets.config import DEFAULT, TicketConfig
from core.tickets.lifecycle import TicketStatus
from core.tickets.service import (
    TicketDraft,
    TicketError,
    due_text,
    estate_context,
    find_duplicates,
    follow,
    handler_name,
    is_party,
    open_ticket,
    place_text,
)
from handlers.dispatcher import Context, Router
from nlp import Understanding, understand
from storage.models import Estate
from storage.models.tickets import Ticket
from storage.repositories.people import PeopleRepository
from storage.repositories.register import RegisterRepository

router = Router("complaints")
FLOW = "complaint"
CANCEL = ("取消", "cancel")
# Complaints about conduct or money, not about a spot in the estate: no place to ask for.
NO_PLACE = frozenset({"fee_dispute", "property_service", "committee_affairs"})
MAX_PHOTOS = 9


def ticket_config(ctx: Context) -> TicketConfig:
    config = ctx.services.extra.get("tickets")
    return config if isinstance(config, TicketConfig) else DEFAULT


def me(ctx: Context) -> int:
    return ctx.speaker.person.id


def say(ctx: Context, key: str, **kw: Any) -> str:
    """A ticket text (core.tickets.texts) in the resident's language."""
    return texts.say(ctx.lang, key, **kw)


def cancel(ctx: Context) -> tuple[str, str]:
    return say(ctx, "btn.cancel"), CANCEL[1]


# -- starting -------------------------------------------------------------------------------------
async def start_complaint(ctx: Context, understanding: Understanding, text: str | None = None) -> None:
    """A resident described a problem (or something urgent): restate it, or act at once if urgent.

    `text` is the description when the message itself carries none (a button that picked the
    intent of an earlier message); by default it is the message's text.
    """
    inc = ctx.incoming
    draft: dict[str, Any] = {
        "text": (text if text is not None else inc.text or "").strip(), **_understood(understanding),
        "lat": None, "lon": None, "photos": [inc.photo.ref] if inc.photo else [], "anonymous": False,
        "estate_id": None, "asked_place": False,
    }
    if inc.location is not None:
        draft.update(lat=inc.location.latitude, lon=inc.location.longitude,
                     place=draft["place"] or inc.location.label or "定位位置")
    ctx.state.flow, ctx.state.step, ctx.state.data = FLOW, "start", draft
    estates = await _estates_for(ctx)
    if len(estates) == 1:
        ctx.goto(FLOW, "start", estate_id=estates[0].id)
    if draft["urgent"]:
        settings = estates[0].settings if len(estates) == 1 else None
        ctx.reply(say(ctx, "urgent") + "\n" + catalog.emergency_text(draft["reason"], settings))
    await _next(ctx, estates)


def _understood(u: Understanding) -> dict[str, Any]:
    codes = catalog.category_codes()
    candidates = [c for c, _ in u.category_candidates if c in codes]
    category = u.category if u.category in codes else (candidates[0] if candidates else "other")
    return {"category": category, "candidates": [c for c in candidates if c != category][:2],
            "building": u.place.building, "unit": u.place.unit, "room": u.place.room, "place": u.place.place,
            "urgent": bool(u.urgent), "reason": u.urgency_reason}


async def _estates_for(ctx: Context) -> list[Estate]:
    """The estates this resident may be reporting about: where they own, else where they reported
    before, else every estate of the installation (asked when there are several)."""
    repo = RegisterRepository(ctx.session)
    actor = await ctx.actor()
    if actor.owned_estates:
        return [e for e in await repo.estates() if e.id in actor.owned_estates]
    last = await ctx.session.scalar(select(Ticket.estate_id).where(Ticket.reporter_person_id == me(ctx))
                                    .order_by(Ticket.id.desc()).limit(1))
    if last is not None:
        estate = await repo.estate(last)
        return [estate] if estate is not None else []
    return await repo.estates()


async def _next(ctx: Context, estates: list[Estate] | None = None) -> None:
    """Ask for what is missing, in order: the estate, the place; then restate (or open if urgent)."""
    d = ctx.data
    if d.get("estate_id") is None:
        estates = estates if estates is not None else await _estates_for(ctx)
        if not estates:
            ctx.end_flow()
            ctx.reply("系统中还没有登记任何小区，暂时无法受理，请联系物业或社区。")
            return
        ctx.goto(FLOW, "estate")
        rows = [[(e.name, f"tkest:{e.id}")] for e in estates[:8]]
        ctx.reply(say(ctx, "ask_estate") + (say(ctx, "ask_estate_type") if len(estates) > 8 else ""),
                  [*rows, [cancel(ctx)]])
        return
    if not d["text"] and not d["photos"]:
        ctx.goto(FLOW, "describe")
        ctx.reply("请用一句话描述需要处理的问题，例如「6号楼电梯坏了」。", [[cancel(ctx)]])
        return
    if d["urgent"]:
        await _submit(ctx, duplicates_checked=True)
        return
    if _needs_place(d) and not d.get("asked_place"):
        ctx.goto(FLOW, "place", asked_place=True)
        rows: list[list[tuple[str, str]]] = [[(label, f"tkhome:{pid}")] for pid, label in await _homes(ctx)]
        ctx.reply(say(ctx, "ask_place", category=texts.short_category_name(d["category"], ctx.lang)),
                  [*rows, [cancel(ctx)]])
        return
    await _restate(ctx)


def _needs_place(d: dict[str, Any]) -> bool:
    return d["category"] not in NO_PLACE and not (d.get("building") or d.get("place") or d.get("lat"))


async def _homes(ctx: Context) -> list[tuple[int, str]]:
    residencies = await PeopleRepository(ctx.session).residencies(me(ctx))
    premises = await RegisterRepository(ctx.session).premises_with_place([r.premises_id for r in residencies])
    return [(p.id, say(ctx, "btn.at_home", place=place_text(p.building.number, p.unit_key or None, p.room, None)))
            for p in premises if p.estate_id == ctx.data.get("estate_id")][:2]


def _where(d: dict[str, Any]) -> str:
    return place_text(d.get("building"), d.get("unit"), d.get("room"), d.get("place"))


async def _restate(ctx: Context) -> None:
    d = ctx.data
    ctx.goto(FLOW, "confirm")
    where = _where(d)
    lang = ctx.lang
    said = texts.short_category_name(d["category"], lang) + ((", " if lang == "en" else "，") + where if where else "")
    rows = [[(say(ctx, "btn.submit"), "tkok"), (say(ctx, "btn.anonymous"), "tkanon")]]
    alternatives = [(say(ctx, "btn.change_to", category=texts.short_category_name(c, lang)), f"tkcat:{c}")
                    for c in d["candidates"]]
    rows.append([*alternatives, (say(ctx, "btn.none_fits"), "tkcats")])
    rows.append([cancel(ctx)])
    photos = say(ctx, "photos", n=len(d["photos"])) if d["photos"] else ""
    ctx.reply(say(ctx, "restate", said=said, photos=photos), rows)


# -- the flow's steps -------------------------------------------------------------------------------
def _in_flow(ctx: Context, *steps: str) -> bool:
    return ctx.flow == FLOW and (not steps or ctx.step in steps)


async def _expired(ctx: Context) -> None:
    ctx.reply("这次反映已结束或已提交。如需反映新问题，请直接描述问题。")


@router.button("tkest")
async def pick_estate(ctx: Context) -> None:
    if not _in_flow(ctx, "estate"):
        return await _expired(ctx)
    estate = await ctx.session.get(Estate, int((ctx.incoming.payload or "").split(":")[1]))
    if estate is None:
        return await _expired(ctx)
    ctx.goto(FLOW, "start", estate_id=estate.id)
    if ctx.data["urgent"]:
        ctx.reply(f"{estate.name}的紧急联系电话：\n" + catalog.emergency_text(ctx.data["reason"], estate.settings))
    await _next(ctx)


@router.step(FLOW, "estate")
async def typed_estate(ctx: Context) -> None:
    text = (ctx.incoming.text or "").strip()
    found = [e for e in await RegisterRepository(ctx.session).estates() if text and (text in e.name or e.name in text)]
    if len(found) != 1:
        ctx.reply("没有找到这个小区，请点选或输入完整的小区名称。", [[cancel(ctx)]])
        return
    ctx.goto(FLOW, "start", estate_id=found[0].id)
    await _next(ctx)


@router.step(FLOW, "describe")
async def described(ctx: Context) -> None:
    text = (ctx.incoming.text or "").strip()
    if not text:
        ctx.reply("请用文字描述问题，或点「取消」。", [[cancel(ctx)]])
        return
    u = understand(text)
    found = _understood(u)
    if not (found["building"] or found["place"]):  # a place given before (a location) stays
        for key in ("building", "unit", "room", "place"):
            found.pop(key)
    ctx.goto(FLOW, "start", text=text, **found)
    if u.urgent:
        estate = await ctx.session.get(Estate, ctx.data["estate_id"]) if ctx.data.get("estate_id") else None
        ctx.reply(say(ctx, "urgent") + "\n" + catalog.emergency_text(u.urgency_reason,
                                                                estate.settings if estate else None))
    await _next(ctx)


async def _photo_or_location(ctx: Context, step: str) -> bool:
    """A photo without words joins the report; a shared location becomes its place. True if handled."""
    inc = ctx.incoming
    if inc.photo is not None and not inc.text:
        await _add_photo(ctx)
        return True
    if inc.location is not None:
        ctx.goto(FLOW, step, lat=inc.location.latitude, lon=inc.location.longitude,
                 place=inc.location.label or "定位位置")
        await _restate(ctx)
        return True
    return False


@router.step(FLOW, "place")
async def typed_place(ctx: Context) -> None:
    if await _photo_or_location(ctx, "start"):
        return
    text = (ctx.incoming.text or "").strip()
    if not text:
        ctx.reply("请用文字说明位置，或发送定位。", [[cancel(ctx)]])
        return
    p = understand(text).place
    if p.building or p.place:
        ctx.goto(FLOW, "start", building=p.building, unit=p.unit, room=p.room, place=p.place)
    else:
        ctx.goto(FLOW, "start", place=text[:100])  # the resident's own words for a spot we do not know
    await _restate(ctx)


@router.button("tkhome")
async def home_place(ctx: Context) -> None:
    if not _in_flow(ctx, "place"):
        return await _expired(ctx)
    pid = int((ctx.incoming.payload or "").split(":")[1])
    premises = await RegisterRepository(ctx.session).premises_with_place([pid])
    mine = {r.premises_id for r in await PeopleRepository(ctx.session).residencies(me(ctx))}
    if not premises or pid not in mine:
        return await _expired(ctx)
    p = premises[0]
    ctx.goto(FLOW, "start", building=p.building.number, unit=p.unit_key or None, room=p.room)
    await _restate(ctx)


@router.step(FLOW, "confirm")
async def confirm_text(ctx: Context) -> None:
    """More words while confirming: a place, or a better description; restate again."""
    if await _photo_or_location(ctx, "confirm"):
        return
    inc = ctx.incoming
    text = (inc.text or "").strip()
    if not text:
        return await _restate(ctx)
    d = ctx.data
    combined = f"{d['text']} {text}".strip()
    u = understand(combined)
    extra = understand(text).place
    update: dict[str, Any] = {"text": combined}
    if extra.building or extra.place:
        update.update(building=extra.building, unit=extra.unit, room=extra.room, place=extra.place)
    if u.category in catalog.category_codes():
        update.update({k: v for k, v in _understood(u).items() if k in ("category", "candidates")})
    if inc.photo is not None:
        update["photos"] = [*d["photos"], inc.photo.ref][:MAX_PHOTOS]
    if u.urgent and not d["urgent"]:  # it became dangerous while we talked: act now
        update.update(urgent=True, reason=u.urgency_reason)
        ctx.goto(FLOW, "start", **update)
        estate = await ctx.session.get(Estate, d["estate_id"])
        ctx.reply(say(ctx, "urgent") + "\n" + catalog.emergency_text(u.urgency_reason,
                                                                estate.settings if estate else None))
        return await _next(ctx)
    ctx.goto(FLOW, "confirm", **update)
    await _restate(ctx)


async def _add_photo(ctx: Context) -> None:
    assert ctx.incoming.photo is not None
    photos = [*ctx.data["photos"], ctx.incoming.photo.ref][:MAX_PHOTOS]
    ctx.goto(FLOW, ctx.step or "confirm", photos=photos)
    ctx.reply(f"照片已添加（共 {len(photos)} 张）。")
    if ctx.step == "confirm":
        await _restate(ctx)


@router.button("tkcat")
async def pick_category(ctx: Context) -> None:
    if not _in_flow(ctx, "confirm", "place"):
        return await _expired(ctx)
    code = (ctx.incoming.payload or "").split(":")[1]
    if code not in catalog.category_codes():
        return await _expired(ctx)
    d = ctx.data
    others = [c for c in [d["category"], *d["candidates"]] if c != code][:2]
    ctx.goto(FLOW, "start", category=code, candidates=others)
    await _next(ctx)


@router.button("tkcats")
async def all_categories(ctx: Context) -> None:
    if not _in_flow(ctx, "confirm"):
        return await _expired(ctx)
    codes = catalog.category_codes()
    rows = [[(catalog.short_category_name(c), f"tkcat:{c}") for c in codes[i:i + 3]] for i in range(0, len(codes), 3)]
    ctx.reply("请选择最接近的问题类别：", [*rows, [cancel(ctx)]])


@router.button("tkok")
async def submit(ctx: Context) -> None:
    if not _in_flow(ctx, "confirm"):
        return await _expired(ctx)
    ctx.goto(FLOW, "confirm", anonymous=False)
    await _submit(ctx)


@router.button("tkanon")
async def submit_anonymously(ctx: Context) -> None:
    if not _in_flow(ctx, "confirm"):
        return await _expired(ctx)
    ctx.goto(FLOW, "confirm", anonymous=True)
    await _submit(ctx)


@router.button("tknew")
async def submit_anyway(ctx: Context) -> None:
    if not _in_flow(ctx, "duplicate"):
        return await _expired(ctx)
    await _submit(ctx, duplicates_checked=True)


async def _submit(ctx: Context, duplicates_checked: bool = False) -> None:
    d = ctx.data
    config = ticket_config(ctx)
    if not duplicates_checked:
        found = [t for t in await find_duplicates(ctx.session, d["estate_id"], d["category"], d.get("building"),
                                                  ctx.now, config)
                 if not await is_party(ctx.session, t, me(ctx))]
        if found:
            t = found[0]
            ctx.goto(FLOW, "duplicate")
            where = place_text(t.building, None, None, t.place)
            what = texts.short_category_name(t.category, ctx.lang) + (f"，{where}" if where else "")
            ctx.reply(say(ctx, "duplicate", number=t.number, what=what,
                          status=texts.status_name(TicketStatus(t.status), ctx.lang)),
                      [[(say(ctx, "btn.follow"), f"tkjoin:{t.id}"), (say(ctx, "btn.separate"), "tknew")],
                       [cancel(ctx)]])
            return
    draft = TicketDraft(
        estate_id=d["estate_id"], category=d["category"], text=d["text"], reporter_person_id=me(ctx),
        channel=ctx.incoming.channel, building=d.get("building"), unit=d.get("unit"), room=d.get("room"),
        place=d.get("place"), latitude=d.get("lat"), longitude=d.get("lon"), photos=tuple(d["photos"]),
        anonymous=bool(d.get("anonymous")), urgent=bool(d["urgent"]), urgency_reason=d.get("reason"))
    try:
        t = await open_ticket(ctx.session, draft, ctx.now, config)
    except TicketError as e:
        ctx.end_flow()
        ctx.reply(str(e))
        return
    ctx.end_flow()
    zone = (await estate_context(ctx.session, t.estate_id)).zone
    who = await handler_name(ctx.session, t)
    rows = [[(say(ctx, "btn.details"), f"tkadd:{t.id}"), (say(ctx, "btn.mine"), "tkmine")]]
    if t.urgent:
        ctx.reply(say(ctx, "submitted_urgent", number=t.number,
                      due=due_text(t.response_due or t.answer_due, zone, ctx.lang)), rows)
        return
    anonymous = say(ctx, "anonymous") if t.anonymous else ""
    ctx.reply(say(ctx, "submitted", anonymous=anonymous, number=t.number, office=who,
                  due=due_text(t.answer_due, zone, ctx.lang)), rows)


@router.button("tkjoin")
async def join(ctx: Context) -> None:
    from handlers.ticket_followup import ticket_from_payload

    t = await ticket_from_payload(ctx)
    if t is None:
        return
    try:
        added = await follow(ctx.session, t, me(ctx), ctx.now)
    except TicketError as e:
        ctx.reply(str(e))
        return
    if ctx.flow == FLOW:
        ctx.end_flow()
    ctx.reply(say(ctx, "followed" if added else "already_following", number=t.number),
              [[(say(ctx, "btn.mine"), "tkmine")]])


__all__ = ["cancel", "me", "router", "say", "start_complaint", "ticket_config"]
