"""Which area counts (SPC interpretation on 建筑物区分所有权, arts. 8–9)."""
from __future__ import annotations

from decimal import Decimal


def counted_area(registered: Decimal | None, surveyed: Decimal | None,
                 contract: Decimal | None) -> Decimal:
    """Registered area (不动产登记簿), else surveyed (实测), else contract area."""
    for a in (registered, surveyed, contract):
        if a is not None:
            return a
    raise ValueError("a premises has no area")
