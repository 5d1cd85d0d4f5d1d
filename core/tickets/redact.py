"""Free text shown where the reporter is hidden (anonymous reports, complaints about the property
company seen by its staff, Open311): a room number or a name in the text would reveal who wrote it.

privacy.mask_phones_in_text masks phones for every viewer; this goes further for hidden reporters:
all phone numbers, room numbers ("3号楼2单元501" keeps "3号楼2单元", "1-2-301" keeps "1号楼"),
and self-introductions ("我是张三"). Buildings stay: they are where the problem is, not who.
"""
from __future__ import annotations

import re

from core.tickets.privacy import mask_phones_in_text

HIDDEN = "***"
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")
# A room after a unit or a building: "2单元501", "3号楼501室", "501室", "501房".
_ROOM_AFTER = re.compile(r"((?:单元|号楼|栋|幢|座|门)\s*-?\s*)([0-9０-９]{3,4}|[零〇一二三四五六七八九]{3,4})(?![0-9])")
_ROOM_SUFFIX = re.compile(r"(?<![0-9])([0-9]{3,4})(\s*(?:室|房|号房))")
_ROOM_AROUND = re.compile(r"((?:楼上|楼下|隔壁|对门|我家|住在?|家在|业主)\s*)([0-9]{3,4})(?![0-9])")
# "1-2-301" and "12-1101": building-unit-room or building-room.
_DASHED = re.compile(r"(?<![0-9-])([0-9]{1,3})\s*-\s*(?:[0-9]{1,2}\s*-\s*)?[0-9]{3,4}(?![0-9-])")
_SELF = re.compile(r"((?:我是|我叫|本人是?|我姓)\s*)([\u4e00-\u9fff]{1,3}|[A-Za-z]+)")
# "…501的王五，": a name right after a room, ended by punctuation.
_NAME_AFTER_ROOM = re.compile(r"(\*\*\*(?:室|房)?的)([\u4e00-\u9fff]{2,3})(?=[，,。！!？?；;\s]|$)")


def redact_for_hidden_reporter(text: str) -> str:
    out = mask_phones_in_text(text)
    out = _LANDLINE.sub(HIDDEN, out)
    out = _DASHED.sub(lambda m: f"{m.group(1)}号楼{HIDDEN}", out)
    out = _ROOM_AFTER.sub(lambda m: m.group(1) + HIDDEN, out)
    out = _ROOM_SUFFIX.sub(lambda m: HIDDEN + m.group(2), out)
    out = _ROOM_AROUND.sub(lambda m: m.group(1) + HIDDEN, out)
    out = _SELF.sub(lambda m: m.group(1) + HIDDEN, out)
    return _NAME_AFTER_ROOM.sub(lambda m: m.group(1) + HIDDEN, out)
