"""`linli register import|export|codes`: the committee's spreadsheet in and out, and binding codes."""
from __future__ import annotations

import asyncio
import csv
from datetime import datetime, timedelta, timezone
from pathlib import Path

import click
from openpyxl import Workbook

from bot.config import get_settings
from bot.runtime import start_runtime


def _write_sheet(rows: list[list[str]], out: Path) -> None:
    if out.suffix.lower() == ".xlsx":
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        for r in rows:
            ws.append(r)
        wb.save(out)
    else:
        # A BOM so that Excel opens the Chinese text correctly.
        with out.open("w", encoding="utf-8-sig", newline="") as f:
            csv.writer(f).writerows(rows)


@click.group("register")
def register_group() -> None:
    """The register of estates (专有部分 and owners)."""


@register_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--estate", "estate_code", required=True, help="estate code, e.g. YG")
def import_(file: Path, estate_code: str) -> None:
    """Import a register sheet (CSV or XLSX); all or nothing."""
    from core.register import EstateNotFound, import_register
    from core.register_file import RegisterFileError, read_register

    try:
        rows = read_register(file)
    except RegisterFileError as e:
        _fail(e)

    async def go() -> None:
        rt = await start_runtime(get_settings(), seed=False)
        try:
            async with rt.db.session() as s:
                report = await import_register(s, estate_code, rows, source=file.name)
        finally:
            await rt.close()
        click.echo(f"已导入 {estate_code}: 新增 {report.created} 户，更新 {report.updated} 户，"
                   f"新业主 {report.owners} 名")
        if report.not_in_file:
            click.echo(f"注意：{len(report.not_in_file)} 户在数据库中但不在本文件中，已保留："
                       + "、".join(report.not_in_file[:20]))

    try:
        asyncio.run(go())
    except RegisterFileError as e:
        _fail(e)
    except EstateNotFound as e:
        raise click.ClickException(str(e)) from None


def _fail(e: Exception) -> None:
    click.echo("导入失败，数据库未做任何修改：", err=True)
    for p in getattr(e, "problems", []):
        click.echo(f"  {p}", err=True)
    raise SystemExit(2)


@register_group.command("export")
@click.option("--estate", "estate_code", required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="a .csv or .xlsx file (default: CSV on standard output)")
def export(estate_code: str, output: Path | None) -> None:
    """Export an estate's register in the contract format."""
    from core.register import EstateNotFound, export_rows, rows_to_csv

    async def go() -> list[list[str]]:
        rt = await start_runtime(get_settings(), seed=False)
        try:
            async with rt.db.session() as s:
                return await export_rows(s, estate_code)
        finally:
            await rt.close()

    try:
        rows = asyncio.run(go())
    except EstateNotFound as e:
        raise click.ClickException(str(e)) from None
    if output is None:
        click.echo(rows_to_csv(rows), nl=False)
    else:
        _write_sheet(rows, output)
        click.echo(f"已导出 {len(rows) - 1} 户到 {output}")


@register_group.command("codes")
@click.option("--estate", "estate_code", required=True)
@click.option("--building", default=None, help="only this building")
@click.option("--room", "rooms", multiple=True, help="only these premises, as BUILDING-UNIT-ROOM "
              "(e.g. 3-2-501, or 3--S1 without a unit); repeatable")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="a .csv or .xlsx sheet for printing")
def codes(estate_code: str, building: str | None, rooms: tuple[str, ...], output: Path) -> None:
    """Issue one-time binding codes and write them to a sheet for printing."""
    from core.register import EstateNotFound
    from core.verification import issue_codes
    from storage.repositories.register import RegisterRepository

    wanted = {tuple(r.split("-", 2)) for r in rooms}

    async def go() -> list[list[str]]:
        rt = await start_runtime(get_settings(), seed=False)
        try:
            async with rt.db.session() as s:
                repo = RegisterRepository(s)
                estate = await repo.estate_by_code(estate_code)
                if estate is None:
                    raise EstateNotFound(f"没有编号为 '{estate_code}' 的小区")
                premises = [p for p in await repo.premises_of_estate(estate.id)
                            if (building is None or p.building.number == building)
                            and (not wanted or (p.building.number, p.unit_key, p.room) in wanted)]
                now = datetime.now(timezone.utc)
                issued = await issue_codes(s, rt.services.secret, premises, now, rt.services.verification)
                until = (now + timedelta(days=rt.services.verification.valid_days)).date().isoformat()
                return [["小区", "楼栋", "单元", "房号", "业主", "验证码", "有效期至"]] + [
                    [estate.name, p.building.number, p.unit_key, p.room, p.owner.name, code, until]
                    for p, code in issued]
        finally:
            await rt.close()

    try:
        rows = asyncio.run(go())
    except EstateNotFound as e:
        raise click.ClickException(str(e)) from None
    if len(rows) == 1:
        raise click.ClickException("没有符合条件的房屋，未生成验证码")
    _write_sheet(rows, output)
    click.echo(f"已生成 {len(rows) - 1} 个验证码，写入 {output}（请妥善保管，验证码只显示这一次）")
