"""What the property view's pages share: the estate in the viewer's reach, and how it is shown."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from bot.web.console.base import estate_in_reach, render, require_role
from core.accounts import SignedIn
from core.fees.ledger import estate_zone
from core.fees.money import format_cny
from core.roles import Role
from storage.models import Estate

# One router for the property view's pages, spread over property*.py (property.py imports them all).
router = APIRouter()
ROLES = (Role.PROPERTY_STAFF,)
MAX_UPLOAD = 5 * 1024 * 1024  # a payment export of a large estate is well below this


async def property_estate(session: AsyncSession, me: SignedIn, estate_id: int) -> Estate:
    """Property staff only (403 for other roles); an estate they do not serve answers 404."""
    require_role(me, *ROLES)
    estate, _ = await estate_in_reach(session, me, estate_id, ROLES)
    return estate


def page(request: Request, me: SignedIn, template: str, estate: Estate | None, tab: str = "",
         status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a property page with money and local-time formatting at hand."""
    zone = estate_zone(estate) if estate is not None else None

    def local(t: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        return "" if t is None else (t.astimezone(zone) if zone else t).strftime(fmt)

    def cny(v: Decimal) -> str:
        return format_cny(v)

    return render(request, me, template, status_code=status_code, estate=estate, tab=tab, cny=cny,
                  local=local, **context)


async def read_upload(file: UploadFile | None) -> tuple[bytes, str] | str:
    """The uploaded bytes and file name, or a message saying what is wrong with the upload."""
    if file is None or not file.filename:
        return "请选择要上传的文件（CSV 或 XLSX）"
    name = file.filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    if not name.lower().endswith((".csv", ".xlsx")):
        return f"只能上传 CSV 或 XLSX 文件，而不是「{name}」"
    data = await file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        return "文件超过 5 MB，请分批导入"
    if not data:
        return f"文件「{name}」是空的"
    return data, name
