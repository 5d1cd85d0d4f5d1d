"""Votes at the committee desk through the console client: created and announced under the 15-day
rule, opened when due, paper ballots and proxies by premises counted by the vote service, turnout
by building, results published only after the close."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from core.voting.service import count
from storage.models.notifications import Notification
from storage.models.votes import BallotEvent, VoteProxy, VoteVoter
from tests.console.committee_data import announced_vote, open_vote_in, owners, vote_form, vote_of
from tests.console.conftest import Desk


async def test_vote_announced_fifteen_days_ahead_reaches_owners(desk: Desk) -> None:
    await owners(desk, [("1", "1", "101", "telegram"), ("2", "2", "702", "wechat")])
    vote_id = await announced_vote(desk)
    vote = await vote_of(desk, vote_id)
    assert (vote.status, vote.title, vote.matter_code) == ("announced", "更换电梯维保单位", "use_maintenance_fund")
    assert vote.opens_at - desk.clock.now >= timedelta(days=15)
    async with desk.rt.db.session() as s:
        told = await s.scalar(select(func.count(Notification.id))
                              .where(Notification.idempotency_key.like(f"vote:{vote_id}:announce:%")))
    assert told == 2
    page = await (await desk.signed_in("committee")).get(f"/console/committee/votes/{vote_id}")
    assert page.status_code == 200 and "公告中" in page.text and "开始投票" not in page.text


async def test_vote_opening_within_fifteen_days_is_refused_and_form_kept(desk: Desk) -> None:
    c = await desk.signed_in("committee")
    r = await c.post(f"/console/committee/{desk.estate.id}/votes", vote_form(desk, timedelta(days=10)))
    assert r.status_code == 400
    assert "须至少提前15日公告" in r.text and "更换电梯维保单位" in r.text
    bad = await c.post(f"/console/committee/{desk.estate.id}/votes", vote_form(desk, opens="明天"))
    assert bad.status_code == 400 and "请填写开始和截止时间" in bad.text
    home = await c.get("/console/committee")
    assert "更换电梯维保单位" not in home.text and "还没有表决" in home.text


async def test_opening_waits_for_the_announced_day(desk: Desk) -> None:
    c = await desk.signed_in("committee")
    vote_id = await announced_vote(desk, c)
    early = await c.post(f"/console/committee/votes/{vote_id}/open")
    assert early.status_code == 303
    assert (await vote_of(desk, vote_id)).status == "announced"
    assert "公告期未满" in (await c.get(early.headers["location"])).text
    vote = await vote_of(desk, vote_id)
    desk.clock.now = vote.opens_at
    c = await desk.signed_in("committee")  # sixteen days later: the first session has expired
    assert "开始投票" in (await c.get(f"/console/committee/votes/{vote_id}")).text
    await c.post(f"/console/committee/votes/{vote_id}/open")
    vote = await vote_of(desk, vote_id)
    assert vote.status == "open" and vote.total_persons and vote.total_persons > 100


async def test_paper_ballot_by_premises_is_counted_and_shows_in_turnout(desk: Desk) -> None:
    vote_id = await open_vote_in(desk)
    c = await desk.signed_in("committee")
    r = await c.post(f"/console/committee/votes/{vote_id}/paper",
                     {"building": "3号楼", "unit": "2", "room": "502", "choice": "yes", "paper_ref": "SCAN-001"})
    assert r.status_code == 303, r.text
    page = await c.get(r.headers["location"])
    assert "已录入纸质表决票（同意）" in page.text
    async with desk.rt.db.session() as s:
        vote = await vote_of(desk, vote_id)
        verdict = await count(s, vote)
        event = await s.scalar(select(BallotEvent).where(BallotEvent.vote_id == vote_id))
    assert verdict.yes.persons == 1 and verdict.participants.persons == 1
    assert event is not None and event.payload["channel"] == "paper" and event.payload["paper_ref"] == "SCAN-001"
    # Turnout: building 3 has one voter who took part, the estate row too.
    assert "<td>3号楼</td>" in page.text and f"1 / {vote.total_persons}" in page.text
    assert "<svg" in page.text and "未达三分之二参与" in page.text

    # The same owner changes their mind on paper: still one person, now "no".
    await c.post(f"/console/committee/votes/{vote_id}/paper",
                 {"building": "3", "unit": "2", "room": "502", "choice": "no", "paper_ref": "SCAN-002"})
    async with desk.rt.db.session() as s:
        verdict = await count(s, await vote_of(desk, vote_id))
    assert (verdict.yes.persons, verdict.no.persons) == (0, 1)


async def test_paper_ballot_without_scan_or_for_unknown_premises_is_refused(desk: Desk) -> None:
    vote_id = await open_vote_in(desk)
    c = await desk.signed_in("committee")
    no_ref = await c.post(f"/console/committee/votes/{vote_id}/paper",
                          {"building": "3", "unit": "2", "room": "502", "choice": "yes", "paper_ref": " "})
    assert no_ref.status_code == 400 and "纸质表决票须注明扫描件编号" in no_ref.text
    assert 'value="502"' in no_ref.text  # what was typed is kept
    unknown = await c.post(f"/console/committee/votes/{vote_id}/paper",
                           {"building": "9", "unit": "1", "room": "101", "choice": "yes", "paper_ref": "S-1"})
    assert unknown.status_code == 400 and "本小区名册中没有 9号楼1单元101" in unknown.text
    no_choice = await c.post(f"/console/committee/votes/{vote_id}/paper",
                             {"building": "3", "unit": "2", "room": "502", "paper_ref": "S-1"})
    assert no_choice.status_code == 400 and "请选择表决意见" in no_choice.text
    async with desk.rt.db.session() as s:
        assert await s.scalar(select(func.count(BallotEvent.id)).where(BallotEvent.vote_id == vote_id)) == 0


async def test_undelivered_premises_vote_through_the_developer(desk: Desk) -> None:
    vote_id = await open_vote_in(desk)
    c = await desk.signed_in("committee")
    r = await c.post(f"/console/committee/votes/{vote_id}/paper",
                     {"building": "5", "unit": "2", "room": "801", "choice": "abstain", "paper_ref": "DEV-1"})
    assert r.status_code == 303, r.text
    async with desk.rt.db.session() as s:
        voter = await s.scalar(select(VoteVoter).where(VoteVoter.vote_id == vote_id, VoteVoter.choice.is_not(None)))
    assert voter is not None and voter.owner_code == "DEV"


async def test_written_proxy_is_registered_and_named_on_the_paper_ballot(desk: Desk) -> None:
    vote_id = await open_vote_in(desk)
    c = await desk.signed_in("committee")
    place = {"building": "1", "unit": "1", "room": "101"}
    r = await c.post(f"/console/committee/votes/{vote_id}/proxy",
                     {**place, "proxy_name": "张三", "document_ref": "WT-7"})
    assert r.status_code == 303, r.text
    again = await c.post(f"/console/committee/votes/{vote_id}/proxy",
                         {**place, "proxy_name": "李四", "document_ref": "WT-8"})
    assert again.status_code == 400 and "已登记过委托" in again.text
    no_ref = await c.post(f"/console/committee/votes/{vote_id}/proxy",
                          {"building": "1", "unit": "1", "room": "102", "proxy_name": "王五", "document_ref": ""})
    assert no_ref.status_code == 400 and "委托书的扫描件编号" in no_ref.text
    await c.post(f"/console/committee/votes/{vote_id}/paper", {**place, "choice": "yes", "paper_ref": "SCAN-9"})
    async with desk.rt.db.session() as s:
        proxies = list(await s.scalars(select(VoteProxy).where(VoteProxy.vote_id == vote_id)))
        event = await s.scalar(select(BallotEvent).where(BallotEvent.vote_id == vote_id))
    assert [(p.proxy_name, p.document_ref, p.registered_by_person_id) for p in proxies] == \
        [("张三", "WT-7", desk.people["committee"])]
    assert event is not None and event.payload["proxy"] == "张三"


async def test_results_are_published_only_after_the_close(desk: Desk) -> None:
    vote_id = await open_vote_in(desk)
    c = await desk.signed_in("committee")
    await c.post(f"/console/committee/votes/{vote_id}/paper",
                 {"building": "1", "unit": "1", "room": "102", "choice": "yes", "paper_ref": "SCAN-1"})
    early = await c.post(f"/console/committee/votes/{vote_id}/publish")
    assert "截止后才能公布结果" in (await c.get(early.headers["location"])).text
    assert (await vote_of(desk, vote_id)).status == "open"
    desk.clock.now = (await vote_of(desk, vote_id)).closes_at + timedelta(minutes=1)
    c = await desk.signed_in("committee")
    done = await c.post(f"/console/committee/votes/{vote_id}/publish")
    vote = await vote_of(desk, vote_id)
    assert vote.status == "published" and vote.result is not None
    page = await c.get(done.headers["location"])
    assert "已公布结果" in page.text
    assert vote.result["explanation"].splitlines()[0] in page.text
    again = await c.post(f"/console/committee/votes/{vote_id}/publish")
    assert "结果已经公布" in (await c.get(again.headers["location"])).text
