"""The ledger's write hooks (台账写入钩子): upper apps react to households whose state changed, and may
refuse opening a project's signing period (``project_signing_opens``) or a change of a household's
compensation inputs (``household_inputs_change``, at the end).

Every ledger write that creates a household, moves it, changes its area or stage, or removes it
(withdrawn or deleted) calls ``households_changed`` inside its transaction, once per write with all
the ids (an import of 100,000 households is one call). Receivers connect in their
``AppConfig.ready()``: progress keeps its rollups here; the apps to come add theirs.

    from gaizao.ledger.hooks import households_changed
    households_changed.connect(on_change, name="myapp.on_change")
    def on_change(*, change: HouseholdChange) -> None: ...
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from gaizao.core.registry import Hook

if TYPE_CHECKING:
    from gaizao.ledger.models import Project


@dataclass(frozen=True)
class HouseholdChange:
    """What one ledger write did to households (ids, never the rows: receivers read what they need).

    ``created_in`` and ``created_area`` are set by a bulk write whose new households are all in one
    project, without stage events, with that total building area: a receiver may then count them
    without reading them again (the import's fast path keeps its ~7 s per 100,000).
    """

    created: Sequence[int] = ()
    changed: Sequence[int] = ()   # moved, area or stage changed
    removed: Sequence[int] = ()   # withdrawn or deleted
    created_in: Project | None = None
    created_area: Decimal | None = None
    # Households (among ``changed``) whose way (进度路径, ledger.ways) flipped in this write: the other
    # way was theirs before it (there are two).
    flipped: Sequence[int] = ()

    def __bool__(self) -> bool:
        return bool(self.created or self.changed or self.removed)


households_changed = Hook("ledger.households_changed")


def households_changed_fire(*, created: Sequence[int] = (), changed: Sequence[int] = (),
                            removed: Sequence[int] = (), created_in: Project | None = None,
                            created_area: Decimal | None = None, flipped: Sequence[int] = ()) -> None:
    """Tell the receivers; a write that changed no household tells no one."""
    change = HouseholdChange(created=created, changed=changed, removed=removed,
                             created_in=created_in, created_area=created_area, flipped=flipped)
    if change:
        households_changed.fire(change=change)


# The gate before a project opens its signing period (签约期): ``project_update`` fires it inside its
# transaction when the update sets or moves ``signing_start``, with ``project`` (as stored) and the
# new ``signing_start``. A receiver refuses by raising ``AppError`` (progress refuses a project whose
# latest 意愿征询 failed). The ledger knows no upper rule: it offers the point, the upper app
# connects its check in ``ready()``.
project_signing_opens = Hook("ledger.project_signing_opens")


# The gate before a household's compensation inputs change (补偿要素变更闸门): fired by the ledger's writes inside
# their transaction whenever an input of a household's compensation changes — a building added or changed (areas,
# legality, use, structure, floors, build year, certificate, disposition), a member added or changed (relation,
# hukou), the household's member count, land type or use — once per write with all the ids (an import of 100,000
# households is one call). A receiver refuses by raising ``AppError`` (compensation refuses a household whose
# compensation list was published, 公示, unless an approved change request is being applied). The firing itself
# costs no query: ``project_ids`` are the projects of the households when the writer knows them (the receiver then
# reads by project), else empty (the receiver finds them from the households).


@dataclass(frozen=True)
class InputsChange:
    """Households whose compensation inputs a ledger write is about to change, and what (for the message)."""

    household_ids: Sequence[int]
    what: str  # 房屋 2 的合法面积、认定结果 / 家庭成员 / 家庭人数 …, as a refusal names it
    project_ids: Sequence[int] = ()


household_inputs_change = Hook("ledger.household_inputs_change")

# The fields of the ledger's rows that are inputs of a household's compensation (what the calculator reads).
BUILDING_INPUTS = frozenset({"structure", "floors", "build_year", "certificate_no", "legal_area", "unlicensed_area",
                             "legality", "use", "disposition"})
PERSON_INPUTS = frozenset({"relation", "hukou"})
HOUSEHOLD_INPUTS = frozenset({"member_count", "land_type", "use"})


def changed_inputs(current, values: dict, inputs: frozenset[str]) -> str:
    """The labels of the input fields whose new value in ``values`` differs from ``current``'s (合法面积、认定结果),
    '' when none does: read from the row in hand, no query."""
    changed = [name for name in values if name in inputs and getattr(current, name) != values[name]]
    return "、".join(str(current._meta.get_field(name).verbose_name).split("（")[0] for name in sorted(changed))


def household_inputs_change_fire(*, household_ids: Sequence[int], what: str, project_ids: Sequence[int] = ()) -> None:
    """Ask the receivers before a write changes these households' compensation inputs; no household, no call."""
    if household_ids:
        household_inputs_change.fire(change=InputsChange(household_ids=household_ids, what=what,
                                                         project_ids=project_ids))
