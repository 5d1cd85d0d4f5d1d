"""Consultations (征求意见): a question with choices and/or free text to an audience, with a deadline;
results with counts, the main themes of the free text (jieba.analyse keywords) and anonymised quotes."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.notify import message, notify
from storage.models import Building, Premises, Residency
from storage.models.votes import Consultation, ConsultationResponse


class ConsultationError(ValueError):
    pass


@dataclass(frozen=True)
class ConsultationResult:
    question: str
    responses: int
    counts: list[tuple[str, int]]
    themes: list[str]
    quotes: list[str]


# Anything that could identify a household or a person in a quote.
_PHONE = re.compile(r"1[3-9]\d{9}|\d{3,4}-\d{7,8}")
_PLACE = re.compile(r"[0-9０-９一二三四五六七八九十零〇两]+\s*(号楼|栋|幢|#|单元|门|室|号)|\d{3,4}")
_NAME_CALL = re.compile(r"(我是|我叫|本人)\s*\S{1,4}")


_NOT_THEMES = {"我住", "号楼", "单元", "电话", "我家", "我们", "觉得", "希望", "感觉", "就是", "还是", "这个", "那个"}


def anonymise(text: str) -> str:
    t = _PHONE.sub("***", text)
    t = _NAME_CALL.sub(r"\1**", t)
    return _PLACE.sub("**", t)


async def audience(session: AsyncSession, c: Consultation) -> list[int]:
    """Verified owners of the estate, or of one building of it."""
    q = (select(Residency.person_id).join(Premises, Premises.id == Residency.premises_id)
         .where(Premises.estate_id == c.estate_id))
    building = (c.audience or {}).get("building")
    if building:
        q = q.join(Building, Building.id == Premises.building_id).where(Building.number == str(building))
    return list(set(await session.scalars(q)))


def answer_buttons(c: Consultation) -> list[list[tuple[str, str]]]:
    rows = [[(ch, f"cons:{c.id}:{i}")] for i, ch in enumerate(c.choices)]
    if c.free_text:
        rows.append([("写下我的意见", f"consw:{c.id}")])
    return rows


async def publish(session: AsyncSession, estate_id: int, question: str, choices: list[str], free_text: bool,
                  deadline: datetime, now: datetime, by_person_id: int | None,
                  building: str | None = None) -> Consultation:
    if len(question.strip()) < 4:
        raise ConsultationError("征求意见的问题太短")
    if not choices and not free_text:
        raise ConsultationError("至少需要选项或文字意见之一")
    if deadline <= now:
        raise ConsultationError("截止时间必须在将来")
    c = Consultation(estate_id=estate_id, question=question.strip(), choices=choices, free_text=free_text,
                     audience={"building": building, "owners_only": True}, deadline=deadline,
                     created_by_person_id=by_person_id, created_at=now)
    session.add(c)
    await session.flush()
    text = f"【征求意见】{c.question}\n截止：{deadline:%Y-%m-%d}" + ("\n可选择下方选项，也可写下您的意见。" if free_text else "")
    await notify(session, await audience(session, c), message(text, answer_buttons(c)), "notice",
                 f"consultation:{c.id}")
    return c


async def respond(session: AsyncSession, consultation_id: int, person_id: int, now: datetime,
                  choice: str | None = None, text: str | None = None) -> ConsultationResponse:
    c = await session.get(Consultation, consultation_id)
    if c is None:
        raise ConsultationError("没有这项征求意见")
    if now >= c.deadline:
        raise ConsultationError("征求意见已截止")
    if person_id not in await audience(session, c):
        raise ConsultationError("这项征求意见面向本小区认证业主，请先绑定房屋")
    if choice is not None and choice not in c.choices:
        raise ConsultationError("没有这个选项")
    if text is not None and not c.free_text:
        raise ConsultationError("这项征求意见不收集文字意见")
    r = await session.scalar(select(ConsultationResponse).where(
        ConsultationResponse.consultation_id == c.id, ConsultationResponse.person_id == person_id))
    if r is None:
        r = ConsultationResponse(consultation_id=c.id, person_id=person_id, answered_at=now)
        session.add(r)
    if choice is not None:
        r.choice = choice
    if text is not None:
        r.text = text.strip()[:1000]
    r.answered_at = now
    await session.flush()
    return r


def themes(texts: list[str], top: int = 8) -> list[str]:
    """The main themes of the free text: TF-IDF keywords over all answers (jieba.analyse)."""
    from nlp.keywords import keywords

    return [w for w in keywords(texts, top * 2) if w not in _NOT_THEMES and not any(ch.isdigit() for ch in w)][:top]


async def results(session: AsyncSession, consultation_id: int, quotes: int = 5) -> ConsultationResult:
    c = await session.get(Consultation, consultation_id)
    if c is None:
        raise ConsultationError("没有这项征求意见")
    rs = list(await session.scalars(select(ConsultationResponse).where(
        ConsultationResponse.consultation_id == c.id).order_by(ConsultationResponse.answered_at)))
    counts = Counter(r.choice for r in rs if r.choice)
    texts = [r.text for r in rs if r.text]
    # Themes come from the anonymised text too: a phone number must never become a "theme".
    clean = [anonymise(t) for t in texts]
    return ConsultationResult(c.question, len(rs), [(ch, counts.get(ch, 0)) for ch in c.choices],
                              themes(clean), clean[:quotes])


def render(r: ConsultationResult) -> str:
    lines = [f"【征求意见结果】{r.question}", f"共 {r.responses} 人参与。"]
    lines += [f"· {ch}：{n} 人" for ch, n in r.counts]
    if r.themes:
        lines.append("主要关注：" + "、".join(r.themes))
    if r.quotes:
        lines.append("部分意见（已匿名）：")
        lines += [f"「{q}」" for q in r.quotes]
    return "\n".join(lines)


def as_dict(r: ConsultationResult) -> dict[str, Any]:
    return {"question": r.question, "responses": r.responses, "counts": r.counts, "themes": r.themes,
            "quotes": r.quotes}
