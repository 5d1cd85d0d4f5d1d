"""Chinese numerals to Arabic digits, for the short spans that name a building, unit or room.

Only ever applied to a captured span, never to a whole sentence: "一直" or "一下" must stay words.
Two ways of writing occur: positional ("十二栋", "一百零一") and digit by digit, the way room
numbers are read aloud ("五零一", "一一零一", "幺零二"). A span with 十/百/千 is positional,
anything else is read digit by digit.
"""
from __future__ import annotations

DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "○": 0, "一": 1, "幺": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}
UNITS: dict[str, int] = {"十": 10, "百": 100, "千": 1000}
CHINESE_NUMERAL_CHARS = "".join(DIGITS) + "".join(UNITS)


def is_positional(span: str) -> bool:
    return any(ch in UNITS for ch in span)


def positional_to_int(span: str) -> int:
    """"十二" -> 12, "二十三" -> 23, "一百零一" -> 101, "十" -> 10."""
    total = 0
    pending = 0  # the digit waiting for its unit
    for ch in span:
        if ch in DIGITS:
            pending = DIGITS[ch]
        elif ch in UNITS:
            # "十" on its own (as in "十二") means one ten.
            total += (pending or 1) * UNITS[ch]
            pending = 0
        else:
            raise ValueError(f"not a Chinese numeral: {span!r}")
    return total + pending


def digitwise(span: str) -> str:
    """"五零一" -> "501"; ASCII digits pass through."""
    out = []
    for ch in span:
        if ch.isascii() and ch.isdigit():
            out.append(ch)
        elif ch in DIGITS:
            out.append(str(DIGITS[ch]))
        else:
            raise ValueError(f"not a digit: {ch!r} in {span!r}")
    return "".join(out)


def to_arabic(span: str) -> str:
    """A numeral span as an Arabic-digit string, in whichever way it was written."""
    span = span.strip()
    if not span:
        raise ValueError("empty numeral")
    if is_positional(span):
        return str(positional_to_int(span))
    return digitwise(span)


def to_number_label(span: str) -> str:
    """Building and unit numbers: like to_arabic but without leading zeros ("03" -> "3")."""
    digits = to_arabic(span)
    return str(int(digits))
