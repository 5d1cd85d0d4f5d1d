"""`linli estate add|list`: the places an admin sets up before importing a register."""
from __future__ import annotations

import asyncio

import click

from bot.config import get_settings
from bot.runtime import start_runtime


@click.group("estate")
def estate_group() -> None:
    """Estates and the district, street office and community they belong to."""


@estate_group.command("add")
@click.option("--code", required=True, help="estate code, e.g. YG")
@click.option("--name", required=True, help="e.g. 阳光花园")
@click.option("--district", required=True, help="CODE or CODE:名称 to create it")
@click.option("--street", "street_office", required=True, help="street office, CODE or CODE:名称")
@click.option("--community", required=True, help="CODE or CODE:名称")
@click.option("--property-company", default=None, help="CODE or CODE:名称; omit when there is none")
@click.option("--management-type", default="market",
              type=click.Choice(["market", "basic", "quasi", "self_managed", "none"]))
@click.option("--committee/--no-committee", default=False, help="whether an owners' committee exists")
@click.option("--gas-emergency", default=None, help="the gas company's emergency line")
@click.option("--lift-emergency", default=None, help="the lift emergency line")
def add(code: str, name: str, district: str, street_office: str, community: str,
        property_company: str | None, management_type: str, committee: bool,
        gas_emergency: str | None, lift_emergency: str | None) -> None:
    """Add an estate (creating its district, street office and community if named with :名称)."""
    from core.places import CodeName, PlaceError, add_estate

    emergency = {k: v for k, v in (("gas", gas_emergency), ("lift", lift_emergency)) if v}

    async def go() -> None:
        rt = await start_runtime(get_settings(), seed=False)
        try:
            async with rt.db.session() as s:
                await add_estate(s, code=code, name=name, district=CodeName.parse(district),
                                 street_office=CodeName.parse(street_office),
                                 community=CodeName.parse(community),
                                 property_company=CodeName.parse(property_company) if property_company else None,
                                 management_type=management_type, committee_formed=committee,
                                 settings={"emergency": emergency} if emergency else {})
        finally:
            await rt.close()

    try:
        asyncio.run(go())
    except PlaceError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"已添加小区 {code} {name}")


@estate_group.command("list")
def list_() -> None:
    """List estates with their premises count."""
    from storage.repositories.register import RegisterRepository

    async def go() -> list[str]:
        rt = await start_runtime(get_settings(), seed=False)
        try:
            async with rt.db.session() as s:
                repo = RegisterRepository(s)
                return [f"{e.code}\t{e.name}\t{await repo.count_premises(e.id)} 户"
                        for e in await repo.estates()]
        finally:
            await rt.close()

    for line in asyncio.run(go()):
        click.echo(line)
