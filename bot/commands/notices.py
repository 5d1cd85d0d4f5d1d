"""`linli notice publish|list`: notices to an estate, a building or a unit, from the back office."""
from __future__ import annotations

from datetime import datetime, timezone

import click
from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands.fees import run_in_session


@click.group("notice")
def notice_group() -> None:
    """Notices (公告): publish to verified owners, list what was published."""


@notice_group.command("publish")
@click.option("--estate", "estate_code", required=True)
@click.option("--title", required=True)
@click.option("--body", required=True)
@click.option("--building", default=None, help="only this building")
@click.option("--unit", default=None, help="only this unit of --building")
@click.option("--as", "role", type=click.Choice(["property_staff", "committee", "street_staff"]),
              default="property_staff", help="who signs it")
def publish(estate_code: str, title: str, body: str, building: str | None, unit: str | None, role: str) -> None:
    """Publish a notice; every verified owner of the audience is notified in private."""
    from core.fees.ledger import estate_by_code
    from core.notices import Audience, publish_notice
    from core.roles import Role

    async def go(s: AsyncSession) -> str:
        estate = await estate_by_code(s, estate_code)
        audience = Audience(building, unit)
        n = await publish_notice(s, estate.id, title, body, audience, role=Role(role), by_person_id=None,
                                 now=datetime.now(timezone.utc))
        return f"已向{estate.name}{audience.label()}发布公告「{n.title}」（编号 {n.id}），通知 {n.recipients} 位认证业主"

    click.echo(run_in_session(go))


@notice_group.command("list")
@click.option("--estate", "estate_code", required=True)
@click.option("--limit", default=20, show_default=True)
def list_(estate_code: str, limit: int) -> None:
    """The estate's notices, newest first."""
    from core.fees.ledger import estate_by_code, estate_zone
    from core.notices import Audience, estate_notices

    async def go(s: AsyncSession) -> list[str]:
        estate = await estate_by_code(s, estate_code)
        zone = estate_zone(estate)
        return [f"{n.id}\t{n.published_at.astimezone(zone):%Y-%m-%d %H:%M}\t{Audience(n.building, n.unit).label()}\t{n.kind}\t"
                f"{n.title}\t{n.recipients} 人" for n in await estate_notices(s, estate.id, limit)]

    for line in run_in_session(go):
        click.echo(line)
