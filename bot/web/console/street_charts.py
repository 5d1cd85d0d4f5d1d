"""The monthly report's charts as PNG (Pillow, the CJK font of core/drawing.py): the three rates per
estate against the street's total, and tickets received per category."""
from __future__ import annotations

import io

from PIL import Image, ImageDraw

from core.drawing import cjk_font_path, font
from core.tickets.report import MonthlyReport, SliceStats
from core.tickets.stats import Rate

RATE_COLOURS = ("#1f7a4d", "#3b82c4", "#e0a030")  # response, resolution, satisfaction
GRID = "#dde2e6"
INK = "#1d2329"
MUTED = "#66707a"
WIDTH = 900


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def _share(rate: Rate) -> float | None:
    f = rate.fraction
    return None if f is None else float(f)  # floats only for drawing; the figures shown are exact


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def rates_chart(report: MonthlyReport) -> bytes:
    """响应率 / 解决率 / 满意率 for the street and each estate, as horizontal bars from 0 to 100 %."""
    cjk = cjk_font_path() is not None  # without a CJK font Pillow cannot draw Chinese: English labels
    title_font, label_font, small = font(24), font(17), font(14)
    rows: list[SliceStats] = [report.total, *report.by_estate]
    names = ["全街道" if cjk else "Street", *[(r.name if cjk else f"Estate {i + 1}")
                                            for i, r in enumerate(report.by_estate)]]
    legend = ["响应率", "解决率", "满意率"] if cjk else ["Response", "Resolution", "Satisfaction"]
    left, top, bar_h, group_gap = 170, 96, 16, 22
    group_h = 3 * bar_h + group_gap
    height = top + group_h * len(rows) + 40
    img = Image.new("RGB", (WIDTH, height), "white")
    d = ImageDraw.Draw(img)
    title = f"{report.street_name} {report.month} 诉求办理情况" if cjk else f"{report.street_code} {report.month}"
    d.text((20, 18), title, fill=INK, font=title_font)
    x = 20
    for colour, word in zip(RATE_COLOURS, legend):
        d.rectangle([x, 62, x + 14, 76], fill=colour)
        d.text((x + 20, 59), word, fill=INK, font=small)
        x += 110
    span = WIDTH - left - 90
    for pct in (0, 25, 50, 75, 100):
        gx = left + span * pct // 100
        d.line([gx, top - 6, gx, height - 30], fill=GRID, width=1)
        d.text((gx - 10, height - 26), f"{pct}%", fill=MUTED, font=small)
    for i, (row, name) in enumerate(zip(rows, names)):
        y = top + i * group_h
        d.text((20, y + bar_h), _fit(name, 9), fill=INK, font=label_font)
        for j, rate in enumerate((row.response, row.resolution, row.satisfaction)):
            by = y + j * bar_h
            share = _share(rate)
            if share is None:
                d.text((left + 4, by), "—", fill=MUTED, font=small)
                continue
            d.rectangle([left, by + 2, left + max(2, int(span * share)), by + bar_h - 2], fill=RATE_COLOURS[j])
            d.text((left + int(span * share) + 6, by), f"{rate.percent()}%", fill=INK, font=small)
    return _png(img)


def categories_chart(report: MonthlyReport) -> bytes:
    """Tickets received per category, with how many of them went overdue."""
    cjk = cjk_font_path() is not None
    title_font, label_font, small = font(24), font(16), font(14)
    rows = report.by_category
    left, top, bar_h, gap = 250, 70, 22, 10
    height = top + max(1, len(rows)) * (bar_h + gap) + 30
    img = Image.new("RGB", (WIDTH, height), "white")
    d = ImageDraw.Draw(img)
    d.text((20, 18), "按类别受理量（红色为超期）" if cjk else "Tickets by category (red: overdue)", fill=INK,
           font=title_font)
    if not rows:
        d.text((20, top), "本月没有诉求" if cjk else "No tickets this month", fill=MUTED, font=label_font)
        return _png(img)
    most = max(r.counts.received for r in rows) or 1
    span = WIDTH - left - 80
    for i, r in enumerate(rows):
        y = top + i * (bar_h + gap)
        d.text((20, y + 1), _fit(r.name if cjk else r.key, 14), fill=INK, font=label_font)
        w = max(2, span * r.counts.received // most)
        d.rectangle([left, y, left + w, y + bar_h], fill="#3b82c4")
        if r.overdue:
            d.rectangle([left, y, left + max(2, span * r.overdue // most), y + bar_h], fill="#b3261e")
        d.text((left + w + 8, y + 2), str(r.counts.received), fill=INK, font=small)
    return _png(img)


CHARTS = {"rates": rates_chart, "categories": categories_chart}
