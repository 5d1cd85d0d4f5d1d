"""The register (房屋登记), for admins (product.md §1): each estate's register imported all or nothing
and exported in the contract format, one-time binding codes issued and shown once for printing,
and the console accounts. The same core functions as `linli register`."""
from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from bot.web.console.base import (
    estate_in_reach, form_viewer, now, redirect, render, require_role, runtime, viewer)
from bot.web.console.property_base import read_upload
from core.accounts import SignedIn
from core.register import export_rows, import_register, rows_to_csv
from core.register_desk import (
    SelectionError, console_accounts, issue_for, premises_choices, register_overview, to_xlsx)
from core.register_file import LABELS, RegisterFileError, parse_register
from core.roles import Role
from storage.models import Estate

router = APIRouter()
ROLES = (Role.ADMIN,)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _estate(request: Request, me: SignedIn, estate_id: int) -> Estate:
    require_role(me, *ROLES)
    async with runtime(request).db.session() as s:
        estate, _ = await estate_in_reach(s, me, estate_id, ROLES)
    return estate


@router.get("/console/register", response_class=HTMLResponse)
async def overview(request: Request, me: SignedIn = Depends(viewer)) -> Response:
    require_role(me, *ROLES)
    async with runtime(request).db.session() as s:
        estates = await register_overview(s, now(request))
    return render(request, me, "register/index.html", estates=estates)


@router.get("/console/register/accounts", response_class=HTMLResponse)
async def accounts(request: Request, me: SignedIn = Depends(viewer)) -> Response:
    require_role(me, *ROLES)
    async with runtime(request).db.session() as s:
        rows = await console_accounts(s)
    return render(request, me, "register/accounts.html", accounts=rows)


async def _estate_page(request: Request, me: SignedIn, estate: Estate, status_code: int = 200,
                       **context: Any) -> Response:
    async with runtime(request).db.session() as s:
        choices = await premises_choices(s, estate.id)
    buildings: dict[str, list[Any]] = {}
    for c in choices:
        buildings.setdefault(c.building, []).append(c)
    context.setdefault("problems", [])
    return render(request, me, "register/estate.html", status_code=status_code, estate=estate,
                  buildings=buildings, labels=LABELS, **context)


@router.get("/console/register/{estate_id}", response_class=HTMLResponse)
async def estate_page(request: Request, estate_id: int, me: SignedIn = Depends(viewer)) -> Response:
    return await _estate_page(request, me, await _estate(request, me, estate_id))


@router.post("/console/register/{estate_id}/import")
async def import_file(request: Request, estate_id: int, file: UploadFile | None = File(None),
                      me: SignedIn = Depends(form_viewer)) -> Response:
    estate = await _estate(request, me, estate_id)
    upload = await read_upload(file)
    if isinstance(upload, str):
        return await _estate_page(request, me, estate, 400, upload_error=upload)
    data, name = upload
    try:
        async with runtime(request).db.session() as s:  # raising out of it rolls back: all or nothing
            report = await import_register(s, estate.code, parse_register(data, name), source=name)
    except RegisterFileError as e:
        return await _estate_page(request, me, estate, 400, problems=e.problems, file_name=name)
    flash = (f"已导入 {name}：新增 {report.created} 户，更新 {report.updated} 户，新业主 {report.owners} 名"
             + (f"；另有 {len(report.not_in_file)} 户不在本文件中，已保留" if report.not_in_file else ""))
    return redirect(f"/console/register/{estate.id}", flash=flash)


@router.get("/console/register/{estate_id}/export")
async def export(request: Request, estate_id: int, format: str = "csv", me: SignedIn = Depends(viewer)) -> Response:
    estate = await _estate(request, me, estate_id)
    async with runtime(request).db.session() as s:
        rows = await export_rows(s, estate.code)
    # Header values are Latin-1: an estate code outside plain ASCII names the file by id instead.
    name = f"register-{estate.code}" if re.fullmatch(r"[A-Za-z0-9_-]+", estate.code) else f"register-{estate.id}"
    if format == "xlsx":
        return Response(to_xlsx(rows, estate.code), media_type=XLSX,
                        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
    # A BOM so that Excel opens the Chinese text correctly.
    return Response(("\ufeff" + rows_to_csv(rows)).encode(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


@router.post("/console/register/{estate_id}/codes", response_class=HTMLResponse)
async def codes(request: Request, estate_id: int, building: str = Form("", max_length=20),
                premises: list[str] = Form([]), me: SignedIn = Depends(form_viewer)) -> Response:
    estate = await _estate(request, me, estate_id)
    rt = runtime(request)
    async with rt.db.session() as s:
        try:
            if not all(p.isdigit() for p in premises):
                raise SelectionError("所选房屋无效，请刷新页面后重新选择")
            issued = await issue_for(s, rt.services.secret, estate, now(request), rt.services.verification,
                                     building=building.strip() or None, premises_ids=[int(p) for p in premises])
        except SelectionError as e:
            error = str(e)
        else:
            # Shown this once: only the codes' hashes are stored.
            return render(request, me, "register/codes.html", estate=estate, issued=issued)
    return await _estate_page(request, me, estate, 400, codes_error=error)
