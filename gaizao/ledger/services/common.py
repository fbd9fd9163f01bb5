"""What the ledger's writes share beyond core's (core.services, core.checking): search initials."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin


def name_initials(name: str) -> str:
    """Pinyin initials for search: 张三 -> zs."""
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower()[:50]
