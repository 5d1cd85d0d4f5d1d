"""Fonts for the pictures Linli draws (charts, notice-board posters): a CJK font if the machine has
one, else Pillow's default (which cannot draw Chinese, so callers label in English then)."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from PIL import ImageFont

FONT_CANDIDATES = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
]
Font = ImageFont.ImageFont | ImageFont.FreeTypeFont


@cache
def cjk_font_path() -> str | None:
    return next((p for p in FONT_CANDIDATES if Path(p).exists()), None)


def font(size: int) -> Font:
    path = cjk_font_path()
    return ImageFont.truetype(path, size) if path else ImageFont.load_default()
