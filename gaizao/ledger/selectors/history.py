"""Change history (修改记录) on the ledger's detail pages, read from the audit trail.

Each page asks for the entries of the objects it already holds (read through scope), newest
first and limited, in one query whatever their number. Values are shown as the audit stored
them: citizen IDs and phone numbers were masked when the entry was written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.core import audit
from gaizao.core.models import AuditEntry
from gaizao.ledger.choices import Stage
from gaizao.ledger.models import Building, HeritageElement, Household, Person, Project, Village

HISTORY_LIMIT = 50

ACTION_LABELS = {
    "ledger.head_initials_rebuild": gettext_lazy("按姓氏读音重建拼音首字母"),
    "village.create": gettext_lazy("新建城中村"),
    "village.update": gettext_lazy("修改城中村"),
    "project.create": gettext_lazy("新建项目"),
    "project.update": gettext_lazy("修改项目"),
    "household.create": gettext_lazy("登记住户"),
    "household.update": gettext_lazy("修改住户"),
    "household.reveal_personal_data": gettext_lazy("查看完整号码"),
    "household.link_resident": gettext_lazy("关联居民账号"),
    "household.assign_cadre_bulk": gettext_lazy("批量分配包户干部"),
    "known_value.create": gettext_lazy("增加可选值"),
    "known_value.update": gettext_lazy("停用或恢复可选值"),
    "household.way": gettext_lazy("改变进度路径"),
    "ledger.ways_from_modes": gettext_lazy("按改造方式设定进度路径（升级）"),
    "person.create": gettext_lazy("添加家庭成员"),
    "person.update": gettext_lazy("修改家庭成员"),
    "building.create": gettext_lazy("登记房屋"),
    "building.update": gettext_lazy("修改房屋"),
    "building.demolish": gettext_lazy("标记拆除"),
    "building.demolish_heritage_override": gettext_lazy("标记拆除（涉历史文化要素，特批）"),
    "heritage.create": gettext_lazy("登记历史文化要素"),
    "heritage.update": gettext_lazy("修改历史文化要素"),
}
# Keys of an entry's ``changes`` that are not model fields.
EXTRA_LABELS = {
    "heritage_override_reason": gettext_lazy("拆除理由"),
    "heritage": gettext_lazy("涉及的历史文化要素"),
    "fields": gettext_lazy("查看内容"),
}
# Keys of stage events (gaizao.progress), audited on the household: used where the model has no
# field of that name (a heritage element's "kind" stays its own 类别).
EVENT_LABELS = {
    "event": gettext_lazy("进度记录"),
    "kind": gettext_lazy("事项"),
    "on_date": gettext_lazy("日期"),
    "corrects": gettext_lazy("更正的记录"),
    "note": gettext_lazy("说明"),
    "attachments": gettext_lazy("附件"),
}
# Values of those keys shown by their label (a stage event's kind is one of the stages).
EXTRA_CHOICES = {"kind": dict(Stage.choices)}
_SKIP_ON_CREATE = {"id", "version"}
_SKIP = {"persons", "head_initials"}  # ids of members; the initials follow the name


@dataclass(frozen=True)
class HistoryChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryRow:
    entry: AuditEntry
    action_label: str
    actor: str
    subject: str
    changes: list[HistoryChange] = field(default_factory=list)


def _object_ids(model: type[models.Model], ids: Iterable[Any]) -> Q:
    return Q(object_type=model._meta.label_lower, object_id__in=[str(pk) for pk in ids])


def _entries(condition: Q, limit: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(condition).select_related("actor").order_by("-id")[:limit])


def _model_field(model, name: str):
    try:
        return model._meta.get_field(name) if model is not None else None
    except FieldDoesNotExist:
        return None


def _display(model_field, value: Any, name: str = "") -> str:
    if value is None or value == "":
        return "—"
    if model_field is None and name in EXTRA_CHOICES:
        return str(EXTRA_CHOICES[name].get(value, value))
    if model_field is None and name in ("event", "corrects"):
        return f"#{value}"
    if model_field is not None and model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.ForeignKey):
        return f"#{value}"
    if isinstance(model_field, models.FileField):
        return _("已上传") if value else "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    return str(value)


def _label(model, name: str) -> str:
    if name in EXTRA_LABELS:
        return str(EXTRA_LABELS[name])
    verbose = getattr(_model_field(model, name), "verbose_name", None)
    if verbose is None and name in EVENT_LABELS:
        return str(EVENT_LABELS[name])
    return str(verbose) if verbose is not None else name


def _fields_list(model, names: list) -> str:
    """["head_id_number", "persons.id_number"] -> 户主身份证号、家庭成员身份证号."""
    out = []
    for name in names:
        head, _dot, rest = str(name).partition(".")
        model_field = _model_field(model, head)
        if rest and model_field is not None and model_field.related_model is not None:
            related = model_field.related_model
            out.append(f"{related._meta.verbose_name}{_label(related, rest)}")
        else:
            out.append(_label(model, head))
    return "、".join(out)


def _changes(entry: AuditEntry, model) -> list[HistoryChange]:
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    rows: list[HistoryChange] = []
    if set(changes) == {"after"} and isinstance(changes["after"], dict):  # a creation: what was set
        for name, value in changes["after"].items():
            model_field = _model_field(model, name)
            if name in _SKIP_ON_CREATE or name in _SKIP or isinstance(model_field, models.ForeignKey) or value in (None, ""):
                continue
            rows.append(HistoryChange(_label(model, name), "", _display(model_field, value)))
        return rows
    for name, value in changes.items():
        if name in _SKIP:
            continue
        model_field = _model_field(model, name)
        if name == "fields" and isinstance(value, list):
            rows.append(HistoryChange(_label(model, name), "", _fields_list(model, value)))
        elif isinstance(value, list) and len(value) == 2 and model_field is not None:
            rows.append(HistoryChange(_label(model, name), _display(model_field, value[0]),
                                      _display(model_field, value[1])))
        elif isinstance(value, list) and len(value) == 2 and name == "on_date":  # a correction: old → new day
            rows.append(HistoryChange(_label(model, name), _display(None, value[0]), _display(None, value[1])))
        else:
            rows.append(HistoryChange(_label(model, name), "", _display(model_field, value, name)))
    return rows


def _rows(entries: list[AuditEntry]) -> list[HistoryRow]:
    out = []
    for entry in entries:
        try:
            model = apps.get_model(entry.object_type) if entry.object_type else None
        except (LookupError, ValueError):
            model = None
        kind = str(model._meta.verbose_name) if model is not None else entry.object_type
        actor = (entry.actor.full_name or entry.actor.username) if entry.actor else audit.actor_label(
            None, entry.actor_name)
        out.append(HistoryRow(
            entry=entry,
            action_label=audit.action_label(entry.action),
            actor=actor,
            subject=f"{kind} {entry.object_repr}".strip(),
            changes=_changes(entry, model),
        ))
    return out


def village_history(village: Village, *, project_ids: Iterable[int] = (), heritage_ids: Iterable[int] = (),
                    limit: int = HISTORY_LIMIT) -> list[HistoryRow]:
    """The village's entries, and those of its projects and heritage elements shown beside it."""
    condition = (_object_ids(Village, [village.pk]) | _object_ids(Project, project_ids)
                 | _object_ids(HeritageElement, heritage_ids))
    return _rows(_entries(condition, limit))


def household_history(household: Household, *, person_ids: Iterable[int] = (), building_ids: Iterable[int] = (),
                      limit: int = HISTORY_LIMIT) -> list[HistoryRow]:
    """The household's entries with those of its members and buildings."""
    condition = (_object_ids(Household, [household.pk]) | _object_ids(Person, person_ids)
                 | _object_ids(Building, building_ids))
    return _rows(_entries(condition, limit))


def building_history(building: Building, *, heritage_ids: Iterable[int] = (),
                     limit: int = HISTORY_LIMIT) -> list[HistoryRow]:
    condition = _object_ids(Building, [building.pk]) | _object_ids(HeritageElement, heritage_ids)
    return _rows(_entries(condition, limit))


def heritage_history(heritage: HeritageElement, *, limit: int = HISTORY_LIMIT) -> list[HistoryRow]:
    return _rows(_entries(_object_ids(HeritageElement, [heritage.pk]), limit))
