"""Consultations (征求意见) at the committee desk: compose and announce to owners, read the summary
(counts, themes, anonymised quotes) as core.consultation computes it for the chat."""
from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from bot.web.console.base import Missing, form_viewer, now, redirect, render, runtime, viewer
from bot.web.console.committee_base import form_fields, governed, local, parse_local, zone
from core import consultation
from core.accounts import SignedIn
from core.committee import buildings_of
from storage.models import Estate
from storage.models.votes import Consultation

router = APIRouter()
FIELDS = ("question", "choices", "free_text", "deadline", "building")


def _page(request: Request, me: SignedIn, estate: Estate, buildings: list[str], values: dict[str, str],
          error: str | None = None, status_code: int = 200) -> Response:
    return render(request, me, "committee/consultation_new.html", status_code=status_code, estate=estate,
                  buildings=buildings, values=values, error=error)


@router.get("/console/committee/{estate_id}/consultations/new", response_class=HTMLResponse)
async def new_consultation(request: Request, estate_id: int, me: SignedIn = Depends(viewer)) -> Response:
    async with runtime(request).db.session() as s:
        estate = await governed(s, me, estate_id)
        buildings = await buildings_of(s, estate_id)
    deadline = (now(request) + timedelta(days=14)).astimezone(zone(estate)).strftime("%Y-%m-%d")
    return _page(request, me, estate, buildings, {"question": "", "choices": "", "free_text": "on",
                                                  "deadline": deadline, "building": ""})


@router.post("/console/committee/{estate_id}/consultations")
async def create_consultation(request: Request, estate_id: int, me: SignedIn = Depends(form_viewer)) -> Response:
    values = await form_fields(request, *FIELDS)
    rt = runtime(request)
    async with rt.db.session() as s:
        estate = await governed(s, me, estate_id)
        buildings = await buildings_of(s, estate_id)
    choices = list(dict.fromkeys(c.strip()[:100] for c in values["choices"].splitlines() if c.strip()))
    day = parse_local(values["deadline"], estate)
    error = None
    if day is None:
        error = "请填写截止日期（如 2026-12-10）"
    elif values["building"] and values["building"] not in buildings:
        error = f"本小区没有{values['building']}号楼"
    if error is None and day is not None:
        # A deadline given as a day runs to the end of that day, estate time.
        deadline = day + timedelta(days=1) if day.hour == 0 and day.minute == 0 else day
        try:
            async with rt.db.session() as s:
                c = await consultation.publish(s, estate.id, values["question"], choices,
                                               values["free_text"] == "on", deadline, now(request), me.person_id,
                                               building=values["building"] or None)
                cid = c.id
        except consultation.ConsultationError as e:
            error = str(e)
        else:
            return redirect(f"/console/committee/consultations/{cid}", flash="征求意见已发布，已通知相关认证业主")
    return _page(request, me, estate, buildings, values, error, 400)


@router.get("/console/committee/consultations/{consultation_id}", response_class=HTMLResponse)
async def consultation_page(request: Request, consultation_id: int, me: SignedIn = Depends(viewer)) -> Response:
    async with runtime(request).db.session() as s:
        c = await s.get(Consultation, consultation_id)
        if c is None:
            raise Missing()
        estate = await governed(s, me, c.estate_id)
        result = await consultation.results(s, c.id)
    top = max([n for _, n in result.counts] or [0])
    return render(request, me, "committee/consultation.html", c=c, estate=estate, result=result,
                  bars=[(ch, n, n / top if top else 0) for ch, n in result.counts],
                  deadline=local(c.deadline, estate), open=c.deadline > now(request),
                  building=(c.audience or {}).get("building"))
