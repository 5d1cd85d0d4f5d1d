"""Statistics: what counts as responded, resolved and overdue; the 红灰榜; the monthly report of a
street in the database and as an XLSX written by `linli report monthly`."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path

from openpyxl import load_workbook

from core.tickets.lifecycle import Action, ActorRole, TicketStatus
from core.tickets.rating import Rating
from core.tickets.report import (
    SliceStats,
    TicketFacts,
    monthly_report,
    rank_companies,
    resolved,
    responded,
    slice_stats,
    was_overdue,
)
from core.tickets.service import TicketActor, act, staff_actor
from core.tickets.stats import TicketCounts
from storage.db import Database
from storage.models import PropertyCompany, StreetOffice
from tests.helpers import make_estate
from tests.tickets_app.helpers import T0, Place, new_ticket, setup_place

S = TicketStatus
CLI = "from bot.commands.report import report_group; report_group(prog_name='linli report')"
DUE = T0 + timedelta(days=7)


def facts(status: TicketStatus = S.CLOSED, **kw: object) -> TicketFacts:
    base: dict[str, object] = {"first_due": DUE, "answer_due": DUE}
    base.update(kw)
    return TicketFacts(status=status, **base)  # type: ignore[arg-type]


def test_responded_resolved_overdue() -> None:
    assert responded(facts(responded_at=DUE)) and not responded(facts(responded_at=DUE + timedelta(seconds=1)))
    assert not responded(facts(S.NEW))
    assert resolved(facts(S.CLOSED, answered_at=T0))  # closed without a rating
    assert resolved(facts(S.RATED, answered_at=T0, rating=Rating.BASICALLY_SATISFIED))
    assert not resolved(facts(S.RATED, answered_at=T0, rating=Rating.UNSATISFIED))
    assert not resolved(facts(S.ANSWERED, answered_at=T0))  # waiting for the resident
    assert not resolved(facts(S.CLOSED))  # closed without ever being answered
    now = DUE + timedelta(days=1)
    assert was_overdue(facts(S.IN_PROGRESS), now) and not was_overdue(facts(S.IN_PROGRESS), DUE)
    assert was_overdue(facts(S.CLOSED, answered_at=DUE + timedelta(hours=1)), now)
    assert not was_overdue(facts(S.CLOSED, answered_at=DUE), now)
    assert not was_overdue(facts(S.REFERRED), now)


def test_slice_counts_leave_merged_out() -> None:
    s = slice_stats("x", "x", [
        facts(S.CLOSED, responded_at=T0, answered_at=T0, rating=Rating.SATISFIED),
        facts(S.REFERRED, responded_at=T0),
        facts(S.MERGED, responded_at=T0),
        facts(S.NEW),
    ], DUE + timedelta(days=1))
    assert s.counts == TicketCounts(received=3, responded=2, referred=1, resolved=1, satisfied=1,
                                    basically_satisfied=0, unsatisfied=0)
    assert s.overdue == 1
    assert str(s.response.percent()) == "66.7" and str(s.resolution.percent()) == "50.0"


def _company(name: str, received: int, responded: int, resolved: int, sat: int, unsat: int,
             overdue: int = 0) -> SliceStats:
    return SliceStats(name, name, TicketCounts(received, responded, 0, resolved, sat, 0, unsat), overdue)


def test_red_and_grey_lists() -> None:
    ranked = rank_companies([
        _company("甲", 10, 10, 10, 10, 0),  # 1
        _company("乙", 10, 5, 5, 5, 5),  # 1/2
        _company("丙", 10, 9, 8, 4, 0),  # (9/10 + 8/10 + 1) / 3 = 9/10
        _company("丁", 10, 5, 5, 5, 5, overdue=1),  # ties with 乙, more overdue: after it
        _company("戊", 0, 0, 0, 0, 0),  # nothing to judge
    ])
    assert [(c.stats.name, c.rank, c.board) for c in ranked] == [
        ("甲", 1, "red"), ("丙", 2, ""), ("乙", 3, ""), ("丁", 4, "grey"), ("戊", None, "")]
    assert ranked[1].score == Fraction(9, 10)
    two = rank_companies([_company("甲", 3, 3, 3, 3, 0), _company("乙", 3, 0, 0, 0, 3)])
    assert [c.board for c in two] == ["red", "grey"]
    assert [c.board for c in rank_companies([_company("甲", 3, 3, 3, 3, 0)])] == [""]
    assert rank_companies([_company("甲", 3, 3, 3, 3, 0)], min_received=5)[0].score is None


async def _month(db: Database) -> tuple[Place, str]:
    """Five tickets of November in one street, two estates with different companies, one of October."""
    async with db.session() as s:
        p = await setup_place(s, "R1")
        office = await s.get(StreetOffice, p.street_office_id)
        assert office is not None
        second = await make_estate(s, "R2", name="R2小区")
        second.community_id = p.community_id
        company = PropertyCompany(code="P-R2b", name="乙物业")
        s.add(company)
        await s.flush()
        second.property_company_id = company.id
        q = Place(second.id, p.community_id, p.street_office_id, p.property_staff, p.community_staff,
                  p.street_staff, p.resident, p.neighbour)
        from core.roles import Role, ScopeKind
        from tests.tickets_app.helpers import person

        q_staff = await person(s, "乙物业客服", Role.PROPERTY_STAFF, ScopeKind.ESTATE, second.id)

        async def good(place: Place, staff_id: int, rating: Rating) -> None:
            t = await new_ticket(s, place)
            who = await staff_actor(s, staff_id, t)
            for a in (Action.ACCEPT, Action.DISPATCH):
                await act(s, t, who, a, T0 + timedelta(hours=1))
            await act(s, t, who, Action.ANSWER, T0 + timedelta(days=1), text="好了")
            await act(s, t, TicketActor(ActorRole.RESIDENT, p.resident), Action.RATE, T0 + timedelta(days=1),
                      rating=rating, reason="不行" if rating is Rating.UNSATISFIED else None)

        await good(p, p.property_staff, Rating.SATISFIED)
        await good(p, p.property_staff, Rating.BASICALLY_SATISFIED)
        await good(q, q_staff, Rating.UNSATISFIED)  # reopened: no final rating, not resolved
        await new_ticket(s, q)  # never touched: overdue by December
        noise = await new_ticket(s, p, category="noise", text="吵")
        st = await staff_actor(s, p.street_staff, noise)
        await act(s, noise, st, Action.REFER, T0, target="派出所")
        await new_ticket(s, p, at=datetime(2026, 10, 31, 15, 0, tzinfo=T0.tzinfo))  # 23:00 in Shanghai: October
        return p, office.code


async def test_monthly_report_per_estate_department_category_and_ranking(db: Database) -> None:
    _, street = await _month(db)
    async with db.session() as s:
        r = await monthly_report(s, street, "2026-11", T0 + timedelta(days=30))
    c = r.total.counts
    assert (c.received, c.responded, c.referred, c.resolved, c.satisfied, c.basically_satisfied,
            c.unsatisfied) == (5, 4, 1, 2, 1, 1, 0)
    assert r.total.overdue == 2  # the untouched one, and the reopened one past its fresh deadline
    assert {x.name: x.counts.received for x in r.by_estate} == {"R1小区": 3, "R2小区": 2}
    assert {x.name: x.counts.received for x in r.by_category} == {"电梯故障或困人": 4, "噪声扰民": 1}
    assert {x.name: x.counts.received for x in r.by_department} == {"市场监督管理": 4, "幸福派出所": 1}
    assert [(x.stats.name, x.rank, x.board) for x in r.ranking] == [("测试物业", 1, "red"), ("乙物业", 2, "grey")]
    async with db.session() as s:
        october = await monthly_report(s, street, "2026-10", T0)
    assert october.total.counts.received == 1


def test_report_command_writes_the_workbook(db_url: str, tmp_path: Path) -> None:
    async def setup() -> str:
        db = Database(db_url)
        try:
            return (await _month(db))[1]
        finally:
            await db.dispose()

    street = asyncio.run(setup())
    env = {**os.environ, "LINLI_DATABASE_URL": db_url, "LINLI_DEMO": "false", "LINLI_SECRET_KEY": "x",
           "LINLI_DATA_DIR": str(tmp_path)}
    out = tmp_path / "月报.xlsx"

    def linli(*args: str) -> subprocess.CompletedProcess[str]:
        # The group as bot/cli.py registers it (`linli report`).
        return subprocess.run([sys.executable, "-c", CLI, *args], capture_output=True, text=True, env=env,
                              timeout=120)

    r = linli("monthly", "--street", street, "--month", "2026-11", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert "受理 5 件，响应率 80.0，解决率 50.0，满意率 100.0" in r.stdout
    wb = load_workbook(out)
    assert wb.sheetnames == ["概览", "按小区", "按部门", "按类别", "红灰榜"]
    total = [c.value for c in wb["概览"][4]]
    assert total[:7] == ["测试街道", 5, 4, 80.0, 1, 2, 50.0]
    ranking = [[c.value for c in row] for row in wb["红灰榜"].iter_rows(min_row=2)]
    assert [(row[0], row[1], row[3]) for row in ranking] == [(1, "红榜", "测试物业"), (2, "灰榜", "乙物业")]
    assert linli("monthly", "--street", "NOPE", "--month", "2026-11", "-o", str(out)).returncode == 1
    bad = linli("monthly", "--street", street, "--month", "11/2026", "-o", str(out))
    assert bad.returncode == 1 and "YYYY-MM" in bad.stderr
