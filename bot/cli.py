"""The `linli` command."""
from __future__ import annotations

import asyncio
import logging

import click

from bot.config import Settings, get_settings


def _settings() -> Settings:
    return get_settings()


@click.group()
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
    from bot.web.app import create_app

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
        click.echo(f"网页聊天 / web chat: {url}")
        config = uvicorn.Config(create_app(rt), host=host, port=port, log_level="warning")
        try:
            await uvicorn.Server(config).serve()
        finally:
            await rt.close()

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
    click.echo(f"database at {revision}")


def _register_commands() -> None:
    from bot.commands.register import register_group

    main.add_command(register_group)
    for module, attr in (("bot.commands.tally", "tally_command"), ("bot.commands.nlp", "nlp_group"),
                         ("bot.commands.nlp", "classify_command")):
        mod = __import__(module, fromlist=[attr])
        main.add_command(getattr(mod, attr))


_register_commands()

