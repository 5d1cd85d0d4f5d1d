"""Every console page and action refuses roles and jurisdictions that are not allowed (table-driven).

For each row of the table (tests/console/authz_*.py) and each signed-in label: a GET by an allowed
label answers 200 and by anyone else 403/404; a POST by anyone not allowed is refused (403/404)
and, last, a POST by an allowed label is not refused. A stranger is sent to the login page.
"""
from __future__ import annotations

import importlib
import pkgutil

import tests.console
from bot.web.console import routes
from tests.console.authz import Case
from tests.console.conftest import LABELS, STAFF, ConsoleClient, Desk

REFUSED = {403, 404}


def all_cases() -> tuple[list[Case], set[tuple[str, str]]]:
    cases: list[Case] = []
    public: set[tuple[str, str]] = set()
    for mod in pkgutil.iter_modules(tests.console.__path__):
        if mod.name.startswith("authz_"):
            m = importlib.import_module(f"tests.console.{mod.name}")
            cases.extend(m.CASES)
            public |= set(getattr(m, "PUBLIC", set()))
    return cases, public


def test_every_console_route_has_a_row() -> None:
    cases, public = all_cases()
    covered = {(c.method, c.route) for c in cases} | public
    missing = [r for r in routes() if r not in covered and r[0] != "HEAD"]
    assert not missing, f"console routes without an authorization row: {missing}"
    unknown = [(c.method, c.route) for c in cases if (c.method, c.route) not in set(routes())]
    assert not unknown, f"rows for routes that do not exist: {unknown}"
    for c in cases:
        assert c.allowed <= set(STAFF), c


async def _request(client: ConsoleClient, case: Case, desk: Desk) -> int:
    url = await case.target(desk)
    if case.method == "GET":
        return (await client.get(url)).status_code
    return (await client.post(url, await case.form(desk))).status_code


async def test_every_route_refuses_who_is_not_allowed(desk: Desk) -> None:
    cases, _ = all_cases()
    clients = {label: await desk.signed_in(label) for label in LABELS}
    wrong: list[str] = []
    for case in cases:
        for label in LABELS:
            if label in case.allowed and case.method != "GET":
                continue  # allowed posts change state: tried once, after the refusals
            status = await _request(clients[label], case, desk)
            if label == "anonymous":
                ok = status == 303
            elif label in case.allowed:
                ok = status == 200
            else:
                ok = status in REFUSED
            if not ok:
                wrong.append(f"{case.method} {case.route} as {label}: {status}")
        if case.method != "GET" and case.allowed:
            label = sorted(case.allowed)[0]
            # A fresh sign-in: the post may end the session (logout) or change what it sees.
            status = await _request(await desk.signed_in(label), case, desk)
            if status in REFUSED or status >= 500:
                wrong.append(f"{case.method} {case.route} as allowed {label}: {status}")
    assert not wrong, "\n".join(wrong)
