"""Modes change the way (改造方式与进度路径): a building's disposition and a household's way.

The three modes of the national guidance (domain README §1–2) decide what happens to buildings:

- 拆除新建 (``demolish_rebuild``): every building is demolished (处置方式「拆除」);
- 整治提升 (``upgrade``): every building is kept (「保留」) and upgraded in place;
- 拆整结合 (``mixed``): each building is marked 拆除 or 保留 (a new one is 拆除 unless marked:
  the way this village was handled before the mark existed).

A household's way (进度路径, ``Household.way``) follows: 拆除安置 (survey, 认定, 评估, 签约 or
补偿决定, 腾空交房, 拆除, 安置) when at least one of its buildings is to be demolished, else 整治提升
(survey, 同意整治, 开工, 竣工验收). In a 拆整结合 village a household without a building marked
拆除 is on the upgrade way. The way is stored on the household (the stage rules read it without a
query) and kept by the ledger's services (``services.ways``); ``gaizao ledger verify`` and
``gaizao rollups verify`` prove it against the modes and the buildings.

The steps of each way are ledger ``Stage`` values: the progress app derives its event kinds'
ways from ``WAY_STAGES`` (one list for both floors).
"""

from __future__ import annotations

from typing import Iterable

from gaizao.ledger.choices import Disposition, RenovationMode, Stage, Way

# The steps only one way has; 入户调查 and 撤出改造范围 belong to both.
WAY_STAGES: dict[str, tuple[str, ...]] = {
    Way.DEMOLISH: (Stage.DECIDED, Stage.VALUED, Stage.DECISION, Stage.SIGNED, Stage.VACATED, Stage.DEMOLISHED,
                   Stage.RESETTLED),
    Way.UPGRADE: (Stage.AGREED, Stage.WORKS_STARTED, Stage.WORKS_ACCEPTED),
}
# The household date field of each step (``surveyed_on`` …).
WAY_DATE_FIELDS: dict[str, tuple[str, ...]] = {way: tuple(f"{s}_on" for s in stages)
                                               for way, stages in WAY_STAGES.items()}
# What a building of a village in each mode may be, and what it is when nothing says.
ALLOWED_DISPOSITIONS: dict[str, tuple[str, ...]] = {
    RenovationMode.DEMOLISH_REBUILD: (Disposition.DEMOLISH,),
    RenovationMode.UPGRADE: (Disposition.KEEP,),
    RenovationMode.MIXED: (Disposition.DEMOLISH, Disposition.KEEP),
}
DEFAULT_DISPOSITION: dict[str, str] = {
    RenovationMode.DEMOLISH_REBUILD: Disposition.DEMOLISH,
    RenovationMode.UPGRADE: Disposition.KEEP,
    RenovationMode.MIXED: Disposition.DEMOLISH,
}


def way_for(mode: str, dispositions: Iterable[str]) -> str:
    """The way of a household of a village in ``mode`` whose buildings have ``dispositions``."""
    if mode == RenovationMode.UPGRADE:
        return Way.UPGRADE
    if mode == RenovationMode.MIXED:
        return Way.DEMOLISH if any(d == Disposition.DEMOLISH for d in dispositions) else Way.UPGRADE
    return Way.DEMOLISH


def other(way: str) -> str:
    return Way.UPGRADE if way == Way.DEMOLISH else Way.DEMOLISH


def mode_label(mode: str) -> str:
    return str(RenovationMode(mode).label) if mode in RenovationMode.values else mode


def disposition_refusal(mode: str, disposition: str, *, village: str) -> str | None:
    """Why a building of ``village`` (in ``mode``) cannot be ``disposition``, or None."""
    if disposition in ALLOWED_DISPOSITIONS.get(mode, ()):
        return None
    return (f"城中村 {village} 的改造方式为「{mode_label(mode)}」，其房屋的处置方式只能为"
            f"「{'、'.join(str(Disposition(d).label) for d in ALLOWED_DISPOSITIONS[mode])}」，"
            f"不能为「{Disposition(disposition).label}」；拆除与保留并存的村须为「拆整结合」。")


def steps_reached(values: dict, way: str) -> list[str]:
    """The steps of ``way`` that ``values`` (a household's date fields, by name) have reached, as labels."""
    return [str(Stage(stage).label) for stage, name in zip(WAY_STAGES[way], WAY_DATE_FIELDS[way])
            if values.get(name) is not None]
