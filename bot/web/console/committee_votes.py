"""Votes at the committee desk: create and announce (the service enforces the 15-day notice), open
once due, paper ballots and written proxies by premises, turnout by building, publish the result."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select

from bot.web.console.base import Missing, form_viewer, now, redirect, render, runtime, viewer
from bot.web.console.committee_base import form_fields, governed, local, parse_local, percent, zone
from core.accounts import SignedIn
from core.voting.desk import STATUS_NAMES, enter_paper_ballot, enter_proxy, open_when_due, publish_when_closed
from core.voting.matters import MATTERS, MatterType, matter
from core.voting.rules import RULES
from core.voting.service import CHOICE_NAMES, NOTICE_PERIOD, VoteDraft, VoteError, announce
from core.voting.turnout import turnout
from storage.models import Estate
from storage.models.votes import Vote, VoteProxy

router = APIRouter()
VOTE_FIELDS = ("title", "question", "matter", "opens", "closes", "deemed_rule")
PREMISES_FIELDS = ("building", "unit", "room")


def _defaults(estate: Estate, at: datetime) -> dict[str, str]:
    opens = (at + NOTICE_PERIOD + timedelta(days=1)).astimezone(zone(estate)).replace(
        hour=9, minute=0, second=0, microsecond=0)
    closes = (opens + timedelta(days=14)).replace(hour=18)
    return {"title": "", "question": "", "matter": MATTERS[0].code, "opens": opens.strftime("%Y-%m-%dT%H:%M"),
            "closes": closes.strftime("%Y-%m-%dT%H:%M"), "deemed_rule": ""}


def _form_page(request: Request, me: SignedIn, estate: Estate, values: dict[str, str], error: str | None = None,
               status_code: int = 200) -> Response:
    return render(request, me, "committee/vote_new.html", status_code=status_code, estate=estate, values=values,
                  error=error, matters=MATTERS, choices=list(CHOICE_NAMES.values()),
                  earliest=local(now(request) + NOTICE_PERIOD, estate))


@router.get("/console/committee/{estate_id}/votes/new", response_class=HTMLResponse)
async def new_vote(request: Request, estate_id: int, me: SignedIn = Depends(viewer)) -> Response:
    async with runtime(request).db.session() as s:
        estate = await governed(s, me, estate_id)
    return _form_page(request, me, estate, _defaults(estate, now(request)))


@router.post("/console/committee/{estate_id}/votes")
async def create_vote(request: Request, estate_id: int, me: SignedIn = Depends(form_viewer)) -> Response:
    values = await form_fields(request, *VOTE_FIELDS)
    rt = runtime(request)
    async with rt.db.session() as s:
        estate = await governed(s, me, estate_id)
    opens, closes = parse_local(values["opens"], estate), parse_local(values["closes"], estate)
    error = None
    if values["matter"] not in {m.code for m in MATTERS}:
        error = "请选择表决事项"
    elif opens is None or closes is None:
        error = "请填写开始和截止时间（如 2026-12-10 09:00）"
    if error:
        return _form_page(request, me, estate, values, error, 400)
    assert opens is not None and closes is not None
    draft = VoteDraft(estate.id, values["title"][:200], values["question"], values["matter"], opens, closes,
                      deemed_rule=values["deemed_rule"] == "on")
    try:
        async with rt.db.session() as s:
            vote = await announce(s, draft, me.person_id, now(request))
            vote_id = vote.id
    except VoteError as e:
        return _form_page(request, me, estate, values, str(e), 400)
    return redirect(f"/console/committee/votes/{vote_id}", flash="表决已创建并向全体认证业主公告")


async def _vote_in_reach(s: Any, me: SignedIn, vote_id: int) -> tuple[Vote, Estate]:
    vote = await s.get(Vote, vote_id)
    if vote is None:
        raise Missing()
    return vote, await governed(s, me, vote.estate_id)


async def _vote_page(request: Request, me: SignedIn, vote_id: int, status_code: int = 200,
                     **forms: Any) -> Response:
    at = now(request)
    async with runtime(request).db.session() as s:
        vote, estate = await _vote_in_reach(s, me, vote_id)
        t = await turnout(s, vote)
        proxies = int(await s.scalar(select(func.count(VoteProxy.id)).where(VoteProxy.vote_id == vote.id)) or 0)
    m = matter(vote.matter_code)
    rule = RULES[MatterType(vote.matter_type)]
    rows = []
    if t is not None:
        for b in t.buildings:
            rows.append({"label": b.building if not b.building.isdigit() else f"{b.building}号楼", "s": b.share,
                         "area_pct": percent(b.share.area_ratio), "persons_pct": percent(b.share.persons_ratio),
                         "area_w": float(b.share.area_ratio), "persons_w": float(b.share.persons_ratio)})
    return render(request, me, "committee/vote.html", status_code=status_code, vote=vote, estate=estate, matter=m,
                  rule_text=("参与表决的专有部分面积和人数均四分之三以上同意" if m.type is MatterType.MAJOR
                             else "参与表决的专有部分面积和人数均过半数同意"),
                  rule=rule, status=STATUS_NAMES.get(vote.status, vote.status), turnout=t, rows=rows,
                  estate_area_pct=percent(t.estate.area_ratio) if t else "",
                  estate_persons_pct=percent(t.estate.persons_ratio) if t else "",
                  opens=local(vote.opens_at, estate), closes=local(vote.closes_at, estate),
                  due=vote.status == "announced" and at >= vote.opens_at, ended=at >= vote.closes_at,
                  choices=CHOICE_NAMES, proxies=proxies, paper=forms.get("paper", {}),
                  paper_error=forms.get("paper_error"), proxy=forms.get("proxy", {}),
                  proxy_error=forms.get("proxy_error"))


@router.get("/console/committee/votes/{vote_id}", response_class=HTMLResponse)
async def vote_page(request: Request, vote_id: int, me: SignedIn = Depends(viewer)) -> Response:
    return await _vote_page(request, me, vote_id)


async def _check(request: Request, me: SignedIn, vote_id: int) -> None:
    async with runtime(request).db.session() as s:
        await _vote_in_reach(s, me, vote_id)


@router.post("/console/committee/votes/{vote_id}/open")
async def open_(request: Request, vote_id: int, me: SignedIn = Depends(form_viewer)) -> Response:
    await _check(request, me, vote_id)
    url = f"/console/committee/votes/{vote_id}"
    try:
        async with runtime(request).db.session() as s:
            await open_when_due(s, vote_id, now(request))
    except VoteError as e:
        return redirect(url, flash=str(e))
    return redirect(url, flash="表决已开始，名册已冻结，已通知业主投票")


@router.post("/console/committee/votes/{vote_id}/paper")
async def paper(request: Request, vote_id: int, me: SignedIn = Depends(form_viewer)) -> Response:
    await _check(request, me, vote_id)
    f = await form_fields(request, *PREMISES_FIELDS, "choice", "paper_ref")
    try:
        async with runtime(request).db.session() as s:
            r = await enter_paper_ballot(s, vote_id, f["building"], f["unit"], f["room"], f["choice"],
                                         f["paper_ref"], me.person_id, now(request))
    except VoteError as e:
        return await _vote_page(request, me, vote_id, 400, paper=f, paper_error=str(e))
    return redirect(f"/console/committee/votes/{vote_id}",
                    flash=f"已录入纸质表决票（{CHOICE_NAMES[r.choice]}），回执 {r.hash[:16]}…")


@router.post("/console/committee/votes/{vote_id}/proxy")
async def proxy(request: Request, vote_id: int, me: SignedIn = Depends(form_viewer)) -> Response:
    await _check(request, me, vote_id)
    f = await form_fields(request, *PREMISES_FIELDS, "proxy_name", "document_ref")
    try:
        async with runtime(request).db.session() as s:
            p = await enter_proxy(s, vote_id, f["building"], f["unit"], f["room"], f["proxy_name"],
                                  f["document_ref"], me.person_id)
            name = p.proxy_name
    except VoteError as e:
        return await _vote_page(request, me, vote_id, 400, proxy=f, proxy_error=str(e))
    return redirect(f"/console/committee/votes/{vote_id}", flash=f"已登记书面委托：{name}")


@router.post("/console/committee/votes/{vote_id}/publish")
async def publish(request: Request, vote_id: int, me: SignedIn = Depends(form_viewer)) -> Response:
    await _check(request, me, vote_id)
    url = f"/console/committee/votes/{vote_id}"
    try:
        async with runtime(request).db.session() as s:
            await publish_when_closed(s, vote_id, now(request))
    except VoteError as e:
        return redirect(url, flash=str(e))
    return redirect(url, flash="表决结果已公布，并已通知全体认证业主")
