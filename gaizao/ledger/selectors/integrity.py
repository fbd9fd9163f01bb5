"""The ledger's cross-record rules checked over everything stored (台账交叉核对, `gaizao ledger verify`).

Each write path refuses what breaks these rules; this finds what got in anyway (old data, a
direct database edit, a bug), for the operator and for the tests that load the demo:

- one ID, one person (``gaizao.ledger.identity``): head of two households, member of two, head of
  one and member of another, a member twice;
- a household with 认定 has no building left 待认定 (issue 10 item 5);
- a household marked demolished has every building to demolish demolished, and the other way round;
- no heritage element stands on a demolished building;
- modes and ways (``gaizao.ledger.ways``): a building's disposition is one its village's mode allows,
  a kept building (保留) is not demolished, a household's way is the one its village's mode and its
  buildings give, and it has recorded no step of the other way.

A constant number of aggregate queries whatever the size, plus one per breach found to name it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from gaizao.ledger import identity
from gaizao.ledger.choices import Disposition, Legality, RenovationMode, Way
from gaizao.ledger.models import Building, HeritageElement, Household
from gaizao.ledger.ways import ALLOWED_DISPOSITIONS, WAY_DATE_FIELDS

UNDECIDED = "undecided_after_decision"
DEMOLISHED_HOUSEHOLD = "household_demolished_building_standing"
DEMOLISHED_BUILDINGS = "buildings_demolished_household_not"
HERITAGE_ON_DEMOLISHED = "heritage_on_demolished_building"
DISPOSITION_OF_MODE = "disposition_not_of_village_mode"
KEPT_DEMOLISHED = "kept_building_demolished"
WAY_OF_MODE = "way_not_of_mode_and_buildings"
STEPS_OF_OTHER_WAY = "steps_of_the_other_way"
RULES = {
    **identity.RULES,
    UNDECIDED: _("已认定的住户，其房屋不能仍为待认定"),
    DEMOLISHED_HOUSEHOLD: _("已拆除的住户，其房屋都应已拆除"),
    DEMOLISHED_BUILDINGS: _("房屋全部拆除的住户，应记录拆除"),
    HERITAGE_ON_DEMOLISHED: _("历史文化要素不能登记在已拆除的房屋上"),
    DISPOSITION_OF_MODE: _("房屋的处置方式须为所在村改造方式所允许（拆除新建：拆除；整治提升：保留）"),
    KEPT_DEMOLISHED: _("处置方式为保留的房屋不能拆除"),
    WAY_OF_MODE: _("住户的进度路径须与所在村的改造方式及其房屋的处置方式一致"),
    STEPS_OF_OTHER_WAY: _("住户不能记录另一条进度路径的步骤"),
}
SHOWN = 50  # breaches named per rule; the count says how many there are


@dataclass(frozen=True)
class Breach:
    rule: str
    households: tuple[int, ...]
    detail: str = ""

    @property
    def label(self) -> str:
        return str(RULES[self.rule])


def ledger_breaches() -> list[Breach]:
    """Every breach of the cross-record rules in the stored ledger, rule by rule."""
    found = [Breach(v.rule, v.households) for v in identity.violations()]
    pending = Building.objects.filter(household=OuterRef("pk"), legality=Legality.PENDING)
    standing = Building.objects.filter(household=OuterRef("pk"), demolished_on=None, disposition=Disposition.DEMOLISH)
    any_building = Building.objects.filter(household=OuterRef("pk"), disposition=Disposition.DEMOLISH)
    for pk in (Household.objects.filter(decided_on__isnull=False).filter(Exists(pending))
               .order_by("id").values_list("id", flat=True)):
        found.append(Breach(UNDECIDED, (pk,)))
    for pk in (Household.objects.filter(demolished_on__isnull=False).filter(Exists(standing))
               .order_by("id").values_list("id", flat=True)):
        found.append(Breach(DEMOLISHED_HOUSEHOLD, (pk,)))
    for pk in (Household.objects.filter(demolished_on=None).filter(Exists(any_building)).exclude(Exists(standing))
               .order_by("id").values_list("id", flat=True)):
        found.append(Breach(DEMOLISHED_BUILDINGS, (pk,)))
    for pk, name in (HeritageElement.objects.filter(building__demolished_on__isnull=False)
                     .order_by("id").values_list("building__household_id", "name")):
        found.append(Breach(HERITAGE_ON_DEMOLISHED, (pk,), detail=name))
    found.extend(_mode_breaches(any_building))
    return found


def _mode_breaches(to_demolish) -> list[Breach]:
    """The modes-and-ways rules: four queries, whatever the size."""
    found = []
    for mode, allowed in ALLOWED_DISPOSITIONS.items():
        for pk, number in (Building.objects.filter(household__village__mode=mode).exclude(disposition__in=allowed)
                           .order_by("id").values_list("household_id", "number")):
            found.append(Breach(DISPOSITION_OF_MODE, (pk,), detail=f"房屋 {number}"))
    for pk, number in (Building.objects.filter(disposition=Disposition.KEEP, demolished_on__isnull=False)
                       .order_by("id").values_list("household_id", "number")):
        found.append(Breach(KEPT_DEMOLISHED, (pk,), detail=f"房屋 {number}"))
    upgrade = Q(village__mode=RenovationMode.UPGRADE) | Q(Q(village__mode=RenovationMode.MIXED), ~Exists(to_demolish))
    wrong = (Household.objects.filter(upgrade).exclude(way=Way.UPGRADE)
             | Household.objects.exclude(upgrade).exclude(way=Way.DEMOLISH))
    for pk in wrong.order_by("id").values_list("id", flat=True):
        found.append(Breach(WAY_OF_MODE, (pk,)))
    other = Q()
    for way, names in WAY_DATE_FIELDS.items():
        reached = Q()
        for name in names:
            reached |= Q(**{f"{name}__isnull": False})
        other |= Q(~Q(way=way), reached)
    for pk in Household.objects.filter(other).order_by("id").values_list("id", flat=True):
        found.append(Breach(STEPS_OF_OTHER_WAY, (pk,)))
    return found


def household_labels(ids: set[int]) -> dict[int, str]:
    """项目 P001 户号 DH-001 for each household id (one query)."""
    return {pk: f"项目 {code} 户号 {number}" for pk, code, number in
            Household.objects.filter(pk__in=ids).values_list("id", "project__code", "number")}
