"""`linli fees …`: the property office's back office for fees (docs/fees.md).

schedule set/show, facts set, shared add, bills generate, payments add/import, arrears,
reminders preview/run, collection, disclosure draft/show/publish/export.
"""
from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import click
from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands.common import in_session

T = TypeVar("T")


def run_in_session(fn: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """common.in_session with the refusals of fees and notices; a bad payment file lists every
    problem with its row number (exit code 2), like `linli register import`."""
    from core.fees.ledger import FeeError
    from core.fees.schedule import FeeRuleError
    from core.notices import NoticeError
    from core.register_file import RegisterFileError

    try:
        return in_session(fn, (FeeError, FeeRuleError, NoticeError))
    except RegisterFileError as e:
        click.echo("导入失败，数据库未做任何修改：", err=True)
        for p in e.problems:
            click.echo(f"  {p}", err=True)
        raise SystemExit(2) from None


def parse_room(text: str) -> tuple[str, str, str]:
    """"3-2-501" → ("3", "2", "501"); "S--S-3" for a premises without a unit."""
    parts = text.split("-", 2)
    if len(parts) != 3 or not parts[0] or not parts[2]:
        raise click.BadParameter("写成 楼栋-单元-房号，例如 3-2-501；没有单元时 S--S-3")
    return parts[0], parts[1], parts[2]


async def premises_id(s: AsyncSession, estate_id: int, room: str) -> int:
    from core.fees.ledger import FeeError, premises_index

    b, u, r = parse_room(room)
    pid = (await premises_index(s, estate_id)).get((b, u, r))
    if pid is None:
        raise FeeError(f"没有这个房屋：{room}")
    return pid


def _now(at: str | None) -> datetime:
    if not at:
        return datetime.now(timezone.utc)
    dt = datetime.fromisoformat(at)
    if dt.tzinfo is None:
        raise click.BadParameter("时间须带时区，例如 2026-11-23T10:00:00+08:00")
    return dt


ESTATE = click.option("--estate", "estate_code", required=True, help="estate code, e.g. YG")


@click.group("fees")
def fees_group() -> None:
    """Fee schedules, bills, payments, reminders, collection rates and the fee disclosure."""


# -- schedule -------------------------------------------------------------------------------------

@fees_group.group("schedule")
def schedule() -> None:
    """An estate's fee schedule (JSON, see docs/fees.md)."""


@schedule.command("set")
@ESTATE
@click.option("--file", "path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--effective", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="the first day it applies; a price change must be disclosed a month before")
def schedule_set(estate_code: str, path: Path, effective: datetime) -> None:
    """Set the schedule in force from --effective."""
    from core.fees.codec import read_json, schedule_from_json
    from core.fees.ledger import estate_by_code, set_schedule

    async def go(s: AsyncSession) -> str:
        estate = await estate_by_code(s, estate_code)
        v = await set_schedule(s, estate.id, schedule_from_json(read_json(path.read_bytes())), effective.date())
        return f"已设定{estate.name}收费标准，{v.effective_from.isoformat()}起执行：" + "；".join(
            f"{i.name} {i.standard}" for i in v.schedule.items)

    click.echo(run_in_session(go))


@schedule.command("remove")
@ESTATE
@click.option("--effective", required=True, type=click.DateTime(["%Y-%m-%d"]))
def schedule_remove(estate_code: str, effective: datetime) -> None:
    """Withdraw a version that no bill uses yet."""
    from core.fees.ledger import estate_by_code, remove_schedule

    async def go(s: AsyncSession) -> str:
        estate = await estate_by_code(s, estate_code)
        await remove_schedule(s, estate.id, effective.date())
        return f"已撤销{estate.name} {effective.date().isoformat()}起执行的收费标准"

    click.echo(run_in_session(go))


@schedule.command("show")
@ESTATE
@click.option("--date", "day", default=None, type=click.DateTime(["%Y-%m-%d"]), help="in force on (default: today)")
@click.option("--json", "as_json", is_flag=True, help="print the schedule file")
def schedule_show(estate_code: str, day: datetime | None, as_json: bool) -> None:
    """Show the schedule in force."""
    from core.fees.codec import schedule_to_json
    from core.fees.ledger import FeeError, estate_by_code, local_day, schedule_in_force

    async def go(s: AsyncSession) -> str:
        estate = await estate_by_code(s, estate_code)
        on = day.date() if day else local_day(estate, datetime.now(timezone.utc))
        v = await schedule_in_force(s, estate.id, on)
        if v is None:
            raise FeeError(f"{estate.name}在{on.isoformat()}没有生效的收费标准")
        if as_json:
            return json.dumps(schedule_to_json(v.schedule), ensure_ascii=False, indent=2)
        sc = v.schedule
        lines = [f"{estate.name} 收费标准（{v.effective_from.isoformat()}起执行，按{sc.period_kind.label_zh}计费，"
                 f"账单出账后{sc.payment_due_days}天内缴清）"]
        lines += [f"  {i.code}\t{i.name}\t{i.standard}\t{i.price_form.describe()}" for i in sc.items]
        lines += [f"  减免：{r.describe()}（{'、'.join(sorted(r.item_codes))}）" for r in sc.reductions]
        return "\n".join(lines)

    click.echo(run_in_session(go))


# -- premises facts and shared costs --------------------------------------------------------------

@fees_group.command("facts")
@ESTATE
@click.option("--room", required=True, help="BUILDING-UNIT-ROOM, e.g. 3-2-501")
@click.option("--parking", type=int, default=None, help="parking spaces rented")
@click.option("--reduction", type=click.Choice(["dibao", "tekun", "none"]), default=None,
              help="an approved 低保 / 特困 reduction")
@click.option("--flag/--no-flag", "flagged", default=None, help="possibly eligible: reminders say how to apply")
@click.option("--charging-starts", default=None, help="YYYY-MM-DD (e.g. the handover), or none")
def facts(estate_code: str, room: str, parking: int | None, reduction: str | None, flagged: bool | None,
          charging_starts: str | None) -> None:
    """Set what a premises' bill needs beyond the register."""
    from core.fees.ledger import KEEP, estate_by_code, set_facts
    from core.fees.schedule import ReductionCategory

    async def go(s: AsyncSession) -> str:
        estate = await estate_by_code(s, estate_code)
        pid = await premises_id(s, estate.id, room)
        f = await set_facts(
            s, pid, parking_spaces=KEEP if parking is None else parking,
            reduction=KEEP if reduction is None else (None if reduction == "none" else ReductionCategory(reduction)),
            flagged=KEEP if flagged is None else flagged,
            charging_starts=KEEP if charging_starts is None else (
                None if charging_starts == "none" else date.fromisoformat(charging_starts)))
        return (f"{room}：车位 {f.parking_spaces}，减免 {f.reduction or '无'}，"
                f"可能符合减免 {'是' if f.reduction_flagged else '否'}，计费起始 {f.charging_starts or '按收费标准'}")

    click.echo(run_in_session(go))


@fees_group.group("shared")
def shared() -> None:
    """Shared public water and power (公共水电分摊)."""


@shared.command("add")
@ESTATE
@click.option("--item", required=True, help="the shared item's code in the schedule, e.g. GG")
@click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--amount", required=True, help="元, e.g. 3600.00")
@click.option("--description", default="", help="e.g. 2026年11月公共区域电费")
def shared_add(estate_code: str, item: str, start: datetime, end: datetime, amount: str, description: str) -> None:
    """Record an amount to split by area on the bills of the period in which it ends."""
    from core.fees.ledger import estate_by_code, save_shared_cost
    from core.fees.payment_file import parse_amount

    value = parse_amount(amount)
    if value is None:
        raise click.BadParameter(f"不是有效的金额：{amount}")

    async def go(s: AsyncSession) -> str:
        estate = await estate_by_code(s, estate_code)
        await save_shared_cost(s, estate.id, item, start.date(), end.date(), value, description)
        return f"已录入分摊费用 {item} {value}元（{start.date()}至{end.date()}）"

    click.echo(run_in_session(go))


# -- bills and payments ---------------------------------------------------------------------------

@fees_group.group("bills")
def bills() -> None:
    """Bills per premises per period."""


@bills.command("generate")
@ESTATE
@click.option("--period", required=True, help="2026-11 (month), 2026-Q4, 2026-H2 or 2026")
def bills_generate(estate_code: str, period: str) -> None:
    """Generate the period's bills for every premises of the estate (existing bills are kept)."""
    from core.fees.ledger import estate_by_code, generate_bills
    from core.fees.periods import Period

    try:
        p = Period.parse(period)
    except ValueError:
        raise click.BadParameter(f"期间应写成 2026-11、2026-Q4、2026-H2 或 2026：{period}") from None

    async def go(s: AsyncSession) -> str:
        estate = await estate_by_code(s, estate_code)
        r = await generate_bills(s, estate.id, p)
        return (f"{estate.name} {p.label()}：新生成账单 {r.created} 张，合计 {r.total}元"
                + (f"；已有账单 {r.existing} 张未变动" if r.existing else ""))

    click.echo(run_in_session(go))


@fees_group.group("payments")
def payments() -> None:
    """Payments received (Linli takes no money itself)."""


@payments.command("add")
@ESTATE
@click.option("--room", required=True, help="BUILDING-UNIT-ROOM, e.g. 3-2-501")
@click.option("--amount", required=True, help="元")
@click.option("--paid-at", default=None, help="ISO date or date-time (default: now)")
@click.option("--period", default=None, help="allocate to this billed period (default: oldest first)")
@click.option("--ref", "reference", default=None, help="receipt or transaction number")
def payments_add(estate_code: str, room: str, amount: str, paid_at: str | None, period: str | None,
                 reference: str | None) -> None:
    """Record one payment received at the property office."""
    from core.fees.ledger import estate_by_code, estate_zone, record_payment
    from core.fees.payment_file import parse_amount, parse_paid_at
    from core.fees.periods import Period

    value = parse_amount(amount)
    if value is None:
        raise click.BadParameter(f"不是有效的金额：{amount}")

    async def go(s: AsyncSession) -> str:
        estate = await estate_by_code(s, estate_code)
        when = parse_paid_at(paid_at, estate_zone(estate)) if paid_at else datetime.now(timezone.utc)
        if when is None:
            raise click.BadParameter(f"不是有效的时间：{paid_at}")
        pid = await premises_id(s, estate.id, room)
        await record_payment(s, estate, pid, value, when, period=Period.parse(period) if period else None,
                             reference=reference)
        return f"已记录 {room} 缴费 {value}元"

    click.echo(run_in_session(go))


@payments.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@ESTATE
def payments_import(file: Path, estate_code: str) -> None:
    """Import the payment system's export (CSV or XLSX); all or nothing."""
    from core.fees.ledger import estate_by_code, estate_zone, import_payments
    from core.fees.payment_file import parse_payments

    async def go(s: AsyncSession) -> str:
        estate = await estate_by_code(s, estate_code)
        rows = parse_payments(file.read_bytes(), file.name, estate_zone(estate))
        r = await import_payments(s, estate, rows, file.name)
        return f"已导入 {r.count} 笔缴费，合计 {r.total}元"

    click.echo(run_in_session(go))


@fees_group.command("arrears")
@ESTATE
@click.option("--at", default=None, help="as of this ISO time (default: now)")
def arrears(estate_code: str, at: str | None) -> None:
    """Premises with overdue fees (for staff only: it names rooms)."""
    from core.fees.ledger import estate_by_code, estate_statements, local_day, premises_index

    async def go(s: AsyncSession) -> list[str]:
        estate = await estate_by_code(s, estate_code)
        today = local_day(estate, _now(at))
        names = {pid: f"{b}-{u}-{r}" for (b, u, r), pid in (await premises_index(s, estate.id)).items()}
        st = await estate_statements(s, estate.id, today)
        owing = sorted((pid for pid, x in st.items() if x.arrears_total > 0), key=lambda p: names[p])
        return [f"{names[p]}\t{st[p].arrears_total}\t" + "、".join(b.period.key for b in st[p].arrears)
                for p in owing] + [f"共 {len(owing)} 户逾期未缴，合计 {sum((st[p].arrears_total for p in owing), Decimal(0))}元"]

    for line in run_in_session(go):
        click.echo(line)


# -- reminders and collection ---------------------------------------------------------------------

@fees_group.group("reminders")
def reminders() -> None:
    """Arrears reminders: private, at most weekly and three a period, never 21:00–08:00."""


@reminders.command("preview")
@ESTATE
@click.option("--at", default=None, help="as if run at this ISO time (default: now)")
def reminders_preview(estate_code: str, at: str | None) -> None:
    """Who would be reminded, and why not the others."""
    from core.fees.ledger import estate_by_code
    from core.fees.service import preview, preview_lines

    async def go(s: AsyncSession) -> list[str]:
        estate = await estate_by_code(s, estate_code)
        return preview_lines(await preview(s, estate, _now(at)), estate) or ["没有逾期欠费的房屋"]

    for line in run_in_session(go):
        click.echo(line)


@reminders.command("run")
@ESTATE
@click.option("--at", default=None, help="as if run at this ISO time (default: now)")
def reminders_run(estate_code: str, at: str | None) -> None:
    """Send the reminders allowed now (the scheduler runs the same for every estate)."""
    from core.fees.ledger import estate_by_code
    from core.fees.service import send_reminders

    async def go(s: AsyncSession) -> int:
        return await send_reminders(s, await estate_by_code(s, estate_code), _now(at))

    click.echo(f"已提醒 {run_in_session(go)} 户（私信，已记录）")


@fees_group.command("collection")
@ESTATE
@click.option("--chart", type=click.Path(dir_okay=False, path_type=Path), default=None, help="write a PNG chart")
@click.option("--at", default=None, help="as of this ISO time (default: now)")
def collection_report(estate_code: str, chart: Path | None, at: str | None) -> None:
    """Collection rates per estate, building and period."""
    from core.fees.drawing import rate_chart
    from core.fees.ledger import estate_by_code
    from core.fees.service import collection, collection_table

    async def go(s: AsyncSession) -> str:
        estate = await estate_by_code(s, estate_code)
        report = await collection(s, estate, _now(at))
        if chart is not None:
            bars = [(str(c.key[1]), c.percent) for c in report.buildings]
            bars += [(c.key[1].label(), c.percent) for c in report.periods]
            chart.write_bytes(rate_chart(f"{estate.name} 物业费收缴率", bars))
        return collection_table(report)

    click.echo(run_in_session(go))


# -- disclosure -----------------------------------------------------------------------------------

@fees_group.group("disclosure")
def disclosure() -> None:
    """The fee disclosure (收费公示)."""


@disclosure.command("draft")
@ESTATE
@click.option("--file", "path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def disclosure_draft(estate_code: str, path: Path) -> None:
    """Merge the typed fields of a JSON file into the estate's draft."""
    from core.fees.codec import read_json
    from core.fees.ledger import FeeError, estate_by_code
    from core.fees.publishing import save_draft

    async def go(s: AsyncSession) -> str:
        estate = await estate_by_code(s, estate_code)
        data = read_json(path.read_bytes())
        if not isinstance(data, dict):
            raise FeeError("收费公示文件应为一个 JSON 对象")
        await save_draft(s, estate.id, data, datetime.now(timezone.utc))
        return f"已保存{estate.name}收费公示草稿；发送 `linli fees disclosure show --estate {estate_code}` 检查"

    click.echo(run_in_session(go))


@disclosure.command("show")
@ESTATE
def disclosure_show(estate_code: str) -> None:
    """The disclosure as it would be published now, and what stops it."""
    from core.fees import render_text
    from core.fees.ledger import estate_by_code
    from core.fees.publishing import check

    async def go(s: AsyncSession) -> str:
        estate = await estate_by_code(s, estate_code)
        c = await check(s, estate, datetime.now(timezone.utc))
        tail = ("\n\n暂不能发布：\n" + "\n".join(f"  · {p.message}" for p in c.problems)) if c.problems else \
            "\n\n可以发布。"
        return render_text(c.disclosure) + tail

    click.echo(run_in_session(go))


@disclosure.command("publish")
@ESTATE
@click.option("--as", "role", type=click.Choice(["property_staff", "committee"]), default="property_staff",
              help="who publishes it")
def disclosure_publish(estate_code: str, role: str) -> None:
    """Publish the disclosure to every verified owner; refused with the missing fields named."""
    from core.fees.ledger import estate_by_code
    from core.fees.publishing import publish
    from core.roles import Role

    async def go(s: AsyncSession) -> str:
        estate = await estate_by_code(s, estate_code)
        _, notice = await publish(s, estate, Role(role), None, datetime.now(timezone.utc))
        return f"已发布{estate.name}收费公示，已通知 {notice.recipients} 位认证业主"

    click.echo(run_in_session(go))


@disclosure.command("export")
@ESTATE
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="a .png or .pdf file for the notice board")
def disclosure_export(estate_code: str, output: Path) -> None:
    """The last published disclosure as a poster."""
    from core.fees.drawing import pdf, png, poster
    from core.fees.ledger import FeeError, estate_by_code
    from core.fees.publishing import latest_published, poster_lines

    async def go(s: AsyncSession) -> bytes:
        estate = await estate_by_code(s, estate_code)
        row = await latest_published(s, estate.id)
        if row is None:
            raise FeeError(f"{estate.name}还没有发布收费公示")
        sheet = poster(*poster_lines(row, estate))
        return pdf(sheet) if output.suffix.lower() == ".pdf" else png(sheet)

    output.write_bytes(run_in_session(go))
    click.echo(f"已写入 {output}")
