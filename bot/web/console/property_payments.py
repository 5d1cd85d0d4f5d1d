"""Payments at the property desk: one typed by hand, or the payment system's export imported all or
nothing (every bad row listed with its row number, nothing recorded)."""
from __future__ import annotations

from fastapi import Depends, File, Form, Request, UploadFile
from fastapi.responses import Response

from bot.web.console.base import form_viewer, now, redirect, runtime, viewer
from bot.web.console.property_base import page, property_estate, read_upload, router
from core.accounts import SignedIn
from core.fees import desk
from core.fees.ledger import FeeError, estate_zone, import_payments, record_payment
from core.fees.payment_file import parse_amount, parse_paid_at, parse_payments
from core.register_file import RegisterFileError, RowProblem
from storage.models import Estate


def _payments_page(request: Request, me: SignedIn, estate: Estate, status_code: int = 200, *,
                   form: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                   problems: list[RowProblem] | None = None, upload_error: str | None = None,
                   file_name: str = "") -> Response:
    typed = {"paid_at": now(request).astimezone(estate_zone(estate)).strftime("%Y-%m-%dT%H:%M"), **(form or {})}
    return page(request, me, "property/payments.html", estate, "payments", status_code, form=typed,
                errors=errors or {}, problems=problems or [], upload_error=upload_error, file_name=file_name)


@router.get("/console/property/{estate_id}/payments")
async def payments(request: Request, estate_id: int, room: str = "", me: SignedIn = Depends(viewer)) -> Response:
    async with runtime(request).db.session() as s:
        estate = await property_estate(s, me, estate_id)
    return _payments_page(request, me, estate, form={"room": room[:40]} if room else None)


@router.post("/console/property/{estate_id}/payments")
async def record(request: Request, estate_id: int, room: str = Form("", max_length=40),
                 amount: str = Form("", max_length=20), paid_at: str = Form("", max_length=40),
                 period: str = Form("", max_length=20), reference: str = Form("", max_length=64),
                 me: SignedIn = Depends(form_viewer)) -> Response:
    typed = {"room": room, "amount": amount, "paid_at": paid_at, "period": period, "reference": reference}
    async with runtime(request).db.session() as s:
        estate = await property_estate(s, me, estate_id)
        errors: dict[str, str] = {}
        value = parse_amount(amount)
        if value is None:
            errors["amount"] = "请填写大于0、最多两位小数的金额，例如 321.50"
        when = parse_paid_at(paid_at, estate_zone(estate)) if paid_at.strip() else None
        if when is None:
            errors["paid_at"] = "请填写缴费时间，例如 2026-11-05 或 2026-11-05T10:30"
        try:
            allocated = desk.parse_period(period) if period.strip() else None
        except FeeError as e:
            errors["period"] = str(e)
        premises_id = None
        try:
            premises_id = await desk.premises_by_room(s, estate, room)
        except FeeError as e:
            errors["room"] = str(e)
        if not errors:
            assert value is not None and when is not None and premises_id is not None
            try:
                await record_payment(s, estate, premises_id, value, when, period=allocated,
                                     reference=reference.strip() or None, by_person_id=me.person_id)
            except FeeError as e:
                errors["form"] = str(e)
            else:
                return redirect(f"/console/property/{estate.id}/premises/{premises_id}",
                                flash=f"已记录 {room.strip()} 缴费 {value}元")
    return _payments_page(request, me, estate, 400, form=typed, errors=errors)


@router.post("/console/property/{estate_id}/payments/import")
async def import_file(request: Request, estate_id: int, file: UploadFile | None = File(None),
                      me: SignedIn = Depends(form_viewer)) -> Response:
    db = runtime(request).db
    async with db.session() as s:
        estate = await property_estate(s, me, estate_id)
    upload = await read_upload(file)
    if isinstance(upload, str):
        return _payments_page(request, me, estate, 400, upload_error=upload)
    data, name = upload
    try:
        async with db.session() as s:  # raising out of it rolls back: a file with a bad row records nothing
            rows = parse_payments(data, name, estate_zone(estate))
            result = await import_payments(s, estate, rows, name, by_person_id=me.person_id)
    except RegisterFileError as e:  # PaymentFileError, or a file that cannot be read at all
        return _payments_page(request, me, estate, 400, problems=e.problems, file_name=name)
    return redirect(f"/console/property/{estate.id}/balances",
                    flash=f"已从 {name} 导入 {result.count} 笔缴费，合计 {result.total}元")
