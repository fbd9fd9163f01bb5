"""Citizen ID numbers and mobile numbers for the demo people (演示身份证号与手机号).

IDs follow GB 11643-1999: a GB/T 2260 region code (the demo district 440199 or a real Guangdong
code), the birth date, a three-digit sequence whose last digit is odd for men and even for women,
and the ISO 7064 MOD 11-2 check character from ``gaizao.core.validators.id_check_char``.
Every number drawn in one load is different: the sequence is a permutation of a per
(region, birth date, sex) counter, so no set of millions of IDs is kept in memory.
"""

from __future__ import annotations

import datetime as dt
import random
from array import array

from gaizao.core.validators import id_check_char
from gaizao.demo.names import expand

LOCAL_REGION = "440199"  # 云溪区 (the demo district; 4401 is Guangzhou)
# Real GB/T 2260 codes: Guangzhou's districts first, then other cities of Guangdong.
GUANGZHOU_REGIONS = ("440103", "440104", "440105", "440106", "440111", "440112", "440113",
                     "440114", "440115", "440117", "440118")
GUANGDONG_REGIONS = ("440303", "440304", "440305", "440306", "440604", "440605", "440606",
                     "441302", "441900", "442000", "440802", "441402", "445102", "445202",
                     "440507", "441702", "440902", "441802", "440703", "445302")
REGIONS = (LOCAL_REGION,) + GUANGZHOU_REGIONS + GUANGDONG_REGIONS
_REGION_INDEX = {code: i for i, code in enumerate(REGIONS)}

FIRST_BIRTH = dt.date(1920, 1, 1)
LAST_BIRTH = dt.date(2024, 12, 31)  # everyone is at least one year old on the anchor date
_FIRST_ORDINAL = FIRST_BIRTH.toordinal()
DAYS = LAST_BIRTH.toordinal() - _FIRST_ORDINAL + 1

# "YYYYMMDD" and the year of every day in range, computed once: formatting dates millions of
# times is a measurable share of the load.
_DATE_TEXT: list[str] = []
_DAY_YEAR = array("H")
for _offset in range(DAYS):
    _day = dt.date.fromordinal(_FIRST_ORDINAL + _offset)
    _DATE_TEXT.append(f"{_day.year:04d}{_day.month:02d}{_day.day:02d}")
    _DAY_YEAR.append(_day.year)
del _offset, _day

# Mobile prefixes of the three carriers (移动、联通、电信), weighted roughly by subscribers.
MOBILE_PREFIXES = expand({
    "134": 3, "135": 6, "136": 6, "137": 6, "138": 8, "139": 8, "147": 1, "150": 4, "151": 4,
    "152": 3, "157": 2, "158": 4, "159": 4, "178": 2, "182": 3, "183": 2, "184": 1, "187": 3,
    "188": 3, "198": 2, "130": 3, "131": 3, "132": 3, "155": 2, "156": 2, "166": 1, "175": 1,
    "176": 2, "185": 2, "186": 3, "133": 2, "153": 2, "173": 1, "177": 2, "180": 2, "181": 2,
    "189": 3, "191": 1, "199": 2,
})
_SEQ_SLOTS = 499  # sequences per (region, day, sex): odd 001-997 for men, even 002-998 for women


def day_of(year: int, month: int = 1, day: int = 1) -> int:
    """The day index of a date (0 = 1920-01-01), clamped to the range IDs are drawn from."""
    index = dt.date(year, month, day).toordinal() - _FIRST_ORDINAL
    return min(max(index, 0), DAYS - 1)


def year_of(day_index: int) -> int:
    return _DAY_YEAR[day_index]


def date_of(day_index: int) -> dt.date:
    return dt.date.fromordinal(_FIRST_ORDINAL + day_index)


class IdentityFactory:
    """Draws unique, valid citizen IDs and plausible mobile numbers from one seeded generator."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self._used: dict[int, int] = {}

    def citizen_id(self, *, day: int, male: bool, region: str = LOCAL_REGION) -> str:
        """An 18-character ID for a person born on ``day`` (a day index) in ``region``."""
        region_index = _REGION_INDEX[region]
        for _attempt in REGIONS:
            key = ((region_index * DAYS) + day) * 2 + male
            count = self._used.get(key, 0)
            if count < _SEQ_SLOTS:
                break
            # All sequences of that day are taken in this region: take the next region.
            region_index = (region_index + 1) % len(REGIONS)
        else:
            raise ValueError(f"no citizen ID sequence left for {_DATE_TEXT[day]}")
        self._used[key] = count + 1
        # A fixed permutation of the counter, so sequences look scattered, not 001, 003, ...
        slot = (count * 173 + day * 31 + region_index * 101) % _SEQ_SLOTS
        sequence = slot * 2 + (1 if male else 2)
        first17 = f"{REGIONS[region_index]}{_DATE_TEXT[day]}{sequence:03d}"
        return first17 + id_check_char(first17)

    def region(self, *, hukou: str) -> str:
        """Where a person's ID was issued, given their household registration (户籍)."""
        roll = self.rng.random()
        if hukou in ("local_rural", "converted"):
            return LOCAL_REGION if roll < 0.95 else GUANGZHOU_REGIONS[int(roll * 1000) % len(GUANGZHOU_REGIONS)]
        if hukou == "local_urban":
            return LOCAL_REGION if roll < 0.4 else GUANGZHOU_REGIONS[int(roll * 1000) % len(GUANGZHOU_REGIONS)]
        return GUANGDONG_REGIONS[int(roll * len(GUANGDONG_REGIONS))]

    def mobile(self) -> str:
        rng = self.rng
        return MOBILE_PREFIXES[int(rng.random() * len(MOBILE_PREFIXES))] + f"{rng.randrange(100_000_000):08d}"
