"""Pictures of fee documents, drawn with Pillow: a fee disclosure as a notice-board poster (PNG or
PDF) and collection rates as a bar chart. Handlers send them as attachments, so they live below
handlers; fonts come from core.drawing."""
from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal

from PIL import Image, ImageDraw, ImageFont

from core.drawing import Font, font

def _wrap(draw: ImageDraw.ImageDraw, text: str, f: Font, width: int) -> list[str]:
    """Break a line to fit `width` pixels, character by character (Chinese has no spaces)."""
    out, line = [], ""
    for ch in text:
        if draw.textlength(line + ch, font=f) > width and line:
            out.append(line)
            line = "　" + ch if text.startswith("  ") else ch
        else:
            line += ch
    out.append(line)
    return out


def poster(title: str, lines: Sequence[str], footer: str = "", width: int = 1240) -> Image.Image:
    """A white A4-proportioned sheet: a centred title and the lines wrapped to the width."""
    head, body, small = font(44), font(26), font(22)
    margin, gap = 70, 12
    scratch = ImageDraw.Draw(Image.new("RGB", (10, 10)))
    wrapped = [w for ln in lines for w in _wrap(scratch, ln, body, width - 2 * margin)]
    line_h = int(body.size if isinstance(body, ImageFont.FreeTypeFont) else 14) + gap
    height = max(int(width * 1.414), 220 + line_h * len(wrapped) + 120)
    img = Image.new("RGB", (width, height), "white")
    d = ImageDraw.Draw(img)
    tw = d.textlength(title, font=head)
    d.text(((width - tw) / 2, 60), title, fill="black", font=head)
    d.line([margin, 140, width - margin, 140], fill="#c00000", width=3)
    y = 170
    for ln in wrapped:
        d.text((margin, y), ln, fill="black", font=body)
        y += line_h
    if footer:
        d.text((margin, height - 80), footer, fill="#555555", font=small)
    return img


def png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def pdf(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PDF", resolution=150)
    return buf.getvalue()


def rate_chart(title: str, bars: Sequence[tuple[str, Decimal | None]], width: int = 900) -> bytes:
    """Horizontal bars of collection rates in percent (None: nothing billed); aggregates only."""
    f, small = font(24), font(20)
    top, bar_h, gap, left = 80, 34, 16, 200
    height = top + len(bars) * (bar_h + gap) + 40
    img = Image.new("RGB", (width, height), "white")
    d = ImageDraw.Draw(img)
    d.text((20, 24), title, fill="black", font=f)
    span = width - left - 120
    for i, (label, percent) in enumerate(bars):
        y = top + i * (bar_h + gap)
        d.text((20, y + 4), label, fill="black", font=small)
        d.rectangle([left, y, left + span, y + bar_h], outline="#bbbbbb", fill="#f2f2f2")
        if percent is not None:
            share = min(float(percent) / 100, 1.0)  # a float only to place pixels
            d.rectangle([left, y, left + int(span * share), y + bar_h], fill="#07c160" if share >= 0.9 else "#f0a020")
        d.text((left + span + 10, y + 4), "—" if percent is None else f"{percent}%", fill="black", font=small)
    return png(img)
