"""Masking for lists, exports and public pages (个人信息保护法: mask when publishing)."""

from __future__ import annotations


def mask_citizen_id(value: str | None) -> str:
    """110105********002X: region code and the last four stay (a residence permit: 830000********123X)."""
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """138****5678; a landline keeps its area code and last four: 020-****5678, 0755-***4567.

    A landline's extension is hidden too (010-****5678-***). The masked form is also what the
    edit form and the export show, and what means "keep the stored number" when it comes back.
    """
    if not value:
        return ""
    if value[0] == "0" and "-" in value:  # the canonical landline (core.validators.normalize_phone)
        area, _dash, rest = value.partition("-")
        number, dash, extension = rest.partition("-")
        return f"{area}-{'*' * max(len(number) - 4, 0)}{number[-4:]}{dash}{'*' * len(extension)}"
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str | None) -> str:
    """张*三 for three characters, 张* for two, 欧**娜 for four: first and last stay."""
    if not value:
        return ""
    if len(value) == 1:
        return value
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]
