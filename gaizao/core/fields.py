"""Model fields for personal data: SM4-encrypted text and the keyed SM3 hash beside it."""

from __future__ import annotations

from django.core.exceptions import FieldError
from django.db import models

from gaizao.core import crypto


class EncryptedTextField(models.BinaryField):
    """Text encrypted at rest with SM4-GCM (身份证号、手机号).

    The Python value is the plain text; the column holds ``key id | IV | ciphertext | tag``.
    Encryption is randomised, so the column cannot be searched: search the
    ``LookupHashField`` that stands beside it instead.
    """

    description = "SM4-encrypted text"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return crypto.decrypt(value)

    def to_python(self, value):
        if isinstance(value, (bytes, bytearray, memoryview)):
            return crypto.decrypt(bytes(value))
        return value

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None or value == "":
            return None
        if isinstance(value, str):
            value = crypto.encrypt(value)
        return super().get_db_prep_value(value, connection, prepared)

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            raise FieldError(
                f"{self.name} 是加密字段，不能按内容查询；请用旁边的哈希字段精确查找。"
            )
        return super().get_lookup(lookup_name)

    def value_to_string(self, obj):
        return self.value_from_object(obj) or ""


class LookupHashField(models.CharField):
    """Keyed SM3 hash of an encrypted field's normalised value, kept in step on every save."""

    def __init__(self, *args, source: str, **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        # Indexed unless said otherwise (the default above): only "no index" needs saying.
        if self.db_index:
            kwargs.pop("db_index", None)
        else:
            kwargs["db_index"] = False
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        plain = getattr(model_instance, self.source)
        value = crypto.lookup_hash(plain) if plain else None
        setattr(model_instance, self.attname, value)
        return value
