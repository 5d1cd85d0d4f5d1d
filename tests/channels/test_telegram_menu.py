"""The command menu offers only commands the installation handles."""
from __future__ import annotations

from bot.channels.telegram.menu import MENU, menu_for
from handlers import default_routers, start
from handlers.dispatcher import Dispatcher, Services
from storage.db import Database


def test_menu_lists_only_handled_commands() -> None:
    db = Database("sqlite+aiosqlite://")  # never connected: the menu reads the routers only
    only_start = Dispatcher(db, Services(secret="x"), [start.router])
    assert [c.name for c in menu_for(only_start)] == ["start", "help", "cancel"]
    full = Dispatcher(db, Services(secret="x"), default_routers())
    assert [c.name for c in menu_for(full)] == [c.name for c in MENU]


def test_descriptions_fit_telegram() -> None:
    for c in MENU:
        assert c.name.islower() and c.name.isascii() and 1 <= len(c.name) <= 32
        assert 1 <= len(c.zh) <= 256 and 1 <= len(c.en) <= 256
