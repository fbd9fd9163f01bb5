"""Writes of heritage elements (历史文化要素): 祠堂, 古树, 历史建筑 … a village preserves."""

from __future__ import annotations

from django.db import transaction

from gaizao.core.checking import Checker
from gaizao.core.services import create, load_for_update, only, require_in_scope, save_changes
from gaizao.core.writes import writes
from gaizao.ledger import selectors
from gaizao.ledger.models import Building, HeritageElement, Village

HERITAGE_FIELDS = {"kind", "name", "protection_level", "location", "notes", "building", "photo"}


def _check_heritage(values: dict, *, village: Village, current: HeritageElement | None = None) -> None:
    check = Checker(HeritageElement)
    check.text(values, "name", required=True)
    check.text(values, "location")
    check.text(values, "notes")
    check.choice(values, "kind")
    check.choice(values, "protection_level")
    building: Building | None = values.get("building")
    if building is not None and building.household.village_id != village.pk:
        check.error("building", f"房屋「{building.household.number}/{building.number}」不在{village}。")
    elif building is not None and (current is None or current.building_id != building.pk):
        # A demolished building has nothing left to preserve: the element would guard nothing, and
        # the record would say a protected building stands where none does. The stored date is
        # read, not the caller's copy of the building.
        demolished_on = Building.objects.filter(pk=building.pk).values_list("demolished_on", flat=True).first()
        if demolished_on is not None:
            check.error("building", f"房屋「{building.household.number}/{building.number}」已于 "
                                    f"{demolished_on:%Y-%m-%d} 拆除，不能在已拆除的房屋上登记历史文化要素；"
                                    "如要素仍在（如古树、古井），请不填“所在房屋”，在“位置”中写明。")
    if "photo" in values and values["photo"] is None:
        values["photo"] = ""  # no photo: the column holds an empty name
    check.done()


def _delete_replaced_photo(old_name: str, new_name: str) -> None:
    """The photo a change replaced or removed leaves the disk once the change is committed."""
    if old_name and old_name != new_name:
        storage = HeritageElement._meta.get_field("photo").storage
        transaction.on_commit(lambda: storage.delete(old_name))


@writes
def heritage_create(*, actor, village: Village, kind: str, name: str, building: Building | None = None,
                    photo=None, ip: str | None = None, **fields) -> HeritageElement:
    """Register a heritage element of a village, optionally on one of its buildings, with a photo."""
    require_in_scope(actor, selectors.village_write_scope, village)
    values = {"kind": kind, "name": name, "building": building, "photo": photo, **fields}
    _check_heritage(values, village=village)
    element = HeritageElement(village=village, **values)
    return create(actor=actor, instance=element, action="heritage.create", ip=ip)


@writes
def heritage_update(*, actor, heritage: HeritageElement, version: int, ip: str | None = None,
                    **changes) -> HeritageElement:
    """Change a heritage element. ``photo``: an uploaded file replaces it, ``None`` removes it."""
    only(changes, HERITAGE_FIELDS, "heritage_update")
    require_in_scope(actor, selectors.heritage_write_scope, heritage)
    current = load_for_update(heritage, version)
    values = dict(changes)
    _check_heritage(values, village=current.village, current=current)
    old_photo = current.photo.name or ""
    saved = save_changes(actor=actor, current=current, version=version, values=values,
                         action="heritage.update", ip=ip)
    if "photo" in values:
        _delete_replaced_photo(old_photo, saved.photo.name or "")
    return saved
