"""Fee disclosures (收费公示) through storage: a draft per estate filled in by staff, completed from the
estate and its schedule, checked by validate_for_publication against the last published one, and
published as a notice to every verified owner.

What staff type (service content and standard, staff, repair line, accounts ...) lives in the draft;
the fee items, billing method, start of charging and the effective date come from the newest
schedule version, so the disclosure always announces exactly what will be billed.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.fees.codec import DISCLOSURE_TEXT_FIELDS, disclosure_from_json, disclosure_to_json
from core.fees.disclosure import (
    FeeDisclosure,
    Problem,
    describe_billing_methods,
    describe_charging_starts,
    render_text,
    validate_for_publication,
)
from core.fees.ledger import FeeError, ScheduleVersion, estate_zone, latest_schedule
from core.notices import Audience, publish_notice
from core.roles import Role
from storage.models import Estate, PropertyCompany
from storage.models.fees import FeeDisclosureRecord
from storage.models.notices import Notice

DISCLOSERS = (Role.COMMITTEE, Role.PROPERTY_STAFF)
# Fields a person fills in (in the chat, in this order), with the labels validation uses.
TYPED_FIELDS: tuple[tuple[str, str], ...] = (
    ("company_name", "物业服务企业名称"), ("charged_party", "收费对象"), ("service_content", "服务内容"),
    ("service_standard", "服务标准"), ("legal_basis", "收费依据"), ("repair_reporting", "报修方式"),
    ("service_staff", "服务人员"), ("shared_utilities_method", "公共水电分摊方式"),
    ("complaint_phones", "价格举报电话"))
FIELD_LABELS = dict(TYPED_FIELDS)
# Written from the schedule unless a draft says otherwise; never carried over from a published one.
DERIVED_FIELDS = ("estate_name", "billing_method", "charging_starts", "fee_items", "effective_from")
FILE_FIELDS = set(DISCLOSURE_TEXT_FIELDS) | {"service_staff", "complaint_phones", "shared_utilities",
                                             "annual_accounts"}


class DisclosureRefused(FeeError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("收费公示未发布：\n" + "\n".join(f"· {p.message}" for p in problems))


async def _latest(session: AsyncSession, estate_id: int, status: str) -> FeeDisclosureRecord | None:
    return await session.scalar(
        select(FeeDisclosureRecord).where(FeeDisclosureRecord.estate_id == estate_id,
                                          FeeDisclosureRecord.status == status)
        .order_by(FeeDisclosureRecord.id.desc()).limit(1))


async def latest_published(session: AsyncSession, estate_id: int) -> FeeDisclosureRecord | None:
    return await _latest(session, estate_id, "published")


async def draft_data(session: AsyncSession, estate_id: int) -> dict[str, Any]:
    """The draft's fields; without a draft, the typed fields of the last published disclosure."""
    draft = await _latest(session, estate_id, "draft")
    if draft is not None:
        return dict(draft.data)
    published = await latest_published(session, estate_id)
    if published is None:
        return {}
    return {k: v for k, v in published.data.items() if k not in DERIVED_FIELDS}


async def save_draft(session: AsyncSession, estate_id: int, changes: dict[str, Any], now: datetime) -> FeeDisclosureRecord:
    """Merge typed fields into the estate's draft (created from the last published one)."""
    unknown = set(changes) - FILE_FIELDS
    if unknown:
        raise FeeError(f"收费公示没有这些字段：{'、'.join(sorted(unknown))}")
    row = await _latest(session, estate_id, "draft")
    if row is None:
        row = FeeDisclosureRecord(estate_id=estate_id, status="draft", data=await draft_data(session, estate_id))
        session.add(row)
    data = dict(row.data)
    data.update(changes)
    disclosure_from_json(data)  # refuses malformed amounts and dates before they are stored
    row.data, row.updated_at = data, now
    await session.flush()
    return row


def parse_field(field: str, text: str) -> Any:
    """A typed answer as stored: staff as "项目经理 王某 0471-6612345；客服 李某", phones split on 、or ,."""
    text = text.strip()
    if field == "service_staff":
        staff = []
        for part in text.replace(";", "；").replace("\n", "；").split("；"):
            words = part.split()
            if len(words) >= 2:
                staff.append({"role": words[0], "name": words[1], "phone": " ".join(words[2:])})
            elif words:
                raise FeeError(f"「{part.strip()}」请写成：岗位 姓名 电话（电话可省略），多人用；分隔")
        return staff
    if field == "complaint_phones":
        return [p.strip() for p in text.replace(",", "、").replace("，", "、").split("、") if p.strip()]
    return text


async def compose(session: AsyncSession, estate: Estate) -> tuple[FeeDisclosure, ScheduleVersion | None]:
    """The disclosure as it would be published now: typed fields plus the estate and its schedule."""
    d = disclosure_from_json(await draft_data(session, estate.id))
    version = await latest_schedule(session, estate.id)
    company = (await session.get(PropertyCompany, estate.property_company_id)
               if estate.property_company_id else None)
    items = version.schedule.items if version else ()
    d = replace(d, estate_name=estate.name, fee_items=items,
                company_name=d.company_name or (company.name if company else ""),
                billing_method=d.billing_method or describe_billing_methods(items),
                charging_starts=d.charging_starts or describe_charging_starts(items),
                effective_from=version.effective_from if version else None)
    return d, version


async def previous(session: AsyncSession, estate_id: int) -> FeeDisclosure | None:
    row = await latest_published(session, estate_id)
    return None if row is None else disclosure_from_json(row.data)


@dataclass(frozen=True)
class Check:
    disclosure: FeeDisclosure
    problems: list[Problem]
    version: ScheduleVersion | None


async def check(session: AsyncSession, estate: Estate, now: datetime) -> Check:
    d, version = await compose(session, estate)
    local_now = now.astimezone(estate_zone(estate))
    return Check(d, validate_for_publication(d, local_now, await previous(session, estate.id)), version)


async def publish(session: AsyncSession, estate: Estate, role: Role, by_person_id: int | None,
                  now: datetime) -> tuple[FeeDisclosureRecord, Notice]:
    """Publish the estate's disclosure, or raise DisclosureRefused naming every missing field.

    The caller has checked that the publisher holds `role` (committee or property staff) there."""
    if role not in DISCLOSERS:
        raise FeeError("只有业委会或物业工作人员可以发布收费公示")
    c = await check(session, estate, now)
    if c.problems:
        raise DisclosureRefused(c.problems)
    text = render_text(c.disclosure)
    row = FeeDisclosureRecord(estate_id=estate.id, status="published", data=disclosure_to_json(c.disclosure),
                              updated_at=now, published_at=now, published_by_person_id=by_person_id,
                              schedule_id=c.version.id if c.version else None, text=text)
    session.add(row)
    draft = await _latest(session, estate.id, "draft")
    if draft is not None:
        await session.delete(draft)  # the next draft starts from what was just published
    await session.flush()
    notice = await publish_notice(session, estate.id, "收费公示", text, Audience(), role=role,
                                  by_person_id=by_person_id, now=now, kind="fee_disclosure", ref_id=row.id,
                                  buttons=[[("公示图片", f"fdimg:{row.id}")]], text=text)
    return row, notice


def poster_lines(record: FeeDisclosureRecord, estate: Estate) -> tuple[str, list[str], str]:
    """Title, lines and footer of the notice-board poster of a published disclosure."""
    lines = (record.text or render_text(disclosure_from_json(record.data))).splitlines()
    when = (record.published_at or record.updated_at).astimezone(estate_zone(estate)).date()
    return f"{estate.name} 收费公示", lines[1:], f"{estate.name} · {when.year}年{when.month}月{when.day}日公示"
