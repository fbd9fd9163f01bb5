"""Writes of the lists the office extends (可选值: building structures, uses), audited; ``ledger.known`` reads them."""

from __future__ import annotations

import unicodedata

from django.db import transaction
from django.utils.translation import gettext as _

from gaizao.core.actors import is_system
from gaizao.core.errors import AppError, PermissionDenied
from gaizao.core.services import create, load_for_update, save_changes
from gaizao.core.text import check_text
from gaizao.core.writes import writes
from gaizao.ledger import known
from gaizao.ledger.choices import KnownList
from gaizao.ledger.models import KnownValue
from gaizao.ledger.policies import known_values_can_change

MAX_LABEL = 16


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").replace(" ", "").lower()


def _forget() -> None:
    """This process reads the lists again now (inside the write: its own reads see the new row) and after
    the commit (a read between the two, by another thread, may have cached the old lists)."""
    known.forget()
    transaction.on_commit(known.forget)


def _require(actor) -> None:
    if not is_system(actor) and not known_values_can_change(actor):
        raise PermissionDenied(_("只有领导小组办公室和系统管理员可以增加或停用可选值。"))


def _taken(kind: str, *, exclude: int | None = None) -> dict[str, str]:
    """Every spelling the list already reads (built-in labels, values and the import's aliases; the values
    added and their aliases), folded, to the value it stands for."""
    from gaizao.ledger.importing.headers import HOUSEHOLD_COLUMNS

    column = next(c for c in HOUSEHOLD_COLUMNS if c.key == kind)
    taken = {}
    for value, label in known.BUILT_IN[kind].choices:
        taken[_fold(str(label))] = str(label)
        taken[_fold(value)] = str(label)
    for alias, value in column.aliases.items():
        taken[_fold(alias)] = str(known.BUILT_IN[kind](value).label)
    for row in KnownValue.objects.filter(kind=kind).exclude(pk=exclude):
        taken[_fold(row.label)] = row.label
        for alias in known.split_aliases(row.aliases):
            taken[_fold(alias)] = row.label
    return taken


def _check(kind: str, label: str, aliases: str, *, exclude: int | None = None) -> tuple[str, str]:
    if kind not in KnownList.values:
        raise AppError(_("没有这个列表。"), fields={"kind": _("无效的列表")})
    label = unicodedata.normalize("NFKC", label or "").strip()
    errors = {}
    if not label:
        errors["label"] = _("请填写名称。")
    elif len(label) > MAX_LABEL:
        errors["label"] = _("名称不能超过 %(n)d 个字（现为 %(m)d 个）。") % {"n": MAX_LABEL, "m": len(label)}
    elif message := check_text(label, multiline=False, field_label=_("名称")):
        errors["label"] = message
    taken = _taken(kind, exclude=exclude)
    if "label" not in errors and _fold(label) in taken:
        errors["label"] = _("“%(l)s”已是%(list)s的可选值（或其写法：%(v)s），不用再加。") % {
            "l": label, "list": KnownList(kind).label, "v": taken[_fold(label)]}
    spellings = known.split_aliases(unicodedata.normalize("NFKC", aliases or ""))
    clashes = [f"“{a}”（{taken[_fold(a)]}）" for a in spellings if _fold(a) in taken]
    if clashes:
        errors["aliases"] = _("这些写法已表示其他值：%(c)s。") % {"c": "、".join(clashes)}
    if errors:
        raise AppError("；".join(errors.values()), fields=errors)
    return label, "、".join(dict.fromkeys(spellings))


@writes
def known_value_add(*, actor, kind: str, label: str, aliases: str = "", ip: str | None = None) -> KnownValue:
    """Add a value to a list (增加可选值): offered at once by the forms, the import and the template."""
    _require(actor)
    label, aliases = _check(kind, label, aliases)
    value = create(actor=actor, instance=KnownValue(kind=kind, label=label, aliases=aliases),
                   action="known_value.create", ip=ip)
    _forget()
    return value


@writes
def known_value_set_active(*, actor, value: KnownValue, version: int, active: bool,
                           ip: str | None = None) -> KnownValue:
    """Retire a value (停用: no longer offered, still valid where it is held) or offer it again."""
    _require(actor)
    current = load_for_update(value, version)
    saved = save_changes(actor=actor, current=current, version=version, values={"active": bool(active)},
                         action="known_value.update", ip=ip)
    _forget()
    return saved
