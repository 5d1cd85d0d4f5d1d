"""Reading the payment system's export (CSV or XLSX), as docs/fees.md describes.

Columns by English key or Chinese header: estate (小区), building (楼栋), unit (单元), room (房号),
period (所属期间, optional), amount (金额), paid_at (缴费时间), reference (流水号). Reading is
all-or-nothing like the register: every problem is collected with its spreadsheet row number
(header = row 1) and raised together; nothing partial is returned.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from core.fees.periods import Period

# The table reader (CSV with or without BOM, XLSX first sheet, cell text without float noise) and
# the row-numbered problem type are the register's: one behaviour for every file staff hand in.
from core.register_file import RegisterFileError, RowProblem, read_table

COLUMNS: dict[str, str] = {
    "estate": "小区", "building": "楼栋", "unit": "单元", "room": "房号", "period": "所属期间",
    "amount": "金额", "paid_at": "缴费时间", "reference": "流水号",
}
REQUIRED = ("estate", "building", "room", "amount", "paid_at", "reference")
_BRACKETED = re.compile(r"^(.*?)\s*[（(]\s*(.*?)\s*[)）]$")
_AMOUNT = re.compile(r"\d+(\.\d{1,2})?")
_PERIOD = re.compile(r"\d{4}(-(0[1-9]|1[0-2]|[Qq][1-4]|[Hh][12]))?")


class PaymentFileError(RegisterFileError):
    """Every problem of a payment file; nothing was imported."""


@dataclass(frozen=True)
class PaymentRow:
    estate: str
    building: str
    unit: str | None
    room: str
    period: Period | None
    amount: Decimal
    paid_at: datetime  # aware
    reference: str
    row_number: int

    @property
    def address(self) -> str:
        return f"{self.building}号楼" + (f"{self.unit}单元" if self.unit else "") + self.room


def _key(header: str) -> str | None:
    name = header.strip().lstrip("\ufeff").strip()
    candidates = [name.lower(), name]
    m = _BRACKETED.match(name)
    if m:
        candidates += [m.group(1).lower(), m.group(2)]
    by_label = {v: k for k, v in COLUMNS.items()}
    for c in candidates:
        if c in COLUMNS:
            return c
        if c in by_label:
            return by_label[c]
    return None


def parse_amount(text: str) -> Decimal | None:
    """"1,234.50", "¥300", "300元" → Decimal; None unless a positive amount with at most two decimals."""
    t = text.replace(",", "").replace("，", "").replace("¥", "").replace("￥", "").removesuffix("元").strip()
    if not _AMOUNT.fullmatch(t):
        return None
    try:
        d = Decimal(t)
    except InvalidOperation:
        return None
    return d.quantize(Decimal("0.01")) if d > 0 else None


def parse_paid_at(text: str, tz: ZoneInfo) -> datetime | None:
    """ISO date or date-time; without an offset it is the estate's local time (a date: midday)."""
    t = text.strip().replace("/", "-")
    try:
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", t):
            y, m, d = (int(x) for x in t.split("-"))
            return datetime.combine(date(y, m, d), time(12, 0), tz)
        dt = datetime.fromisoformat(t)
    except ValueError:
        return None
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=tz)


def parse_payments(data: bytes, source: str, tz: ZoneInfo = ZoneInfo("Asia/Shanghai")) -> list[PaymentRow]:
    """The payment rows of a CSV or XLSX file; raises PaymentFileError with every problem."""
    table = read_table(data, source)
    problems: list[RowProblem] = []
    positions: dict[str, int] = {}
    for i, raw in enumerate(table.header):
        key = _key(raw)
        if key is None:
            continue  # extra columns are allowed
        if key in positions:
            problems.append(RowProblem(source, 1, COLUMNS[key], f"列重复（第{positions[key] + 1}列和第{i + 1}列）"))
        positions.setdefault(key, i)
    for key in REQUIRED:
        if key not in positions:
            problems.append(RowProblem(source, 1, COLUMNS[key], f"缺少必需的列 {key}（{COLUMNS[key]}）"))
    if problems:
        raise PaymentFileError(problems)

    out: list[PaymentRow] = []
    seen: dict[str, int] = {}
    for number, cells in table.rows:
        if not any(c.strip() for c in cells):
            continue
        cell = {k: (cells[i].strip() if i < len(cells) else "") for k, i in positions.items()}
        before = len(problems)

        def bad(key: str, message: str, number: int = number) -> None:
            problems.append(RowProblem(source, number, COLUMNS[key], message))

        for key in REQUIRED:
            if not cell.get(key):
                bad(key, "不能为空")
        amount = parse_amount(cell["amount"]) if cell.get("amount") else None
        if cell.get("amount") and amount is None:
            bad("amount", f"不是有效的金额 '{cell['amount']}'（须大于0，最多两位小数）")
        paid_at = parse_paid_at(cell["paid_at"], tz) if cell.get("paid_at") else None
        if cell.get("paid_at") and paid_at is None:
            bad("paid_at", f"不是有效的时间 '{cell['paid_at']}'，应为 2026-11-05 或 2026-11-05T10:30:00")
        period = None
        if cell.get("period"):
            if _PERIOD.fullmatch(cell["period"]):
                period = Period.parse(cell["period"])
            else:
                bad("period", f"应为 2026-11、2026-Q4、2026-H2 或 2026，实际为 '{cell['period']}'")
        ref = cell.get("reference", "")
        if ref:
            if len(ref) > 64:
                bad("reference", "流水号不能超过64个字符")
            elif ref in seen:
                bad("reference", f"与第{seen[ref]}行重复（{ref}）")
            else:
                seen[ref] = number
        if len(problems) > before:
            continue
        assert amount is not None and paid_at is not None
        out.append(PaymentRow(cell["estate"], cell["building"], cell.get("unit") or None, cell["room"], period,
                              amount, paid_at, ref, number))
    if problems:
        raise PaymentFileError(problems)
    return out
