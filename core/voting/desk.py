"""What the committee does at a desk with a vote, through the same service as the chat and the CLI:
open it once its notice period is over, enter paper ballots and written proxies by premises, and
publish the result once it has closed. Each step refuses with a Chinese message (VoteError)."""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.voting.service import (
    CHOICE_NAMES, Receipt, VoteError, local_time, lock_vote, cast, close_vote, open_vote, register_proxy)
from storage.models import Building, Owner, Premises
from storage.models.votes import Vote, VoteProxy, VoteVoter

STATUS_NAMES = {"announced": "公告中", "open": "投票中", "closed": "已截止", "published": "已公布结果",
                "cancelled": "已取消"}
_SUFFIX = re.compile(r"(号楼|栋|幢|单元|室|号)$")


async def open_when_due(session: AsyncSession, vote_id: int, now: datetime) -> Vote:
    """Open the ballot (freezing the electorate) once the announced opening time has come; the
    scheduler does the same every minute, this lets the committee start at once."""
    vote = await lock_vote(session, vote_id)
    if vote.status != "announced":
        raise VoteError(f"这项表决{STATUS_NAMES.get(vote.status, vote.status)}，不能再开始")
    if now < vote.opens_at:
        raise VoteError(f"公告期未满：表决定于 {local_time(vote.opens_at)} 开始")
    await open_vote(session, vote, now)
    return vote


async def publish_when_closed(session: AsyncSession, vote_id: int, now: datetime) -> Vote:
    """Close, count and publish the result, only once the voting time is over."""
    vote = await lock_vote(session, vote_id)
    if vote.status == "published":
        raise VoteError("结果已经公布")
    if vote.status != "open":
        raise VoteError("表决尚未开始，没有可公布的结果")
    if now < vote.closes_at:
        raise VoteError(f"表决尚未截止（{local_time(vote.closes_at)} 截止），截止后才能公布结果")
    await close_vote(session, vote, now)
    return vote


def clean_place(text: str) -> str:
    """"3号楼" → "3", " 502室" → "502": staff type premises as they say them."""
    return _SUFFIX.sub("", text.strip()).strip()


async def voter_for_premises(session: AsyncSession, vote: Vote, building: str, unit: str, room: str) -> VoteVoter:
    """The voter of the frozen electorate who votes for these premises: its owner, or the developer
    for premises not yet delivered (register-format.md)."""
    b, u, r = clean_place(building), clean_place(unit), clean_place(room)
    if not b or not r:
        raise VoteError("请填写楼栋和房号")
    label = f"{b}号楼" + (f"{u}单元" if u else "") + r
    found = (await session.execute(
        select(Premises, Owner).join(Building, Building.id == Premises.building_id)
        .join(Owner, Owner.id == Premises.owner_id)
        .where(Premises.estate_id == vote.estate_id, Building.number == b, Premises.unit_key == u,
               Premises.room == r))).tuples().first()
    if found is None:
        raise VoteError(f"本小区名册中没有 {label}")
    premises, owner = found
    code = owner.code
    if owner.kind != "developer" and not premises.delivered:
        developer = await session.scalar(select(Owner.code).where(Owner.estate_id == vote.estate_id,
                                                                  Owner.kind == "developer").limit(1))
        code = developer or code
    voter = await session.scalar(select(VoteVoter).where(VoteVoter.vote_id == vote.id,
                                                         VoteVoter.owner_code == code))
    if voter is None:
        raise VoteError(f"{label} 的业主不在本次表决的名册中（表决开始后才有名册）")
    return voter


async def enter_paper_ballot(session: AsyncSession, vote_id: int, building: str, unit: str, room: str,
                             choice: str, paper_ref: str, by_person_id: int | None, now: datetime) -> Receipt:
    """A paper ballot by premises; counted with the online ones (the latest of a person counts)."""
    if choice not in CHOICE_NAMES:
        raise VoteError("请选择表决意见：同意、反对 或 弃权")
    if not paper_ref.strip():
        raise VoteError("纸质表决票须注明扫描件编号")
    vote = await session.get(Vote, vote_id)
    if vote is None:
        raise VoteError("没有这项表决")
    voter = await voter_for_premises(session, vote, building, unit, room)
    proxy = await session.scalar(select(VoteProxy.proxy_name).where(VoteProxy.vote_id == vote_id,
                                                                    VoteProxy.voter_id == voter.id))
    return await cast(session, vote_id, voter.owner_code, choice, now, channel="paper", by_person_id=by_person_id,
                      proxy=proxy, paper_ref=paper_ref.strip())


async def enter_proxy(session: AsyncSession, vote_id: int, building: str, unit: str, room: str, proxy_name: str,
                      document_ref: str, by_person_id: int | None) -> VoteProxy:
    """A written proxy (书面委托) for the owner of these premises, as `linli vote proxy` registers it."""
    if not proxy_name.strip():
        raise VoteError("请填写受托人姓名")
    vote = await session.get(Vote, vote_id)
    if vote is None:
        raise VoteError("没有这项表决")
    voter = await voter_for_premises(session, vote, building, unit, room)
    if await session.scalar(select(VoteProxy.id).where(VoteProxy.vote_id == vote_id,
                                                       VoteProxy.voter_id == voter.id)) is not None:
        raise VoteError("该业主在本次表决中已登记过委托")
    return await register_proxy(session, vote_id, voter.owner_code, proxy_name.strip(), None, document_ref.strip(),
                                by_person_id)
