"""Chart images (PNG) for published results, drawn with Pillow."""
from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from PIL import Image, ImageDraw
from sqlalchemy.ext.asyncio import AsyncSession

from core.drawing import Font, cjk_font_path, font


def _font(size: int) -> tuple[Font, bool]:
    return font(size), cjk_font_path() is not None  # no CJK font: English labels


def vote_chart(title: str, result: dict[str, Any]) -> bytes:
    """Participation and approval, by area and by persons, against the thresholds."""
    v = result["verdict"]
    total_a, total_p = Decimal(v["totals"]["area"]), v["totals"]["persons"]
    part_a, part_p = Decimal(v["participants"]["area"]), v["participants"]["persons"]
    yes_a, yes_p = Decimal(v["yes"]["area"]), v["yes"]["persons"]
    major = "四分之三" in result.get("explanation", "")
    font, cjk = _font(22)
    small, _ = _font(18)
    labels = (["参与面积", "参与人数", "同意面积", "同意人数"] if cjk
              else ["Turnout (area)", "Turnout (persons)", "Yes (area)", "Yes (persons)"])
    ratios = [
        float(part_a / total_a) if total_a else 0.0,
        part_p / total_p if total_p else 0.0,
        float(yes_a / part_a) if part_a else 0.0,
        yes_p / part_p if part_p else 0.0,
    ]  # floats only for drawing; the verdict itself was computed exactly
    thresholds = [2 / 3, 2 / 3, 0.75 if major else 0.5, 0.75 if major else 0.5]
    w, h, left, top, bar_h, gap = 760, 380, 190, 80, 46, 28
    img = Image.new("RGB", (w, h), "white")
    d = ImageDraw.Draw(img)
    d.text((20, 20), title if cjk else "Vote result", fill="black", font=font)
    span = w - left - 60
    for i, (label, r, t) in enumerate(zip(labels, ratios, thresholds)):
        y = top + i * (bar_h + gap)
        d.text((20, y + 10), label, fill="black", font=small)
        d.rectangle([left, y, left + span, y + bar_h], outline="#bbbbbb", fill="#f2f2f2")
        ok = r >= t if i < 2 or major else r > t
        d.rectangle([left, y, left + int(span * min(r, 1.0)), y + bar_h], fill="#07c160" if ok else "#e57373")
        tx = left + int(span * t)
        d.line([tx, y - 6, tx, y + bar_h + 6], fill="black", width=3)
        d.text((left + 8, y + 12), f"{r * 100:.2f}%", fill="black", font=small)
    return _png(img)


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


async def attach_images(session: AsyncSession, body: dict[str, Any]) -> dict[str, Any]:
    """Draw the image a notification refers to (e.g. a published vote's chart) for platforms that
    need the bytes; the web chat loads it by URL instead."""
    from storage.models.votes import Vote

    img = body.get("image")
    if not (isinstance(img, dict) and img.get("chart") == "vote"):
        return body
    vote = await session.get(Vote, int(img["vote_id"]))
    if vote is None or not vote.result:
        return {k: v for k, v in body.items() if k != "image"}
    return {**body, "image": {"filename": f"vote-{vote.id}.png", "content_type": "image/png",
                              "data": vote_chart(vote.title, vote.result)}}
