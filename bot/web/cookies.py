"""Signed cookie values: the web chat's visitor id cannot be forged or guessed."""
from __future__ import annotations

import hashlib
import hmac
import secrets


def sign(secret: str, value: str) -> str:
    mac = hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{value}.{mac}"


def unsign(secret: str, signed: str | None) -> str | None:
    if not signed or "." not in signed:
        return None
    value, mac = signed.rsplit(".", 1)
    good = hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()[:32]
    return value if hmac.compare_digest(mac, good) else None


def new_visitor_id() -> str:
    return "w" + secrets.token_urlsafe(18)
