"""The `linli` command."""
from __future__ import annotations

import asyncio
import importlib
import logging

import click

from bot.config import Settings, get_settings


def _settings() -> Settings:
    return get_settings()


class LazyGroup(click.Group):
    """Subcommands named here are imported on first use."""

    def __init__(self, *a: object, **kw: object) -> None:
        super().__init__(*a, **kw)  # type: ignore[arg-type]
        self.lazy: dict[str, str] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self.lazy))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy:
            module, attr = self.lazy[name].split(":")
            return getattr(importlib.import_module(module), attr)  # type: ignore[no-any-return]
        return super().get_command(ctx, name)


@click.group(cls=LazyGroup)
@click.option("-v", "--verbose", is_flag=True, help="more logging")
def main(verbose: bool) -> None:
    """邻里 Linli — chatbot and back office for residential estates."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


# -- run -------------------------------------------------------------------------------------
@main.command()
@click.option("--host", default=None, help="default: LINLI_HOST (127.0.0.1)")
@click.option("--port", default=None, type=int, help="default: LINLI_PORT (8080)")
def run(host: str | None, port: int | None) -> None:
    """Start Linli: migrations, demo estate (first time), web chat."""
    import uvicorn

    from bot.runtime import start_runtime
    from bot.services import run_services

    settings = _settings()
    host = host or settings.host
    port = port or settings.port

    async def serve() -> None:
        rt = await start_runtime(settings)
        url = f"http://{host}:{port}/chat"
        click.echo(f"邻里 Linli 已启动 · database: {settings.database_url}")
        if rt.demo and rt.demo.created:
            click.echo("已创建示范小区「阳光花园」(YG)。试用绑定房屋的验证码：")
            for place, code in rt.demo.codes:
                click.echo(f"  {place}  {code}")
            click.echo("试用工作人员身份的验证码（同样在聊天中输入）：")
            for label, code in rt.demo.invites:
                click.echo(f"  [{label}]  {code}")
            click.echo("后台账号（密码只显示这一次）：")
            for label, login, password in rt.demo.logins:
                click.echo(f"  <{label}>  {login}  {password}")
        click.echo(f"网页聊天 / web chat: {url}")
        click.echo(f"后台 / console: http://{host}:{port}/console")
        await run_services(rt, host, port)

    asyncio.run(serve())


# -- chat --------------------------------------------------------------------------------------
@main.command()
@click.option("--user", default=None, help="who you are in the console (default: your login)")
def chat(user: str | None) -> None:
    """Chat with Linli in the terminal."""
    from bot.channels.console import console_loop
    from bot.runtime import start_runtime

    async def go() -> None:
        rt = await start_runtime(_settings())
        try:
            await console_loop(rt, user)
        finally:
            await rt.close()

    asyncio.run(go())


# -- db ------------------------------------------------------------------------------------------
@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.option("--revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply Alembic migrations to LINLI_DATABASE_URL."""
    from storage.migrate import upgrade

    upgrade(_settings().database_url, revision)
    click.echo("database schema is up to date")


def _lazy(name: str, target: str) -> None:
    main.lazy[name] = target  # type: ignore[attr-defined]


# Imported only when invoked, so `linli classify` starts without loading the web stack.
_lazy("estate", "bot.commands.estate:estate_group")
_lazy("register", "bot.commands.register:register_group")
_lazy("tally", "bot.commands.tally:tally_command")
_lazy("vote", "bot.commands.vote:vote_group")
_lazy("fees", "bot.commands.fees:fees_group")
_lazy("notice", "bot.commands.notices:notice_group")
_lazy("staff", "bot.commands.staff:staff_group")
_lazy("console", "bot.commands.console:console_group")
_lazy("report", "bot.commands.report:report_group")
_lazy("office", "bot.commands.office:office_group")
_lazy("broadcast", "bot.commands.broadcast:broadcast_group")
_lazy("nlp", "bot.commands.nlp:nlp_group")
_lazy("classify", "bot.commands.nlp:classify_command")
