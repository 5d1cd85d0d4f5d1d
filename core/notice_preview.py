"""Who a notice would reach, shown before it is published: the same audience query publish_notice
uses, reported as counts only (premises per building and unit, chat accounts per channel), so the
preview reveals no names, rooms or chat ids."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.notices import Audience, check_audience, audience_persons
from storage.models import Building, ChatIdentity, Premises, Residency

CHANNEL_NAMES = {"telegram": "Telegram", "wechat": "微信", "web": "网页聊天", "console": "后台"}


@dataclass(frozen=True)
class NoticePreview:
    audience: Audience
    persons: int  # notifications publish_notice will create, one per person
    premises: list[tuple[str, int]]  # ("3号楼2单元", premises with a verified resident)
    channels: list[tuple[str, int]]  # (channel name, active chat accounts)
    without_chat: int  # persons kept in 最近公告 but with no chat account to deliver to now


async def preview(session: AsyncSession, estate_id: int, audience: Audience) -> NoticePreview:
    """Raises NoticeError (as publishing would) when the building or unit is not in the estate."""
    await check_audience(session, estate_id, audience)
    persons = await audience_persons(session, estate_id, audience)
    q = (select(Building.number, Premises.unit_key, func.count(func.distinct(Premises.id)))
         .join(Residency, Residency.premises_id == Premises.id).join(Building, Building.id == Premises.building_id)
         .where(Premises.estate_id == estate_id))
    if audience.building:
        q = q.where(Building.number == audience.building)
    if audience.unit:
        q = q.where(Premises.unit_key == audience.unit)
    places = [(f"{b}号楼" + (f"{u}单元" if u else ""), int(n))
              for b, u, n in (await session.execute(q.group_by(Building.number, Premises.unit_key))).tuples()]
    places.sort(key=lambda p: (len(p[0]), p[0]))
    channels: list[tuple[str, int]] = []
    reached: set[int] = set()
    if persons:
        rows = await session.execute(
            select(ChatIdentity.channel, ChatIdentity.person_id)
            .where(ChatIdentity.person_id.in_(persons), ChatIdentity.active.is_(True)))
        by_channel: dict[str, int] = {}
        for channel, person_id in rows.tuples():
            by_channel[channel] = by_channel.get(channel, 0) + 1
            reached.add(person_id)
        channels = sorted(((CHANNEL_NAMES.get(c, c), n) for c, n in by_channel.items()), key=lambda x: -x[1])
    return NoticePreview(audience, len(persons), places, channels, len(persons) - len(reached))
