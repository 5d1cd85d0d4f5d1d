"""Linli as a WeChat Official Account (公众号): webhook, safe mode, customer-service messages.

`make_router(rt)` returns the APIRouter serving /wechat; include it in the web app.
"""
from bot.channels.wechat.webhook import WechatChannel, make_router

__all__ = ["WechatChannel", "make_router"]
