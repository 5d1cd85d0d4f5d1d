"""Who may use the register: admins only (product.md §1), every page and action."""
from __future__ import annotations

from tests.console.authz import Case, allow
from tests.console.conftest import Desk

ADMIN = allow("admin")


def estate_url(tail: str = ""):  # type: ignore[no-untyped-def]
    async def make(desk: Desk) -> str:
        return f"/console/register/{desk.estate.id}{tail}"
    return make


CASES = [
    Case("GET", "/console/register", ADMIN),
    Case("GET", "/console/register/accounts", ADMIN),
    Case("GET", "/console/register/{estate_id}", ADMIN, url=estate_url()),
    Case("POST", "/console/register/{estate_id}/import", ADMIN, url=estate_url("/import")),
    Case("GET", "/console/register/{estate_id}/export", ADMIN, url=estate_url("/export?format=xlsx")),
    Case("POST", "/console/register/{estate_id}/codes", ADMIN, url=estate_url("/codes"), data={"building": "2"}),
]
