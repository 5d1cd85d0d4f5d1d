"""`linli console …`: web console accounts and one-time sign-in links (for the admin)."""
from __future__ import annotations

from datetime import datetime, timezone

import click
from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands.common import in_session
from bot.config import get_settings


@click.group("console")
def console_group() -> None:
    """Web console accounts for committee, property, community, street staff and admins."""


@console_group.command("add")
@click.option("--person-id", required=True, type=int, help="who (see `linli staff list`)")
@click.option("--login", required=True, help="login name: letters, digits, - _ .")
@click.password_option(help="at least 10 characters (asked for when not given)")
def add(person_id: int, login: str, password: str) -> None:
    """Give a person who holds a console role a login name and password."""
    from core.accounts import AccountError, create_account

    async def go(s: AsyncSession) -> str:
        account = await create_account(s, person_id, login, password, datetime.now(timezone.utc))
        return account.login

    click.echo(f"后台账号已创建：{in_session(go, (AccountError,))}")


@console_group.command("password")
@click.option("--login", required=True)
@click.password_option(help="the new password; every open session of the account ends")
def password(login: str, password: str) -> None:
    """Set a new password (also lifts a lock-out)."""
    from core.accounts import AccountError, set_password

    async def go(s: AsyncSession) -> None:
        await set_password(s, login, password, datetime.now(timezone.utc))

    in_session(go, (AccountError,))
    click.echo("密码已更新，原有登录已全部退出。")


@console_group.command("link")
@click.option("--person-id", required=True, type=int)
def link(person_id: int) -> None:
    """Print a one-time sign-in link (valid 10 minutes) for a person with a console role."""
    from core.accounts import AccountError, issue_login_link

    async def go(s: AsyncSession) -> str:
        return await issue_login_link(s, person_id, datetime.now(timezone.utc))

    token = in_session(go, (AccountError,))
    s = get_settings()
    base = (s.public_url or f"http://{s.host}:{s.port}").rstrip("/")
    click.echo(f"{base}/console/link/{token}")
