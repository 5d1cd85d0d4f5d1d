"""Reading register and ballot files: formats, aliases, exact areas, and every rejection by row."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from core.register_file import (
    Channel,
    Choice,
    OwnerKind,
    RegisterFileError,
    Use,
    parse_ballots,
    parse_register,
    read_ballots,
    read_register,
)

HEADER = ("estate,building,unit,room,use,area_registered,area_surveyed,area_contract,"
          "owner_id,owner_name,owner_kind,delivered,phone")
GOOD = "HY01,3,2,501,residential,89.10,90.00,,O1,张三,person,yes,13800000000"
CST = timezone(timedelta(hours=8))


def register_csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join((header, *rows)) + "\n").encode("utf-8")


def problems_of(exc: pytest.ExceptionInfo[RegisterFileError]) -> list[tuple[int | None, str]]:
    return [(p.row, p.column) for p in exc.value.problems]


def test_reads_english_csv_exactly() -> None:
    rows = parse_register(register_csv(
        GOOD,
        "HY01,3,,S-1,commercial,,,45.5,O2,乙、丙,person,no,",
    ), "r.csv")
    a, b = rows
    assert (a.estate, a.building, a.unit, a.room, a.use) == ("HY01", "3", "2", "501", Use.RESIDENTIAL)
    assert a.area_registered == Decimal("89.10") and a.area_surveyed == Decimal("90.00")
    assert a.area_contract is None
    assert a.area == Decimal("89.10")  # registered wins over surveyed
    assert (a.owner_id, a.owner_name, a.owner_kind, a.delivered, a.phone) == (
        "O1", "张三", OwnerKind.PERSON, True, "13800000000")
    assert a.row_number == 2
    assert b.unit is None and b.phone is None and b.delivered is False
    assert b.area == Decimal("45.5")  # only the contract area is known
    assert b.row_number == 3


def test_area_falls_back_to_surveyed_then_contract() -> None:
    rows = parse_register(register_csv(
        "HY01,1,,101,residential,,70.25,72.00,O1,甲,person,yes,",
        "HY01,1,,102,residential,,,72.00,O2,乙,person,yes,",
    ), "r.csv")
    assert [r.area for r in rows] == [Decimal("70.25"), Decimal("72.00")]


def test_bom_and_chinese_headers_and_values() -> None:
    header = "小区,楼栋,单元,房号,用途,登记面积,实测面积,合同面积,业主编号,业主姓名,业主类型,是否交付,电话,备注"
    data = "\ufeff" + header + "\nHY01,6,1,101,商业,120.5,,,D1,某置业,建设单位,否,,样板间\n" \
                               "HY01,6,1,102,其他,10,,,O2,李四,个人,是,,\n"
    rows = parse_register(data.encode("utf-8"), "r.csv")
    assert rows[0].estate == "HY01"  # the BOM did not stick to the first column name
    assert (rows[0].use, rows[0].owner_kind, rows[0].delivered) == (Use.COMMERCIAL, OwnerKind.DEVELOPER, False)
    assert (rows[1].use, rows[1].owner_kind, rows[1].delivered) == (Use.OTHER, OwnerKind.PERSON, True)
    assert rows[0].area_registered == Decimal("120.5")


def test_header_written_as_in_the_spec_with_both_names() -> None:
    header = ("estate (小区),building (楼栋),unit（单元）,room (房号),use (用途),area_registered (登记面积),"
              "owner_id (业主编号),owner_name (业主姓名),owner_kind (业主类型),delivered (是否交付)")
    rows = parse_register(register_csv("HY01,1,1,101,residential,80,O1,甲,person,yes", header=header), "r.csv")
    assert rows[0].room == "101" and rows[0].unit == "1" and rows[0].area == Decimal("80")


def test_columns_in_any_order_and_extra_columns_ignored() -> None:
    header = "owner_id,备注,room,building,estate,use,owner_kind,delivered,area_contract,whatever"
    rows = parse_register(register_csv("O1,x,101,2,HY01,residential,person,yes,66.60,y", header=header), "r.csv")
    assert (rows[0].owner_id, rows[0].room, rows[0].building, rows[0].area) == ("O1", "101", "2", Decimal("66.60"))
    assert rows[0].unit is None and rows[0].owner_name == ""


def test_blank_lines_are_skipped_but_keep_row_numbers() -> None:
    with pytest.raises(RegisterFileError) as exc:
        parse_register(register_csv(GOOD, "", ",,,,,,,,,,,,", "HY01,3,2,502,villa,80,,,O2,李,person,yes,"), "r.csv")
    assert problems_of(exc) == [(5, "use")]


def test_trailing_zeros_beyond_two_places_are_the_same_area() -> None:
    rows = parse_register(register_csv("HY01,1,,101,residential,89.100,,,O1,甲,person,yes,"), "r.csv")
    assert rows[0].area == Decimal("89.10")


@pytest.mark.parametrize(("row", "column", "fragment"), [
    ("HY01,3,2,501,villa,89.10,,,O1,甲,person,yes,", "use", "'villa'"),
    ("HY01,3,2,501,residential,89.10,,,O1,甲,company,yes,", "owner_kind", "'company'"),
    ("HY01,3,2,501,residential,89.10,,,O1,甲,person,maybe,", "delivered", "'maybe'"),
    ("HY01,3,2,501,residential,89.10,,,O1,甲,person,,", "delivered", "不能为空"),
    ("HY01,3,2,501,residential,,,,O1,甲,person,yes,", "area", "均为空"),
    ("HY01,3,2,501,residential,abc,,,O1,甲,person,yes,", "area_registered", "不是有效的面积 'abc'"),
    ("HY01,3,2,501,residential,,-5,,O1,甲,person,yes,", "area_surveyed", "负数"),
    ("HY01,3,2,501,residential,,,89.123,O1,甲,person,yes,", "area_contract", "两位小数"),
    ("HY01,3,2,501,residential,1e3,,,O1,甲,person,yes,", "area_registered", "不是有效的面积"),
    ("HY01,3,2,501,residential,0,,,O1,甲,person,yes,", "area_registered", "大于 0"),
    ("HY01,3,2,501,residential,89.10,,,,甲,person,yes,", "owner_id", "不能为空"),
    ("HY01,3,2,,residential,89.10,,,O1,甲,person,yes,", "room", "不能为空"),
    ("HY01,,2,501,residential,89.10,,,O1,甲,person,yes,", "building", "不能为空"),
])
def test_each_rejection_names_its_row_and_column(row: str, column: str, fragment: str) -> None:
    with pytest.raises(RegisterFileError) as exc:
        parse_register(register_csv(GOOD.replace("501", "401"), GOOD.replace("501", "402"), row), "r.csv")
    assert problems_of(exc) == [(4, column)]
    assert fragment in exc.value.problems[0].message
    assert str(exc.value.problems[0]).startswith("r.csv 第4行 ")


def test_problem_text_reads_as_in_the_sheet() -> None:
    with pytest.raises(RegisterFileError) as exc:
        parse_register(register_csv(GOOD.replace("501", "401"), GOOD.replace("501", "402"), GOOD.replace("501", "403"),
                                    "HY01,3,2,501,residential,abc,,,O1,甲,person,yes,"), "register.csv")
    assert str(exc.value) == "register.csv 第5行 登记面积: 不是有效的面积 'abc'"


def test_duplicate_premises_names_both_rows() -> None:
    with pytest.raises(RegisterFileError) as exc:
        parse_register(register_csv(GOOD, "HY01,3,3,501,residential,80,,,O2,乙,person,yes,",
                                    "HY01,3,2,501,residential,80,,,O3,丙,person,yes,"), "r.csv")
    assert problems_of(exc) == [(4, "room")]
    assert "第2行" in exc.value.problems[0].message


def test_duplicate_without_unit() -> None:
    with pytest.raises(RegisterFileError) as exc:
        parse_register(register_csv("HY01,3,,S-1,commercial,80,,,O2,乙,person,yes,",
                                    "HY01,3,,S-1,commercial,81,,,O3,丙,person,yes,"), "r.csv")
    assert problems_of(exc) == [(3, "room")]


def test_missing_required_column_is_row_1() -> None:
    header = HEADER.replace(",owner_kind", "")
    with pytest.raises(RegisterFileError) as exc:
        parse_register(register_csv("HY01,3,2,501,residential,89.10,90.00,,O1,张三,yes,1", header=header), "r.csv")
    assert problems_of(exc) == [(1, "owner_kind")]
    assert "业主类型" in str(exc.value.problems[0])


def test_missing_all_area_columns() -> None:
    header = "estate,building,room,use,owner_id,owner_kind,delivered"
    with pytest.raises(RegisterFileError) as exc:
        parse_register(register_csv("HY01,1,101,residential,O1,person,yes", header=header), "r.csv")
    assert problems_of(exc) == [(1, "area")]


def test_all_problems_at_once_and_nothing_returned() -> None:
    with pytest.raises(RegisterFileError) as exc:
        parse_register(register_csv(
            "HY01,1,1,101,villa,80,,,O1,甲,person,yes,",
            "HY01,1,1,102,residential,80,,,O2,乙,person,yes,",
            "HY01,1,1,103,residential,x,,,,丙,someone,yes,",
        ), "r.csv")
    assert problems_of(exc) == [(2, "use"), (4, "owner_id"), (4, "owner_kind"), (4, "area_registered")]


def test_non_utf8_csv_is_refused_clearly() -> None:
    data = (HEADER + "\n" + GOOD + "\n").encode("gbk")
    with pytest.raises(RegisterFileError) as exc:
        parse_register(data, "r.csv")
    assert "UTF-8" in exc.value.problems[0].message and exc.value.problems[0].row is None


def test_quoted_line_break_is_one_row() -> None:
    data = register_csv('HY01,1,1,101,residential,80,,,O1,"甲\n乙",person,yes,',
                        "HY01,1,1,102,villa,80,,,O2,乙,person,yes,")
    with pytest.raises(RegisterFileError) as exc:
        parse_register(data, "r.csv")
    assert problems_of(exc) == [(3, "use")]


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    wb.create_sheet("其他")["A1"] = "ignored"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_xlsx_numbers_are_read_as_typed(tmp_path: Path) -> None:
    # 89.1 is stored in the sheet as a binary float (written out as 89.09999999999999); it must
    # come back as the 89.1 that was typed, not as a float approximation.
    data = _xlsx([
        ["小区", "楼栋", "单元", "房号", "用途", "登记面积", "实测面积", "合同面积", "业主编号", "业主姓名", "业主类型", "是否交付", "电话"],
        ["HY01", 3, 2, 501, "住宅", 89.1, None, None, 1001, "张三", "个人", "是", 13800000000],
        ["HY01", 3, 2, 502, "住宅", 120, 90.25, None, 1002, "李四", "个人", True, None],
        [None] * 13,
    ])
    path = tmp_path / "花园.xlsx"
    path.write_bytes(data)
    a, b = read_register(path)
    assert a.area_registered == Decimal("89.1") and str(a.area_registered) == "89.1"
    assert (a.building, a.unit, a.room, a.owner_id, a.phone) == ("3", "2", "501", "1001", "13800000000")
    assert b.area == Decimal("120") and b.delivered is True
    assert b.area_surveyed == Decimal("90.25")


def test_xlsx_rejects_float_noise_with_row_number(tmp_path: Path) -> None:
    data = _xlsx([
        ["estate", "building", "unit", "room", "use", "area_registered", "owner_id", "owner_kind", "delivered"],
        ["HY01", "3", "2", "501", "residential", 89.1, "O1", "person", "yes"],
        ["HY01", "3", "2", "502", "residential", 100 / 3, "O2", "person", "yes"],
        ["HY01", "3", "2", "503", "residential", -12.5, "O3", "person", "yes"],
    ])
    path = tmp_path / "roster.xlsx"
    path.write_bytes(data)
    with pytest.raises(RegisterFileError) as exc:
        read_register(path)
    assert problems_of(exc) == [(3, "area_registered"), (4, "area_registered")]
    assert str(exc.value.problems[0]).startswith("roster.xlsx 第3行 登记面积: 面积最多两位小数 '33.333")


def test_broken_xlsx_is_a_problem_not_a_crash() -> None:
    with pytest.raises(RegisterFileError) as exc:
        parse_register(b"PK\x03\x04 not really a zip", "bad.xlsx")
    assert exc.value.problems[0].source == "bad.xlsx"


# ---- ballots ----------------------------------------------------------------------------------

BALLOT_HEADER = "owner_id,choice,channel,cast_at,proxy"


def ballots_csv(*rows: str, header: str = BALLOT_HEADER) -> bytes:
    return ("\n".join((header, *rows)) + "\n").encode("utf-8")


def test_ballots_parse_aliases_and_times() -> None:
    ballots = parse_ballots(ballots_csv(
        "O1,yes,online,2024-06-01T09:00:00+08:00,",
        "O2,反对,纸质,2024-06-01 10:00,王五",
        "O3,弃权,线上,2024-06-01T02:00:00Z,",
    ), "b.csv")
    assert [(b.owner_id, b.choice, b.channel, b.proxy, b.row_number) for b in ballots] == [
        ("O1", Choice.YES, Channel.ONLINE, None, 2),
        ("O2", Choice.NO, Channel.PAPER, "王五", 3),
        ("O3", Choice.ABSTAIN, Channel.ONLINE, None, 4),
    ]
    assert ballots[0].cast_at == datetime(2024, 6, 1, 9, tzinfo=CST)
    # A naive time is Beijing time: 10:00 in Shanghai is 02:00 UTC.
    assert ballots[1].cast_at == datetime(2024, 6, 1, 2, tzinfo=timezone.utc)
    assert ballots[1].cast_at.utcoffset() == timedelta(hours=8)
    assert ballots[2].cast_at == datetime(2024, 6, 1, 10, tzinfo=CST)


def test_ballots_with_bom_and_chinese_header() -> None:
    data = "\ufeff业主编号,表决意见,方式,时间,代理人\nO1,同意,纸质,2024-06-01T09:00,\n".encode("utf-8")
    (b,) = parse_ballots(data, "b.csv")
    assert (b.owner_id, b.choice, b.channel) == ("O1", Choice.YES, Channel.PAPER)


@pytest.mark.parametrize(("row", "column"), [
    ("O1,maybe,online,2024-06-01T09:00,", "choice"),
    ("O1,yes,fax,2024-06-01T09:00,", "channel"),
    ("O1,yes,online,yesterday,", "cast_at"),
    ("O1,yes,online,2024-06-01,", "cast_at"),
    ("O1,yes,online,,", "cast_at"),
    (",yes,online,2024-06-01T09:00,", "owner_id"),
])
def test_ballot_rejections_name_the_row(row: str, column: str) -> None:
    with pytest.raises(RegisterFileError) as exc:
        parse_ballots(ballots_csv("O9,yes,online,2024-06-01T09:00,", row), "ballots.csv")
    assert [(p.source, p.row, p.column) for p in exc.value.problems] == [("ballots.csv", 3, column)]


def test_ballot_file_missing_column() -> None:
    with pytest.raises(RegisterFileError) as exc:
        parse_ballots(ballots_csv("O1,yes,2024-06-01T09:00", header="owner_id,choice,cast_at"), "b.csv")
    assert [(p.row, p.column) for p in exc.value.problems] == [(1, "channel")]
    assert str(exc.value.problems[0]) == "b.csv 第1行 方式: 缺少必需的列 channel（方式）"


def test_ballots_from_xlsx_with_date_cells(tmp_path: Path) -> None:
    data = _xlsx([
        ["业主编号", "表决意见", "方式", "时间"],
        ["O1", "同意", "纸质", datetime(2024, 6, 1, 9, 30)],
    ])
    path = tmp_path / "ballots.xlsx"
    path.write_bytes(data)
    (b,) = read_ballots(path)
    assert b.cast_at == datetime(2024, 6, 1, 9, 30, tzinfo=CST) and b.row_number == 2
