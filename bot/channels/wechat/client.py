"""The few WeChat server APIs Linli calls: access token, customer-service messages, image upload.

Customer-service messages (客服消息) carry answers that were not ready within the passive-reply
budget; WeChat accepts them for 48 hours after the user last wrote.
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx

log = logging.getLogger(__name__)

# errcodes meaning "this access token is no good": fetch a fresh one and try once more.
TOKEN_ERRORS = {40001, 40014, 41001, 42001}
BUSY = -1  # 系统繁忙
RETRIES = 3


class WechatApiError(RuntimeError):
    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"WeChat API error {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


class WechatClient:
    def __init__(self, appid: str, secret: str, api_base: str = "https://api.weixin.qq.com", *,
                 http: httpx.AsyncClient | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.appid = appid
        self.secret = secret
        self.api_base = api_base.rstrip("/")
        self.http = http or httpx.AsyncClient(timeout=httpx.Timeout(10.0))
        self.clock = clock
        self._token: str | None = None
        self._expires = 0.0
        self._token_lock = asyncio.Lock()

    async def aclose(self) -> None:
        await self.http.aclose()

    # -- access token --------------------------------------------------------------------------
    async def access_token(self, *, refresh: bool = False) -> str:
        """The cached token; the stable-token API hands every worker the same one."""
        async with self._token_lock:
            if refresh or self._token is None or self.clock() >= self._expires:
                if not (self.appid and self.secret):
                    raise WechatApiError(41002, "LINLI_WECHAT_APPID / LINLI_WECHAT_APP_SECRET not set")
                data = await self._call("POST", "/cgi-bin/stable_token", json={
                    "grant_type": "client_credential", "appid": self.appid, "secret": self.secret,
                    "force_refresh": False})
                self._token = str(data["access_token"])
                # Renew a minute early; WeChat keeps the old token valid for 5 minutes anyway.
                self._expires = self.clock() + max(int(data.get("expires_in", 7200)) - 60, 30)
            return self._token

    async def _authed(self, method: str, path: str, params: dict[str, str] | None = None,
                      **kw: Any) -> dict[str, Any]:
        token = await self.access_token()
        try:
            return await self._call(method, path, params={**(params or {}), "access_token": token}, **kw)
        except WechatApiError as e:
            if e.errcode not in TOKEN_ERRORS:
                raise
            log.info("WeChat refused the access token (%s); fetching a new one", e.errcode)
        token = await self.access_token(refresh=True)
        return await self._call(method, path, params={**(params or {}), "access_token": token}, **kw)

    async def _call(self, method: str, path: str, **kw: Any) -> dict[str, Any]:
        """One API call, retried on network errors, 5xx and "system busy"."""
        delay = 0.5
        for attempt in range(1, RETRIES + 1):
            try:
                r = await self.http.request(method, self.api_base + path, **kw)
                if r.status_code >= 500:
                    raise httpx.HTTPStatusError(f"HTTP {r.status_code}", request=r.request, response=r)
                data: dict[str, Any] = r.json()
                errcode = int(data.get("errcode", 0) or 0)
                if errcode == BUSY and attempt < RETRIES:
                    raise httpx.HTTPStatusError("system busy", request=r.request, response=r)
                if errcode:
                    raise WechatApiError(errcode, str(data.get("errmsg", "")))
                return data
            except (httpx.TransportError, httpx.HTTPStatusError) as e:
                if attempt == RETRIES:
                    raise
                log.warning("WeChat API %s failed (%s); retrying", path, e)
                await asyncio.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    # -- messages ------------------------------------------------------------------------------
    async def send_text(self, openid: str, content: str) -> None:
        await self._send({"touser": openid, "msgtype": "text", "text": {"content": content}})

    async def send_image(self, openid: str, media_id: str) -> None:
        await self._send({"touser": openid, "msgtype": "image", "image": {"media_id": media_id}})

    async def _send(self, body: dict[str, Any]) -> None:
        # Raw UTF-8: WeChat shows \uXXXX escapes literally in some clients.
        await self._authed("POST", "/cgi-bin/message/custom/send",
                           content=json.dumps(body, ensure_ascii=False).encode(),
                           headers={"Content-Type": "application/json; charset=utf-8"})

    async def upload_image(self, filename: str, content_type: str, data: bytes) -> str:
        """A temporary image (kept 3 days by WeChat) to send by media_id."""
        res = await self._authed("POST", "/cgi-bin/media/upload", params={"type": "image"},
                                 files={"media": (filename, data, content_type)})
        return str(res["media_id"])
