"""Notices (公告): the committee, property staff or the street office publish to an estate, a building
or a unit; each verified owner there is notified in private (core.notify), and notices are kept for
"最近公告". Every publication checks the publisher's role over that estate (product.md §1, §6)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.governance import estate_places, estates_where
from core.notify import message, notify
from core.roles import Actor, Role
from storage.models import Building, Estate, Premises, Residency
from storage.models.notices import Notice

PUBLISHERS = (Role.COMMITTEE, Role.PROPERTY_STAFF, Role.STREET_STAFF)
# Staff who read every notice of their estates, whatever its audience.
STAFF_READERS = (Role.COMMITTEE, Role.PROPERTY_STAFF, Role.COMMUNITY_STAFF, Role.STREET_STAFF)
SIGNATURES = {Role.COMMITTEE: "业主委员会", Role.PROPERTY_STAFF: "物业服务中心", Role.STREET_STAFF: "街道办事处"}
MAX_TITLE, MAX_BODY = 60, 3000


class NoticeError(ValueError):
    """A refusal with a Chinese message for the publisher."""


@dataclass(frozen=True)
class Audience:
    """The whole estate, one building, or one unit of a building."""

    building: str | None = None
    unit: str | None = None

    def __post_init__(self) -> None:
        if self.unit and not self.building:
            raise NoticeError("指定单元时须同时指定楼栋")

    def label(self) -> str:
        if not self.building:
            return "全小区"
        return f"{self.building}号楼" + (f"{self.unit}单元" if self.unit else "")

    def includes(self, building: str, unit: str) -> bool:
        return (not self.building or self.building == building) and (not self.unit or self.unit == unit)


async def publisher_role(session: AsyncSession, actor: Actor, estate_id: int,
                         roles: Sequence[Role] = PUBLISHERS) -> Role:
    places = await estate_places(session, [estate_id])
    if not places:
        raise NoticeError("小区不存在")
    role = next((r for r in roles if actor.holds(r, places[0][1])), None)
    if role is None:
        raise NoticeError("只有本小区的业委会、物业工作人员或街道工作人员可以发布公告")
    return role


async def audience_persons(session: AsyncSession, estate_id: int, audience: Audience) -> list[int]:
    """Verified owners of premises in the audience."""
    q = (select(Residency.person_id).join(Premises, Premises.id == Residency.premises_id)
         .join(Building, Building.id == Premises.building_id).where(Premises.estate_id == estate_id))
    if audience.building:
        q = q.where(Building.number == audience.building)
    if audience.unit:
        q = q.where(Premises.unit_key == audience.unit)
    return sorted(set(await session.scalars(q)))


async def check_audience(session: AsyncSession, estate_id: int, audience: Audience) -> None:
    if not audience.building:
        return
    q = (select(Premises.id).join(Building, Building.id == Premises.building_id)
         .where(Premises.estate_id == estate_id, Building.number == audience.building))
    if audience.unit:
        q = q.where(Premises.unit_key == audience.unit)
    if await session.scalar(q.limit(1)) is None:
        raise NoticeError(f"本小区没有{audience.label()}")


def render(notice: Notice, estate: Estate) -> str:
    """The notice as residents read it, signed by the publisher and dated in the estate's time."""
    signature = SIGNATURES.get(Role(notice.publisher_role), "")
    when = notice.published_at.astimezone(ZoneInfo(estate.timezone or "Asia/Shanghai")).strftime("%Y-%m-%d")
    scope = estate.name + ("" if not notice.building else Audience(notice.building, notice.unit).label())
    return f"【公告】{notice.title}\n{notice.body}\n——{scope}{signature}　{when}"


async def publish_notice(session: AsyncSession, estate_id: int, title: str, body: str, audience: Audience, *,
                         role: Role, by_person_id: int | None, now: datetime, kind: str = "notice",
                         ref_id: int | None = None, buttons: list[list[tuple[str, str]]] | None = None,
                         text: str | None = None) -> Notice:
    """Keep the notice and queue it for every verified owner of the audience, in one transaction.

    The caller has checked `role` over the estate (publisher_role). `text` replaces the standard
    rendering (a fee disclosure is its own message)."""
    title, body = title.strip(), body.strip()
    if not 2 <= len(title) <= MAX_TITLE:
        raise NoticeError(f"公告标题需要2到{MAX_TITLE}个字")
    if not body or len(body) > MAX_BODY:
        raise NoticeError(f"公告正文不能为空，且不超过{MAX_BODY}字")
    if role not in PUBLISHERS:
        raise NoticeError("只有业委会、物业工作人员或街道工作人员可以发布公告")
    estate = await session.get(Estate, estate_id)
    if estate is None:
        raise NoticeError("小区不存在")
    await check_audience(session, estate_id, audience)
    notice = Notice(estate_id=estate_id, kind=kind, title=title, body=body, building=audience.building or None,
                    unit=audience.unit or None, publisher_role=role.value, published_by_person_id=by_person_id,
                    published_at=now, ref_id=ref_id)
    session.add(notice)
    await session.flush()
    persons = await audience_persons(session, estate_id, audience)
    notice.recipients = await notify(session, persons, message(text or render(notice, estate), buttons),
                                     "notice", f"notice:{notice.id}")
    return notice


async def recent_for(session: AsyncSession, actor: Actor, limit: int = 5) -> list[tuple[Notice, Estate]]:
    """The latest notices this person may read, with the estate's name: staff see all of their
    estates'; an owner sees those addressed to the estate, building or unit of their premises."""
    staff = {e.id for e, _ in await estates_where(session, actor, STAFF_READERS)}
    homes: dict[int, list[tuple[str, str]]] = {}
    if actor.owned_premises:
        rows = await session.execute(
            select(Premises.estate_id, Building.number, Premises.unit_key)
            .join(Building, Building.id == Premises.building_id).where(Premises.id.in_(actor.owned_premises)))
        for estate_id, building, unit in rows.tuples():
            homes.setdefault(estate_id, []).append((building, unit))
    estate_ids = staff | homes.keys()
    if not estate_ids:
        return []
    rows = await session.execute(
        select(Notice, Estate).join(Estate, Estate.id == Notice.estate_id)
        .where(Notice.estate_id.in_(estate_ids)).order_by(Notice.published_at.desc(), Notice.id.desc())
        .limit(limit * 20))
    out = []
    for n, estate in rows.tuples():
        aud = Audience(n.building, n.unit)
        if n.estate_id in staff or any(aud.includes(b, u) for b, u in homes.get(n.estate_id, [])):
            out.append((n, estate))
        if len(out) == limit:
            break
    return out


async def estate_notices(session: AsyncSession, estate_id: int, limit: int = 20) -> list[Notice]:
    return list(await session.scalars(select(Notice).where(Notice.estate_id == estate_id)
                                      .order_by(Notice.published_at.desc(), Notice.id.desc()).limit(limit)))
