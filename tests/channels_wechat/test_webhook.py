"""POST/GET /wechat end to end: the web app, the real conversation core and a database."""
from __future__ import annotations

import asyncio
import time
from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import func, select
from wechatpy.crypto import WeChatCrypto

from bot.channels.wechat.wire import parse_xml
from bot.runtime import Runtime
from core.verification import issue_codes
from handlers.dispatcher import Context, Router
from storage.models import Base, Building, ChatIdentity, DialogueState, Owner, Premises
from storage.models.wechat import WechatInbound, WechatMenu
from tests.channels_wechat import vectors as v
from tests.channels_wechat.conftest import AppFactory, FakeWechat, Phone
from tests.helpers import make_estate

TOKEN, AES, APPID = v.MP_TOKEN, v.MP_AES_KEY, v.MP_APPID


async def _count(rt: Runtime, model: type[Base]) -> int:
    async with rt.db.session() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


async def _version(rt: Runtime, openid: str) -> int:
    async with rt.db.session() as s:
        st = await s.scalar(select(DialogueState).where(DialogueState.channel == "wechat",
                                                        DialogueState.sender_id == openid))
        return st.version if st else 0


# -- URL verification ------------------------------------------------------------------------
async def test_url_check_plain(wechat_app: AppFactory) -> None:
    http, _, _ = await wechat_app(v.PLAIN_TOKEN)
    q = {"signature": v.PLAIN_SIGNATURE, "timestamp": v.PLAIN_TIMESTAMP, "nonce": v.PLAIN_NONCE,
         "echostr": "5927782489442352469"}
    r = await http.get("/wechat", params=q)
    assert r.status_code == 200 and r.text == "5927782489442352469"
    r = await http.get("/wechat", params={**q, "signature": v.PLAIN_SIGNATURE[:-1] + "e"})
    assert r.status_code == 403 and "5927782489442352469" not in r.text


async def test_url_check_safe_mode_decrypts_echostr(wechat_app: AppFactory) -> None:
    from wechatpy.enterprise.crypto import WeChatCrypto as WorkCrypto

    http, _, _ = await wechat_app(v.WX_TOKEN, v.WX_AES_KEY, v.WX_ID)
    q = {"msg_signature": v.WX_ECHO_SIGNATURE, "timestamp": v.WX_ECHO_TIMESTAMP,
         "nonce": v.WX_ECHO_NONCE, "echostr": v.WX_ECHOSTR}
    expected = WorkCrypto(v.WX_TOKEN, v.WX_AES_KEY, v.WX_ID).check_signature(
        v.WX_ECHO_SIGNATURE, v.WX_ECHO_TIMESTAMP, v.WX_ECHO_NONCE, v.WX_ECHOSTR)
    r = await http.get("/wechat", params=q)
    assert r.status_code == 200 and r.text == expected
    r = await http.get("/wechat", params={**q, "nonce": "437374424"})  # wechatpy's failing case
    assert r.status_code == 403


async def test_not_configured_is_not_found(wechat_app: AppFactory) -> None:
    http, _, _ = await wechat_app("")
    assert (await http.get("/wechat", params={"echostr": "x"})).status_code == 404
    assert (await http.post("/wechat", content="<xml/>")).status_code == 404


# -- pushes ----------------------------------------------------------------------------------
async def test_official_sample_is_decrypted_and_answered_encrypted(wechat_app: AppFactory) -> None:
    http, rt, _ = await wechat_app(TOKEN, AES, APPID, clock=lambda: int(v.MP_TIMESTAMP) + 1)
    r = await http.post("/wechat", content=v.MP_FROM_XML, params={
        "timestamp": v.MP_TIMESTAMP, "nonce": v.MP_NONCE, "encrypt_type": "aes",
        "msg_signature": v.MP_MSG_SIGNATURE})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/xml")
    env = parse_xml(r.text)
    assert set(env) == {"Encrypt", "MsgSignature", "TimeStamp", "Nonce"} and env["Nonce"] == v.MP_NONCE
    assert "abcdteT" not in r.text  # nothing in clear
    plain = WeChatCrypto(TOKEN, AES, APPID).decrypt_message(r.text, env["MsgSignature"],
                                                            env["TimeStamp"], env["Nonce"])
    reply = parse_xml(plain)
    assert reply["ToUserName"] == v.MP_OPENID and reply["FromUserName"] == v.MP_ACCOUNT
    assert reply["MsgType"] == "text" and reply["Content"]
    async with rt.db.session() as s:
        ident = await s.scalar(select(ChatIdentity).where(ChatIdentity.channel == "wechat"))
    assert ident is not None and ident.external_id == v.MP_OPENID and ident.private_chat_id == v.MP_OPENID
    async with rt.db.session() as s:
        row = await s.get(WechatInbound, "m:" + v.MP_MSG_ID)
    assert row is not None and row.reply == reply["Content"]


async def test_bad_signatures_are_refused_and_change_nothing(wechat_app: AppFactory) -> None:
    http, rt, _ = await wechat_app(TOKEN, AES, APPID)
    safe = Phone(http, "oUser1", TOKEN, AES, APPID)
    plain = Phone(http, "oUser2", TOKEN, safe=False)
    assert (await safe.push(safe.text_fields("/help"), tamper="msg_signature")).status_code == 403
    assert (await plain.push(plain.text_fields("/help"), tamper="signature")).status_code == 403
    r = await http.post("/wechat", params={"timestamp": str(int(time.time())), "nonce": "1"},
                        content="<xml><Content>hi</Content></xml>")
    assert r.status_code == 403
    # A correctly signed push from long ago is a replay.
    old = str(int(time.time()) - 3 * 3600)
    assert (await plain.push(plain.text_fields("/help"), timestamp=old)).status_code == 403
    assert await _count(rt, ChatIdentity) == 0 and await _count(rt, WechatInbound) == 0
    # ... while the same pushes correctly signed are answered.
    assert "/bind" in await safe.say("/help") and "/bind" in await plain.say("/help")


async def test_duplicate_msgid_is_handled_once(wechat_app: AppFactory) -> None:
    http, rt, _ = await wechat_app(TOKEN, AES, APPID)
    phone = Phone(http, "oDup", TOKEN, AES, APPID)
    push = phone.text_fields("/help")
    first = phone.reply(await phone.push(push))
    again = phone.reply(await phone.push(push))  # WeChat re-sends when our answer got lost
    assert first is not None and again is not None and again["Content"] == first["Content"]
    assert await _version(rt, "oDup") == 1 and await _count(rt, WechatInbound) == 1
    # Two deliveries racing each other: one effect, both answered alike.
    push2 = phone.text_fields("/help")
    a, b = await asyncio.gather(phone.push(push2), phone.push(push2))
    ra, rb = phone.reply(a), phone.reply(b)
    assert ra is not None and rb is not None and ra["Content"] == rb["Content"]
    assert await _version(rt, "oDup") == 2 and await _count(rt, WechatInbound) == 2
    # Events have no MsgId: sender + CreateTime + event identify them.
    sub = phone.fields(MsgType="event", Event="subscribe")
    w1, w2 = phone.reply(await phone.push(sub)), phone.reply(await phone.push(sub))
    assert w1 is not None and w2 is not None and "邻里" in w1["Content"]
    # The same answer again (its CreateTime is the moment of replying, so it may differ).
    assert {k: v for k, v in w2.items() if k != "CreateTime"} == {k: v for k, v in w1.items() if k != "CreateTime"}
    assert await _version(rt, "oDup") == 3


async def test_unsupported_and_ignored_pushes(wechat_app: AppFactory) -> None:
    http, rt, _ = await wechat_app(TOKEN, AES, APPID)
    phone = Phone(http, "oMisc", TOKEN, AES, APPID)
    video = phone.fields(MsgType="video", MediaId="m", ThumbMediaId="t", MsgId="77")
    reply = phone.reply(await phone.push(video))
    assert reply is not None and "文字" in reply["Content"]
    assert phone.reply(await phone.push(phone.fields(MsgType="event", Event="unsubscribe"))) is None
    assert await _count(rt, ChatIdentity) == 0  # neither reached the conversation core


async def test_photo_and_location(wechat_app: AppFactory) -> None:
    http, _, _ = await wechat_app(TOKEN, AES, APPID)
    phone = Phone(http, "oPic", TOKEN, AES, APPID)
    pic = phone.fields(MsgType="image", PicUrl="http://mmbiz.qpic.cn/x", MediaId="MID", MsgId="5")
    assert "照片已收到" in (phone.reply(await phone.push(pic)) or {}).get("Content", "")
    loc = phone.fields(MsgType="location", Location_X="31.2", Location_Y="121.5", Scale="15",
                       Label="幸福里", MsgId="6")
    assert "位置已收到" in (phone.reply(await phone.push(loc)) or {}).get("Content", "")


# -- slower than the budget ------------------------------------------------------------------
def _slow_router(fail: bool = False) -> Router:
    r = Router("slow")

    @r.command("slow")
    async def slow(ctx: Context) -> None:
        await asyncio.sleep(0.8)
        if fail:
            raise RuntimeError("the database went away")
        ctx.reply("慢慢来，已经办好了。", [[("我的信息", "me")]])

    return r


async def test_slow_answer_goes_as_customer_service_message(wechat_app: AppFactory,
                                                            fake_wechat: FakeWechat) -> None:
    http, rt, channel = await wechat_app(TOKEN, AES, APPID, reply_budget_seconds=0.3)
    rt.dispatcher.routers.insert(0, _slow_router())
    phone = Phone(http, "oSlow", TOKEN, AES, APPID)
    push = phone.text_fields("/slow")
    started = time.monotonic()
    r = await phone.push(push)
    assert r.text == "success" and time.monotonic() - started < 0.7
    [sent] = await fake_wechat.wait_sent(1)
    assert sent["touser"] == "oSlow" and sent["msgtype"] == "text"
    assert sent["text"]["content"].startswith("慢慢来，已经办好了。")
    assert 'msgmenucontent=我的信息&msgmenuid=1">我的信息</a>' in sent["text"]["content"]
    assert "慢慢来".encode() in fake_wechat.raw_bodies[0]  # UTF-8, not \u escapes
    assert fake_wechat.token_requests == [{"grant_type": "client_credential", "appid": APPID,
                                           "secret": "app-secret", "force_refresh": False}]
    await channel.drain()
    # WeChat re-sending the push now gets "success", not the answer a second time.
    assert phone.reply(await phone.push(push)) is None
    await channel.drain()
    assert len(fake_wechat.sent) == 1 and await _version(rt, "oSlow") == 1
    # The choice shown in the late message is remembered: "1" presses it.
    assert "您还没有绑定房屋" in await phone.say("1")


async def test_late_failure_is_told_to_the_resident(wechat_app: AppFactory,
                                                    fake_wechat: FakeWechat) -> None:
    http, rt, channel = await wechat_app(TOKEN, AES, APPID, reply_budget_seconds=0.2)
    rt.dispatcher.routers.insert(0, _slow_router(fail=True))
    phone = Phone(http, "oFail", TOKEN, AES, APPID)
    assert (await phone.push(phone.text_fields("/slow"))).text == "success"
    [sent] = await fake_wechat.wait_sent(1)
    assert sent["touser"] == "oFail" and "没有处理成功" in sent["text"]["content"]
    await channel.drain()
    assert await _count(rt, WechatInbound) == 0  # nothing applied, so a re-send would run again


async def test_failure_within_the_budget_asks_wechat_to_resend(wechat_app: AppFactory) -> None:
    http, rt, _ = await wechat_app(TOKEN, AES, APPID)
    r = Router("broken")

    @r.command("broken")
    async def broken(ctx: Context) -> None:
        raise RuntimeError("boom")

    rt.dispatcher.routers.insert(0, r)
    phone = Phone(http, "oErr", TOKEN, AES, APPID)
    push = phone.text_fields("/broken")
    assert (await phone.push(push)).status_code == 500
    assert await _count(rt, WechatInbound) == 0
    rt.dispatcher.routers.remove(r)  # fixed: WeChat's re-send is handled
    assert phone.reply(await phone.push(push)) is not None


# -- a whole dialogue ------------------------------------------------------------------------
def _number_of(label: str, text: str) -> str:
    for line in text.splitlines():
        if f">{label}</a>" in line:
            return line.split(".", 1)[0]
    raise AssertionError(f"no choice {label!r} in {text!r}")


async def test_binding_dialogue_over_the_webhook(wechat_app: AppFactory) -> None:
    http, rt, _ = await wechat_app(TOKEN, AES, APPID)
    async with rt.db.session() as s:
        estate = await make_estate(s, "T1", name="幸福里")
        b = Building(estate_id=estate.id, number="3")
        o = Owner(estate_id=estate.id, code="O1", name="甲", kind="person")
        s.add_all([b, o])
        await s.flush()
        p = Premises(estate_id=estate.id, building_id=b.id, unit_key="", room="501", use="residential",
                     area_registered=Decimal("89.37"), owner_id=o.id)
        s.add(p)
        await s.flush()
        [(_, code)] = await issue_codes(s, rt.services.secret, [p], datetime.now(timezone.utc),
                                        rt.services.verification)
    phone = Phone(http, "oOwner", TOKEN, AES, APPID)
    welcome = phone.reply(await phone.push(phone.fields(MsgType="event", Event="subscribe")))
    assert welcome is not None and "邻里" in welcome["Content"]
    ask = await phone.say(_number_of("绑定房屋", welcome["Content"]))
    assert "验证码" in ask
    done = await phone.say(code)
    assert "绑定成功" in done and "幸福里" in done and "3号楼501" in done
    # Tapping the "我的信息" link sends its label (and the link's id) as a text message.
    me = await phone.say("我的信息", bizmsgmenuid=_number_of("我的信息", done))
    assert "3号楼501" in me and "89.37" in me and "业主" in me
    async with rt.db.session() as s:
        menu = await s.get(WechatMenu, "oOwner")
    assert menu is not None and all(len(o) == 2 for o in menu.options)


async def test_two_workers_take_turns_in_one_dialogue(wechat_app: AppFactory) -> None:
    """Behind a load balancer each push may reach another worker: the dialogue state, the shown
    choices and the 48-hour window are all in the database, so nothing depends on which."""
    http1, rt, _ = await wechat_app(TOKEN, AES, APPID)
    http2, rt2, _ = await wechat_app(TOKEN, AES, APPID)  # a second worker on the same database
    assert rt2.db is not rt.db
    async with rt.db.session() as s:
        estate = await make_estate(s, "T2", name="幸福里")
        b = Building(estate_id=estate.id, number="3")
        o = Owner(estate_id=estate.id, code="O1", name="甲", kind="person")
        s.add_all([b, o])
        await s.flush()
        p = Premises(estate_id=estate.id, building_id=b.id, unit_key="", room="502", use="residential",
                     area_registered=Decimal("70.00"), owner_id=o.id)
        s.add(p)
        await s.flush()
        [(_, code)] = await issue_codes(s, rt.services.secret, [p], datetime.now(timezone.utc),
                                        rt.services.verification)
    one, two = Phone(http1, "oTurns", TOKEN, AES, APPID), Phone(http2, "oTurns", TOKEN, AES, APPID)
    welcome = one.reply(await one.push(one.fields(MsgType="event", Event="subscribe")))
    assert welcome is not None
    two.next_id = 5000  # its own MsgIds
    assert "验证码" in await two.say(_number_of("绑定房屋", welcome["Content"]))  # worker 1's choices
    done = await one.say(code)  # worker 2's step
    assert "绑定成功" in done and "3号楼502" in done
    assert "3号楼502" in await two.say(_number_of("我的信息", done))
    assert await _version(rt2, "oTurns") == 4
