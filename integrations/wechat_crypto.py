"""WeChat's encrypted ("safe") message mode, with the `cryptography` library's AES.

The key is the account's 43-character EncodingAESKey read as base64 (with one "=" appended): 32 bytes,
AES-256-CBC, the IV its first 16 bytes. The plaintext is 16 random bytes, the message length as 4
bytes big-endian, the message, and the account's AppID; padded PKCS#7-style to a multiple of 32 bytes.
"""

from __future__ import annotations

import base64
import binascii
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32


class DecryptError(ValueError):
    pass


def _key(encoding_aes_key: str) -> bytes:
    key = base64.b64decode(encoding_aes_key + "=")
    if len(key) != 32:
        raise DecryptError("EncodingAESKey must decode to 32 bytes")
    return key


def encrypt(message: str, *, encoding_aes_key: str, app_id: str, random16: bytes | None = None) -> str:
    key = _key(encoding_aes_key)
    body = message.encode()
    plain = (random16 or os.urandom(16)) + struct.pack(">I", len(body)) + body + app_id.encode()
    pad = BLOCK - len(plain) % BLOCK
    plain += bytes([pad]) * pad
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def decrypt(encrypted: str, *, encoding_aes_key: str, app_id: str) -> str:
    key = _key(encoding_aes_key)
    try:
        data = base64.b64decode(encrypted, validate=True)
    except (binascii.Error, ValueError):
        raise DecryptError("not base64") from None
    if not data or len(data) % 16:
        raise DecryptError("not whole AES blocks")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = decryptor.update(data) + decryptor.finalize()
    pad = plain[-1]
    if not 1 <= pad <= BLOCK or plain[-pad:] != bytes([pad]) * pad:
        raise DecryptError("bad padding")
    plain = plain[:-pad]
    if len(plain) < 20:
        raise DecryptError("too short")
    (length,) = struct.unpack(">I", plain[16:20])
    body, tail = plain[20:20 + length], plain[20 + length:]
    if len(body) != length:
        raise DecryptError("length mismatch")
    if tail.decode(errors="replace") != app_id:
        raise DecryptError("for another AppID")
    try:
        return body.decode()
    except UnicodeDecodeError:
        raise DecryptError("not UTF-8") from None
