"""Who may use the street office's desk: street staff, and of another street's office only their
own pages (the S01 office's URLs answer 404 to S02's staff)."""
from tests.console.authz import Case, allow
from tests.console.conftest import Desk


async def _report(desk: Desk) -> str:
    return f"/console/street/{desk.office.id}/report?month=2026-11"


async def _chart(desk: Desk) -> str:
    return f"/console/street/{desk.office.id}/report/2026-11/chart.png?kind=rates"


async def _xlsx(desk: Desk) -> str:
    return f"/console/street/{desk.office.id}/report.xlsx?month=2026-11"


CASES = [
    Case("GET", "/console/street", allow("street", "street_elsewhere")),  # each sees its own offices
    Case("GET", "/console/street/{office_id}/report", allow("street"), url=_report),
    Case("GET", "/console/street/{office_id}/report/{month}/chart.png", allow("street"), url=_chart),
    Case("GET", "/console/street/{office_id}/report.xlsx", allow("street"), url=_xlsx),
]
