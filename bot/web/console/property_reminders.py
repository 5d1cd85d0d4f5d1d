"""Arrears reminders at the property desk: who would be reminded now and why not the others, the
run (the scheduler job's own send_reminders for this estate, recorded), and the collection-rate chart."""
from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import Response

from bot.web.console.base import form_viewer, now, redirect, runtime, viewer
from bot.web.console.property_base import page, property_estate, router
from core.accounts import SignedIn
from core.fees import desk
from core.fees.drawing import rate_chart
from core.fees.ledger import estate_zone
from core.fees.reminders import PER_PERIOD, QUIET_FROM, QUIET_UNTIL
from core.fees.service import collection, send_reminders



@router.get("/console/property/{estate_id}/reminders")
async def reminders(request: Request, estate_id: int, me: SignedIn = Depends(viewer)) -> Response:
    at = now(request)
    async with runtime(request).db.session() as s:
        estate = await property_estate(s, me, estate_id)
        found = await desk.reminder_preview(s, estate, at)
        sent = await desk.recent_reminders(s, estate.id)
    return page(request, me, "property/reminders.html", estate, "reminders", preview=found, sent=sent,
                at=at.astimezone(estate_zone(estate)), rules={
                    "quiet": f"{QUIET_FROM:%H:%M}—{QUIET_UNTIL:%H:%M}", "per_period": PER_PERIOD})


@router.post("/console/property/{estate_id}/reminders/run")
async def run(request: Request, estate_id: int, me: SignedIn = Depends(form_viewer)) -> Response:
    async with runtime(request).db.session() as s:
        estate = await property_estate(s, me, estate_id)
        count = await send_reminders(s, estate, now(request))
    flash = f"已提醒 {count} 户（私信业主，已记录）" if count else "现在没有可以发送的提醒，未发送任何消息"
    return redirect(f"/console/property/{estate.id}/reminders", flash=flash)


@router.get("/console/property/{estate_id}/collection.png")
async def collection_chart(request: Request, estate_id: int, me: SignedIn = Depends(viewer)) -> Response:
    async with runtime(request).db.session() as s:
        estate = await property_estate(s, me, estate_id)
        report = await collection(s, estate, now(request))
    bars = [(str(c.key[1]), c.percent) for c in report.buildings]
    png = rate_chart(f"{estate.name} 各楼栋物业费收缴率", bars or [("暂无账单", None)])
    return Response(png, media_type="image/png")
