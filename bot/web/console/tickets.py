"""The ticket queue: the viewer's queue (or whole jurisdiction) with filters, counts and the live
overdue count, and bulk actions, each ticket checked and acted on by itself. The ticket page and
its actions are in tickets_ticket.py (its routes join this router)."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from bot.web.console.base import (
    estates_of, form_viewer, now, redirect, render, require_role, runtime, safe_next, viewer)
from bot.web.console.tickets_base import (
    BULK_ACTIONS, STAFF, STATUSES, categories, local, ticket_config, time_left)
from bot.web.console.tickets_ticket import router as ticket_router
from core.accounts import SignedIn
from core.tickets import catalog
from core.tickets.desk import (
    Order, Outcome, act_by_person, bulk_summary, departments, desk_queue, overdue_count, queue_total,
    status_counts)
from core.tickets.lifecycle import Action, TicketStatus, TransitionRefused
from core.tickets.queries import OPEN, QueueFilter, summary_view
from core.tickets.service import NotAllowed, TicketError, TicketNotFound, ticket_by_id

router = APIRouter()
PAGE_SIZE = 50
MAX_BULK = PAGE_SIZE  # one page at a time: each ticket is its own unit of work
ORDERS = {o.value: o for o in Order}
ALL = "all"  # the status filter that shows finished tickets too


@dataclass(frozen=True)
class Query:
    """The queue's filters as typed, checked one by one: a bad value is dropped with a message."""

    status: str = OPEN  # a status, "open" or "all"
    category: str = ""
    estate: str = ""
    department: str = ""
    overdue: str = ""
    scope: str = "queue"
    sort: str = Order.WORK.value
    page: int = 1

    def filter(self) -> QueueFilter:
        return QueueFilter(status=None if self.status == ALL else self.status, category=self.category or None,
                           department=self.department or None,
                           overdue={"1": True, "0": False}.get(self.overdue),
                           estate_id=int(self.estate) if self.estate else None, queue_only=self.scope == "queue",
                           limit=PAGE_SIZE, offset=(self.page - 1) * PAGE_SIZE)

    def url(self, **change: str | int) -> str:
        values = {**self.__dict__, **change}
        return "/console/tickets?" + urlencode({k: v for k, v in values.items() if v not in ("", None)})


def _query(request: Request, estate_ids: set[int], department_codes: set[str]) -> tuple[Query, list[str]]:
    p = request.query_params
    problems: list[str] = []

    def pick(name: str, allowed: set[str], default: str = "") -> str:
        value = (p.get(name) or default).strip()
        if value not in allowed | {default}:
            problems.append(f"筛选条件「{value[:40]}」无效，已忽略")
            return default
        return value

    page_text = p.get("page") or "1"
    page = int(page_text) if page_text.isdigit() and 0 < int(page_text) < 100000 else 1
    if page_text != str(page):
        problems.append("页码无效，已显示第 1 页")
    q = Query(status=pick("status", {OPEN, ALL, *(s.value for s in TicketStatus)}, OPEN),
              category=pick("category", set(catalog.category_codes())),
              estate=pick("estate", {str(i) for i in estate_ids}),
              department=pick("department", department_codes), overdue=pick("overdue", {"1", "0"}),
              scope=pick("scope", {"all"}, "queue"), sort=pick("sort", set(ORDERS), Order.WORK.value), page=page)
    return q, problems


@router.get("/console/tickets")
async def queue(request: Request, me: SignedIn = Depends(viewer)) -> Response:
    require_role(me, *STAFF)
    at = now(request)
    async with runtime(request).db.session() as s:
        estates = await estates_of(s, me, STAFF)
        depts = await departments(s, {p.street_office_id for _, p in estates})
        q, problems = _query(request, {e.id for e, _ in estates}, {d.code for d in depts})
        f = q.filter()
        tickets = await desk_queue(s, me.actor, f, at, ORDERS[q.sort])
        rows = [await summary_view(s, t, at) for t in tickets]
        total = await queue_total(s, me.actor, f, at)
        counts = await status_counts(s, me.actor, f, at)
        overdue = await overdue_count(s, me.actor, at)
    dept_names = {d.code: d.name for d in depts}
    return render(request, me, "tickets/queue.html", rows=rows, q=q, problems=problems, total=total,
                  counts=counts, open_count=sum(n for st, n in counts.items() if not TicketStatus(st).final),
                  overdue_count=overdue, estates=[e for e, _ in estates], statuses=STATUSES,
                  categories=categories(), departments=sorted(dept_names.items(), key=lambda x: x[0]),
                  bulk_actions=[(a.value, a.zh) for a in BULK_ACTIONS], when=local(request),
                  left=lambda due: time_left(due, at), pages=(total + PAGE_SIZE - 1) // PAGE_SIZE,
                  back=request.url.path + (f"?{request.url.query}" if request.url.query else ""))


@router.get("/console/tickets/overdue.json")
async def overdue_json(request: Request, me: SignedIn = Depends(viewer)) -> Response:
    """The live count in the page header, polled by tickets.js."""
    require_role(me, *STAFF)
    async with runtime(request).db.session() as s:
        n = await overdue_count(s, me.actor, now(request))
    return JSONResponse({"overdue": n})


@router.post("/console/tickets/bulk")
async def bulk(request: Request, me: SignedIn = Depends(form_viewer)) -> Response:
    require_role(me, *STAFF)
    form = await request.form()
    back = safe_next(str(form.get("back") or "/console/tickets"))
    chosen = {a.value: a for a in BULK_ACTIONS}.get(str(form.get("action") or ""))
    if chosen is None:
        return redirect(back, flash="请选择批量操作")
    ids = []
    for value in form.getlist("ticket"):
        text = str(value).strip()
        if not text.isdigit() or len(text) > 12:
            return redirect(back, flash="所选工单无效，请刷新页面后重试")
        ids.append(int(text))
    if not ids:
        return redirect(back, flash="请先勾选要处理的工单")
    if len(ids) > MAX_BULK:
        return redirect(back, flash=f"一次最多处理 {MAX_BULK} 件工单，请分批操作")
    reason = str(form.get("reason") or "").strip()[:1000] or None
    outcomes = [await _one(request, me, tid, chosen, reason) for tid in dict.fromkeys(ids)]
    return redirect(back, flash=bulk_summary(chosen, outcomes))


async def _one(request: Request, me: SignedIn, ticket_id: int, action: Action, reason: str | None) -> Outcome:
    """Each ticket is its own unit of work: a refusal leaves the others done."""
    number: str | None = None
    try:
        async with runtime(request).db.session() as s:
            t = await act_by_person(s, ticket_id, me.person_id, action, now(request), reason=reason,
                                    config=ticket_config(request))
            number = t.number
    except (TicketNotFound, NotAllowed):
        return Outcome(ticket_id, None, False, "不存在或不在您的管辖范围内")
    except TransitionRefused as e:
        return Outcome(ticket_id, await _number(request, ticket_id), False, e.message)
    except TicketError as e:
        return Outcome(ticket_id, await _number(request, ticket_id), False, str(e))
    return Outcome(ticket_id, number, True, "")


async def _number(request: Request, ticket_id: int) -> str:
    """The number of a ticket the viewer was refused an action on (they may see it)."""
    async with runtime(request).db.session() as s:
        return (await ticket_by_id(s, ticket_id)).number


# The ticket page's routes join this router (one console area, one module name), last:
# "/console/tickets/{ticket_id}" would otherwise also match "/console/tickets/overdue.json".
router.routes.extend(ticket_router.routes)
