"""Privacy: masked phones, hidden reporters, erasure after the retention period."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from core.tickets.lifecycle import ActorRole, TicketStatus
from core.tickets.privacy import (
    RetentionCandidate,
    ReporterView,
    due_for_erasure,
    mask_phone,
    mask_phones_in_text,
    may_see_reporter,
    reporter_view,
)
from core.tickets.routing import HandlerLevel

CST = timezone(timedelta(hours=8))
R, L = ActorRole, HandlerLevel


@pytest.mark.parametrize("phone, masked", [
    ("13812345678", "138****5678"),
    ("138 1234 5678", "138****5678"),
    ("+86 138-1234-5678", "138****5678"),
    ("008613812345678", "138****5678"),
    ("010-62345678", "010****5678"),   # landline: first 3 and last 4 digits
    ("12345", "*****"),
    ("110", "****"),
])
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


def test_shared_phone_is_shown() -> None:
    assert mask_phone("13812345678", shared=True) == "13812345678"


def test_phones_inside_text_are_masked() -> None:
    text = "电梯又坏了，联系我13812345678或者 159-8765-4321，房号501，订单号201912345678901"
    assert mask_phones_in_text(text) == "电梯又坏了，联系我138****5678或者 159****4321，房号501，订单号201912345678901"
    assert mask_phones_in_text(text, shared=True) == text


def see(viewer: ActorRole, level: HandlerLevel = L.PROPERTY, category: str = "elevator", **kw) -> bool:
    return may_see_reporter(viewer, level=level, category=category, anonymous=kw.pop("anonymous", False), **kw)


def test_handlers_and_supervisors_see_the_reporter() -> None:
    assert see(R.PROPERTY_STAFF)
    assert see(R.COMMUNITY_STAFF)
    assert see(R.STREET_STAFF)


@pytest.mark.parametrize("category", ["property_service", "fee_dispute"])
def test_complaint_about_the_property_company_is_hidden_from_it(category: str) -> None:
    assert not see(R.PROPERTY_STAFF, level=L.PROPERTY, category=category)
    assert see(R.STREET_STAFF, level=L.STREET, category=category)


def test_flagged_complaint_is_hidden_from_property_staff() -> None:
    assert not see(R.PROPERTY_STAFF, category="sanitation", flagged_about_property=True)
    assert see(R.PROPERTY_STAFF, category="sanitation")


def test_property_staff_do_not_see_reporters_of_government_tickets() -> None:
    assert not see(R.PROPERTY_STAFF, level=L.STREET, category="noise")
    assert not see(R.PROPERTY_STAFF, level=L.COMMUNITY, category="neighbor_dispute")


def test_anonymous_reveals_nobody_but_the_reporter() -> None:
    for viewer in ActorRole:
        assert not see(viewer, anonymous=True)
    assert see(R.RESIDENT, anonymous=True, viewer_is_reporter=True)


def test_other_residents_and_the_system_see_no_one() -> None:
    assert not see(R.RESIDENT)
    assert not see(R.SYSTEM)


def test_reporter_view_combines_identity_and_masking() -> None:
    common = dict(name="王芳", phone="13812345678", level=L.PROPERTY, category="elevator", anonymous=False)
    assert reporter_view(R.PROPERTY_STAFF, phone_shared=False, **common) == ReporterView("王芳", "138****5678")
    assert reporter_view(R.PROPERTY_STAFF, phone_shared=True, **common) == ReporterView("王芳", "13812345678")
    assert reporter_view(R.RESIDENT, phone_shared=False, viewer_is_reporter=True, **common) == \
        ReporterView("王芳", "13812345678")
    hidden = {**common, "category": "property_service"}
    assert reporter_view(R.PROPERTY_STAFF, phone_shared=True, **hidden) == ReporterView("匿名", None)
    assert reporter_view(R.STREET_STAFF, phone_shared=False, **{**common, "phone": None}) == ReporterView("王芳", None)


NOW = datetime(2026, 6, 1, 3, 0, tzinfo=CST)


def cand(number: str, days_ago: float | None, status: TicketStatus = TicketStatus.CLOSED,
         erased: bool = False) -> RetentionCandidate:
    finished = None if days_ago is None else NOW - timedelta(days=days_ago)
    return RetentionCandidate(number, status, finished, erased)


def test_erasure_after_180_days() -> None:
    tickets = [cand("old", 181), cand("edge", 180), cand("recent", 10), cand("gone", 400, erased=True),
               cand("merged", 200, TicketStatus.MERGED), cand("referred", 200, TicketStatus.REFERRED),
               cand("open", 300, TicketStatus.IN_PROGRESS), cand("undated", None)]
    assert due_for_erasure(tickets, NOW) == ["old", "merged", "referred"]


def test_retention_is_configurable() -> None:
    assert due_for_erasure([cand("a", 31), cand("b", 29)], NOW, days=30) == ["a"]
    with pytest.raises(ValueError):
        due_for_erasure([], NOW, days=-1)
