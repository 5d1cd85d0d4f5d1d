"""Who may use the ticket queue and the ticket page, and builders of tickets in the desk's data
(also used by the functional tests): a ticket of 阳光花园 opened through the service and moved
along by the staff who would do it, so a refusal is about jurisdiction or role, never absence."""
from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select

from core.tickets.lifecycle import Action, ActorRole
from core.tickets.rating import Rating
from core.tickets.service import TicketActor, TicketDraft, act, open_ticket, staff_actor
from storage.models import UploadedFile
from storage.models.tickets import TicketMessage
from storage.repositories.people import PeopleRepository
from tests.console.authz import Case, allow
from tests.console.conftest import Desk
from tests.web.browser import tiny_png

A = Action
Step = tuple[str, Action, dict[str, Any]]  # (who: a desk label or "resident", action, act's keywords)
ACCEPTED: list[Step] = [("property", A.ACCEPT, {})]
DISPATCHED: list[Step] = [*ACCEPTED, ("property", A.DISPATCH, {})]
ANSWERED: list[Step] = [*DISPATCHED, ("property", A.ANSWER, {"text": "已修复，请放心使用。"})]
RATED: list[Step] = [*ANSWERED, ("resident", A.RATE, {"rating": Rating.SATISFIED})]
STREET_ACCEPTED: list[Step] = [("street", A.ACCEPT, {})]


async def make_ticket(desk: Desk, steps: Sequence[Step] = (), *, category: str = "elevator",
                      text: str = "6号楼电梯坏了，一直停在8楼不动", estate_id: int | None = None,
                      photo: bool = False, urgent: bool = False, phone: str | None = "13812345678",
                      channel: str = "web") -> int:
    """A ticket reported by a new resident (张阿姨), moved through `steps`; returns its id."""
    async with desk.rt.db.session() as s:
        resident = await PeopleRepository(s).add_person("张阿姨")
        resident.phone = phone
        photos: tuple[str, ...] = ()
        if photo:
            token = secrets.token_hex(8)
            folder = Path(desk.rt.settings.data_dir) / "uploads"
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{token}.png"
            path.write_bytes(tiny_png())
            s.add(UploadedFile(token=token, chat_id="web:test", content_type="image/png", path=str(path)))
            photos = (f"web-upload:{token}",)
        t = await open_ticket(s, TicketDraft(estate_id=estate_id or desk.estate.id, category=category, text=text,
                                             reporter_person_id=resident.id, channel=channel, building="6",
                                             unit="2", room="801", photos=photos, urgent=urgent), desk.clock())
        for who, action, kw in steps:
            actor = (TicketActor(ActorRole.RESIDENT, resident.id) if who == "resident"
                     else await staff_actor(s, desk.people[who], t))
            await act(s, t, actor, action, desk.clock(), **kw)
        return t.id


def ticket_url(steps: Sequence[Step] = (), suffix: str = "", **kw: Any) -> Callable[[Desk], Awaitable[str]]:
    async def url(desk: Desk) -> str:
        return f"/console/tickets/{await make_ticket(desk, steps, **kw)}{suffix}"
    return url


async def photo_url(desk: Desk) -> str:
    tid = await make_ticket(desk, photo=True)
    async with desk.rt.db.session() as s:
        mid = await s.scalar(select(TicketMessage.id).where(TicketMessage.ticket_id == tid,
                                                            TicketMessage.photo_ref.is_not(None)))
    return f"/console/tickets/{tid}/photos/{mid}"


async def bulk_form(desk: Desk) -> dict[str, Any]:
    return {"action": "accept", "ticket": [str(await make_ticket(desk))]}


STAFF_DESKS = allow("property", "property_neighbour", "community", "street", "street_elsewhere")
SEES_YG_PROPERTY = allow("property", "community", "street")  # a property-level ticket of 阳光花园
PROPERTY = allow("property")

CASES = [
    Case("GET", "/console/tickets", STAFF_DESKS),
    Case("GET", "/console/tickets/overdue.json", STAFF_DESKS),
    # Each ticket is checked by itself: the route is every desk's, the refusals are in the summary.
    Case("POST", "/console/tickets/bulk", STAFF_DESKS, data=bulk_form),
    Case("GET", "/console/tickets/{ticket_id}", SEES_YG_PROPERTY, url=ticket_url()),
    Case("GET", "/console/tickets/{ticket_id}/photos/{message_id}", SEES_YG_PROPERTY, url=photo_url),
    Case("POST", "/console/tickets/{ticket_id}/accept", PROPERTY, url=ticket_url(suffix="/accept")),
    Case("POST", "/console/tickets/{ticket_id}/dispatch", allow("street"),
         url=ticket_url(STREET_ACCEPTED, "/dispatch", category="cooking_fumes", text="楼下饭店油烟太大"),
         data={"department": "environment"}),
    Case("POST", "/console/tickets/{ticket_id}/start", PROPERTY, url=ticket_url(DISPATCHED, "/start")),
    Case("POST", "/console/tickets/{ticket_id}/answer", PROPERTY, url=ticket_url(DISPATCHED, "/answer"),
         data={"text": "已联系维保单位修复。"}),
    Case("POST", "/console/tickets/{ticket_id}/extend", PROPERTY, url=ticket_url(ACCEPTED, "/extend"),
         data={"days": "3", "reason": "需要等待配件到货"}),
    Case("POST", "/console/tickets/{ticket_id}/return", PROPERTY, url=ticket_url(DISPATCHED, "/return"),
         data={"reason": "派错班组"}),
    Case("POST", "/console/tickets/{ticket_id}/close", PROPERTY, url=ticket_url(RATED, "/close")),
]
