"""Base models shared by every app, and the audit trail (审计日志)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(TimeStampedModel):
    """A model people edit: ``version`` grows by one on every change (optimistic locking).

    Services save with ``core.services.versioned_update`` so a stale edit is refused instead of
    silently overwriting someone else's change.
    """

    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        abstract = True


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("审计日志只能追加，不能修改。")

    def delete(self):
        raise PermissionError("审计日志只能追加，不能删除。")


class AuditEntry(models.Model):
    """One entry of the append-only audit trail, chained with HMAC-SM3 (审计记录).

    ``entry_hash`` = HMAC-SM3(audit key, previous entry's hash + this entry's canonical content);
    the key lives outside the database (``gaizao.core.audit``). Rows refuse UPDATE and DELETE in
    the ORM and, through triggers, in the database itself; `gaizao audit verify` recomputes the
    chain, holds it to the last checkpoint and names the first broken entry.
    """

    class Result(models.TextChoices):
        SUCCESS = "success", _("成功")
        FAILURE = "failure", _("失败")

    created_at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
        on_delete=models.DO_NOTHING, db_constraint=False, related_name="+",
    )
    actor_name = models.CharField(_("操作人账号"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    # No index of its own: the (object_type, object_id) index leads with it.
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    result = models.CharField(_("结果"), max_length=16, choices=Result.choices, default=Result.SUCCESS)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    # Not unique: nothing looks an entry up by its hash, and the chain itself shows a copied or
    # reordered entry (its prev_hash no longer matches); a unique index cost a random-key B-tree
    # insert per entry, a quarter of a second per 100,000 imported households.
    entry_hash = models.CharField(max_length=64)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("审计日志只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计日志只能追加，不能删除。")


class Notification(models.Model):
    """A message to one user inside the platform (站内通知): a refused lookup, a locked account …

    Written by ``core.notifications.notify``; the recipient reads it on the notifications page,
    which marks it read. Sent outside the platform too only when an operator configures a sender
    (``core.messaging``: e-mail over the intranet's SMTP server, or another channel).
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE,
                                  related_name="notifications")
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    kind = models.CharField(_("类别"), max_length=64, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    # A reminder's own name (``task:12:due3@7``): one notice per key, so a sweep run again sends
    # nothing new (``core.notifications.notify(key=...)``); empty for one-off notices.
    key = models.CharField(_("提醒键"), max_length=200, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.title


class PeriodicRun(models.Model):
    """When a piece of periodic work (定时任务) was last queued, one row per name of the schedule.

    ``gaizao schedule`` moves ``last_run_at`` with a conditional update, so that two schedulers
    (or one restarted) never queue the same run twice (``core.schedule``).
    """

    name = models.CharField(_("名称"), max_length=100, primary_key=True)
    last_run_at = models.DateTimeField(_("上次运行时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("定时任务记录")
        verbose_name_plural = _("定时任务记录")

    def __str__(self) -> str:
        return self.name


class CalendarAdjustment(TimeStampedModel):
    """A local adjustment of the working-day calendar (工作日历的本地调整): a day the office declares
    a working day or a day off, over China's official holidays and adjusted workdays
    (``core.calendar``). One per date; written through ``core.calendar.adjustment_set``, audited."""

    class Kind(models.TextChoices):
        WORKDAY = "workday", _("工作日")
        DAY_OFF = "day_off", _("休息日")

    day = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("调整为"), max_length=16, choices=Kind.choices)
    note = models.CharField(_("说明"), max_length=200)

    class Meta:
        verbose_name = _("工作日历调整")
        verbose_name_plural = _("工作日历调整")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.get_kind_display()}"
