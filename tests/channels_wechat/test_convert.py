"""WeChat's sample pushes -> Incoming; replies -> text with numbered choices."""
from __future__ import annotations

import re

from bot.channels.wechat.convert import (
    TEXT_MAX_BYTES,
    UNSUPPORTED,
    ImagePart,
    TextPart,
    convert,
    dedupe_key,
    plan,
    split_text,
    text_reply_xml,
)
from bot.channels.wechat.wire import parse_xml
from handlers.messages import Attachment, Location, Outgoing, Photo, buttons
from tests.channels_wechat import vectors as v


def test_text() -> None:
    inc = convert(parse_xml(v.TEXT_XML)).incoming
    assert inc is not None
    assert (inc.channel, inc.chat_id, inc.sender_id) == ("wechat", "fromUser", "fromUser")
    assert inc.text == "this is a test" and inc.payload is None
    assert inc.message_id == "1234567890123456" and not inc.is_group


def test_image_refers_to_the_media_id() -> None:
    inc = convert(parse_xml(v.IMAGE_XML)).incoming
    assert inc is not None and inc.photo == Photo(ref="media_id") and inc.text is None
    no_media = parse_xml(v.IMAGE_XML.replace("<MediaId><![CDATA[media_id]]></MediaId>", ""))
    assert convert(no_media).incoming.photo == Photo(ref="this is a url")  # type: ignore[union-attr]


def test_location() -> None:
    inc = convert(parse_xml(v.LOCATION_XML)).incoming
    assert inc is not None and inc.location == Location(23.134521, 113.358803, "位置信息")


def test_menu_click_is_a_button_press_and_subscribe_is_start() -> None:
    click = convert(parse_xml(v.CLICK_XML)).incoming
    assert click is not None and click.payload == "EVENTKEY" and click.sender_id == "FromUser"
    assert click.message_id is None
    for xml in (v.SUBSCRIBE_XML, v.SUBSCRIBE_SCAN_XML):
        sub = convert(parse_xml(xml)).incoming
        assert sub is not None and sub.text == "/start"


def test_what_is_not_a_message_is_skipped_and_video_gets_a_notice() -> None:
    view = convert(parse_xml(v.VIEW_XML))
    assert view.incoming is None and view.notice is None
    unsub = parse_xml(v.SUBSCRIBE_XML.replace("subscribe", "unsubscribe"))
    assert convert(unsub).incoming is None and convert(unsub).notice is None
    video = convert(parse_xml(v.VIDEO_XML))
    assert video.incoming is None and video.notice == UNSUPPORTED


def test_voice_with_wechat_recognition_is_text() -> None:
    msg = {"FromUserName": "u", "MsgType": "voice", "MediaId": "m", "Recognition": "电梯坏了",
           "MsgId": "9"}
    inc = convert(msg).incoming
    assert inc is not None and inc.text == "电梯坏了"
    assert convert({**msg, "Recognition": ""}).notice == UNSUPPORTED


def test_dedupe_keys() -> None:
    assert dedupe_key(parse_xml(v.TEXT_XML)) == "m:1234567890123456"
    click, sub = parse_xml(v.CLICK_XML), parse_xml(v.SUBSCRIBE_XML)
    assert dedupe_key(click) == "e:FromUser:123456789:click"
    # Two different events in the same second are two pushes.
    assert dedupe_key(click) != dedupe_key(sub)


def test_numbers_and_labels_map_back_to_payloads() -> None:
    options = [("绑定房屋", "bind"), ("我的信息", "me"), ("帮助", "help")]
    msg = parse_xml(v.TEXT_XML)
    for typed, payload in (("2", "me"), (" 3 ", "help"), ("１", "bind"), ("2.", "me"),
                           ("我的信息", "me")):
        inc = convert({**msg, "Content": typed}, options).incoming
        assert inc is not None and inc.payload == payload and inc.text is None, typed
    # A tapped menu link comes back as its label, with the link's id.
    tapped = convert({**msg, "Content": "帮助", "bizmsgmenuid": "3"}, options).incoming
    assert tapped is not None and tapped.payload == "help"
    for typed in ("4", "0", "我的", "3号楼电梯坏了"):
        inc = convert({**msg, "Content": typed}, options).incoming
        assert inc is not None and inc.payload is None and inc.text == typed
    # Without choices on screen a number is just text.
    assert convert({**msg, "Content": "2"}).incoming.text == "2"  # type: ignore[union-attr]


def _links(text: str) -> list[tuple[str, str, str]]:
    return re.findall(r'(\d+)\. <a href="weixin://bizmsgmenu\?msgmenucontent=([^&"]+)&msgmenuid=(\d+)">'
                      r"\2</a>", text)


def test_buttons_become_numbered_menu_links() -> None:
    replies = [Outgoing("欢迎", buttons([("绑定房屋", "bind"), ("我的信息", "me")], [("帮助", "help")])),
               Outgoing("第二条", buttons([("取消", "cancel")]))]
    d = plan(replies, "u1")["u1"]
    assert d.options == [("绑定房屋", "bind"), ("我的信息", "me"), ("帮助", "help"), ("取消", "cancel")]
    text = d.passive_text
    assert text is not None and text.startswith("欢迎") and "第二条" in text
    assert [(n, label) for n, label, _ in _links(text)] == [
        ("1", "绑定房屋"), ("2", "我的信息"), ("3", "帮助"), ("4", "取消")]
    assert all(n == mid for n, _, mid in _links(text))
    assert text.count("回复序号") == 1
    plain = plan(replies, "u1", links=False)["u1"].passive_text
    assert plain is not None and "<a" not in plain and "\n3. 帮助" in plain


def test_labels_are_made_safe_for_links() -> None:
    d = plan([Outgoing("x", buttons([('A&B "<c>"', "p")]))], "u")["u"]
    assert d.options == [("A B c", "p")]
    assert _links(d.passive_text or "") == [("1", "A B c", "1")]


def test_images_documents_and_other_recipients() -> None:
    img = Attachment("chart.png", "image/png", b"\x89PNG")
    doc = Attachment("公示.pdf", "application/pdf", b"%PDF")
    out = plan([Outgoing("图表如下", image=img), Outgoing("附件", document=doc),
                Outgoing("有新工单", chat_id="staff1")], "u1")
    mine = out["u1"]
    assert mine.parts[0] == TextPart("图表如下") and mine.parts[1] == ImagePart(img)
    assert isinstance(mine.parts[2], TextPart) and "公示.pdf" in mine.parts[2].text
    assert mine.passive_text is None  # more than one message: customer-service messages
    assert out["staff1"].parts == [TextPart("有新工单")]


def test_long_text_is_split_below_the_limit() -> None:
    line = "物业费公示：" + "一二三四五六七八九十" * 9  # ~300 bytes
    text = "\n".join(f"{i} {line}" for i in range(20))
    chunks = split_text(text)
    assert len(chunks) > 1 and all(len(c.encode()) <= TEXT_MAX_BYTES for c in chunks)
    assert "\n".join(chunks) == text
    huge = "长" * 2000  # one line over the limit is cut by characters
    pieces = split_text(huge)
    assert "".join(pieces) == huge and all(len(p.encode()) <= TEXT_MAX_BYTES for p in pieces)
    d = plan([Outgoing(text)], "u")["u"]
    assert d.passive_text is None and len(d.parts) == len(chunks)


def test_passive_reply_xml() -> None:
    xml = text_reply_xml("fromUser", "toUser", "您好 ]]> 再见", now=1348831860)
    msg = parse_xml(xml)
    assert msg == {"ToUserName": "fromUser", "FromUserName": "toUser", "CreateTime": "1348831860",
                   "MsgType": "text", "Content": "您好 ]]> 再见"}
