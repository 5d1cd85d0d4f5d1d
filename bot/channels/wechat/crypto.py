"""WeChat's signatures and safe-mode (AES) message encryption, after the 消息加解密 spec.

Signature: SHA-1 of the sorted, concatenated strings (token, timestamp, nonce[, Encrypt]).
Encrypt: Base64(AES-256-CBC(key, iv=key[:16], PKCS#7 to 32-byte blocks of
    16 random bytes + 4-byte big-endian length + message + AppID)),
where key = Base64Decode(EncodingAESKey + "=").

Written on `cryptography` directly rather than wechatpy's helper so that padding, length and
AppID are checked strictly and signatures are compared in constant time.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from bot.channels.wechat.wire import cdata

BLOCK = 32  # WeChat pads to 32 bytes, not AES's 16


class CryptoError(ValueError):
    """A message that cannot be WeChat's: bad Base64, padding, length or AppID."""


def signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def signature_ok(given: str | None, *parts: str) -> bool:
    if not given:
        return False
    return hmac.compare_digest(signature(*parts).encode(), given.strip().lower().encode())


def aes_key(encoding_aes_key: str) -> bytes:
    """The 32-byte key behind a 43-character EncodingAESKey."""
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except (binascii.Error, ValueError) as e:
        raise CryptoError("EncodingAESKey is not Base64") from e
    if len(encoding_aes_key) != 43 or len(key) != 32:
        raise CryptoError("EncodingAESKey must be 43 characters (32 bytes)")
    return key


class MessageCrypto:
    def __init__(self, token: str, encoding_aes_key: str, appid: str) -> None:
        if not (token and appid):
            raise CryptoError("safe mode needs the token and the AppID")
        self.token = token
        self.appid = appid
        self._key = aes_key(encoding_aes_key)

    def _cipher(self) -> Cipher[modes.CBC]:
        return Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16]))

    def encrypt(self, message: str, *, random_prefix: bytes | None = None) -> str:
        prefix = os.urandom(16) if random_prefix is None else random_prefix
        if len(prefix) != 16:
            raise ValueError("the random prefix is 16 bytes")
        body = message.encode()
        plain = prefix + struct.pack(">I", len(body)) + body + self.appid.encode()
        pad = BLOCK - len(plain) % BLOCK
        plain += bytes([pad]) * pad
        enc = self._cipher().encryptor()
        return base64.b64encode(enc.update(plain) + enc.finalize()).decode()

    def decrypt(self, encrypted: str) -> str:
        try:
            raw = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError) as e:
            raise CryptoError("not Base64") from e
        if not raw or len(raw) % 16:
            raise CryptoError("not whole AES blocks")
        dec = self._cipher().decryptor()
        plain = dec.update(raw) + dec.finalize()
        pad = plain[-1]
        if not 1 <= pad <= BLOCK or plain[-pad:] != bytes([pad]) * pad:
            raise CryptoError("bad padding")
        content = plain[16:-pad]
        if len(content) < 4:
            raise CryptoError("too short")
        (length,) = struct.unpack(">I", content[:4])
        if 4 + length > len(content):
            raise CryptoError("length beyond the message")
        message, appid = content[4:4 + length], content[4 + length:]
        if not hmac.compare_digest(appid, self.appid.encode()):
            raise CryptoError("message is for another AppID")
        try:
            return message.decode()
        except UnicodeDecodeError as e:
            raise CryptoError("not UTF-8") from e

    def seal(self, message: str, timestamp: str, nonce: str, *,
             random_prefix: bytes | None = None) -> str:
        """The encrypted envelope a safe-mode passive reply is sent in."""
        encrypted = self.encrypt(message, random_prefix=random_prefix)
        sig = signature(self.token, timestamp, nonce, encrypted)
        return ("<xml>\n"
                f"<Encrypt>{cdata(encrypted)}</Encrypt>\n"
                f"<MsgSignature>{cdata(sig)}</MsgSignature>\n"
                f"<TimeStamp>{int(timestamp)}</TimeStamp>\n"
                f"<Nonce>{cdata(nonce)}</Nonce>\n"
                "</xml>")
