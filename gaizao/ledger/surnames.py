"""Surnames read as surnames (姓氏读音) for the pinyin initials the household search matches.

pypinyin reads a character by its most common reading: 曾 céng, 区 qū, 单 dān, 解 jiě. As the first
character of a name they are the surnames Zēng, Ōu, Shàn, Xiè, and a street official typing "zgf"
for 曾国藩 expects to find him. pypinyin has no surname mode (mozillazg/python-pinyin issue #297,
still open), so the readings are a table here.

Sources: the polyphonic surnames of overtrue/pinyin (``data/surnames``) and the 百家姓 readings of
hotoo/pinyin (``src/data/surname.ts``), both MIT; kept here are only the surnames whose initial
differs from pypinyin's reading of the character alone (the others need nothing), plus those issue
10 names (朴 piáo, 盖 gě: same letter, listed so that the table answers for every one of them).

Where both readings are in use as surnames (乐 Yuè and Lè, 翟 Zhái and Dí, 覃 Qín and Tán), the
stored initials use the first and ``OTHER_READINGS`` lets the search match the second: the column
keeps one value per household, its index and its prefix search stay as they are.
"""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin

# surname → the initial of its surname reading
SURNAME_INITIALS = {
    "曾": "z",  # zēng (céng)
    "区": "o",  # ōu (qū)
    "单": "s",  # shàn (dān)
    "解": "x",  # xiè (jiě)
    "仇": "q",  # qiú (chóu)
    "查": "z",  # zhā (chá)
    "朴": "p",  # piáo (pǔ)
    "盖": "g",  # gě (gài)
    "乐": "y",  # yuè (lè: OTHER_READINGS)
    "翟": "z",  # zhái (dí: OTHER_READINGS)
    "覃": "q",  # qín (tán: OTHER_READINGS)
    "阚": "k",  # kàn (hǎn)
    "乜": "n",  # niè (miē)
    "秘": "b",  # bì (mì)
    "种": "c",  # chóng (zhǒng)
    "重": "c",  # chóng (zhòng)
    "繁": "p",  # pó (fán)
    "折": "s",  # shé (zhé)
    "佴": "n",  # nài (èr)
    "粘": "n",  # nián (zhān)
    "藏": "z",  # zàng (cáng)
    "不": "f",  # fǒu (bù)
    "浣": "w",  # wǎn (huàn)
}
# Two-character surnames that start with a character of the table and read otherwise.
COMPOUND_SURNAMES = {
    "单于": "cy",  # chán yú
    "乐正": "yz",  # yuè zhèng
}
# surname → the initial of its other reading in use as a surname (the search matches both)
OTHER_READINGS = {"乐": "l", "翟": "d", "覃": "t"}
# the letter typed → (surname, the letter stored for it): "l" → 乐 stored with "y"
READ_ALSO = {
    letter: tuple((name, SURNAME_INITIALS[name]) for name, other in OTHER_READINGS.items() if other == letter)
    for letter in set(OTHER_READINGS.values())
}
# The first characters of names whose initials differ from pypinyin's reading of the whole name.
FIRST_CHARACTERS = frozenset(SURNAME_INITIALS) | {name[0] for name in COMPOUND_SURNAMES}
MAX_LENGTH = 50  # Household.head_initials


def letters(text: str) -> str:
    """pypinyin's first letters of ``text`` as it reads it (phrases included), lower case."""
    return "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore")).lower()


def surname(name: str) -> tuple[str, int] | None:
    """``(initials, length)`` of the surname ``name`` starts with, when the table reads it; else None."""
    found = COMPOUND_SURNAMES.get(name[:2])
    if found is not None:
        return found, 2
    found = SURNAME_INITIALS.get(name[:1])
    if found is not None:
        return found, 1
    return None


def name_initials(name: str) -> str:
    """Pinyin initials for search: 张三 → zs, 曾国藩 → zgf, 单雄信 → sxx, 乐嘉 → yj.

    A surname of the table is read as a surname and the given name after it on its own; any
    other name is read whole, as pypinyin reads it (its phrases: 尉迟恭 → ycg).
    """
    head = surname(name)
    if head is None:
        return letters(name)[:MAX_LENGTH]
    initials, size = head
    return (initials + letters(name[size:]))[:MAX_LENGTH]
