"""Reading the register (roster) and ballot files committees keep, as register-format.md describes.

CSV (UTF-8, with or without the BOM Excel writes) or XLSX (first sheet). Columns go by English key
or by the Chinese header; extra columns are ignored. Reading is all-or-nothing: every problem is
collected with the row number a spreadsheet shows (header = row 1) and raised together in one
RegisterFileError, so a committee can fix the whole sheet in one pass and nothing partial is used.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from core.area import counted_area

# A ballot time written without an offset is local time of the estate (China has one zone).
LOCAL_TZ = ZoneInfo("Asia/Shanghai")
HUNDREDTH = Decimal("0.01")
_AREA = re.compile(r"\d+(\.\d*)?|\.\d+")
_T = TypeVar("_T")


class Use(StrEnum):
    RESIDENTIAL = "residential"
    COMMERCIAL = "commercial"
    OTHER = "other"


class OwnerKind(StrEnum):
    PERSON = "person"
    DEVELOPER = "developer"


class Choice(StrEnum):
    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"


class Channel(StrEnum):
    ONLINE = "online"
    PAPER = "paper"


# Chinese header of every column (register-format.md), plus the label used for derived checks.
LABELS: dict[str, str] = {
    "estate": "小区", "building": "楼栋", "unit": "单元", "room": "房号", "use": "用途",
    "area_registered": "登记面积", "area_surveyed": "实测面积", "area_contract": "合同面积",
    "owner_id": "业主编号", "owner_name": "业主姓名", "owner_kind": "业主类型",
    "delivered": "是否交付", "phone": "电话",
    "choice": "表决意见", "channel": "方式", "cast_at": "时间", "proxy": "代理人",
    "area": "面积",
}

AREA_COLUMNS = ("area_registered", "area_surveyed", "area_contract")
REGISTER_REQUIRED = ("estate", "building", "room", "use", "owner_id", "owner_kind", "delivered")
REGISTER_OPTIONAL = ("unit", "owner_name", "phone") + AREA_COLUMNS
BALLOT_REQUIRED = ("owner_id", "choice", "channel", "cast_at")
BALLOT_OPTIONAL = ("proxy",)

_USE = {"residential": Use.RESIDENTIAL, "住宅": Use.RESIDENTIAL,
        "commercial": Use.COMMERCIAL, "商业": Use.COMMERCIAL,
        "other": Use.OTHER, "其他": Use.OTHER}
_KIND = {"person": OwnerKind.PERSON, "个人": OwnerKind.PERSON,
         "developer": OwnerKind.DEVELOPER, "建设单位": OwnerKind.DEVELOPER, "开发商": OwnerKind.DEVELOPER}
# XLSX TRUE/FALSE cells arrive as booleans and are read as "true"/"false".
_DELIVERED = {"yes": True, "是": True, "true": True, "no": False, "否": False, "false": False}
_CHOICE = {"yes": Choice.YES, "同意": Choice.YES, "no": Choice.NO, "反对": Choice.NO,
           "abstain": Choice.ABSTAIN, "弃权": Choice.ABSTAIN}
_CHANNEL = {"online": Channel.ONLINE, "线上": Channel.ONLINE, "paper": Channel.PAPER, "纸质": Channel.PAPER}


@dataclass(frozen=True)
class RowProblem:
    """One problem in a file. row is the spreadsheet row (header = 1); None for the whole file."""

    source: str
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = f"第{self.row}行 " if self.row is not None else ""
        label = LABELS.get(self.column, self.column)
        return f"{self.source} {where}{label}: {self.message}" if label else f"{self.source} {where}{self.message}"


class RegisterFileError(ValueError):
    """Every problem found in a file (or in the rows read from it); nothing partial was returned."""

    def __init__(self, problems: Sequence[RowProblem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class RegisterRow:
    """One premises (专有部分) of the register."""

    estate: str
    building: str
    unit: str | None
    room: str
    use: Use
    area_registered: Decimal | None
    area_surveyed: Decimal | None
    area_contract: Decimal | None
    owner_id: str
    owner_name: str
    owner_kind: OwnerKind
    delivered: bool
    phone: str | None
    row_number: int

    def __post_init__(self) -> None:
        # Callers building rows in code may pass plain strings; they become the enums (or fail).
        object.__setattr__(self, "use", Use(self.use))
        object.__setattr__(self, "owner_kind", OwnerKind(self.owner_kind))
        areas = [a for a in (self.area_registered, self.area_surveyed, self.area_contract) if a is not None]
        if not areas:
            raise ValueError(f"row {self.row_number}: one of the three areas is required")
        if any(a <= 0 for a in areas):
            raise ValueError(f"row {self.row_number}: areas must be positive")

    @property
    def area(self) -> Decimal:
        """The area that counts (SPC interpretation arts. 8-9)."""
        return counted_area(self.area_registered, self.area_surveyed, self.area_contract)


@dataclass(frozen=True)
class Ballot:
    owner_id: str
    choice: Choice
    channel: Channel
    cast_at: datetime  # always aware
    proxy: str | None
    row_number: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "choice", Choice(self.choice))
        object.__setattr__(self, "channel", Channel(self.channel))
        if self.cast_at.tzinfo is None:
            raise ValueError(f"row {self.row_number}: cast_at must carry a time zone")


# ---------------------------------------------------------------------------------------------
# Tables: header plus (row number, cells), from CSV or XLSX bytes.

@dataclass(frozen=True)
class _Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]


def _cell_text(value: object) -> str:
    """An XLSX cell as the text a person sees, without binary-float noise (89.1 stays "89.1")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        # repr gives the shortest text that round-trips, i.e. what was typed; integral floats
        # (a room 501 stored as 501.0) read as integers.
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return str(value)


def _read_xlsx(data: bytes, source: str) -> _Table:
    import openpyxl  # only needed for XLSX input

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a broken file
        raise RegisterFileError([RowProblem(source, None, "", f"无法读取 XLSX 文件（{exc}）")]) from exc
    try:
        ws = wb.worksheets[0]
        table = [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    if not table:
        raise RegisterFileError([RowProblem(source, None, "", "文件为空，缺少表头")])
    return _Table(table[0], [(i, r) for i, r in enumerate(table[1:], start=2)])


def _read_csv(data: bytes, source: str) -> _Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RegisterFileError([RowProblem(source, None, "", "不是 UTF-8 编码的 CSV（在 Excel 中请另存为“CSV UTF-8”）")]) from exc
    # Row numbers count records, as a spreadsheet does, so a quoted line break stays one row.
    records = list(csv.reader(io.StringIO(text, newline="")))
    if not records:
        raise RegisterFileError([RowProblem(source, None, "", "文件为空，缺少表头")])
    return _Table(records[0], [(i, r) for i, r in enumerate(records[1:], start=2)])


def read_table(data: bytes, source: str) -> _Table:
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data, source)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise RegisterFileError([RowProblem(source, None, "", "不支持旧版 .xls 文件，请另存为 .xlsx 或 CSV UTF-8")])
    return _read_csv(data, source)


_BRACKETED = re.compile(r"^(.*?)\s*[（(]\s*(.*?)\s*[)）]$")


def _header_lookup(keys: Sequence[str]) -> dict[str, str]:
    lookup = {k: k for k in keys}
    lookup.update({LABELS[k]: k for k in keys})
    return lookup


def _map_header(header: list[str], keys: Sequence[str], required: Sequence[str],
                source: str) -> tuple[dict[str, int], list[RowProblem]]:
    """Column positions by key; accepts `owner_id`, `业主编号` and `owner_id (业主编号)`."""
    lookup = _header_lookup(keys)
    positions: dict[str, int] = {}
    problems: list[RowProblem] = []
    for i, raw in enumerate(header):
        name = raw.strip().lstrip("\ufeff").strip()
        candidates = [name.lower(), name]
        m = _BRACKETED.match(name)
        if m:
            candidates += [m.group(1).lower(), m.group(2)]
        key = next((lookup[c] for c in candidates if c in lookup), None)
        if key is None:
            continue  # extra columns are allowed
        if key in positions:
            problems.append(RowProblem(source, 1, key, f"列重复（第{positions[key] + 1}列和第{i + 1}列）"))
            continue
        positions[key] = i
    for key in required:
        if key not in positions:
            problems.append(RowProblem(source, 1, key, f"缺少必需的列 {key}（{LABELS[key]}）"))
    return positions, problems


class _Row:
    """Cells of one data row by key, and the problems found in it."""

    def __init__(self, source: str, number: int, cells: dict[str, str], problems: list[RowProblem]):
        self.source, self.number, self.cells, self._problems = source, number, cells, problems

    def text(self, key: str) -> str:
        return self.cells.get(key, "")

    def problem(self, key: str, message: str) -> None:
        self._problems.append(RowProblem(self.source, self.number, key, message))

    def required(self, key: str) -> str:
        value = self.text(key)
        if not value:
            self.problem(key, "不能为空")
        return value

    def choice(self, key: str, table: dict[str, _T], allowed: str) -> _T | None:
        value = self.text(key)
        found = table.get(value.lower(), table.get(value))
        if found is None:
            self.problem(key, f"应为 {allowed}，实际为 '{value}'" if value else f"不能为空，应为 {allowed}")
        return found

    def area(self, key: str) -> Decimal | None:
        value = self.text(key)
        if not value:
            return None
        if value.startswith("-") and _AREA.fullmatch(value[1:]):
            self.problem(key, f"面积不能为负数 '{value}'")
            return None
        if not _AREA.fullmatch(value):
            self.problem(key, f"不是有效的面积 '{value}'")
            return None
        d = Decimal(value)
        if d == 0:
            self.problem(key, f"面积必须大于 0 '{value}'")
            return None
        if d != d.quantize(HUNDREDTH):
            self.problem(key, f"面积最多两位小数 '{value}'")
            return None
        # "89.100" is 89.10: trailing zeros beyond two places are dropped, nothing else changes.
        return d.quantize(HUNDREDTH) if d.as_tuple().exponent < -2 else d  # type: ignore[operator]

    def cast_at(self, key: str) -> datetime | None:
        value = self.text(key)
        if not value:
            self.problem(key, "不能为空，应为 ISO 8601 时间，如 2024-05-01T10:00:00+08:00")
            return None
        if re.fullmatch(r"\d{4}-?\d{2}-?\d{2}", value):
            self.problem(key, f"缺少时刻 '{value}'，应为 ISO 8601 时间，如 2024-05-01T10:00:00+08:00")
            return None
        try:
            dt = datetime.fromisoformat(value)
        except ValueError:
            self.problem(key, f"不是有效的时间 '{value}'，应为 ISO 8601 时间，如 2024-05-01T10:00:00+08:00")
            return None
        return dt if dt.tzinfo is not None else dt.replace(tzinfo=LOCAL_TZ)


def _rows(data: bytes, source: str, keys: Sequence[str], required: Sequence[str],
          problems: list[RowProblem]) -> tuple[set[str], list[_Row]]:
    """The data rows by key, and the keys the header has; header problems go to problems."""
    table = read_table(data, source)
    positions, header_problems = _map_header(table.header, keys, required, source)
    problems.extend(header_problems)
    out = []
    for number, cells in table.rows:
        if not any(c.strip() for c in cells):
            continue  # blank lines, and the empty rows Excel leaves below a table
        by_key = {k: (cells[i].strip() if i < len(cells) else "") for k, i in positions.items()}
        out.append(_Row(source, number, by_key, problems))
    return set(positions), out


# ---------------------------------------------------------------------------------------------
# Public API

def parse_register(data: bytes, source: str) -> list[RegisterRow]:
    """The register rows of a CSV or XLSX file; raises RegisterFileError with every problem."""
    problems: list[RowProblem] = []
    columns, rows = _rows(data, source, REGISTER_REQUIRED + REGISTER_OPTIONAL, REGISTER_REQUIRED, problems)
    if not columns.intersection(AREA_COLUMNS):
        problems.append(RowProblem(source, 1, "area", "缺少面积列：登记面积、实测面积、合同面积至少需要一列"))
    if problems:
        raise RegisterFileError(problems)  # rows cannot be read against a broken header

    out: list[RegisterRow] = []
    seen: dict[tuple[str, str, str], int] = {}
    for r in rows:
        before = len(problems)
        estate = r.required("estate")
        building = r.required("building")
        room = r.required("room")
        owner_id = r.required("owner_id")
        use = r.choice("use", _USE, "residential/commercial/other（住宅/商业/其他）")
        kind = r.choice("owner_kind", _KIND, "person/developer（个人/建设单位）")
        delivered = r.choice("delivered", _DELIVERED, "yes/no（是/否）")
        areas = {k: r.area(k) for k in AREA_COLUMNS}
        if not any(r.text(k) for k in AREA_COLUMNS):
            r.problem("area", "登记面积、实测面积、合同面积均为空，至少需要填写一项")
        unit = r.text("unit") or None
        if building and room:
            key = (building, unit or "", room)
            if key in seen:
                where = f"{building}号楼" + (f"{unit}单元" if unit else "") + room
                r.problem("room", f"与第{seen[key]}行重复（{where}）")
            else:
                seen[key] = r.number
        if len(problems) > before:
            continue
        assert use is not None and kind is not None and delivered is not None
        out.append(RegisterRow(
            estate=estate, building=building, unit=unit, room=room, use=use,
            area_registered=areas["area_registered"], area_surveyed=areas["area_surveyed"],
            area_contract=areas["area_contract"], owner_id=owner_id, owner_name=r.text("owner_name"),
            owner_kind=kind, delivered=delivered, phone=r.text("phone") or None, row_number=r.number))
    if problems:
        raise RegisterFileError(problems)
    return out


def parse_ballots(data: bytes, source: str) -> list[Ballot]:
    """The ballots of a CSV or XLSX file, in file order; raises RegisterFileError with every problem."""
    problems: list[RowProblem] = []
    _, rows = _rows(data, source, BALLOT_REQUIRED + BALLOT_OPTIONAL, BALLOT_REQUIRED, problems)
    if problems:
        raise RegisterFileError(problems)  # rows cannot be read against a broken header
    out: list[Ballot] = []
    for r in rows:
        before = len(problems)
        owner_id = r.required("owner_id")
        choice = r.choice("choice", _CHOICE, "yes/no/abstain（同意/反对/弃权）")
        channel = r.choice("channel", _CHANNEL, "online/paper（线上/纸质）")
        cast_at = r.cast_at("cast_at")
        if len(problems) > before:
            continue
        assert choice is not None and channel is not None and cast_at is not None
        out.append(Ballot(owner_id=owner_id, choice=choice, channel=channel, cast_at=cast_at,
                          proxy=r.text("proxy") or None, row_number=r.number))
    if problems:
        raise RegisterFileError(problems)
    return out


def _read(path: str | Path, parse: Callable[[bytes, str], list]) -> list:  # type: ignore[type-arg]
    p = Path(path)
    return parse(p.read_bytes(), p.name)


def read_register(path: str | Path) -> list[RegisterRow]:
    """parse_register on a file; problems name the file by its base name."""
    return _read(path, parse_register)


def read_ballots(path: str | Path) -> list[Ballot]:
    """parse_ballots on a file; problems name the file by its base name."""
    return _read(path, parse_ballots)
