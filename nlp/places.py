"""Where a message is about: building, unit, room and named places of the estate.

Residents write the same address in many ways, all handled here:
"3号楼2单元501", "三号楼二单元五零一", "3#楼", "5栋1门402", "12-2-1101", "B座1903",
full-width digits ("３号楼"). Numbers come back as Arabic-digit strings (building letters as
upper-case letters: "B座" -> "B"). Chinese numerals are converted only inside the captured span,
so "一直" or "一下" elsewhere in the sentence are never touched.

Floors are not rooms: "18楼", "8层", "负一层" are ignored, and a bare "3楼" is a floor, not
building 3 (residents say "3号楼" or "3栋" for the building).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.numerals import CHINESE_NUMERAL_CHARS, DIGITS, to_arabic, to_number_label
from nlp.text import fold


@dataclass(frozen=True, slots=True)
class Place:
    building: str | None = None
    unit: str | None = None
    room: str | None = None
    place: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.building or self.unit or self.room or self.place)


_CN = CHINESE_NUMERAL_CHARS
_CN_DIGITS = "".join(DIGITS)  # digit-by-digit room numbers use no 十/百/千
# A numeral preceded by one of these is a count or a demonstrative ("这一栋", "每栋", "同一单元").
_NOT_AFTER = "这那每哪同整有几好另某些各本单双"
# What may follow a room number; anything in this class means the digits were something else.
_ROOM_STOP = r"(?![\d楼层号栋幢座单米元块平年月日人个次分斤岁度%.:]|天(?![花台然井窗气]))"

_BUILDING = re.compile(
    rf"(?<![{_NOT_AFTER}\dA-Za-z{_CN}])"
    rf"(?:第)?(?:(?P<b>\d{{1,3}}|[{_CN}]{{1,4}})\s*(?:号楼|号栋|号幢|栋楼|#楼|#|栋|幢)"
    rf"|(?P<bl>[A-Za-z]|\d{{1,3}})\s*(?:座|栋|幢))"
)
# What may directly follow a building: a unit ("2单元", "1门", "2-"), then a room.
_TAIL = re.compile(
    rf"\s*(?:(?P<u>\d{{1,2}}|[{_CN}]{{1,3}})\s*(?:单元|门(?![口岗卫禁前外铃锁洞厅面栋卡把缝框]))\s*-?"
    rf"|(?P<ud>\d{{1,2}})\s*-(?=\s*\d{{3,4}}))?"
    rf"\s*(?:(?P<r>\d{{3,4}}|[{_CN_DIGITS}]{{3,4}}|[{_CN}]{{3,6}}(?=[室房]))\s*(?:室|房|号房)?{_ROOM_STOP})?"
)
_DASH3 = re.compile(r"(?<![\d.:/-])(?P<b>\d{1,3})\s*-\s*(?P<u>\d{1,2})\s*-\s*(?P<r>\d{3,4})(?![\d-])")
_DASH2 = re.compile(
    r"(?<![\d.:/-])(?P<b>\d{1,3})-(?P<x>\d{1,4})"
    r"(?![\d.:/-]|\s*(?:[点时号月日年个分秒元块楼层度岁%倍次期周]|天(?![花台然井窗气])))"
)
_UNIT = re.compile(rf"(?<![{_NOT_AFTER}\d{_CN}])(?P<u>\d{{1,2}}|[{_CN}]{{1,3}})\s*单元")
_ROOM_LEFT = re.compile(
    r"(?:楼上|楼下|隔壁|对门|对面|住在?|我家|我们家|家在|家是|我是|他家|她家|业主)\s*"
    rf"(?P<r>\d{{3,4}}){_ROOM_STOP}"
)
_ROOM_RIGHT = re.compile(
    r"(?<![\d.:/-])(?P<r>\d{3,4})\s*(?=室|房(?![子租价东产贷])|号房|这户|那户|的业主|业主)"
)

# Named places of an estate, as residents name them. Longest first so that "东门岗亭" wins
# over "东门" and "地下车库" over "车库".
NAMED_PLACES: tuple[str, ...] = tuple(sorted({
    "地下车库", "地库", "地下停车场", "地面停车场", "停车场", "车库", "地下室", "非机动车库",
    "东门", "西门", "南门", "北门", "大门", "正门", "侧门", "后门", "小区门口",
    "东门岗亭", "西门岗亭", "南门岗亭", "北门岗亭", "门岗", "岗亭",
    "楼顶", "天台", "屋顶",
    "小区花园", "中心花园", "花园", "健身区", "健身广场", "小广场", "中心广场", "广场",
    "儿童游乐区", "儿童乐园", "游乐场", "篮球场", "羽毛球场",
    "垃圾站", "垃圾房", "垃圾中转站", "垃圾分类亭",
    "物业办公室", "物业服务中心", "物业中心", "业委会办公室",
    "消防通道", "充电桩区域", "充电棚", "车棚", "自行车棚",
    "水泵房", "配电房", "快递柜", "会所", "活动室", "门卫室",
}, key=lambda s: (-len(s), s)))
_NAMED = re.compile("|".join(map(re.escape, NAMED_PLACES)))
# Basement levels written as on the lift buttons: "B1", "B2".
_BASEMENT = re.compile(r"(?<![A-Za-z0-9])[Bb]\s?(?P<n>[1-5])(?![\d座栋幢号楼#])")


def _building_label(match: re.Match[str]) -> str | None:
    if match.group("bl"):
        raw = match.group("bl")
        return raw.upper() if raw.isalpha() else to_number_label(raw)
    raw = match.group("b")
    if raw.startswith("两"):
        return None  # "两栋楼" counts buildings
    if raw == "一" and match.string[match.end():match.end() + 1] == "楼":
        return None  # "一栋楼都停电了" counts buildings
    try:
        label = to_number_label(raw)
    except ValueError:
        return None
    return label if label != "0" else None


def _unit_label(raw: str | None) -> str | None:
    if not raw or raw.startswith("两"):
        return None
    try:
        label = to_number_label(raw)
    except ValueError:
        return None
    return label if label != "0" else None


def _room_label(raw: str | None) -> str | None:
    if not raw:
        return None
    try:
        label = to_arabic(raw)
    except ValueError:
        return None
    # A room number names a floor and a door: at least three digits, not starting with 0.
    if not (3 <= len(label) <= 4) or label.startswith("0"):
        return None
    return label


def _address(text: str) -> tuple[str | None, str | None, str | None]:
    match = _DASH3.search(text)
    if match:
        return (to_number_label(match.group("b")), to_number_label(match.group("u")),
                match.group("r"))

    building = unit = room = None
    for match in _BUILDING.finditer(text):
        building = _building_label(match)
        if building is None:
            continue
        tail = _TAIL.match(text, match.end())
        if tail:
            unit = _unit_label(tail.group("u") or tail.group("ud"))
            room = _room_label(tail.group("r"))
        break

    if building is None:
        match = _DASH2.search(text)
        if match:
            building = to_number_label(match.group("b"))
            x = match.group("x")
            if len(x) <= 2:
                unit = unit or to_number_label(x)
            else:
                room = room or _room_label(x)
    if unit is None:
        for match in _UNIT.finditer(text):
            unit = _unit_label(match.group("u"))
            if unit:
                break
    if room is None:
        for pattern in (_ROOM_LEFT, _ROOM_RIGHT):
            match = pattern.search(text)
            if match:
                room = _room_label(match.group("r"))
                if room:
                    break
    return building, unit, room


# A place name that is only part of another word: "今天台风" holds no rooftop, "入户花园" is a
# flat's own garden. ("广场舞" does name the square: that is where the music plays.)
_NOT_A_PLACE: dict[str, tuple[str, str]] = {  # name -> (characters it may not follow, nor precede)
    "天台": ("今明昨前后每当白聊整半几", "风"),
    "花园": ("户家人", ""),
}


def _is_place(match: re.Match[str]) -> bool:
    before, after = _NOT_A_PLACE.get(match.group(0), ("", ""))
    text, start, end = match.string, match.start(), match.end()
    return not ((before and start > 0 and text[start - 1] in before)
                or (after and end < len(text) and text[end] in after))


def _named_place(text: str) -> str | None:
    named = next((m for m in _NAMED.finditer(text) if _is_place(m)), None)
    basement = _BASEMENT.search(text)
    if basement and (named is None or basement.start() < named.start()):
        return f"B{basement.group('n')}"
    return named.group(0) if named else None


def extract_place(text: str) -> Place:
    """Building, unit, room and named place mentioned in a message (first mention of each)."""
    folded = fold(text)
    building, unit, room = _address(folded)
    return Place(building=building, unit=unit, room=room, place=_named_place(folded))
