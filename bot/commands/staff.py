"""`linli staff …`: staff members and their API tokens (until the web console brings sessions)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

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


STAFF_SCOPES = {"property_staff": "estate", "community_staff": "community", "street_staff": "street_office"}
SCOPE_ZH = {"estate": "小区", "community": "社区", "street_office": "街道"}


@staff_group.command("invite")
@click.option("--role", required=True, type=click.Choice(list(STAFF_SCOPES)))
@click.option("--scope", "scope_code", required=True,
              help="the estate (property staff), community or street office (by code) they work for")
@click.option("--name", default="", help="how they are shown to colleagues, e.g. 物业·张工")
def invite(role: str, scope_code: str, name: str) -> None:
    """A one-time code that gives a staff role to the chat account that sends it to Linli: how a
    staff member's Telegram account comes to act in the office's staff group."""
    from sqlalchemy import select

    from bot.config import get_settings
    from bot.runtime import verification_policy
    from core.people import installation_secret
    from core.verification import issue_role_invite
    from storage.models import Community, Estate, StreetOffice

    kind = STAFF_SCOPES[role]
    model: Any = {"estate": Estate, "community": Community, "street_office": StreetOffice}[kind]

    async def go(s: AsyncSession) -> str:
        row = await s.scalar(select(model).where(model.code == scope_code))
        if row is None:
            raise click.ClickException(f"没有编码为 {scope_code} 的{SCOPE_ZH[kind]}")
        settings = get_settings()
        secret = await installation_secret(s, settings.secret_key)
        return await issue_role_invite(s, secret, role, kind, row.id, name, datetime.now(timezone.utc),
                                       verification_policy(settings))

    code = in_session(go)
    click.echo(code)
    click.echo("请本人在 Telegram（或微信、网页）私聊邻里发送：/bind " + code, err=True)
