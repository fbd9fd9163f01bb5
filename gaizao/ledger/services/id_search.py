"""Searching the household ledger, where a search by citizen ID (按身份证号查询) is an audited, limited act.

An exact-ID search tells whether a number belongs to a household the user reads. A masked number
(440199********4918) hides only the birth date, so about 3,000 guesses recover it: without a limit
the search box is an oracle for the full number, open to roles that may not "reveal" it. So each
ID search is audited (who, from where, which households matched, never the number searched) and
each user may make at most ``GAIZAO_ID_SEARCH_LIMIT`` of them in ``GAIZAO_ID_SEARCH_WINDOW_MINUTES``;
over it, ID searches are refused for ``GAIZAO_ID_SEARCH_BLOCK_MINUTES`` and the security officers
are notified once per block. Searches by name, pinyin or household number are neither.

The counts come from the audit trail itself (one source of truth, indexed on action and time, and
shared by every app process), not from a counter of its own that could disagree with it:
- ``ledger.id_search`` success: one search made;
- ``ledger.id_search`` failure: one search refused during a block;
- ``ledger.id_search_blocked`` failure: the search that went over the limit, which starts a block.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.core import audit
from gaizao.core.errors import AppError
from gaizao.core.models import AuditEntry
from gaizao.ledger import selectors
from gaizao.ledger.selectors.lists import HouseholdPage, household_search_is_by_id
from gaizao.org.models import User
from gaizao.org.services import notify_security_officers

SEARCH = "ledger.id_search"
BLOCKED = "ledger.id_search_blocked"
ACTION_LABELS = {
    SEARCH: gettext_lazy("按身份证号查询住户"),
    BLOCKED: gettext_lazy("按身份证号查询超限，暂停查询"),
}


class IdSearchRefused(AppError):
    """Too many searches by citizen ID: refused until the block ends (HTTP 429)."""

    status = 429


def household_search(*, actor, ip: str | None = None, **filters) -> HouseholdPage:
    """The household list (住户台账) for the pages and the API, the search by ID audited and limited.

    ``filters`` are those of ``selectors.household_list``. Raises ``IdSearchRefused`` when the
    actor is over the limit; the refusal (and the notice that starts a block) is committed first.
    """
    if not household_search_is_by_id(filters.get("q") or ""):
        return selectors.household_list(actor, **filters)
    with transaction.atomic():
        _serialise_per_user(actor)
        now = timezone.now()
        blocked_until, starts_block = _block_state(actor, now=now)
        if blocked_until is None:
            page = selectors.household_list(actor, **filters)
            audit.record(actor=actor, action=SEARCH, ip=ip, object_type="ledger.household",
                         object_repr=_("匹配 %(n)d 户") % {"n": len(page.items)},
                         changes={"households": [{"id": h.pk, "number": h.number} for h in page.items]})
            return page
        # Refused: recorded and (for the search that starts a block) told, in this transaction,
        # which commits before the error leaves it.
        audit.record(actor=actor, action=BLOCKED if starts_block else SEARCH, ip=ip,
                     result=AuditEntry.Result.FAILURE, changes={"blocked_until": blocked_until})
        if starts_block:
            _notify_block(actor, now=now, until=blocked_until, ip=ip)
    raise IdSearchRefused(_refusal_message(blocked_until), fields={"q": _("按身份证号查询已暂停")})


def _serialise_per_user(actor) -> None:
    # Two requests of one user must not both read "19 so far" and both search. On PostgreSQL the
    # user's row is locked for the transaction; SQLite's write transactions (IMMEDIATE) are
    # serialised already.
    if connection.features.has_select_for_update:
        list(User.objects.select_for_update().filter(pk=actor.pk).values_list("pk"))


def _block_state(actor, *, now: dt.datetime) -> tuple[dt.datetime | None, bool]:
    """``(blocked until, whether this search starts the block)``; ``(None, False)`` when allowed.

    One query in the usual case: the user's last block start and their searches in the window.
    """
    block = dt.timedelta(minutes=settings.GAIZAO_ID_SEARCH_BLOCK_MINUTES)
    since = now - dt.timedelta(minutes=settings.GAIZAO_ID_SEARCH_WINDOW_MINUTES)
    searched = Q(action=SEARCH, result=AuditEntry.Result.SUCCESS)
    # Only entries young enough to matter are read: a year of one user's searches stays unread.
    recent = now - max(block, now - since)
    state = AuditEntry.objects.filter(actor_id=actor.pk, action__in=[SEARCH, BLOCKED],
                                      created_at__gt=recent).aggregate(
        last_block=Max("created_at", filter=Q(action=BLOCKED)),
        made=Count("id", filter=searched & Q(created_at__gt=since)),
    )
    last_block, made = state["last_block"], state["made"]
    if last_block is not None and last_block > now - block:
        return last_block + block, False
    if last_block is not None and last_block > since:
        # A window longer than the block: the searches before the block ended are not counted again.
        made = AuditEntry.objects.filter(searched, actor_id=actor.pk, created_at__gt=last_block).count()
    if made >= settings.GAIZAO_ID_SEARCH_LIMIT:
        return now + block, True
    return None, False


def _local_time(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _refusal_message(until: dt.datetime) -> str:
    return _(
        "按身份证号查询过于频繁：每 %(window)d 分钟最多 %(limit)d 次。%(until)s 之前不能再按身份证号查询，"
        "仍可按姓名、拼音首字母或户号查询；如有工作需要，请联系安全管理员。"
    ) % {
        "window": settings.GAIZAO_ID_SEARCH_WINDOW_MINUTES,
        "limit": settings.GAIZAO_ID_SEARCH_LIMIT,
        "until": _local_time(until),
    }


def _notify_block(actor, *, now: dt.datetime, until: dt.datetime, ip: str | None) -> None:
    name = actor.full_name or actor.get_username()
    notify_security_officers(
        title=_("账号 %(user)s 按身份证号查询超限，已暂停其身份证号查询") % {"user": actor.get_username()},
        body=_(
            "%(name)s（%(user)s，IP %(ip)s）在 %(window)d 分钟内按身份证号查询住户超过 %(limit)d 次，"
            "%(now)s 起暂停其按身份证号查询，至 %(until)s 止。逐次查询记录见审计日志（操作 ledger.id_search）。"
            "如非工作需要，请核实并考虑停用该账号。"
        ) % {
            "name": name, "user": actor.get_username(), "ip": ip or "—",
            "window": settings.GAIZAO_ID_SEARCH_WINDOW_MINUTES, "limit": settings.GAIZAO_ID_SEARCH_LIMIT,
            "now": _local_time(now), "until": _local_time(until),
        },
        link=reverse("org:user_list"),
        kind="id_search_blocked",
    )
