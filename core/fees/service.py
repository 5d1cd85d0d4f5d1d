"""Arrears reminders and collection statistics through storage.

Reminders: who would be reminded now is `preview` (for the committee and staff, before the job
runs); `run_reminders` is the scheduled job. Each household's decision is core.fees.reminders.decide
over the recorded history, at the estate's local time; the text is compose(); it is queued only to
the verified owners' private chats (core.notify never writes to groups) and recorded.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.fees.collection import CollectionRate, CollectionRecord, by_building, by_estate, by_period
from core.fees.ledger import address, estate_statements, estate_zone, facts_of, schedule_in_force
from core.fees.money import format_cny
from core.fees.periods import Period
from core.fees.reminders import (
    MIN_INTERVAL,
    Arrears,
    ChatKind,
    Decision,
    Household,
    SentReminder,
    compose,
    decide,
)
from core.notify import message, notify
from storage.db import Database
from storage.models import Building, Estate, Person, Premises, PropertyCompany, Residency
from storage.models.fees import FeeReminder, FeeScheduleVersion, PremisesFeeFacts


@dataclass(frozen=True)
class Candidate:
    """One premises in arrears and what the rules say about reminding it now."""

    premises_id: int
    household: Household
    arrears: Arrears
    decision: Decision
    person_ids: tuple[int, ...]   # its verified owners

    @property
    def will_send(self) -> bool:
        return self.decision.send and bool(self.person_ids)

    @property
    def reason_zh(self) -> str:
        if not self.person_ids:  # whatever the hour, there is nobody to write to
            return "没有已绑定的业主账号，无法私信"
        return self.decision.reason.label_zh


async def _contact(session: AsyncSession, estate: Estate) -> str:
    configured = (estate.settings or {}).get("fees", {}).get("contact")
    if configured:
        return str(configured)
    company = await session.get(PropertyCompany, estate.property_company_id) if estate.property_company_id else None
    return (company.phone or "") if company else ""


async def preview(session: AsyncSession, estate: Estate, now: datetime) -> list[Candidate]:
    """Every premises in arrears today, with the decision for a reminder at `now` (aware)."""
    local = now.astimezone(estate_zone(estate))
    version = await schedule_in_force(session, estate.id, local.date())
    if version is None:
        return []
    period = Period.containing(version.schedule.period_kind, local.date())
    owing = {pid: Arrears.of(st) for pid, st in (await estate_statements(session, estate.id, local.date())).items()
             if st.arrears_total > 0}
    if not owing:
        return []
    ids = sorted(owing)
    places: dict[int, str] = {}
    facts: dict[int, PremisesFeeFacts] = {}
    owners: dict[int, list[int]] = defaultdict(list)
    history: list[SentReminder] = []
    for start in range(0, len(ids), 1000):
        chunk = ids[start:start + 1000]
        for pid, b, u, r in (await session.execute(
                select(Premises.id, Building.number, Premises.unit_key, Premises.room)
                .join(Building, Building.id == Premises.building_id).where(Premises.id.in_(chunk)))).tuples():
            places[pid] = address(b, u or None, r)
        facts.update({f.premises_id: f for f in await session.scalars(
            select(PremisesFeeFacts).where(PremisesFeeFacts.premises_id.in_(chunk)))})
        for pid, person in (await session.execute(
                select(Residency.premises_id, Residency.person_id)
                .where(Residency.premises_id.in_(chunk), Residency.relation == "owner"))).tuples():
            owners[pid].append(person)
        # What decide() can count: this period's reminders, and any within the last week.
        history += [SentReminder(str(h.premises_id), Period.parse(h.period_key), h.sent_at)
                    for h in await session.scalars(select(FeeReminder).where(
                        FeeReminder.premises_id.in_(chunk),
                        or_(FeeReminder.period_key == period.key, FeeReminder.sent_at > now - MIN_INTERVAL)))]
    contact = await _contact(session, estate)
    out = []
    for pid in ids:
        f = facts.get(pid)
        household = Household(str(pid), places[pid], facts_of(f).reduction,
                              bool(f and f.reduction_flagged), contact)
        d = decide(household, owing[pid], history, local, period, chat=ChatKind.PRIVATE)
        out.append(Candidate(pid, household, owing[pid], d, tuple(sorted(set(owners[pid])))))
    return out


async def send_reminders(session: AsyncSession, estate: Estate, now: datetime) -> int:
    """Queue and record the reminders the rules allow now; returns how many households were reminded."""
    local = now.astimezone(estate_zone(estate))
    version = await schedule_in_force(session, estate.id, local.date())
    candidates = [c for c in await preview(session, estate, now) if c.will_send]
    if version is None or not candidates:
        return 0
    period = Period.containing(version.schedule.period_kind, local.date())
    langs = dict((await session.execute(select(Person.id, Person.language).where(
        Person.id.in_({p for c in candidates for p in c.person_ids})))).tuples().all())
    for c in candidates:
        by_lang: dict[str, list[int]] = defaultdict(list)
        for p in c.person_ids:
            by_lang["en" if langs.get(p) == "en" else "zh"].append(p)
        zh = compose(c.household, c.arrears, "zh")
        for lang, persons in by_lang.items():
            text = zh if lang == "zh" else compose(c.household, c.arrears, "en")
            label = "查看欠费明细" if lang == "zh" else "See what is owed"
            await notify(session, persons, message(text, [[(label, f"fee:o:{c.premises_id}")]]), "reminder",
                         f"fee-reminder:{c.premises_id}:{local:%Y%m%d%H%M}")
        session.add(FeeReminder(estate_id=estate.id, premises_id=c.premises_id, period_key=period.key,
                                sent_at=now, amount=c.arrears.amount,
                                periods=[p.key for p in c.arrears.periods], recipients=len(c.person_ids), text=zh))
    await session.flush()
    return len(candidates)


async def run_reminders(db: Database, now: datetime) -> int:
    """The scheduled job: reminders for every estate with a fee schedule, one transaction per estate.

    Safe to run often (hourly, say): the weekly and per-period limits come from the recorded
    reminders, and nothing goes out between 21:00 and 08:00 estate time."""
    async with db.session() as s:
        estate_ids = list(await s.scalars(select(FeeScheduleVersion.estate_id).distinct()))
    sent = 0
    for estate_id in sorted(estate_ids):
        async with db.session() as s:
            estate = await s.get(Estate, estate_id)
            if estate is not None:
                sent += await send_reminders(s, estate, now)
    return sent


# -- collection statistics --------------------------------------------------------------------------

@dataclass(frozen=True)
class CollectionReport:
    estate_name: str
    records: list[CollectionRecord]
    estate: CollectionRate | None
    buildings: list[CollectionRate]
    periods: list[CollectionRate]


async def collection(session: AsyncSession, estate: Estate, now: datetime,
                     periods: set[str] | None = None) -> CollectionReport:
    """Collection rates per estate, building and billing period (a month under a monthly schedule)."""
    today = now.astimezone(estate_zone(estate)).date()
    stmts = await estate_statements(session, estate.id, today)
    buildings = dict((await session.execute(
        select(Premises.id, Building.number).join(Building, Building.id == Premises.building_id)
        .where(Premises.estate_id == estate.id))).tuples().all())
    records = [CollectionRecord(estate.name, f"{buildings[pid]}号楼", str(pid), b.period, b.billed, b.paid)
               for pid, st in stmts.items() for b in st.periods
               if periods is None or b.period.key in periods]
    total = by_estate(records)
    return CollectionReport(estate.name, records, total[0] if total else None,
                            sorted(by_building(records), key=lambda c: _building_order(str(c.key[1]))),
                            by_period(records))


def _building_order(label: str) -> tuple[int, str]:
    number = label.removesuffix("号楼")
    return (int(number), "") if number.isdigit() else (10 ** 6, number)


def _pct(c: CollectionRate) -> str:
    return "—" if c.percent is None else f"{c.percent}%"


def collection_table(report: CollectionReport) -> str:
    """Rates as text, aggregates only: no owner and no room appears."""
    if report.estate is None:
        return f"【{report.estate_name}】暂无账单，无法统计收缴率。"
    t = report.estate
    lines = [f"【{report.estate_name}】物业费收缴率",
             f"全小区：{_pct(t)}（已收 {format_cny(t.collected)} / 应收 {format_cny(t.billed)}；"
             f"{t.premises}户，{t.premises_unpaid}户未缴清）", "按楼栋："]
    lines += [f"  {c.key[1]}：{_pct(c)}（{c.premises_unpaid}/{c.premises}户未缴清）" for c in report.buildings]
    lines.append("按期间：")
    lines += [f"  {c.key[1].label()}：{_pct(c)}（已收 {format_cny(c.collected)} / 应收 {format_cny(c.billed)}）"
              for c in report.periods]
    return "\n".join(lines)


def preview_lines(candidates: list[Candidate], estate: Estate) -> list[str]:
    """For staff and the committee in private: each household in arrears and whether it would be
    reminded now (addresses and amounts: never to be posted in a group)."""
    zone = estate_zone(estate)
    out = []
    for c in candidates:
        verdict = "将发送" if c.will_send else f"不发送：{c.reason_zh}"
        if not c.will_send and c.person_ids and c.decision.next_allowed is not None:
            verdict += f"（{c.decision.next_allowed.astimezone(zone):%m月%d日 %H:%M}后可发）"
        extra = "，可申请减免" if c.household.eligible_for_reduction else ""
        out.append(f"{c.household.address}：欠费 {format_cny(c.arrears.amount)}"
                   f"（{'、'.join(p.label() for p in c.arrears.periods)}）{extra} — {verdict}")
    return out
