"""The property view (物业收费): the estates a property office serves, their fee schedules, bill
generation, balances and arrears per premises, and one premises' account. Payments and reminders
are in property_payments and property_reminders; all go through core.fees like `linli fees`."""
from __future__ import annotations

from fastapi import Depends, Form, Request
from fastapi.responses import Response

# Imported for their routes, which join the one property router.
from bot.web.console import property_payments, property_reminders  # noqa: F401
from bot.web.console.base import (
    Missing, estates_of, form_viewer, now, redirect, require_role, runtime, viewer)
from bot.web.console.property_base import ROLES, page, property_estate, router
from core.accounts import SignedIn
from core.fees import desk
from core.fees.ledger import FeeError, generate_bills, local_day, schedule_in_force
from core.fees.periods import Period
from core.fees.service import collection


@router.get("/console/property")
async def estates(request: Request, me: SignedIn = Depends(viewer)) -> Response:
    require_role(me, *ROLES)
    at = now(request)
    async with runtime(request).db.session() as s:
        rows = []
        for estate, _ in await estates_of(s, me, ROLES):
            version = await schedule_in_force(s, estate.id, local_day(estate, at))
            report = await collection(s, estate, at)
            rows.append((estate, version, report.estate))
    return page(request, me, "property/estates.html", None, rows=rows)


async def _fees_page(request: Request, me: SignedIn, estate_id: int, status_code: int = 200,
                     error: str | None = None, period: str = "") -> Response:
    at = now(request)
    async with runtime(request).db.session() as s:
        estate = await property_estate(s, me, estate_id)
        today = local_day(estate, at)
        versions = await desk.schedule_versions(s, estate.id)
        current = await schedule_in_force(s, estate.id, today)
        report = await collection(s, estate, at)
    suggested = Period.containing(current.schedule.period_kind, today).key if current else ""
    return page(request, me, "property/fees.html", estate, "fees", status_code, versions=versions,
                current=current, report=report, error=error, period=period or suggested)


@router.get("/console/property/{estate_id}")
async def fees(request: Request, estate_id: int, me: SignedIn = Depends(viewer)) -> Response:
    return await _fees_page(request, me, estate_id)


@router.get("/console/property/{estate_id}/schedules/{version_id}")
async def schedule(request: Request, estate_id: int, version_id: int, me: SignedIn = Depends(viewer)) -> Response:
    async with runtime(request).db.session() as s:
        estate = await property_estate(s, me, estate_id)
        version = await desk.schedule_version(s, estate.id, version_id)
    if version is None:
        raise Missing()
    return page(request, me, "property/schedule.html", estate, "fees", version=version)


@router.post("/console/property/{estate_id}/bills")
async def generate(request: Request, estate_id: int, period: str = Form("", max_length=20),
                   me: SignedIn = Depends(form_viewer)) -> Response:
    async with runtime(request).db.session() as s:
        estate = await property_estate(s, me, estate_id)
        try:
            report = await generate_bills(s, estate.id, desk.parse_period(period))
        except FeeError as e:
            error = str(e)
        else:
            flash = (f"{estate.name} {report.period.label()}：新生成账单 {report.created} 张，合计 "
                     f"{report.total}元" + (f"；已有账单 {report.existing} 张未变动" if report.existing else ""))
            return redirect(f"/console/property/{estate.id}/balances", flash=flash)
    return await _fees_page(request, me, estate_id, 400, error, period)


@router.get("/console/property/{estate_id}/balances")
async def balances(request: Request, estate_id: int, building: str = "", arrears: str = "", page_no: int = 1,
                   me: SignedIn = Depends(viewer)) -> Response:
    async with runtime(request).db.session() as s:
        estate = await property_estate(s, me, estate_id)
        found = await desk.balances(s, estate, local_day(estate, now(request)), building=building or None,
                                    arrears_only=bool(arrears), page=page_no)
    return page(request, me, "property/balances.html", estate, "balances", found=found, building=building,
                arrears=bool(arrears))


@router.get("/console/property/{estate_id}/premises/{premises_id}")
async def premises(request: Request, estate_id: int, premises_id: int, me: SignedIn = Depends(viewer)) -> Response:
    async with runtime(request).db.session() as s:
        estate = await property_estate(s, me, estate_id)
        account = await desk.premises_account(s, estate, premises_id, local_day(estate, now(request)))
    if account is None:
        raise Missing()
    return page(request, me, "property/premises.html", estate, "balances", account=account,
                form={"room": account.room}, errors={})
