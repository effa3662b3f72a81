"""WeChat's side of the wire for tests: the encrypted ("safe") mode as WeChat's servers do it.

Written from WeChat's published scheme with the `cryptography` library's own PKCS#7 padder (block
32 bytes), independently of integrations.wechat_crypto, so each side checks the other.
"""

from __future__ import annotations

import base64
import hashlib
import os
import struct

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as WeChat's console makes them
APP_ID = "wx5823bf96d3bd56c7"


def _key() -> bytes:
    return base64.b64decode(AES_KEY + "=")


def wechat_encrypt(xml: str, app_id: str = APP_ID) -> str:
    key = _key()
    body = xml.encode()
    padder = padding.PKCS7(256).padder()
    plain = padder.update(os.urandom(16) + struct.pack("!I", len(body)) + body + app_id.encode()) + padder.finalize()
    enc = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(enc.update(plain) + enc.finalize()).decode()


def wechat_decrypt(text: str) -> tuple[str, str]:
    key = _key()
    dec = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = dec.update(base64.b64decode(text)) + dec.finalize()
    unpadder = padding.PKCS7(256).unpadder()
    plain = unpadder.update(plain) + unpadder.finalize()
    (length,) = struct.unpack("!I", plain[16:20])
    return plain[20:20 + length].decode(), plain[20 + length:].decode()


def sha1_sorted(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()
