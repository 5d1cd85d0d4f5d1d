"""Who may use the committee view: the committee of 阳光花园 for its objects; the street office only
for estates without a committee (阳光花园 has one, so S01's staff are refused), everyone else refused."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from core import consultation
from core.voting.service import VoteDraft, announce, open_vote
from tests.console.authz import Case, allow
from tests.console.conftest import Desk

COMMITTEE = allow("committee")
GOVERNORS = allow("committee", "committee_elsewhere", "street", "street_elsewhere")


async def _vote(desk: Desk, opened: bool) -> int:
    """A vote of 阳光花园: announced sixteen days ago and open now, or just announced."""
    key = "_authz_open_vote" if opened else "_authz_vote"
    if key not in desk.__dict__:
        now = desk.clock.now
        async with desk.rt.db.session() as s:
            at = now - timedelta(days=16) if opened else now
            vote = await announce(s, VoteDraft(desk.estate.id, "授权测试表决", "是否同意？", "other_major_matter",
                                               at + timedelta(days=15, minutes=1), now + timedelta(days=20)),
                                  None, at)
            if opened:
                await open_vote(s, vote, now)
            desk.__dict__[key] = vote.id
    return int(desk.__dict__[key])


async def vote_url(desk: Desk) -> str:
    return f"/console/committee/votes/{await _vote(desk, False)}"


def open_vote_url(action: str) -> Any:
    async def make(desk: Desk) -> str:
        return f"/console/committee/votes/{await _vote(desk, True)}/{action}"
    return make


async def open_url(desk: Desk) -> str:
    return f"/console/committee/votes/{await _vote(desk, False)}/open"


async def consultation_url(desk: Desk) -> str:
    async with desk.rt.db.session() as s:
        c = await consultation.publish(s, desk.estate.id, "是否增设快递柜？", ["同意", "不同意"], True,
                                       desk.clock.now + timedelta(days=7), desk.clock.now, None)
        return f"/console/committee/consultations/{c.id}"


def estate_url(tail: str) -> Any:
    async def make(desk: Desk) -> str:
        return f"/console/committee/{desk.estate.id}/{tail}"
    return make


VOTE = {"title": "授权测试", "question": "是否同意？", "matter": "other_major_matter",
        "opens": "2026-12-20T09:00", "closes": "2027-01-05T18:00"}
NOTICE = {"title": "停电通知", "body": "明日停电检修。", "building": "1", "unit": "", "previewed": "1|"}
DISCLOSURE = {"company_name": "安居物业服务有限公司", "charged_party": "全体业主", "service_content": "保洁",
              "service_standard": "二级", "legal_basis": "物业服务合同", "repair_reporting": "客服电话",
              "service_staff": "经理 王某", "shared_utilities_method": "按面积", "complaint_phones": "12345"}

CASES = [
    Case("GET", "/console/committee", GOVERNORS),
    Case("GET", "/console/committee/{estate_id}/votes/new", COMMITTEE, url=estate_url("votes/new")),
    Case("POST", "/console/committee/{estate_id}/votes", COMMITTEE, url=estate_url("votes"), data=VOTE),
    Case("GET", "/console/committee/votes/{vote_id}", COMMITTEE, url=vote_url),
    Case("POST", "/console/committee/votes/{vote_id}/open", COMMITTEE, url=open_url),
    Case("POST", "/console/committee/votes/{vote_id}/paper", COMMITTEE, url=open_vote_url("paper"),
         data={"building": "1", "unit": "1", "room": "101", "choice": "yes", "paper_ref": "SCAN-A"}),
    Case("POST", "/console/committee/votes/{vote_id}/proxy", COMMITTEE, url=open_vote_url("proxy"),
         data={"building": "1", "unit": "1", "room": "102", "proxy_name": "张三", "document_ref": "WT-1"}),
    Case("POST", "/console/committee/votes/{vote_id}/publish", COMMITTEE, url=open_vote_url("publish")),
    Case("GET", "/console/committee/{estate_id}/consultations/new", COMMITTEE, url=estate_url("consultations/new")),
    Case("POST", "/console/committee/{estate_id}/consultations", COMMITTEE, url=estate_url("consultations"),
         data={"question": "是否增设充电桩？", "choices": "同意\n不同意", "deadline": "2026-12-31"}),
    Case("GET", "/console/committee/consultations/{consultation_id}", COMMITTEE, url=consultation_url),
    Case("GET", "/console/committee/{estate_id}/disclosure", COMMITTEE, url=estate_url("disclosure")),
    Case("POST", "/console/committee/{estate_id}/disclosure", COMMITTEE, url=estate_url("disclosure"),
         data=DISCLOSURE),
    Case("POST", "/console/committee/{estate_id}/disclosure/publish", COMMITTEE,
         url=estate_url("disclosure/publish")),
    Case("GET", "/console/committee/{estate_id}/notices/new", COMMITTEE, url=estate_url("notices/new")),
    Case("POST", "/console/committee/{estate_id}/notices/preview", COMMITTEE, url=estate_url("notices/preview"),
         data=NOTICE),
    Case("POST", "/console/committee/{estate_id}/notices", COMMITTEE, url=estate_url("notices"), data=NOTICE),
]
