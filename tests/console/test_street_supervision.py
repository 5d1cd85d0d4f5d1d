"""core/tickets/supervision.py against the database: open tickets per department, the supervision
list (overdue first, longest first; then supervised ones within their deadline) and whose work is
late, for tickets made here with known histories."""
from __future__ import annotations

import re
from datetime import timedelta

from core.tickets.lifecycle import Action, ActorRole
from core.tickets.rating import Rating
from core.tickets.service import TicketActor, act, staff_actor
from core.tickets.supervision import open_by_department, supervision
from storage.db import Database
from storage.models import Estate
from tests.helpers import make_estate
from tests.tickets_app.helpers import T0, Place, new_ticket, setup_place

DAY = timedelta(days=1)
NOW = T0 + 30 * DAY


async def test_departments_and_supervision(db: Database) -> None:
    async with db.session() as s:
        p = await setup_place(s, "R1")
        bare = Estate(code="R1b", name="无物业小区", community_id=p.community_id, property_company_id=None,
                      settings={})
        s.add(bare)
        await s.flush()
        q = Place(bare.id, p.community_id, p.street_office_id, p.property_staff, p.community_staff,
                  p.street_staff, p.resident, p.neighbour)
        resident = TicketActor(ActorRole.RESIDENT, p.resident)

        lift = await new_ticket(s, p)  # untouched property matter: overdue
        noise = await new_ticket(s, p, category="noise", text="楼下太吵")  # untouched street matter
        leak = await new_ticket(s, q, category="water_leak", text="水管漏水")  # no company: the community's
        quarrel = await new_ticket(s, p, category="neighbor_dispute", text="邻居吵架")
        community = await staff_actor(s, p.community_staff, quarrel)
        for step in (Action.ACCEPT, Action.DISPATCH):
            await act(s, quarrel, community, step, T0)
        for n in (1, 2):  # unsatisfied twice: reopened, then sent to the street office (督办), rated
            await act(s, quarrel, community, Action.ANSWER, T0 + n * DAY, text="已调解")
            await act(s, quarrel, resident, Action.RATE, T0 + n * DAY, rating=Rating.UNSATISFIED, reason="没解决")
        done = await new_ticket(s, p, text="电梯按钮坏了")
        prop = await staff_actor(s, p.property_staff, done)
        for step in (Action.ACCEPT, Action.DISPATCH):
            await act(s, done, prop, step, T0)
        await act(s, done, prop, Action.ANSWER, T0 + DAY, text="修好了")
        await act(s, done, resident, Action.RATE, T0 + DAY, rating=Rating.SATISFIED)
        referred = await new_ticket(s, p, category="noise", text="广场舞太吵")
        await act(s, referred, await staff_actor(s, p.street_staff, referred), Action.REFER, T0, target="派出所")
        other = await make_estate(s, "Z9", name="别的街道小区")
        await new_ticket(s, Place(other.id, other.community_id, 0, 0, 0, 0, p.resident, p.neighbour))
        office = p.street_office_id

        assert quarrel.supervised and quarrel.status == "rated"
        rows = await open_by_department(s, office, NOW)
        assert [(r.code, r.name, r.open, r.overdue) for r in rows] == [
            ("market", "市场监督管理", 2, 1),  # lift (late) and done (rated, waiting to be closed)
            ("police", "幸福派出所", 1, 1),  # noise; the referred one is finished
            ("", "（无需部门）", 1, 1),  # the leak
            ("mediation", "人民调解组织", 1, 0),  # the quarrel: supervised, but its clock has stopped
        ]

        sup = await supervision(s, office, NOW)
        assert [t.number for t in sup.tickets] == [lift.number, noise.number, leak.number, quarrel.number]
        assert [(t.handler, t.supervised, t.late_by is not None) for t in sup.tickets] == [
            ("测试物业", False, True), ("测试街道", False, True), ("测试社区", False, True), ("测试社区", True, False)]
        assert sup.tickets[0].late_by == NOW - lift.answer_due
        assert re.fullmatch(r"\d+天(\d+小时)?", sup.tickets[0].late_text)
        assert sup.overdue_count == 3
        assert sup.overdue_by_estate == [("R1小区", 2), ("无物业小区", 1)]
        assert sup.overdue_by_handler == [("测试物业", 1), ("测试社区", 1), ("测试街道", 1)]  # ties: by name
        assert sup.supervised_count == 1 and sup.listed_all
        # A short list: the longest overdue; the counts still cover every ticket.
        short = await supervision(s, office, NOW, limit=2)
        assert [t.number for t in short.tickets] == [lift.number, noise.number] and not short.listed_all
        assert (short.overdue_count, short.supervised_count) == (3, 1)
        assert short.overdue_by_handler == sup.overdue_by_handler
        # Before any deadline passed only the supervised quarrel is watched.
        early = await supervision(s, office, T0 + 2 * DAY)
        assert [t.number for t in early.tickets] == [quarrel.number] and early.overdue_count == 0
