"""The statements of ``household_record_event``, written out once per database.

Recording an event is the campaign's most frequent write (thousands a day in a district, bulk
days of tens of thousands): an ORM query costs more to build than SQLite takes to run it, so the
three statements on the household and the event are plain SQL here, built once from the models'
own table and column names, with values prepared by the fields as the ORM would.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.db.models.base import ModelState
from django.utils import timezone

from gaizao.ledger.models import Household, Project, Village
from gaizao.org.models import OrgUnit
from gaizao.progress.stages import DATE_FIELDS
from gaizao.progress.models import StageEvent

TWO_PLACES = Decimal("0.01")
_DATE_NAMES = list(DATE_FIELDS.values())


# The household columns recording reads and writes (attnames of ledger.Household, checked against
# the model field by field in tests/progress/test_stage_rules.py): ids and scope (street, cadre,
# resident: who may write), the version, the area the rollups count, the way (进度路径: which kinds
# the household may record) and what the stage rules set.
COLUMNS = ["id", "number", "head_name", "version", "street_id", "village_id", "project_id", "cadre_id",
           "resident_id", "area", "way", "resettlement_mode", "stage", *_DATE_NAMES]
PROJECT_COLUMNS = ["id", "signing_start", "signing_end"]
STREET_COLUMNS = ["id", "parent_id"]
EVENT_COLUMNS = ["household_id", "project_id", "kind", "on_date", "resettlement_mode", "note", "corrects_id",
                 "actor_id", "created_at"]
MOVED_COLUMNS = ["stage", "resettlement_mode", *_DATE_NAMES]
_SQL: dict[str, dict[str, str]] = {}


def _sql() -> dict[str, str]:
    if connection.vendor in _SQL:
        return _SQL[connection.vendor]
    qn = connection.ops.quote_name
    h, p, o, e, v = (qn(m._meta.db_table) for m in (Household, Project, OrgUnit, StageEvent, Village))
    load = (f"SELECT {', '.join('h.' + qn(c) for c in COLUMNS)}, p.{qn('signing_start')}, p.{qn('signing_end')}, "
            f"o.{qn('parent_id')}, v.{qn('mode')} FROM {h} h JOIN {p} p ON p.{qn('id')} = h.{qn('project_id')} "
            f"JOIN {o} o ON o.{qn('id')} = h.{qn('street_id')} JOIN {v} v ON v.{qn('id')} = h.{qn('village_id')} "
            f"WHERE h.{qn('id')} = %s")
    if connection.features.has_select_for_update_of:
        load += " FOR UPDATE OF h"
    insert = (f"INSERT INTO {e} ({', '.join(qn(c) for c in EVENT_COLUMNS)}) "
              f"VALUES ({', '.join(['%s'] * len(EVENT_COLUMNS))})")
    if connection.features.can_return_columns_from_insert:
        insert += f" RETURNING {qn('id')}"
    move = (f"UPDATE {h} SET {', '.join(qn(c) + ' = %s' for c in MOVED_COLUMNS)}, "
            f"{qn('version')} = {qn('version')} + 1, {qn('updated_at')} = %s "
            f"WHERE {qn('id')} = %s AND {qn('version')} = %s")
    _SQL[connection.vendor] = {"load": load, "insert": insert, "move": move}
    return _SQL[connection.vendor]


def _date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _area(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(TWO_PLACES)


def _mode(value) -> str:
    return value or ""


_CONVERTERS = [_area if name == "area" else _date if name in _DATE_NAMES else _mode if name == "resettlement_mode"
               else None for name in COLUMNS]


def _instance(model, values: dict, alias: str):
    """A real model object holding ``values`` (attnames), the other columns deferred.

    Built as ``Model.from_db`` leaves one (saved, on this database), without running
    ``__init__`` over every field: that halves the load (33 µs against 70 µs per household).
    """
    obj = model.__new__(model)
    obj._state = ModelState()
    obj._state.adding = False
    obj._state.db = alias
    obj.__dict__.update(values)
    return obj


def load(pk) -> Household | None:
    """The household (locked for the transaction on PostgreSQL) with its project and street, or None.

    Real model objects, so that the rules and the scope checks read them as they read any
    household; the columns not loaded are deferred (reading one costs a query, never an error).
    """
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    with connection.cursor() as cursor:
        cursor.execute(_sql()["load"], [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    n = len(COLUMNS)
    # Converted as the ORM's converters would (SQLite hands back text for dates and decimals).
    alias = connection.alias
    household = _instance(Household, {name: convert(value) if convert else value
                                      for name, convert, value in zip(COLUMNS, _CONVERTERS, row)}, alias)
    # The related objects the rules read, cached as select_related caches them.
    household._state.fields_cache = {
        "project": _instance(Project, {"id": household.project_id, "signing_start": _date(row[n]),
                                       "signing_end": _date(row[n + 1])}, alias),
        "street": _instance(OrgUnit, {"id": household.street_id, "parent_id": row[n + 2]}, alias),
        "village": _instance(Village, {"id": household.village_id, "mode": row[n + 3]}, alias),
    }
    return household


def insert_event(*, household: Household, kind: str, on_date: dt.date, resettlement_mode: str, note: str,
                 actor) -> StageEvent:
    now = timezone.now()
    ops = connection.ops
    with connection.cursor() as cursor:
        cursor.execute(_sql()["insert"], [household.pk, household.project_id, kind, ops.adapt_datefield_value(on_date),
                                          resettlement_mode, note, None, actor.pk if actor else None,
                                          ops.adapt_datetimefield_value(now)])
        pk = cursor.fetchone()[0] if connection.features.can_return_columns_from_insert else cursor.lastrowid
    event = StageEvent(id=pk, household_id=household.pk, project_id=household.project_id, kind=kind, on_date=on_date,
                       resettlement_mode=resettlement_mode, note=note, actor=actor, created_at=now)
    event._state.adding = False
    return event


def move(household: Household, fields: dict) -> bool:
    """The conditional UPDATE on (id, version): False when someone else moved the household first."""
    ops = connection.ops
    values = [fields["stage"], fields["resettlement_mode"],
              *(ops.adapt_datefield_value(fields[name]) for name in _DATE_NAMES),
              ops.adapt_datetimefield_value(timezone.now()), household.pk, household.version]
    with connection.cursor() as cursor:
        cursor.execute(_sql()["move"], values)
        if cursor.rowcount != 1:
            return False
    for name, value in fields.items():
        setattr(household, name, value)
    household.version += 1
    return True
