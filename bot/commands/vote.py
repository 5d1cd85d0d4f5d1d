"""`linli vote …`: paper ballots and proxies entered by staff, results, and audit of the chain."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from typing import Any, TypeVar

import click
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands.common import in_session

T = TypeVar("T")
CHOICES = {"yes": "yes", "no": "no", "abstain": "abstain", "同意": "yes", "反对": "no", "弃权": "abstain"}


def _in_session(fn: Callable[[AsyncSession], Awaitable[T]]) -> T:
    from core.voting.service import VoteError

    return in_session(fn, (VoteError,))


@click.group("vote")
def vote_group() -> None:
    """Owners' votes: list, paper ballots, proxies, results, audit."""


@vote_group.command("list")
def list_() -> None:
    from storage.models.votes import Vote

    async def go(s: AsyncSession) -> list[Any]:
        return list(await s.scalars(select(Vote).order_by(Vote.id)))

    for v in _in_session(go):
        click.echo(f"{v.id}\t{v.status}\t{v.title}\t{v.opens_at:%Y-%m-%d} → {v.closes_at:%Y-%m-%d}\t"
                   f"{v.chain_length} 条选票记录")


@vote_group.command("paper")
@click.argument("vote_id", type=int)
@click.option("--owner", "owner_code", required=True, help="业主编号 as in the register")
@click.option("--choice", required=True, type=click.Choice(list(CHOICES)))
@click.option("--ref", "paper_ref", required=True, help="the scanned sheet's reference")
@click.option("--proxy", default=None, help="the registered proxy who signed it")
def paper(vote_id: int, owner_code: str, choice: str, paper_ref: str, proxy: str | None) -> None:
    """Enter a paper ballot (counted with online ballots; the latest of a person counts)."""
    from core.voting.service import cast

    async def go(s: AsyncSession) -> Any:
        return await cast(s, vote_id, owner_code, CHOICES[choice], datetime.now(timezone.utc),
                          channel="paper", proxy=proxy, paper_ref=paper_ref)

    r = _in_session(go)
    click.echo(f"已录入纸质表决票：{owner_code} {choice}，回执 {r.hash}")


@vote_group.command("proxy")
@click.argument("vote_id", type=int)
@click.option("--owner", "owner_code", required=True)
@click.option("--name", "proxy_name", required=True, help="the proxy's name")
@click.option("--ref", "document_ref", required=True, help="the scanned written proxy (书面委托)")
def proxy(vote_id: int, owner_code: str, proxy_name: str, document_ref: str) -> None:
    """Register a written proxy for one owner in one vote."""
    from core.voting.service import register_proxy

    async def go(s: AsyncSession) -> Any:
        return await register_proxy(s, vote_id, owner_code, proxy_name, None, document_ref, None)

    _in_session(go)
    click.echo(f"已登记委托：{proxy_name} 代 {owner_code} 表决（{document_ref}）")


@vote_group.command("result")
@click.argument("vote_id", type=int)
def result(vote_id: int) -> None:
    """The current count (before the close) or the published result."""
    from core.voting.report import explain
    from core.voting.service import count
    from storage.models.votes import Vote

    async def go(s: AsyncSession) -> str:
        v = await s.get(Vote, vote_id)
        if v is None:
            raise click.ClickException("没有这项表决")
        if v.result:
            return str(v.result["explanation"])
        if v.total_area is None:
            return "表决尚未开始"
        return "（当前计票，尚未截止）\n" + explain(await count(s, v))

    click.echo(_in_session(go))


@vote_group.command("verify")
@click.argument("vote_id", type=int)
@click.option("--receipt", default=None, help="a voter's receipt to look up")
def verify(vote_id: int, receipt: str | None) -> None:
    """Recompute the ballot chain; with --receipt, check that ballot is in it."""
    from core.voting.service import check_receipt, verify_chain

    async def go(s: AsyncSession) -> tuple[Any, bool | None]:
        chain = await verify_chain(s, vote_id)
        found = await check_receipt(s, vote_id, receipt) if receipt else None
        return chain, found

    chain, found = _in_session(go)
    if not chain.ok:
        click.echo(f"校验失败：{chain.problem}", err=True)
        raise SystemExit(1)
    click.echo(f"记录链完整：{chain.length} 条，末端校验值 {chain.head}")
    if found is not None:
        click.echo("回执在记录链中，选票已计入。" if found else "回执不在记录链中。")
        if not found:
            raise SystemExit(1)


@vote_group.command("audit")
@click.argument("vote_id", type=int)
def audit(vote_id: int) -> None:
    """Every ballot event of the chain, in order, for auditors (not for publication)."""
    from storage.models.votes import BallotEvent

    async def go(s: AsyncSession) -> list[Any]:
        return list(await s.scalars(select(BallotEvent).where(BallotEvent.vote_id == vote_id)
                                    .order_by(BallotEvent.seq)))

    for ev in _in_session(go):
        p = ev.payload
        extra = " ".join(f"{k}={p[k]}" for k in ("proxy", "paper_ref") if p.get(k))
        click.echo(f"{ev.seq}\t{p['at']}\t{p['owner']}\t{p['choice']}\t{p['channel']}\t{ev.hash}\t{extra}".rstrip())
