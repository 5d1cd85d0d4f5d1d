"""Telling people about tickets: residents (the reporter and followers, each in their language,
the reporter asked to rate an answer), staff on duty for urgent tickets, the street office when it
takes over supervision. Notifications go through core.notify in the caller's unit of work.
(Split from core.tickets.service.)"""
from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.notify import message, notify
from core.roles import Role
from core.tickets import catalog, texts
from core.tickets.config import TicketConfig
from core.tickets.lifecycle import Action, ActorRole, TicketState
from core.tickets.parties import department_name, followers, staff_over
from core.tickets.rating import Rating
from core.tickets.redact import redact_for_hidden_reporter
from core.tickets.state import EstateContext, due_text, place_text
from storage.models import Person
from storage.models.tickets import Ticket, TicketEvent

A = Action
RATE_CODES: Mapping[str, Rating] = {"s": Rating.SATISFIED, "b": Rating.BASICALLY_SATISFIED,
                                    "u": Rating.UNSATISFIED}
CODE_OF_RATING = {r: c for c, r in RATE_CODES.items()}


async def alert_urgent(session: AsyncSession, t: Ticket, ctx: EstateContext) -> None:
    """Tell on-duty property staff (the community where there is no property company) and the
    street office at once. settings["on_duty"] lists on-duty persons; else all property staff."""
    on_duty = [int(p) for p in (ctx.estate.settings or {}).get("on_duty", []) if str(p).isdigit()]
    first = Role.PROPERTY_STAFF if ctx.estate.property_company_id is not None else Role.COMMUNITY_STAFF
    people = set(on_duty or await staff_over(session, ctx.place, [first]))
    people |= set(await staff_over(session, ctx.place, [Role.STREET_STAFF]))
    hidden = t.anonymous or t.about_property
    where = place_text(t.building, None if hidden else t.unit, None if hidden else t.room, t.place)
    what = redact_for_hidden_reporter(t.description) if hidden else t.description
    text = (f"【紧急工单】{ctx.estate.name} {where}\n{catalog.category_name(t.category)}：{what}\n"
            f"工单 {t.number}，请立即处置并尽快受理（{due_text(t.response_due or t.answer_due, ctx.zone)}前）。")
    await notify(session, people, message(text), "ticket", f"ticket:{t.id}:urgent")


def rating_buttons(ticket_id: int, lang: str = "zh") -> list[list[tuple[str, str]]]:
    return [[(texts.rating_name(r, lang), f"tkrate:{ticket_id}:{c}") for c, r in RATE_CODES.items()]]


async def tell(session: AsyncSession, t: Ticket, ctx: EstateContext, action: Action, before: TicketState,
                new: TicketState, row: TicketEvent, text: str | None, config: TicketConfig) -> None:
    dept: str | None = None
    if action is A.DISPATCH and t.department and row.actor_role in (ActorRole.COMMUNITY_STAFF, ActorRole.STREET_STAFF):
        # Summoning a department is news; a property company's internal dispatch is not.
        dept = await department_name(session, t.street_office_id, t.department)

    def body(lang: str) -> str | None:
        head = texts.say(lang, "head", number=t.number, category=texts.category_name(t.category, lang))
        due = texts.due_text(t.answer_due, ctx.zone, lang)
        match action:
            case A.ACCEPT:
                return texts.say(lang, "accepted", head=head, due=due)
            case A.DISPATCH if dept is not None:
                return texts.say(lang, "dispatched", head=head, dept=dept)
            case A.ANSWER:
                return texts.say(lang, "answer", head=head, text=text)
            case A.EXTEND:
                return texts.say(lang, "extended", head=head, reason=row.reason, due=due)
            case A.REFER:
                why = texts.say(lang, "referred_why", reason=row.reason) if row.reason else ""
                return texts.say(lang, "referred", head=head, target=row.target) + why
            case A.MERGE:
                return texts.say(lang, "merged", head=head, target=row.target)
            case A.CLOSE:
                return texts.say(lang, "closed", head=head)
            case A.REOPEN:
                return texts.say(lang, "reopened", head=head, reason=row.reason, due=due)
            case A.ESCALATE:
                return texts.say(lang, "escalated", head=head)
        return None

    if body("zh") is not None:
        await tell_residents(session, t, row, body, action is A.ANSWER)
    if new.supervised and not before.supervised:
        street = await staff_over(session, ctx.place, [Role.STREET_STAFF])
        why = "居民再次不满意" if action is A.RATE else "超过办理期限"
        head = f"工单 {t.number}（{catalog.category_name(t.category)}）"
        await notify(session, street, message(f"【督办】{ctx.estate.name} {head}{why}，已转入街道督办队列。"),
                     "ticket", f"ticket:{t.id}:event:{row.id}:street")


async def tell_residents(session: AsyncSession, t: Ticket, row: TicketEvent, text: Callable[[str], str | None],
                          rate: bool) -> None:
    """The reporter and the followers, each in their language; only the reporter is asked to rate
    an answer."""
    key = f"ticket:{t.id}:event:{row.id}"
    people = [p for p in dict.fromkeys([t.reporter_person_id, *await followers(session, t.id)]) if p is not None]
    if not people:
        return
    langs = dict((await session.execute(select(Person.id, Person.language).where(Person.id.in_(people)))).tuples().all())
    for pid in people:
        lang = texts.lang_of(langs.get(pid))
        said = text(lang)
        if said is None:
            continue
        if rate and pid == t.reporter_person_id:
            body = message(f"{said}\n{texts.say(lang, 'rate_ask')}", rating_buttons(t.id, lang))
        else:
            body = message(said)
        await notify(session, [pid], body, "ticket", key)
