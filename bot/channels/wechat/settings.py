"""The WeChat channel's options, taken from the installation's Settings (`LINLI_WECHAT_*`)."""
from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings


@dataclass(frozen=True)
class WechatSettings:
    # Needed only for customer-service messages (answers that take longer than the budget).
    app_secret: str = ""
    api_base: str = "https://api.weixin.qq.com"
    # WeChat waits 5 s for a passive reply; keep a margin for the network.
    reply_budget_seconds: float = 4.5
    # Pushes whose timestamp is further off than this are refused as replays (in plain mode the
    # signature does not cover the body). WeChat re-sends within ~15 s; servers keep NTP time.
    max_age_seconds: int = 600
    # Render choices as tappable menu links (weixin://bizmsgmenu); off: plain numbered lines.
    menu_links: bool = True

    @classmethod
    def from_settings(cls, s: Settings) -> WechatSettings:
        return cls(app_secret=s.wechat_app_secret, api_base=s.wechat_api_base,
                   reply_budget_seconds=s.wechat_reply_budget_seconds,
                   max_age_seconds=s.wechat_max_age_seconds, menu_links=s.wechat_menu_links)
