"""The fee disclosure (收费公示) at the committee desk: the typed fields of the estate's draft, what the
schedule fills in, every problem that stops publication named, and publication as a notice to owners
(core.fees.publishing, as the chat and `linli fees disclosure` do)."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from bot.web.console.base import Missing, Refused, estate_in_reach, form_viewer, now, redirect, render, runtime, viewer
from bot.web.console.committee_base import form_fields, governed, local
from core.accounts import SignedIn
from core.fees.disclosure import FeeDisclosure, render_text
from core.fees.periods import format_date_zh
from core.fees.ledger import FeeError
from core.fees.publishing import (
    TYPED_FIELDS, DisclosureRefused, check, latest_published, parse_field, publish, save_draft)
from core.roles import Role
from storage.models import Estate

router = APIRouter()
NAMES = [f for f, _ in TYPED_FIELDS]
LONG = {"service_content", "service_standard", "service_staff", "legal_basis", "shared_utilities_method"}


async def _disclosing(s: Any, me: SignedIn, estate_id: int) -> Estate:
    """Disclosures are the committee's (or the property company's): a street office acting for an
    estate without a committee does not publish one."""
    estate = await governed(s, me, estate_id)
    try:
        await estate_in_reach(s, me, estate_id, [Role.COMMITTEE])
    except Missing:
        raise Refused("收费公示由业委会或物业服务企业发布") from None
    return estate


def _typed(d: FeeDisclosure) -> dict[str, str]:
    """The composed disclosure's typed fields as the form shows them."""
    out = {f: str(getattr(d, f) or "") for f in NAMES if f not in ("service_staff", "complaint_phones")}
    out["service_staff"] = "；".join(" ".join(x for x in (m.role, m.name, m.phone) if x) for m in d.service_staff)
    out["complaint_phones"] = "、".join(d.complaint_phones)
    return out


async def _page(request: Request, me: SignedIn, estate_id: int, values: dict[str, str] | None = None,
                error: str | None = None, status_code: int = 200) -> Response:
    async with runtime(request).db.session() as s:
        estate = await _disclosing(s, me, estate_id)
        c = await check(s, estate, now(request))
        last = await latest_published(s, estate.id)
    return render(request, me, "committee/disclosure.html", status_code=status_code, estate=estate,
                  fields=TYPED_FIELDS, long=LONG, values=values or _typed(c.disclosure), error=error,
                  problems=c.problems, items=c.disclosure.fee_items, text=render_text(c.disclosure),
                  effective=format_date_zh(c.disclosure.effective_from) if c.disclosure.effective_from else "",
                  last=local(last.published_at, estate) if last and last.published_at else "")


@router.get("/console/committee/{estate_id}/disclosure", response_class=HTMLResponse)
async def disclosure(request: Request, estate_id: int, me: SignedIn = Depends(viewer)) -> Response:
    return await _page(request, me, estate_id)


@router.post("/console/committee/{estate_id}/disclosure")
async def save(request: Request, estate_id: int, me: SignedIn = Depends(form_viewer)) -> Response:
    values = await form_fields(request, *NAMES)
    rt = runtime(request)
    try:
        async with rt.db.session() as s:
            estate = await _disclosing(s, me, estate_id)
            await save_draft(s, estate.id, {f: parse_field(f, values[f]) for f in NAMES}, now(request))
    except FeeError as e:
        return await _page(request, me, estate_id, values, str(e), 400)
    return redirect(f"/console/committee/{estate_id}/disclosure", flash="收费公示草稿已保存")


@router.post("/console/committee/{estate_id}/disclosure/publish")
async def publish_disclosure(request: Request, estate_id: int, me: SignedIn = Depends(form_viewer)) -> Response:
    rt = runtime(request)
    try:
        async with rt.db.session() as s:
            estate = await _disclosing(s, me, estate_id)
            _, notice = await publish(s, estate, Role.COMMITTEE, me.person_id, now(request))
            recipients = notice.recipients
    except DisclosureRefused as e:
        return await _page(request, me, estate_id, None,
                           "未发布：" + "；".join(p.message for p in e.problems), 400)
    except FeeError as e:
        return await _page(request, me, estate_id, None, str(e), 400)
    return redirect(f"/console/committee/{estate_id}/disclosure",
                    flash=f"收费公示已发布，已通知 {recipients} 位认证业主")
