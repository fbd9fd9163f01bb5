"""Consultations of the owners' wishes (意愿征询) before a project starts.

A project may go ahead when the share of households that agree reaches its threshold (通过比例,
usually 90%). Each consultation is recorded with the households consulted and those that agreed;
the consent rate is read from them (``selectors.consent_rate``).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from gaizao.core.actors import is_system
from gaizao.core import services as core_services
from gaizao.core.errors import AppError, NotFound
from gaizao.ledger.models import Project
from gaizao.ledger.selectors import project_write_scope
from gaizao.core.writes import writes
from gaizao.progress.models import Consultation
from gaizao.progress.services.events import parse_day

NOT_FOUND = "项目不存在或无权操作。"
COUNT_LIMIT = 1_000_000


def _count(value, *, field: str, title: str, errors: dict[str, str]) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.setdefault(field, _("请填写%(t)s。") % {"t": title})
        return None
    if isinstance(value, bool):
        errors.setdefault(field, _("%(t)s须为整数。") % {"t": title})
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        errors.setdefault(field, _("%(t)s须为整数，「%(v)s」不是。") % {"t": title, "v": value})
        return None
    if number < 0:
        errors.setdefault(field, _("%(t)s不能为负数。") % {"t": title})
        return None
    if number > COUNT_LIMIT:
        errors.setdefault(field, _("%(t)s不能大于 %(n)d。") % {"t": title, "n": COUNT_LIMIT})
        return None
    return number


def _threshold(value, errors: dict[str, str]) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return Decimal("90.00")
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors["threshold"] = _("通过比例须为数字，「%(v)s」不是。") % {"v": value}
        return None
    if not number.is_finite() or number <= 0 or number > 100:
        errors["threshold"] = _("通过比例须大于 0、不超过 100（%）。")
        return None
    if number != number.quantize(Decimal("0.01")):
        errors["threshold"] = _("通过比例最多保留两位小数。")
        return None
    return number.quantize(Decimal("0.01"))


@writes
def consultation_record(*, actor, project: Project | int, held_on, eligible, agreed, threshold=90,
                        note: str = "", ip: str | None = None) -> Consultation:
    """Record a consultation (意愿征询): on which day, how many households were asked, how many agreed."""
    pk = project if isinstance(project, int) else project.pk
    scope = Project.objects.all() if is_system(actor) else project_write_scope(actor)
    found = scope.filter(pk=pk).first()
    if found is None:
        raise NotFound(NOT_FOUND)
    errors: dict[str, str] = {}
    day = None
    if held_on in (None, ""):
        errors["held_on"] = _("请填写征询日期。")
    else:
        try:
            day = parse_day(held_on, field="held_on")
        except AppError as exc:
            errors["held_on"] = exc.message
        else:
            if day > timezone.localdate():
                errors["held_on"] = _("征询日期 %(d)s 晚于今天（%(t)s）。") % {"d": day, "t": timezone.localdate()}
    asked = _count(eligible, field="eligible", title=_("应征询户数"), errors=errors)
    yes = _count(agreed, field="agreed", title=_("同意户数"), errors=errors)
    if asked == 0:
        errors["eligible"] = _("应征询户数须大于 0。")
    if asked is not None and yes is not None and yes > asked:
        errors["agreed"] = _("同意户数（%(a)d）不能多于应征询户数（%(e)d）。") % {"a": yes, "e": asked}
    rate = _threshold(threshold, errors)
    if errors:
        raise AppError("；".join(errors.values()), fields=errors)
    consultation = Consultation(project=found, held_on=day, eligible=asked, agreed=yes, threshold=rate,
                                note=(note or "").strip())
    return core_services.create(actor=actor, instance=consultation, action="consultation.record", ip=ip)
