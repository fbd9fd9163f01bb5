"""Commercial cryptography (商用密码): SM3 hashes and SM4-GCM storage encryption.

The data key comes from ``GAIZAO_DATA_KEY`` (32 hexadecimal characters = 128 bits). Two working
keys are derived from it with HMAC-SM3, one to encrypt, one to compute the keyed hash that sits
beside each encrypted value for exact lookup and duplicate detection.

A stored value is ``key id (4 bytes) | IV (12) | ciphertext | GCM tag (16)``. The key id lets
`gaizao keys rotate` re-encrypt old rows while old keys are listed in ``GAIZAO_DATA_KEYS_OLD``;
it also turns "wrong key" into a clear message instead of garbage.

Bulk writers (``gaizao.core.bulk``) call ``encrypt_many`` / ``lookup_hash_many``: the same format,
with the key looked up once per batch instead of once per value; their loops are in
``gaizao.core.sealing``, which can also run them in a worker process (``background``).
"""

from __future__ import annotations

import os
import string
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from gaizao.core import sealing
from gaizao.core.sealing import IV_BYTES
TAG_BYTES = 16
KEY_ID_BYTES = 4


class DataKeyError(ImproperlyConfigured):
    """The data key is missing, malformed, or does not match the stored data."""


# An empty SM3 state that each hash copies: cheaper than setting one up (the audit chain hashes every entry).
_SM3_EMPTY = hashes.Hash(hashes.SM3())


def sm3_hex(data: bytes) -> str:
    digest = _SM3_EMPTY.copy()
    digest.update(data)
    return digest.finalize().hex()


def master_key(text: str, *, variable: str, error: type[ImproperlyConfigured], what: str, missing: str) -> bytes:
    """A 128-bit key from its environment variable (32 hexadecimal characters), or one clear message."""
    text = (text or "").strip()
    if not text:
        raise error(f"环境变量 {variable} 未设置：{missing}可用 `gaizao keys generate` 生成（见 docs/operations.md）。")
    if len(text) != 32 or any(c not in string.hexdigits for c in text):
        raise error(f"环境变量 {variable} 必须是 32 位十六进制字符（{what}），当前值长度为 {len(text)}。")
    return bytes.fromhex(text)


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize()


@dataclass(frozen=True)
class DataKey:
    key_id: bytes
    enc_key: bytes
    mac_key: bytes
    # Prepared once per key: the SM4 algorithm object and the keyed SM3 state that each hash copies.
    batch: sealing.Keys = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "batch", sealing.Keys(self.key_id, self.enc_key, self.mac_key))

    @property
    def sm4(self) -> algorithms.SM4:
        return self.batch.algorithm

    @property
    def mac(self) -> hmac.HMAC:
        return self.batch.mac

    @classmethod
    def from_text(cls, text: str, *, variable: str = "GAIZAO_DATA_KEY") -> "DataKey":
        master = master_key(text, variable=variable, error=DataKeyError, what="128 位 SM4 密钥",
                            missing="个人信息（身份证号、手机号）以 SM4 加密保存，必须提供数据密钥。")
        return cls(
            key_id=hmac_sm3(master, b"gaizao key id")[:KEY_ID_BYTES],
            enc_key=hmac_sm3(master, b"gaizao sm4 encryption")[:16],
            mac_key=hmac_sm3(master, b"gaizao sm3 lookup hash"),
        )


@dataclass(frozen=True)
class Keyring:
    current: DataKey
    old: tuple[DataKey, ...]

    def for_id(self, key_id: bytes) -> DataKey:
        if key_id == self.current.key_id:
            return self.current
        for key in self.old:
            if key.key_id == key_id:
                return key
        raise DataKeyError(
            "数据密钥不匹配：库中个人信息是用另一把密钥加密的。请检查 GAIZAO_DATA_KEY；"
            "轮换密钥期间把旧密钥列入 GAIZAO_DATA_KEYS_OLD。"
        )


@lru_cache(maxsize=4)
def _keyring(current: str, old: tuple[str, ...]) -> Keyring:
    return Keyring(
        current=DataKey.from_text(current),
        old=tuple(DataKey.from_text(k, variable="GAIZAO_DATA_KEYS_OLD") for k in old),
    )


def keyring() -> Keyring:
    return _keyring(settings.DATA_KEY, tuple(settings.DATA_KEYS_OLD))


def encrypt(plain: str) -> bytes:
    key = keyring().current
    return sealing.encrypt_value(plain, key_id=key.key_id, algorithm=key.sm4)


def encrypt_many(values: Iterable[str | None]) -> list[bytes | None]:
    """``encrypt`` of each value, as an ``EncryptedTextField`` stores it: empty or None gives None."""
    key = keyring().current
    return sealing.encrypt_values(values, key_id=key.key_id, algorithm=key.sm4)


def decrypt(blob: bytes) -> str:
    blob = bytes(blob)
    if len(blob) < KEY_ID_BYTES + IV_BYTES + TAG_BYTES:
        raise DataKeyError("加密字段内容已损坏（长度不足），无法解密。")
    key = keyring().for_id(blob[:KEY_ID_BYTES])
    iv = blob[KEY_ID_BYTES : KEY_ID_BYTES + IV_BYTES]
    dec = Cipher(key.sm4, modes.GCM(iv, blob[-TAG_BYTES:])).decryptor()
    try:
        plain = dec.update(blob[KEY_ID_BYTES + IV_BYTES : -TAG_BYTES]) + dec.finalize()
    except InvalidTag:
        raise DataKeyError("加密字段校验失败：数据被篡改或密钥错误。") from None
    return plain.decode("utf-8")


def key_id_of(blob: bytes) -> bytes:
    return bytes(blob[:KEY_ID_BYTES])


def lookup_hash(normalised: str, *, key: DataKey | None = None) -> str:
    """Keyed SM3 hash of an already normalised value (exact lookup, duplicate detection)."""
    mac = (key or keyring().current).mac.copy()
    mac.update(normalised.encode("utf-8"))
    return mac.finalize().hex()


def lookup_hash_many(values: Iterable[str | None]) -> list[str | None]:
    """``lookup_hash`` of each value, as a ``LookupHashField`` stores it: empty or None gives None."""
    return sealing.hash_values(values, mac=keyring().current.mac)


def background(*, encrypt=(), hash=(), parts=()) -> sealing.Background:
    """``encrypt_many`` of each list in ``encrypt`` and ``lookup_hash_many`` of each in ``hash``, with
    the current key, computed in a worker process while the caller goes on: ``.result()`` waits.
    ``parts``: several ``(encrypt, hash)`` pairs instead, answered one after another (``.result(i)``)."""
    return sealing.Background(keyring().current.batch, encrypt=encrypt, hash=hash, parts=parts)


def generate_key_text() -> str:
    return os.urandom(16).hex()


class AuditKeyError(ImproperlyConfigured):
    """The audit key is missing or malformed."""


@dataclass(frozen=True)
class AuditKey:
    """The key of the audit chain (审计密钥, ``GAIZAO_AUDIT_KEY``): kept outside the database, so
    that someone who can write the database cannot compute an entry's hash or a checkpoint's."""

    key_id: str  # a fingerprint, written in each checkpoint: "another key" reads apart from "forged"
    chain: hmac.HMAC  # the prepared HMAC-SM3 state each entry's hash copies
    anchor: hmac.HMAC  # the same for checkpoints

    @classmethod
    def from_text(cls, text: str, *, variable: str = "GAIZAO_AUDIT_KEY") -> "AuditKey":
        master = master_key(text, variable=variable, error=AuditKeyError, what="128 位审计密钥",
                            missing="审计日志的哈希链以 HMAC-SM3 计算，必须提供审计密钥（与数据密钥一样保存在数据库之外）。")
        return cls(
            key_id=hmac_sm3(master, b"gaizao audit key id")[:4].hex(),
            chain=hmac.HMAC(hmac_sm3(master, b"gaizao audit chain"), hashes.SM3()),
            anchor=hmac.HMAC(hmac_sm3(master, b"gaizao audit checkpoint"), hashes.SM3()),
        )


@lru_cache(maxsize=4)
def _audit_key(text: str, variable: str) -> AuditKey:
    return AuditKey.from_text(text, variable=variable)


def audit_key() -> AuditKey:
    return _audit_key(settings.AUDIT_KEY, "GAIZAO_AUDIT_KEY")


def audit_key_old() -> AuditKey | None:
    """The previous audit key while `gaizao audit rekey` runs (``GAIZAO_AUDIT_KEY_OLD``), else None."""
    return _audit_key(settings.AUDIT_KEY_OLD, "GAIZAO_AUDIT_KEY_OLD") if settings.AUDIT_KEY_OLD else None
