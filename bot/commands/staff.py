"""`linli staff …`: staff members and their API tokens (until the web console brings sessions)."""
from __future__ import annotations

from datetime import datetime, timezone

import click
from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands.common import in_session


@click.group("staff")
def staff_group() -> None:
    """Property, community and street staff: API tokens."""


@staff_group.command("list")
def list_() -> None:
    """Persons holding a staff role, with where they hold it."""
    from sqlalchemy import select

    from storage.models import Person, RoleGrant

    async def go(s: AsyncSession) -> list[tuple[int, str, str, str, int | None]]:
        rows = await s.execute(
            select(Person.id, Person.display_name, RoleGrant.role, RoleGrant.scope_kind, RoleGrant.scope_id)
            .join(RoleGrant, RoleGrant.person_id == Person.id)
            .where(RoleGrant.role.in_(["property_staff", "community_staff", "street_staff"]))
            .order_by(Person.id))
        return list(rows.tuples())

    for pid, name, role, kind, scope in in_session(go):
        click.echo(f"{pid}\t{name}\t{role}\t{kind}:{scope}")


@staff_group.command("token")
@click.option("--person-id", required=True, type=int, help="the staff member (see `linli staff list`)")
def token(person_id: int) -> None:
    """Mint a bearer token for the staff API. It is shown once; only its hash is kept."""
    from core.tickets.tokens import TokenError, mint_token

    async def go(s: AsyncSession) -> str:
        return await mint_token(s, person_id, datetime.now(timezone.utc))

    click.echo(in_session(go, (TokenError,)))


@staff_group.command("revoke")
@click.option("--person-id", required=True, type=int)
def revoke(person_id: int) -> None:
    """Revoke every token of a staff member (when they leave, or a token leaked)."""
    from core.tickets.tokens import revoke_tokens

    async def go(s: AsyncSession) -> int:
        return await revoke_tokens(s, person_id, datetime.now(timezone.utc))

    click.echo(f"已撤销 {in_session(go)} 个令牌")
