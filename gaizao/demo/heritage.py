"""Historic and cultural features (历史文化要素) of the demo villages: halls, old trees, wells…

About half the villages get one to three; a hall or historic building is tied to one of the
village's buildings, so the demolition guard has something to guard in the demo.
"""

from __future__ import annotations

import random

from gaizao.ledger.choices import HeritageKind, ProtectionLevel
from gaizao.ledger.models import Building, HeritageElement, Village

_KINDS = [
    (HeritageKind.ANCESTRAL_HALL, "{clan}氏宗祠", True),
    (HeritageKind.OLD_TREE, "古榕树（树龄约{age}年）", False),
    (HeritageKind.HISTORIC_BUILDING, "{clan}家大屋", True),
    (HeritageKind.OLD_WELL, "村口古井", False),
    (HeritageKind.TRADITIONAL_STYLE, "岭南传统风貌街巷", False),
    (HeritageKind.ARCHWAY, "节孝牌坊", False),
]
_LEVELS = [ProtectionLevel.PROVINCIAL, ProtectionLevel.MUNICIPAL, ProtectionLevel.DISTRICT,
           ProtectionLevel.DISTRICT, ProtectionLevel.UNRATED, ProtectionLevel.UNRATED]


def create_heritage(*, rng: random.Random, villages: list) -> int:
    """Bulk-create the demo's heritage elements; returns how many."""
    elements: list[HeritageElement] = []
    for village in sorted(villages, key=lambda v: v.pk):
        if rng.random() < 0.5:
            continue
        for kind, pattern, on_building in rng.sample(_KINDS, k=rng.randint(1, 3)):
            building_id = None
            if on_building:
                # a standing building: a demolished one has nothing left to preserve
                ids = list(Building.objects.filter(household__village_id=village.pk, demolished_on__isnull=True)
                           .order_by("pk").values_list("pk", flat=True)[:200])
                building_id = rng.choice(ids) if ids else None
            elements.append(HeritageElement(
                village=Village(pk=village.pk), building_id=building_id, kind=kind,
                # The village's own clans, as its notes (现状说明) name them: 黄氏宗祠 in both.
                name=pattern.format(clan=village.clans[0] if kind == HeritageKind.ANCESTRAL_HALL
                                    else rng.choice(village.clans), age=rng.randrange(120, 400, 10)),
                protection_level=rng.choice(_LEVELS),
                location=f"{village.name}{rng.choice(['东', '南', '西', '北', '中'])}部",
                notes="改造中原址保护，周边 50 米内不得新建高层。" if on_building else "",
            ))
    HeritageElement.objects.bulk_create(elements)
    return len(elements)
