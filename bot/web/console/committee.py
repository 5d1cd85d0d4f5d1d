"""The committee view: the estates the viewer speaks for, with their votes and consultations; votes,
consultations, fee disclosures and notices live in committee_*.py and are mounted here."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from bot.web.console import committee_consult, committee_fees, committee_notices, committee_votes
from bot.web.console.base import now, render, require_role, runtime, viewer
from bot.web.console.committee_base import GOVERNORS, local
from core.accounts import SignedIn
from core.committee import consultations_of, votes_of
from core.governance import estates_governed_by
from core.voting.desk import STATUS_NAMES
from core.voting.matters import matter

router = APIRouter()


@router.get("/console/committee", response_class=HTMLResponse)
async def home(request: Request, me: SignedIn = Depends(viewer)) -> Response:
    require_role(me, *GOVERNORS)
    async with runtime(request).db.session() as s:
        estates = await estates_governed_by(s, me.actor)
        ids = [e.id for e in estates]
        votes = await votes_of(s, ids)
        consultations = await consultations_of(s, ids)
    by_id = {e.id: e for e in estates}
    at = now(request)
    return render(request, me, "committee/home.html", estates=estates,
                  votes=[{"v": v, "estate": by_id[v.estate_id], "matter": matter(v.matter_code).title,
                          "status": STATUS_NAMES.get(v.status, v.status),
                          "opens": local(v.opens_at, by_id[v.estate_id]),
                          "closes": local(v.closes_at, by_id[v.estate_id])} for v in votes],
                  consultations=[{"c": c, "estate": by_id[c.estate_id], "answered": n,
                                  "open": c.deadline > at,
                                  "deadline": local(c.deadline, by_id[c.estate_id])} for c, n in consultations])


# The sub-areas' routes join this router as they are, so the console lists and mounts them as one area.
for _area in (committee_votes, committee_consult, committee_fees, committee_notices):
    router.routes.extend(_area.router.routes)
