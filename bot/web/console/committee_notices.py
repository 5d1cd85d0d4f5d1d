"""Notices (公告) from the committee desk: compose with an audience (estate, building, unit), preview who
receives it (counts only), then publish through core.notices as the CLI does."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from bot.web.console.base import form_viewer, now, redirect, render, runtime, viewer
from bot.web.console.committee_base import GOVERNORS, form_fields, governed
from core.accounts import SignedIn
from core.committee import buildings_of
from core.notice_preview import NoticePreview, preview
from core.notices import MAX_BODY, MAX_TITLE, Audience, NoticeError, publish_notice, publisher_role
from storage.models import Estate

router = APIRouter()
FIELDS = ("title", "body", "building", "unit", "previewed")


def _audience_key(values: dict[str, str]) -> str:
    return f"{values['building']}|{values['unit']}"


def _page(request: Request, me: SignedIn, estate: Estate, buildings: list[str], values: dict[str, str],
          seen: NoticePreview | None = None, error: str | None = None, status_code: int = 200) -> Response:
    return render(request, me, "committee/notice.html", status_code=status_code, estate=estate,
                  buildings=buildings, values=values, preview=seen, error=error, max_title=MAX_TITLE,
                  max_body=MAX_BODY, key=_audience_key(values))


@router.get("/console/committee/{estate_id}/notices/new", response_class=HTMLResponse)
async def compose(request: Request, estate_id: int, me: SignedIn = Depends(viewer)) -> Response:
    async with runtime(request).db.session() as s:
        estate = await governed(s, me, estate_id)
        buildings = await buildings_of(s, estate_id)
    return _page(request, me, estate, buildings, dict.fromkeys(FIELDS, ""))


async def _preview(request: Request, me: SignedIn, estate_id: int, values: dict[str, str],
                   note: str | None = None) -> Response:
    async with runtime(request).db.session() as s:
        estate = await governed(s, me, estate_id)
        buildings = await buildings_of(s, estate_id)
        try:
            seen = await preview(s, estate.id, Audience(values["building"] or None, values["unit"] or None))
        except NoticeError as e:
            return _page(request, me, estate, buildings, values, None, str(e), 400)
    return _page(request, me, estate, buildings, values, seen, note, 400 if note else 200)


@router.post("/console/committee/{estate_id}/notices/preview", response_class=HTMLResponse)
async def preview_notice(request: Request, estate_id: int, me: SignedIn = Depends(form_viewer)) -> Response:
    return await _preview(request, me, estate_id, await form_fields(request, *FIELDS))


@router.post("/console/committee/{estate_id}/notices")
async def publish(request: Request, estate_id: int, me: SignedIn = Depends(form_viewer)) -> Response:
    values = await form_fields(request, *FIELDS)
    if values["previewed"] != _audience_key(values):
        # Nobody publishes to an audience they have not seen the preview of.
        return await _preview(request, me, estate_id, values, "请先确认接收范围的预览，再发布")
    rt = runtime(request)
    try:
        async with rt.db.session() as s:
            await governed(s, me, estate_id)
            role = await publisher_role(s, me.actor, estate_id, GOVERNORS)
            audience = Audience(values["building"] or None, values["unit"] or None)
            n = await publish_notice(s, estate_id, values["title"], values["body"], audience, role=role,
                                     by_person_id=me.person_id, now=now(request))
            done = f"公告「{n.title}」已发布到{audience.label()}，已通知 {n.recipients} 位认证业主"
    except NoticeError as e:
        return await _preview(request, me, estate_id, values, str(e))
    return redirect("/console/committee", flash=done)
