"""The payment system's export: Chinese or English headers, BOM, XLSX; every bad row numbered."""
from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook

from core.fees.payment_file import PaymentFileError, parse_amount, parse_payments
from core.fees.periods import Period

TZ = ZoneInfo("Asia/Shanghai")
GOOD = """小区,楼栋,单元,房号,所属期间,金额,缴费时间,流水号,收款员
F1,1,1,101,2026-10,270.00,2026-11-05 10:30,WX001,张
F1,2,,S-1,,"1,060.00",2026-11-06,WX002,李
"""


def test_reads_chinese_headers_with_bom_and_ignores_extra_columns():
    rows = parse_payments(GOOD.encode("utf-8-sig"), "pay.csv")
    a, b = rows
    assert (a.building, a.unit, a.room, a.period, a.amount, a.reference) == ("1", "1", "101", Period.parse("2026-10"),
                                                                             D("270.00"), "WX001")
    assert a.paid_at == datetime(2026, 11, 5, 10, 30, tzinfo=TZ)
    assert (b.unit, b.period, b.amount) == (None, None, D("1060.00"))
    assert b.paid_at == datetime(2026, 11, 6, 12, 0, tzinfo=TZ)  # a bare date: midday, estate time
    assert a.row_number == 2 and b.row_number == 3


def test_every_problem_is_named_with_its_row_and_nothing_is_returned():
    bad = ("estate,building,unit,room,period,amount,paid_at,reference\n"
           "F1,1,1,101,2026-10,270.00,2026-11-05,R1\n"
           "F1,1,1,102,2026-13,-5,yesterday,R2\n"
           "F1,1,1,103,,1.005,2026-11-05,R1\n"
           ",1,1,104,,10,2026-11-05,\n")
    with pytest.raises(PaymentFileError) as e:
        parse_payments(bad.encode(), "pay.csv")
    messages = [str(p) for p in e.value.problems]
    assert "pay.csv 第3行 所属期间: 应为 2026-11、2026-Q4、2026-H2 或 2026，实际为 '2026-13'" in messages
    assert "pay.csv 第3行 金额: 不是有效的金额 '-5'（须大于0，最多两位小数）" in messages
    assert any(m.startswith("pay.csv 第3行 缴费时间: 不是有效的时间 'yesterday'") for m in messages)
    assert "pay.csv 第4行 金额: 不是有效的金额 '1.005'（须大于0，最多两位小数）" in messages
    assert "pay.csv 第4行 流水号: 与第2行重复（R1）" in messages
    assert "pay.csv 第5行 小区: 不能为空" in messages and "pay.csv 第5行 流水号: 不能为空" in messages


def test_missing_columns_are_reported_on_the_header_row():
    with pytest.raises(PaymentFileError) as e:
        parse_payments("小区,楼栋,房号,金额\nF1,1,101,5\n".encode(), "pay.csv")
    assert [str(p) for p in e.value.problems] == ["pay.csv 第1行 缴费时间: 缺少必需的列 paid_at（缴费时间）",
                                                  "pay.csv 第1行 流水号: 缺少必需的列 reference（流水号）"]


def test_xlsx_export():
    wb = Workbook()
    ws = wb.active
    ws.append(["estate (小区)", "building (楼栋)", "unit (单元)", "room (房号)", "amount (金额)", "paid_at (缴费时间)",
               "reference (流水号)"])
    ws.append(["F1", 1, 1, 101, 270.1, datetime(2026, 11, 5, 9, 0), 88001])
    buf = io.BytesIO()
    wb.save(buf)
    [row] = parse_payments(buf.getvalue(), "pay.xlsx")
    # Numbers typed in Excel arrive as the text a person sees: no binary-float noise.
    assert (row.building, row.room, row.amount, row.reference) == ("1", "101", D("270.10"), "88001")
    assert row.paid_at == datetime(2026, 11, 5, 9, 0, tzinfo=TZ)


@pytest.mark.parametrize("text,value", [("300", D("300.00")), ("¥1,234.50", D("1234.50")), ("88元", D("88.00")),
                                        ("0", None), ("12.345", None), ("1e3", None)])
def test_amounts(text, value):
    assert parse_amount(text) == value
