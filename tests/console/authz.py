"""The authorization table: one row per console route, saying who may use it.

Each area adds its rows in its own module `tests/console/authz_<area>.py` as `CASES`; the test
in test_authz.py requires a row for every route the console serves, so a new page cannot ship
without saying who may see it.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from tests.console.conftest import Desk

Maker = Callable[[Desk], Awaitable[Any]]


@dataclass(frozen=True)
class Case:
    method: str  # GET / POST
    route: str  # the path template exactly as the router declares it
    allowed: frozenset[str]  # labels of tests/console/conftest.py STAFF that may; everyone else is refused
    url: str | Maker | None = None  # the concrete URL (built from the desk's data); default: the route
    data: dict[str, Any] | Maker | None = None  # a form that would succeed for an allowed label

    async def target(self, desk: Desk) -> str:
        if self.url is None:
            return self.route
        return self.url if isinstance(self.url, str) else str(await self.url(desk))

    async def form(self, desk: Desk) -> dict[str, Any]:
        if self.data is None:
            return {}
        return dict(self.data) if isinstance(self.data, dict) else dict(await self.data(desk))


def allow(*labels: str) -> frozenset[str]:
    return frozenset(labels)


EVERY_STAFF = allow("property", "property_neighbour", "community", "street", "street_elsewhere", "committee",
                    "committee_elsewhere", "admin")
