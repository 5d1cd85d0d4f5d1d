"""The bot's command menu (the "/" button in Telegram), in Chinese and English."""
from __future__ import annotations

from dataclasses import dataclass

from bot.channels.telegram.api import TelegramApi
from handlers.dispatcher import Dispatcher


@dataclass(frozen=True)
class MenuCommand:
    name: str
    zh: str
    en: str


# In menu order: what every resident may use (staff commands stay out of everyone's menu).
# A capability that adds a resident command adds its line here.
MENU = (
    MenuCommand("start", "开始使用邻里", "Start Linli"),
    MenuCommand("bind", "绑定房屋（输入验证码）", "Bind your flat with a code"),
    MenuCommand("me", "我的信息", "My details"),
    MenuCommand("vote", "参与业主表决", "Owners' votes"),
    MenuCommand("help", "帮助", "Help"),
    MenuCommand("cancel", "取消当前操作", "Cancel the current step"),
)


def registered_commands(dispatcher: Dispatcher) -> set[str]:
    return {name for r in dispatcher.routers for c in r.commands for name in c.names}


def menu_for(dispatcher: Dispatcher) -> list[MenuCommand]:
    """The menu, less any command this installation does not handle: the menu never offers
    something the bot would not understand."""
    known = registered_commands(dispatcher)
    return [c for c in MENU if c.name in known]


async def set_menu(api: TelegramApi, dispatcher: Dispatcher) -> list[MenuCommand]:
    """Chinese for everyone by default; English for clients set to English."""
    items = menu_for(dispatcher)
    await api.set_commands([(c.name, c.zh) for c in items], None)
    await api.set_commands([(c.name, c.en) for c in items], "en")
    return items
