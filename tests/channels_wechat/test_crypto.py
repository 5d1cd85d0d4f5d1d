"""Signatures and safe-mode encryption against WeChat's published vectors."""
from __future__ import annotations

import base64

import pytest
from wechatpy.crypto import WeChatCrypto

from bot.channels.wechat.crypto import CryptoError, MessageCrypto, aes_key, signature, signature_ok
from bot.channels.wechat.wire import BadXml, parse_xml
from tests.channels_wechat import vectors as v


def test_plain_signature_vector() -> None:
    assert signature(v.PLAIN_TOKEN, v.PLAIN_TIMESTAMP, v.PLAIN_NONCE) == v.PLAIN_SIGNATURE
    assert signature_ok(v.PLAIN_SIGNATURE, v.PLAIN_TOKEN, v.PLAIN_TIMESTAMP, v.PLAIN_NONCE)
    wrong = v.PLAIN_SIGNATURE[:-1] + "e"  # the vector's "should fail" case
    assert not signature_ok(wrong, v.PLAIN_TOKEN, v.PLAIN_TIMESTAMP, v.PLAIN_NONCE)
    assert not signature_ok("", v.PLAIN_TOKEN, v.PLAIN_TIMESTAMP, v.PLAIN_NONCE)
    assert not signature_ok(None, v.PLAIN_TOKEN, v.PLAIN_TIMESTAMP, v.PLAIN_NONCE)


def test_decrypt_the_official_sample() -> None:
    assert signature(v.MP_TOKEN, v.MP_TIMESTAMP, v.MP_NONCE, v.MP_ENCRYPT) == v.MP_MSG_SIGNATURE
    c = MessageCrypto(v.MP_TOKEN, v.MP_AES_KEY, v.MP_APPID)
    msg = parse_xml(c.decrypt(parse_xml(v.MP_FROM_XML)["Encrypt"]))
    assert msg["FromUserName"] == v.MP_OPENID and msg["ToUserName"] == v.MP_ACCOUNT
    assert msg["MsgType"] == "text" and msg["Content"] == v.MP_CONTENT and msg["MsgId"] == v.MP_MSG_ID


def test_encrypt_matches_the_published_ciphertext_exactly() -> None:
    c = MessageCrypto(v.WX_TOKEN, v.WX_AES_KEY, v.WX_ID)
    sealed = c.seal(v.WX_REPLY, v.WX_TIMESTAMP, v.WX_NONCE, random_prefix=v.WX_RANDOM)
    assert sealed == v.WX_REPLY_ENCRYPTED


def test_decrypt_the_published_message_and_echostr() -> None:
    c = MessageCrypto(v.WX_TOKEN, v.WX_AES_KEY, v.WX_ID)
    assert signature(v.WX_TOKEN, v.WX_TIMESTAMP, v.WX_NONCE, v.WX_DECRYPT_ENCRYPT) == v.WX_DECRYPT_SIGNATURE
    msg = parse_xml(c.decrypt(v.WX_DECRYPT_ENCRYPT))
    assert msg["Content"] == "test" and msg["FromUserName"] == "messense"
    assert signature(v.WX_TOKEN, v.WX_ECHO_TIMESTAMP, v.WX_ECHO_NONCE, v.WX_ECHOSTR) == v.WX_ECHO_SIGNATURE
    # wechatpy, an independent implementation, agrees on the echo string.
    from wechatpy.enterprise.crypto import WeChatCrypto as WorkCrypto

    expected = WorkCrypto(v.WX_TOKEN, v.WX_AES_KEY, v.WX_ID).check_signature(
        v.WX_ECHO_SIGNATURE, v.WX_ECHO_TIMESTAMP, v.WX_ECHO_NONCE, v.WX_ECHOSTR)
    assert c.decrypt(v.WX_ECHOSTR) == expected and expected.isdigit()


def test_reply_round_trip_through_wechatpy() -> None:
    ours = MessageCrypto(v.MP_TOKEN, v.MP_AES_KEY, v.MP_APPID)
    theirs = WeChatCrypto(v.MP_TOKEN, v.MP_AES_KEY, v.MP_APPID)
    reply = "<xml><Content><![CDATA[您好，邻里收到了 ]]]]><![CDATA[> 😀]]></Content></xml>"
    sealed = parse_xml(ours.seal(reply, "1700000000", "nonce1"))
    assert theirs.decrypt_message({"Encrypt": sealed["Encrypt"]}, sealed["MsgSignature"],
                                  "1700000000", "nonce1") == reply
    # and back: what wechatpy encrypts, we decrypt
    enc = parse_xml(theirs.encrypt_message(reply, "n2", "1700000001"))["Encrypt"]
    assert ours.decrypt(enc) == reply
    assert parse_xml(reply)["Content"] == "您好，邻里收到了 ]]> 😀"


def test_tampering_is_refused() -> None:
    c = MessageCrypto(v.MP_TOKEN, v.MP_AES_KEY, v.MP_APPID)
    other_app = MessageCrypto(v.MP_TOKEN, v.MP_AES_KEY, "wx0000000000000000")
    with pytest.raises(CryptoError, match="AppID"):
        other_app.decrypt(v.MP_ENCRYPT)
    raw = bytearray(base64.b64decode(v.MP_ENCRYPT))
    raw[-1] ^= 0x55  # the last block decrypts to garbage: padding no longer valid
    with pytest.raises(CryptoError):
        c.decrypt(base64.b64encode(bytes(raw)).decode())
    for bad in ("", "not base64!", base64.b64encode(b"short").decode()):
        with pytest.raises(CryptoError):
            c.decrypt(bad)


def test_aes_key_must_be_43_characters() -> None:
    assert len(aes_key(v.MP_AES_KEY)) == 32
    for bad in (v.MP_AES_KEY[:-1], v.MP_AES_KEY + "A", "!" * 43):
        with pytest.raises(CryptoError):
            aes_key(bad)


def test_xml_with_declarations_is_refused() -> None:
    bomb = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            "<xml><Content>&b;</Content></xml>")
    with pytest.raises(BadXml):
        parse_xml(bomb)
    with pytest.raises(BadXml):
        parse_xml("<notxml><a>1</a></notxml>")
    with pytest.raises(BadXml):
        parse_xml("<xml><a>")
