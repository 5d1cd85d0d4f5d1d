"""Configuration: `LINLI_`-prefixed environment variables and an optional `.env`.

Nothing needs setting for the embedded default: SQLite in the working directory, the web chat on
127.0.0.1:8080, the scheduler in process, the demo estate seeded once.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LINLI_", env_file=".env", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./linli.sqlite3"
    host: str = "127.0.0.1"
    port: int = 8080
    # Where people reach this installation (links sent in chat: console sign-in links).
    # Empty: http://<host>:<port>.
    public_url: str = ""
    # Proxies whose X-Forwarded-Proto/-For are believed (the reverse proxy in front of the workers):
    # behind TLS the console's session cookie is then marked Secure.
    forwarded_allow_ips: str = "127.0.0.1"
    # Signs web chat cookies and keys the hash of verification codes. Left empty, one is
    # generated on first start and kept in the database, so restarts keep working.
    secret_key: str = ""
    language: Literal["zh", "en"] = "zh"
    timezone: str = "Asia/Shanghai"
    # Photos residents upload and files Linli renders (charts, disclosures).
    data_dir: str = "./linli-data"
    max_upload_mb: int = 10
    demo: bool = Field(default=True, description="seed the demo estate on first start")

    verification_code_days: int = 30
    verification_max_failures: int = 5
    verification_window_minutes: int = 15

    telegram_token: str = ""
    telegram_framework: Literal["aiogram", "ptb"] = "aiogram"
    telegram_api_base: str = "https://api.telegram.org"
    telegram_webhook_url: str = ""
    telegram_webhook_secret: str = ""

    wechat_token: str = ""
    wechat_aes_key: str = ""
    wechat_appid: str = ""
    wechat_app_secret: str = ""  # only for customer-service messages (slow answers)
    wechat_api_base: str = "https://api.weixin.qq.com"
    wechat_reply_budget_seconds: float = Field(default=4.5, gt=0, le=4.9)
    wechat_max_age_seconds: int = Field(default=600, gt=0)
    wechat_menu_links: bool = True

    # Set (redis://host:6379/0): the platforms' send limits are shared by all workers through it.
    redis_url: str = ""
    # Prepended to every key, so several installations can share one Redis.
    redis_prefix: str = "linli:"
    # Ticket routing overrides per district, SLA profiles, retention: a JSON file (docs/tickets.md).
    tickets_config: str = ""


@lru_cache
def get_settings() -> Settings:
    return Settings()
