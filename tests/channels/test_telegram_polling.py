"""The same dialogue on the real aiogram and the real python-telegram-bot, by long polling
against the fake Bot API: /start, a button, binding with a one-time code, a photo, a location."""
from __future__ import annotations

from sqlalchemy import func, select

from handlers.texts import t as t_
from storage.models import ChatIdentity, Residency
from storage.models.telegram import TelegramUpdate
from tests.channels import updates as tg
from tests.channels.conftest import LONG_TEXT, PNG, TOKEN, Telegram, binding_code, settle

BOT_ID = int(TOKEN.split(":")[0])


async def _processed(t: Telegram) -> int:
    async with t.rt.db.session() as s:
        return int(await s.scalar(select(func.count()).select_from(TelegramUpdate)) or 0)


async def test_dialogue(polling: Telegram) -> None:
    t, fake = polling, polling.fake
    code = await binding_code(t.rt)
    wang = tg.user()
    chat = wang["id"]

    # The menu is set in both languages; polling needs the webhook gone.
    assert [c["command"] for c in fake.commands[None]] == ["start", "bind", "me", "vote", "help", "cancel"]
    assert fake.commands[None][1]["description"] == "绑定房屋（输入验证码）"
    assert fake.commands["en"][2]["description"] == "My details"
    assert len(fake.commands["en"]) == len(fake.commands[None])
    assert fake.calls_to("deleteWebhook") and not fake.calls_to("setWebhook")

    # Update ids are deliberately not increasing: processed ids are a set, not a high-water mark.
    [welcome] = await t.exchange(tg.message(900, wang, "/start"), chat)
    assert "邻里" in welcome.text and "建国 王" in welcome.text
    assert welcome.labels() == ["绑定房屋", "我的信息", "帮助"]
    assert welcome.button("绑定房屋") == "bind"

    press = tg.callback(17, wang, welcome.result, "bind", query_id="q-bind")
    [ask] = await t.exchange(press, chat)
    assert "验证码" in ask.text and ask.labels() == ["取消"]
    [answer] = fake.calls_to("answerCallbackQuery")
    assert answer.params["callback_query_id"] == "q-bind"
    assert fake.calls.index(answer) < fake.calls.index(ask)  # answered before the reply was sent
    [edit] = await fake.wait_for(lambda: fake.calls_to("editMessageText"))
    assert edit.params["message_id"] == welcome.result["message_id"]
    assert edit.text == welcome.text + "\n\n✅ 绑定房屋" and "reply_markup" not in edit.params

    [done] = await t.exchange(tg.message(905, wang, code.lower().replace("-", " ")), chat)
    assert "绑定成功" in done.text and "幸福里" in done.text and "3号楼501" in done.text

    fake.add_file("AgACAgUAAxkBAAIBk2Zf", b"\xff\xd8\xff\xe0 a photo of the broken lift")
    [seen] = await t.exchange(tg.photo(3, wang, "AgACAgUAAxkBAAIBk2Zf"), chat)
    assert seen.text == t_("zh", "photo_received")
    assert await t.service.download("AgACAgUAAxkBAAIBk2Zf") == b"\xff\xd8\xff\xe0 a photo of the broken lift"
    assert fake.calls_to("getFile")[-1].params["file_id"] == "AgACAgUAAxkBAAIBk2Zf"  # the largest size

    [where] = await t.exchange(tg.location(640, wang, 39.9087, 116.3975), chat)
    assert where.text == t_("zh", "location_received")

    [me] = await t.exchange(tg.message(12, wang, "/me@LinliTestBot"), chat)
    assert "3号楼501" in me.text and "业主" in me.text and "89.37" in me.text

    async with t.rt.db.session() as s:
        ident = await s.scalar(select(ChatIdentity).where(ChatIdentity.channel == "telegram"))
        assert ident is not None and ident.external_id == str(chat) and ident.private_chat_id == str(chat)
        assert len(list(await s.scalars(select(Residency)))) == 1
        ids = set(await s.scalars(select(TelegramUpdate.update_id).where(TelegramUpdate.bot_id == BOT_ID)))
    assert ids == {900, 17, 905, 3, 640, 12}


async def test_a_re_sent_update_is_handled_once(polling: Telegram) -> None:
    t, fake = polling, polling.fake
    li = tg.user(7003002, "丽", "李", username=None)
    help_update = tg.message(77, li, "/help")
    await t.exchange(help_update, li["id"])
    await fake.push(help_update)  # Telegram sends it again
    await t.exchange(tg.message(78, li, "/echo after"), li["id"])
    texts = [c.text for c in fake.sent(li["id"])]
    assert sum("常用指令" in x for x in texts) == 1 and texts[-1] == "echo after"
    assert await _processed(t) == 2


async def test_pressing_twice_and_late(polling: Telegram) -> None:
    t, fake = polling, polling.fake
    zhao = tg.user(7003003, "敏", "赵", lang="en")
    [welcome] = await t.exchange(tg.message(1, zhao, "/start"), zhao["id"])
    assert welcome.labels() == ["Bind my flat", "My details", "Help"]  # the client's language
    # Two quick presses of one button: both count, the second edit is "not modified".
    await t.exchange(tg.callback(2, zhao, welcome.result, "help"), zhao["id"])
    await t.exchange(tg.callback(3, zhao, welcome.result, "help"), zhao["id"])
    edits = await fake.wait_for(lambda: len(fake.calls_to("editMessageText")) == 2
                                and fake.calls_to("editMessageText"))
    assert [e.status for e in edits] == [200, 400] and "not modified" in edits[1].result
    # A press answered too late: Telegram refuses the answer, the press still works.
    fake.stale_queries.add("late-query")
    [helped] = await t.exchange(tg.callback(4, zhao, welcome.result, "help", query_id="late-query"), zhao["id"])
    assert "Commands" in helped.text
    assert fake.calls_to("answerCallbackQuery")[-1].status == 400
    assert await _processed(t) == 4


async def test_long_text_image_and_document_out(polling: Telegram) -> None:
    t, fake = polling, polling.fake
    sun = tg.user(7003004, "阳", "孙")
    sent = await t.exchange(tg.message(5, sun, "/report"), sun["id"], count=5)
    texts = [c for c in sent if c.method == "sendMessage"]
    assert len(texts) == 3  # 40 paragraphs of ~200 characters: over 4096 twice
    assert all(len(c.text.encode("utf-16-le")) // 2 <= 4096 for c in texts)
    assert "\n\n".join(c.text for c in texts) == LONG_TEXT  # cut between paragraphs, nothing lost
    assert [bool(c.keyboard) for c in texts] == [False, False, True]
    assert texts[-1].button("我知道了") == "help"
    [photo] = [c for c in sent if c.method == "sendPhoto"]
    assert photo.files["photo"].data == PNG and photo.params["caption"] == "本月收支图"
    [doc] = [c for c in sent if c.method == "sendDocument"]
    assert doc.files["document"].filename == "收费公示.csv"
    assert doc.files["document"].data.decode() == "项目,金额\n停车费,1200.00\n"
    assert [c.method for c in sent][-2:] == ["sendPhoto", "sendDocument"]  # replies keep their order


async def test_flood_control_is_waited_out(polling: Telegram) -> None:
    t, fake = polling, polling.fake
    zhou = tg.user(7003005, "周")
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", {"retry_after": 1})
    [reply] = await t.exchange(tg.message(6, zhou, "/echo 你好"), zhou["id"])
    assert reply.text == "echo 你好"
    assert [c.status for c in fake.calls_to("sendMessage")] == [429, 200]


async def test_failures_are_retried_then_explained(polling: Telegram) -> None:
    t, fake = polling, polling.fake
    wu = tg.user(7003006, "吴")
    t.extras.fail_times.update(flaky=1, broken=99)
    [ok] = await t.exchange(tg.message(8, wu, "/flaky"), wu["id"])
    assert ok.text == "稳了" and t.extras.attempts["flaky"] == 2
    [sorry] = await t.exchange(tg.message(9, wu, "/broken"), wu["id"])
    assert "没有处理成功" in sorry.text and t.extras.attempts["broken"] == 3
    async with t.rt.db.session() as s:
        assert set(await s.scalars(select(TelegramUpdate.update_id))) == {8}  # the failed one is not marked


async def test_one_resident_in_order_residents_in_parallel(polling: Telegram) -> None:
    t, fake = polling, polling.fake
    a, b = tg.user(7003007, "甲"), tg.user(7003008, "乙")
    # The first reply to A is slow to send; A's later messages must wait, B's must not.
    fake.delays.append(("sendMessage", lambda p: p.get("text") == "echo a1", 1.0))
    for i in range(1, 5):
        await fake.push(tg.message(100 + i, a, f"/echo a{i}"))
    await fake.push(tg.message(200, b, "/echo b1"))
    await fake.replies(a["id"], 0, 4)
    order = [c.text for c in fake.sent()]
    assert [x for x in order if x.startswith("echo a")] == ["echo a1", "echo a2", "echo a3", "echo a4"]
    assert order.index("echo b1") < order.index("echo a1")


async def test_group_chat_answers_only_when_addressed(polling: Telegram) -> None:
    t, fake = polling, polling.fake
    qian = tg.user(7003009, "钱")
    group = tg.GROUP["id"]
    await fake.push(tg.message(300, qian, "大家晚上好", chat=tg.GROUP))  # not for the bot
    await fake.push(tg.message(301, qian, "/help@SomeOtherBot", chat=tg.GROUP))  # another bot's
    mention = tg.message(302, qian, "@LinliTestBot /echo 3号楼", chat=tg.GROUP)
    [heard] = await t.exchange(mention, group)
    assert heard.text == "echo 3号楼"
    # Answers in a group quote the resident's message, so it is clear whom they answer.
    assert heard.params["reply_parameters"]["message_id"] == mention["message"]["message_id"]
    [reply] = await t.exchange(tg.message(303, qian, "/echo 群里", chat=tg.GROUP), group)
    assert reply.text == "echo 群里"
    # A button in a group is everyone's: pressing it answers, but leaves the keyboard in place.
    [pressed] = await t.exchange(tg.callback(304, qian, reply.result, "again"), group)
    assert pressed.text == "again" and fake.calls_to("answerCallbackQuery")
    assert not fake.calls_to("editMessageText", "editMessageReplyMarkup")
    assert [c.text for c in fake.sent(group)] == ["echo 3号楼", "echo 群里", "again"]
    async with t.rt.db.session() as s:
        assert set(await s.scalars(select(TelegramUpdate.update_id))) == {302, 303, 304}


async def test_stop_is_clean_and_final(polling: Telegram) -> None:
    t, fake = polling, polling.fake
    await t.service.stop()
    assert "telegram" not in t.rt.extras
    await fake.push(tg.message(400, tg.user(7003010, "郑"), "/help"))
    await settle(1.5)
    assert fake.sent() == []
