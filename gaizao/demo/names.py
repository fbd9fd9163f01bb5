"""Realistic Chinese personal names for the demo district (演示数据中的姓名).

Surnames are weighted by their frequency in Guangdong (陈、李、黄 lead there, unlike the national
ranking); given names use characters typical of the person's sex and generation, so a
grandmother born in 1945 is 陈亚娣 and her granddaughter born in 2012 is 陈梓涵.

Picks use precomputed lookup tables (one ``random()`` call each) because the demo draws several
million names.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

# Surname: relative weight (per ten thousand, Guangdong household registers, rounded).
SURNAME_WEIGHTS: dict[str, int] = {
    "陈": 1020, "李": 720, "黄": 660, "张": 460, "梁": 410, "林": 390, "刘": 360, "吴": 300,
    "罗": 250, "何": 220, "郑": 200, "杨": 200, "谢": 180, "冯": 160, "周": 150, "叶": 150,
    "曾": 150, "邓": 140, "钟": 110, "郭": 120, "苏": 110, "卢": 110, "许": 100, "朱": 90,
    "蔡": 90, "彭": 90, "潘": 90, "麦": 80, "余": 80, "赖": 70, "温": 70, "王": 160,
    "关": 60, "江": 60, "方": 60, "邱": 60, "胡": 60, "区": 50, "莫": 50, "马": 50,
    "谭": 80, "欧": 40, "植": 20, "冼": 30, "岑": 30, "简": 30, "骆": 30, "严": 30,
    "崔": 30, "庞": 30, "孔": 30, "汤": 30, "袁": 40, "徐": 60, "孙": 40, "高": 50,
    "唐": 40, "廖": 70, "范": 30, "丘": 20, "肖": 60, "甘": 20, "颜": 20, "姚": 30,
    "伍": 40, "韦": 30, "古": 20, "凌": 20, "龚": 20, "邝": 30, "汪": 20, "田": 20,
    "巫": 20, "翁": 20, "戴": 20, "文": 30, "宋": 20, "侯": 20, "董": 20, "程": 20,
}

# Given-name characters by generation (born before 1970, 1970-1994, from 1995) and sex.
_OLD_MALE = "国华明建志荣福贵昌兴旺德永炳培汉庆基金财锦桂耀振富发成伟添亚树林木水松根全"
_OLD_FEMALE = "亚娣妹好彩银金带凤英秀兰珍玉梅娟桂琼群妙爱娥连少月丽芳婵卿燕霞新转容"
_MID_MALE = "伟强明华俊杰志文斌健军海波平东晖锋达冠灿铭辉勇浩敏伟荣锦振永家建国庆雄超威峰涛鹏"
_MID_FEMALE = "丽芳秀英敏婷颖嘉玲燕霞红娟丹静雪梅兰慧珍凤萍琴洁碧翠淑欣怡艳蓉倩莹晓小玉美"
_NEW_MALE = "梓睿轩子浩宇俊杰嘉豪铭泽博文皓晨逸霖锦航宏楷烨昊天熙星源乐骏安朗"
_NEW_FEMALE = "梓涵诗雅琪晴悦思雨紫月欣怡嘉颖芷若可馨瑶萱依彤晓蕾淇雪琳桐语歆"

GIVEN_CHARS: dict[tuple[int, bool], str] = {
    (0, True): _OLD_MALE, (0, False): _OLD_FEMALE,
    (1, True): _MID_MALE, (1, False): _MID_FEMALE,
    (2, True): _NEW_MALE, (2, False): _NEW_FEMALE,
}

TABLE_SIZE = 4096


def expand(weights: dict[str, int] | Sequence[tuple[object, int]], *, size: int = TABLE_SIZE) -> tuple:
    """A lookup table where each item appears in proportion to its weight (O(1) weighted pick)."""
    pairs = list(weights.items()) if isinstance(weights, dict) else list(weights)
    total = sum(w for _item, w in pairs)
    table: list = []
    for item, weight in pairs:
        table.extend([item] * max(1, round(weight * size / total)))
    return tuple(table)


_SURNAMES = expand(SURNAME_WEIGHTS)


def generation(birth_year: int) -> int:
    """0 for people born before 1970, 1 until 1994, 2 from 1995 (given-name fashions)."""
    if birth_year < 1970:
        return 0
    return 1 if birth_year < 1995 else 2


class NamePicker:
    """Draws names from one ``random.Random`` (never the global one), so a seed fixes them."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self._random = rng.random

    def surname(self) -> str:
        return _SURNAMES[int(self._random() * len(_SURNAMES))]

    def clan_surnames(self, count: int) -> list[str]:
        """Surnames of a village's lineages (宗族): drawn by frequency, no repeats."""
        chosen: list[str] = []
        while len(chosen) < count:
            name = self.surname()
            if name not in chosen:
                chosen.append(name)
        return chosen

    def given(self, *, male: bool, birth_year: int) -> str:
        chars = GIVEN_CHARS[(generation(birth_year), male)]
        rnd = self._random
        first = chars[int(rnd() * len(chars))]
        if rnd() < 0.14:  # one-character given names, more common among the young
            return first
        second = chars[int(rnd() * len(chars))]
        if second == first and rnd() < 0.8:  # 丽丽 is fine now and then, not often
            second = chars[int(rnd() * len(chars))]
        return first + second

    def full(self, *, male: bool, birth_year: int, surname: str | None = None) -> str:
        return (surname or self.surname()) + self.given(male=male, birth_year=birth_year)
