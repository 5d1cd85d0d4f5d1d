"""Linli on Telegram, through aiogram (default) or python-telegram-bot (docs/telegram.md).

`service.start_telegram(rt)` starts the channel (polling, or the webhook served by
`webhook.make_router(rt)`); `convert` is the translation both frameworks share.
"""
