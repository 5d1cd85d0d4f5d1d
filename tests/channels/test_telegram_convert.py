"""Telegram JSON -> Incoming, and Outgoing -> Bot API calls (pure functions)."""
from __future__ import annotations

import pytest

from bot.channels.telegram.convert import (
    BUTTONS_ONLY_TEXT,
    BotIdentity,
    convert_update,
    marked,
    plan,
    split_text,
    utf16_len,
)
from handlers.messages import Attachment, Location, Outgoing, Photo, buttons
from tests.channels import updates as tg

BOT = BotIdentity(7123456789, "LinliTestBot")
WANG = tg.user()


def test_private_text() -> None:
    conv = convert_update(tg.message(10, WANG, "3号楼电梯坏了"), BOT)
    assert conv is not None and conv.update_id == 10 and conv.pressed is None and conv.reply_to is None
    inc = conv.incoming
    assert (inc.channel, inc.chat_id, inc.sender_id) == ("telegram", "7003001", "7003001")
    assert inc.sender_name == "建国 王" and inc.text == "3号楼电梯坏了" and inc.language == "zh"
    assert not inc.is_group and inc.message_id is not None


def test_photo_takes_the_largest_size_and_the_caption() -> None:
    conv = convert_update(tg.photo(11, WANG, "big-one", caption="楼道灯不亮"), BOT)
    assert conv is not None
    assert conv.incoming.photo == Photo("big-one") and conv.incoming.text == "楼道灯不亮"


def test_image_sent_as_file_is_a_photo_other_files_are_not() -> None:
    img = tg.message(12, WANG, document={"file_id": "doc-img", "file_unique_id": "u", "mime_type": "image/png",
                                         "file_name": "漏水.png"})
    pdf = tg.message(13, WANG, document={"file_id": "doc-pdf", "file_unique_id": "v",
                                         "mime_type": "application/pdf"})
    assert convert_update(img, BOT).incoming.photo == Photo("doc-img", "image/png")  # type: ignore[union-attr]
    assert convert_update(pdf, BOT).incoming.photo is None  # type: ignore[union-attr]


def test_location_and_venue() -> None:
    loc = convert_update(tg.location(14, WANG, 39.9, 116.4), BOT)
    assert loc is not None and loc.incoming.location == Location(39.9, 116.4)
    venue = tg.message(15, WANG, location={"latitude": 31.2, "longitude": 121.5},
                       venue={"location": {"latitude": 31.2, "longitude": 121.5}, "title": "幸福里北门",
                              "address": "幸福路1号"})
    conv = convert_update(venue, BOT)
    assert conv is not None and conv.incoming.location == Location(31.2, 121.5, "幸福里北门")


def test_button_press() -> None:
    sent = {"message_id": 99, "from": {"id": BOT.id, "is_bot": True, "first_name": "邻里"},
            "chat": tg.private_chat(WANG), "date": tg.DATE, "text": "您好",
            "reply_markup": {"inline_keyboard": [[{"text": "绑定房屋", "callback_data": "bind"},
                                                  {"text": "我的信息", "callback_data": "me"}]]}}
    conv = convert_update(tg.callback(16, WANG, sent, "me", query_id="q1"), BOT)
    assert conv is not None and conv.incoming.payload == "me" and conv.incoming.text is None
    assert conv.incoming.chat_id == "7003001" and conv.incoming.message_id == "99"
    p = conv.pressed
    assert p is not None and (p.query_id, p.chat_id, p.message_id, p.text, p.label) == ("q1", 7003001, 99,
                                                                                        "您好", "我的信息")


def test_press_on_a_message_telegram_no_longer_shows() -> None:
    gone = {"message_id": 5, "chat": tg.private_chat(WANG), "date": 0}  # InaccessibleMessage
    conv = convert_update(tg.callback(17, WANG, gone, "me"), BOT)
    assert conv is not None and conv.incoming.payload == "me"
    assert conv.pressed is not None and conv.pressed.text is None and conv.pressed.label is None


@pytest.mark.parametrize("text, expected", [
    ("大家晚上好", None),  # a chat line among neighbours
    ("/help@SomeOtherBot", None),  # another bot's command
    ("/help@LinliTestBot", "/help@LinliTestBot"),
    ("/help", "/help"),
    ("@linlitestbot 3号楼电梯坏了", "3号楼电梯坏了"),
])
def test_group_messages_only_when_addressed(text: str, expected: str | None) -> None:
    update = tg.message(20, WANG, text, chat=tg.GROUP)
    conv = convert_update(update, BOT)
    if expected is None:
        assert conv is None
        return
    assert conv is not None and conv.incoming.text == expected and conv.incoming.is_group
    assert conv.incoming.chat_id == str(tg.GROUP["id"]) and conv.incoming.sender_id == "7003001"
    assert conv.reply_to == update["message"]["message_id"]


def test_group_reply_to_the_bot_is_addressed() -> None:
    ours = {"message_id": 7, "from": {"id": BOT.id, "is_bot": True, "first_name": "邻里"},
            "chat": tg.GROUP, "date": tg.DATE, "text": "请问是哪栋楼？"}
    conv = convert_update(tg.message(21, WANG, "5号楼", chat=tg.GROUP, reply_to_message=ours), BOT)
    assert conv is not None and conv.incoming.text == "5号楼" and conv.incoming.reply_to_message_id == "7"


def test_what_is_not_for_linli() -> None:
    bot_user = {"id": 42, "is_bot": True, "first_name": "OtherBot"}
    assert convert_update(tg.message(30, bot_user, "hi"), BOT) is None
    channel = {"id": -100111, "title": "公告频道", "type": "channel"}
    assert convert_update({"update_id": 31, "channel_post": {"message_id": 1, "chat": channel,
                                                              "date": tg.DATE, "text": "x"}}, BOT) is None
    edited = tg.message(32, WANG, "改过的")
    assert convert_update({"update_id": 32, "edited_message": edited["message"]}, BOT) is None


@pytest.mark.parametrize("code, lang", [("zh-hans", "zh"), ("zh-TW", "zh"), ("en-GB", "en"), ("en", "en"),
                                        ("ru", None), (None, None)])
def test_language(code: str | None, lang: str | None) -> None:
    u = tg.user(lang=code or "")
    if code is None:
        del u["language_code"]
    assert convert_update(tg.message(33, u, "hi"), BOT).incoming.language == lang  # type: ignore[union-attr]


# -- splitting and sending --------------------------------------------------------------------

def test_split_prefers_paragraphs_and_loses_nothing() -> None:
    paragraphs = [f"第{i}段" + "业主大会表决结果公示。" * 40 for i in range(12)]
    text = "\n\n".join(paragraphs)
    pieces = split_text(text)
    assert len(pieces) > 1 and all(utf16_len(p) <= 4096 for p in pieces)
    assert "\n\n".join(pieces) == text
    assert all(p.startswith("第") for p in pieces)  # every piece starts a paragraph


def test_split_counts_utf16_units() -> None:
    text = "🏠" * 3000  # 6000 UTF-16 units, 3000 characters
    pieces = split_text(text)
    assert [len(p) for p in pieces] == [2048, 952]
    assert "".join(pieces) == text


def test_split_without_any_boundary_cuts_hard() -> None:
    text = "a" * 9000
    assert [len(p) for p in split_text(text)] == [4096, 4096, 808]


def test_split_at_sentence_end_when_no_line_break() -> None:
    text = "停水通知。" * 1000  # 5000 characters, no line breaks
    pieces = split_text(text)
    assert all(p.endswith("。") for p in pieces) and "".join(pieces) == text


def test_plan_text_with_buttons() -> None:
    out = Outgoing("您好", buttons([("绑定房屋", "bind")]))
    [send] = plan(out, "1")
    assert send.kind == "message" and send.chat_id == "1" and send.text == "您好" and send.buttons == out.buttons


def test_plan_long_text_puts_buttons_last() -> None:
    out = Outgoing("段落。\n\n" * 2000, buttons([("好", "ok")]))
    sends = plan(out, "1", reply_to=5)
    assert len(sends) == 3 and [bool(s.buttons) for s in sends] == [False, False, True]
    assert [s.reply_to for s in sends] == [5, None, None]


def test_plan_image_with_caption_and_buttons() -> None:
    img = Attachment("a.png", "image/png", b"png")
    [send] = plan(Outgoing("收支图", buttons([("好", "ok")]), image=img), "1")
    assert send.kind == "photo" and send.text == "收支图" and send.attachment == img and send.buttons


def test_plan_caption_too_long_goes_to_a_message() -> None:
    img = Attachment("a.png", "image/png", b"png")
    sends = plan(Outgoing("说明" * 600, buttons([("好", "ok")]), image=img), "1")
    assert [(s.kind, bool(s.text), bool(s.buttons)) for s in sends] == [("photo", False, False),
                                                                        ("message", True, True)]


def test_plan_image_and_document() -> None:
    img = Attachment("a.png", "image/png", b"png")
    doc = Attachment("b.xlsx", "application/vnd.ms-excel", b"xlsx")
    sends = plan(Outgoing("公示", image=img, document=doc), "1")
    assert [(s.kind, s.text) for s in sends] == [("photo", ""), ("document", "公示")]


def test_plan_buttons_alone_and_nothing() -> None:
    [send] = plan(Outgoing("", buttons([("好", "ok")])), "1")
    assert send.text == BUTTONS_ONLY_TEXT and send.buttons
    assert plan(Outgoing(""), "1") == []


def test_plan_to_another_chat() -> None:
    [send] = plan(Outgoing("新公告", chat_id="-100222"), "1")
    assert send.chat_id == "-100222"


def test_marked() -> None:
    assert marked("您好", "帮助") == "您好\n\n✅ 帮助"
    assert marked("长" * 4090, "帮助") is not None  # exactly 4096
    assert marked("长" * 4091, "帮助") is None
