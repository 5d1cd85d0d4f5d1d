"""Votes through storage: announce, open (freeze the electorate), cast, tally in SQL, close and
publish, audit. The rules themselves live beside this module (electorate, rules, report)."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.notify import message, notify
from core.register_file import Choice, OwnerKind, RegisterRow, Use
from core.voting.electorate import build_electorate
from core.voting.matters import MATTERS, matter
from core.voting.report import explain, explain_deemed, verdict_json
from core.voting.rules import Count, Verdict, deemed_from_counts, verdict_from_counts
from storage.models import Building, Owner, Premises, Residency
from storage.models.votes import BallotEvent, Vote, VoteProxy, VoteVoter

NOTICE_PERIOD = timedelta(days=15)  # announced to all owners at least 15 days before it opens
PUBLISH_WITHIN = timedelta(days=3)
GENESIS = "0" * 64
CHOICE_NAMES = {"yes": "同意", "no": "反对", "abstain": "弃权"}


class VoteError(ValueError):
    """A refusal with a message for the person who asked (Chinese)."""


@dataclass(frozen=True)
class VoteDraft:
    estate_id: int
    title: str
    question: str
    matter_code: str
    opens_at: datetime
    closes_at: datetime
    deemed_rule: bool = False


@dataclass(frozen=True)
class Receipt:
    vote_id: int
    seq: int
    hash: str
    owner_code: str
    choice: str


def local_time(dt: datetime) -> str:
    from zoneinfo import ZoneInfo

    return dt.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")


def check_timeline(draft: VoteDraft, now: datetime) -> None:
    if not draft.title.strip() or not draft.question.strip():
        raise VoteError("表决需要标题和表决内容")
    if draft.opens_at < now + NOTICE_PERIOD:
        raise VoteError(f"表决须至少提前15日公告：最早可于 {local_time(now + NOTICE_PERIOD)} 开始")
    if draft.closes_at <= draft.opens_at:
        raise VoteError("截止时间必须晚于开始时间")


async def owners_of_estate(session: AsyncSession, estate_id: int) -> list[int]:
    """Persons verified as owners of a premises in the estate."""
    rows = await session.scalars(
        select(Residency.person_id).join(Premises, Premises.id == Residency.premises_id)
        .where(Premises.estate_id == estate_id, Residency.relation == "owner").distinct())
    return list(rows)


async def announce(session: AsyncSession, draft: VoteDraft, by_person_id: int | None, now: datetime) -> Vote:
    check_timeline(draft, now)
    m = matter(draft.matter_code)
    vote = Vote(estate_id=draft.estate_id, title=draft.title.strip(), question=draft.question.strip(),
                matter_code=m.code, matter_type=m.type.value, status="announced", announced_at=now,
                opens_at=draft.opens_at, closes_at=draft.closes_at, created_by_person_id=by_person_id,
                deemed_rule=draft.deemed_rule)
    session.add(vote)
    await session.flush()
    rule = "参与表决的专有部分面积和人数均过四分之三同意" if m.type.value == "major" else "参与表决的专有部分面积和人数均过半数同意"
    text = (f"【表决公告】{vote.title}\n{vote.question}\n事项：{m.title}\n"
            f"投票时间：{local_time(vote.opens_at)} 至 {local_time(vote.closes_at)}\n"
            f"通过条件：专有部分面积和人数均三分之二以上参与，且{rule}。\n届时可在此直接投票。")
    await notify(session, await owners_of_estate(session, vote.estate_id), message(text), "vote",
                 f"vote:{vote.id}:announce")
    return vote


async def _register_rows(session: AsyncSession, estate_id: int) -> tuple[list[RegisterRow], dict[str, set[str]], dict[str, int]]:
    rows = await session.execute(
        select(Premises, Building.number, Owner)
        .join(Building, Building.id == Premises.building_id).join(Owner, Owner.id == Premises.owner_id)
        .where(Premises.estate_id == estate_id).order_by(Premises.id))
    out: list[RegisterRow] = []
    buildings: dict[str, set[str]] = {}
    owner_ids: dict[str, int] = {}
    for i, (p, bnum, o) in enumerate(rows.tuples()):
        out.append(RegisterRow(estate=str(estate_id), building=bnum, unit=p.unit_key or None, room=p.room,
                               use=Use(p.use), area_registered=p.area_registered,
                               area_surveyed=p.area_surveyed, area_contract=p.area_contract,
                               owner_id=o.code, owner_name=o.name, owner_kind=OwnerKind(o.kind),
                               delivered=p.delivered, phone=None, row_number=i + 2))
        owner_ids[o.code] = o.id
        buildings.setdefault(o.code, set()).add(bnum)
    return out, buildings, owner_ids


async def open_vote(session: AsyncSession, vote: Vote, now: datetime) -> None:
    """Freeze the electorate from the register as it stands now, and open the ballot."""
    rows, buildings, owner_ids = await _register_rows(session, vote.estate_id)
    electorate = build_electorate(rows)
    names = {r.owner_id: r.owner_name for r in rows}
    dev = electorate.developer_id
    # The developer's person also covers the undelivered premises of buyers.
    if dev is not None:
        for code in electorate.represented_by_developer:
            buildings.setdefault(dev, set()).update(buildings.get(code, set()))
    await session.execute(insert(VoteVoter), [
        {"vote_id": vote.id, "owner_code": v.owner_id, "owner_id": owner_ids.get(v.owner_id),
         "name": names.get(v.owner_id, v.owner_id), "area": v.area,
         "buildings": sorted(buildings.get(v.owner_id, set()))}
        for v in electorate.voters.values()])
    vote.total_area = electorate.total_area
    vote.total_persons = electorate.total_persons
    vote.frozen_at = now
    vote.status = "open"
    await session.flush()
    text = (f"【表决开始】{vote.title}\n{vote.question}\n截止：{local_time(vote.closes_at)}\n"
            "请点击下方按钮表决，截止前可以修改，以最后一次为准。")
    await notify(session, await owners_of_estate(session, vote.estate_id),
                 message(text, [ballot_buttons(vote.id)]), "vote", f"vote:{vote.id}:open")


def ballot_buttons(vote_id: int) -> list[tuple[str, str]]:
    return [(CHOICE_NAMES[c], f"vote:{vote_id}:{c}") for c in ("yes", "no", "abstain")]


async def open_due(session: AsyncSession, now: datetime) -> list[Vote]:
    due = list(await session.scalars(select(Vote).where(Vote.status == "announced", Vote.opens_at <= now)))
    for v in due:
        await open_vote(session, v, now)
    return due


async def lock_vote(session: AsyncSession, vote_id: int) -> Vote:
    vote = await session.scalar(select(Vote).where(Vote.id == vote_id).with_for_update()
                                .execution_options(populate_existing=True))
    if vote is None:
        raise VoteError("没有这项表决")
    return vote


def _digest(prev: str, payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((prev + canonical).encode()).hexdigest()


async def cast(session: AsyncSession, vote_id: int, owner_code: str, choice: str, now: datetime, *,
               channel: str = "online", by_person_id: int | None = None, proxy: str | None = None,
               paper_ref: str | None = None) -> Receipt:
    """Record one ballot; a later ballot of the same person replaces the earlier one in the count.

    The vote row is locked first, so concurrent ballots append to the chain one at a time and a
    person's ballots are ordered; the latest always counts.
    """
    if choice not in CHOICE_NAMES:
        raise VoteError("表决意见只能是 同意、反对 或 弃权")
    if channel == "paper" and not paper_ref:
        raise VoteError("纸质表决票须注明扫描件编号")
    vote = await lock_vote(session, vote_id)
    if vote.status != "open" or not (vote.opens_at <= now < vote.closes_at):
        raise VoteError("这项表决不在投票时间内" if vote.status in ("open", "announced") else "这项表决已经结束")
    voter = await session.scalar(select(VoteVoter).where(VoteVoter.vote_id == vote_id,
                                                         VoteVoter.owner_code == owner_code))
    if voter is None:
        raise VoteError(f"业主编号 {owner_code} 不在本次表决的名册中")
    seq = vote.chain_length + 1
    payload = {"vote": vote.id, "seq": seq, "owner": owner_code, "choice": choice, "channel": channel,
               "at": now.isoformat(), "proxy": proxy, "paper_ref": paper_ref}
    digest = _digest(vote.chain_head, payload)
    session.add(BallotEvent(vote_id=vote.id, seq=seq, voter_id=voter.id, payload=payload,
                            prev_hash=vote.chain_head, hash=digest, cast_by_person_id=by_person_id,
                            created_at=now))
    voter.choice, voter.channel, voter.last_seq = choice, channel, seq
    vote.chain_head, vote.chain_length = digest, seq
    await session.flush()
    return Receipt(vote.id, seq, digest, owner_code, choice)


async def voters_for_person(session: AsyncSession, vote: Vote, person_id: int) -> list[VoteVoter]:
    """The voting persons this chat user may vote for: owners of premises they are verified for
    (the developer votes for undelivered premises, so a buyer of one does not), and registered proxies."""
    codes = set(await session.scalars(
        select(Owner.code).join(Premises, Premises.owner_id == Owner.id)
        .join(Residency, Residency.premises_id == Premises.id)
        .where(Residency.person_id == person_id, Premises.estate_id == vote.estate_id,
               Premises.delivered.is_(True), Owner.kind == "person")))
    voters = list(await session.scalars(select(VoteVoter).where(VoteVoter.vote_id == vote.id,
                                                                VoteVoter.owner_code.in_(codes))))
    proxied = list(await session.scalars(
        select(VoteVoter).join(VoteProxy, VoteProxy.voter_id == VoteVoter.id)
        .where(VoteProxy.vote_id == vote.id, VoteProxy.proxy_person_id == person_id)))
    seen = {v.id for v in voters}
    return voters + [v for v in proxied if v.id not in seen]


async def register_proxy(session: AsyncSession, vote_id: int, owner_code: str, proxy_name: str,
                         proxy_person_id: int | None, document_ref: str, by_person_id: int | None) -> VoteProxy:
    if not document_ref.strip():
        raise VoteError("登记委托须注明书面委托书的扫描件编号")
    voter = await session.scalar(select(VoteVoter).where(VoteVoter.vote_id == vote_id,
                                                         VoteVoter.owner_code == owner_code))
    if voter is None:
        raise VoteError(f"业主编号 {owner_code} 不在本次表决的名册中（表决开始后才能登记委托）")
    p = VoteProxy(vote_id=vote_id, voter_id=voter.id, proxy_name=proxy_name, proxy_person_id=proxy_person_id,
                  document_ref=document_ref, registered_by_person_id=by_person_id)
    session.add(p)
    await session.flush()
    return p


async def count(session: AsyncSession, vote: Vote) -> Verdict:
    """The tally, summed in the database by choice (no ballot is loaded into Python)."""
    rows = await session.execute(
        select(VoteVoter.choice, func.coalesce(func.sum(VoteVoter.area), 0), func.count(VoteVoter.id))
        .where(VoteVoter.vote_id == vote.id, VoteVoter.choice.is_not(None)).group_by(VoteVoter.choice))
    by = {c: Count(Decimal(int(a)).scaleb(-2), int(n)) for c, a, n in _raw_sums(rows)}
    zero = Count(Decimal("0.00"), 0)
    assert vote.total_area is not None and vote.total_persons is not None
    from core.voting.matters import MatterType

    return verdict_from_counts(Count(vote.total_area, vote.total_persons), by.get("yes", zero),
                               by.get("no", zero), by.get("abstain", zero), MatterType(vote.matter_type))


def _raw_sums(rows: Any) -> list[tuple[str, int, int]]:
    # SUM over a Hundredths column comes back converted; normalise to integer hundredths.
    out = []
    for c, a, n in rows.tuples():
        a = int(Decimal(a).scaleb(2)) if isinstance(a, Decimal) else int(a)
        out.append((c, a, n))
    return out


async def close_vote(session: AsyncSession, vote: Vote, now: datetime) -> dict[str, Any]:
    """Close, count and publish at once (well within the 3 days the spec allows)."""
    vote.status, vote.closed_at = "closed", now
    v = await count(session, vote)
    result: dict[str, Any] = {"verdict": verdict_json(v), "explanation": explain(v),
                              "no": {"area": f"{v.no.area:.2f}", "persons": v.no.persons},
                              "abstain": {"area": f"{v.abstain.area:.2f}", "persons": v.abstain.persons},
                              "chain_head": vote.chain_head, "chain_length": vote.chain_length}
    if vote.deemed_rule:
        d = deemed_from_counts(v)
        result["deemed"] = {"verdict": verdict_json(d.with_deemed), "explanation": explain_deemed(d)}
    vote.result = result
    vote.status, vote.published_at = "published", now
    await session.flush()
    outcome = "通过" if v.passed else "未通过"
    text = (f"【表决结果】{vote.title}：{outcome}\n\n{result['explanation']}"
            + (f"\n\n按本小区议事规则（未表决视为同意多数意见）：\n{result['deemed']['explanation']}"
               if "deemed" in result else "")
            + f"\n\n投票记录链校验值：{vote.chain_head[:16]}…（共 {vote.chain_length} 条），"
              "可凭回执核对自己的选票。")
    body = message(text)
    body["image"] = {"chart": "vote", "vote_id": vote.id}
    await notify(session, await owners_of_estate(session, vote.estate_id), body, "vote",
                 f"vote:{vote.id}:result")
    return result


async def close_due(session: AsyncSession, now: datetime) -> list[Vote]:
    due = list(await session.scalars(select(Vote).where(Vote.status == "open", Vote.closes_at <= now)))
    for v in due:
        await close_vote(session, v, now)
    return due


async def remind_non_voters(session: AsyncSession, vote: Vote, now: datetime) -> int:
    """A personal reminder to each owner who has not voted yet (at most once a day)."""
    silent = set(await session.scalars(
        select(VoteVoter.owner_code).where(VoteVoter.vote_id == vote.id, VoteVoter.choice.is_(None))))
    persons = set(await session.scalars(
        select(Residency.person_id).join(Premises, Premises.id == Residency.premises_id)
        .join(Owner, Owner.id == Premises.owner_id)
        .where(Premises.estate_id == vote.estate_id, Owner.code.in_(silent), Premises.delivered.is_(True))))
    text = f"【表决提醒】「{vote.title}」将于 {local_time(vote.closes_at)} 截止，您尚未表决，请点击下方按钮投票。"
    return await notify(session, persons, message(text, [ballot_buttons(vote.id)]), "vote",
                        f"vote:{vote.id}:remind:{now.date().isoformat()}")


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    length: int
    head: str
    problem: str | None = None


async def verify_chain(session: AsyncSession, vote_id: int) -> ChainCheck:
    """Recompute every hash and check the counted choices against the log's latest ballots."""
    vote = await session.get(Vote, vote_id)
    if vote is None:
        raise VoteError("没有这项表决")
    prev = GENESIS
    latest: dict[int, str] = {}
    n = 0
    for ev in await session.scalars(select(BallotEvent).where(BallotEvent.vote_id == vote_id)
                                    .order_by(BallotEvent.seq)):
        n += 1
        if ev.seq != n:
            return ChainCheck(False, n, prev, f"第{n}条记录缺失")
        if ev.prev_hash != prev or _digest(prev, ev.payload) != ev.hash:
            return ChainCheck(False, n, prev, f"第{ev.seq}条选票记录被改动")
        latest[ev.voter_id] = ev.payload["choice"]
        prev = ev.hash
    if prev != vote.chain_head or n != vote.chain_length:
        return ChainCheck(False, n, prev, "记录链末端与表决登记的校验值不一致（有记录被删除或追加）")
    for voter in await session.scalars(select(VoteVoter).where(VoteVoter.vote_id == vote_id)):
        if voter.choice != latest.get(voter.id):
            return ChainCheck(False, n, prev, f"业主 {voter.owner_code} 的计票意见与投票记录不一致")
    return ChainCheck(True, n, prev)


async def check_receipt(session: AsyncSession, vote_id: int, receipt: str) -> bool:
    chain = await verify_chain(session, vote_id)
    if not chain.ok:
        return False
    found = await session.scalar(select(BallotEvent.id).where(BallotEvent.vote_id == vote_id,
                                                              BallotEvent.hash == receipt.strip().lower()))
    return found is not None


__all__ = ["MATTERS", "Choice", "VoteDraft", "VoteError", "Receipt", "announce", "open_vote", "open_due",
           "cast", "count", "close_vote", "close_due", "remind_non_voters", "verify_chain",
           "check_receipt", "voters_for_person", "register_proxy", "PUBLISH_WITHIN"]
