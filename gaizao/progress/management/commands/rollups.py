"""`gaizao rollups verify|rebuild`: prove the progress rollups (进度汇总) match the events, or rebuild them."""

from django.core.management.base import CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from gaizao.core.actors import SYSTEM
from gaizao.core import audit
from gaizao.core.commands import AppCommand
from gaizao.progress import rollups, signing


class Command(AppCommand):
    help = ("进度汇总：verify 从进度事件和房屋重算汇总并与已存的比较（一致返回 0，不一致返回 1 并指出第一处）；"
            "rebuild 按重算结果重建汇总、修正住户的阶段与日期（留痕）。")
    subcommands = {"verify": "校验进度汇总与进度事件是否一致", "rebuild": "从进度事件和房屋重建全部进度汇总"}

    def handle(self, *args, **options):
        # Recomputing reads every event and building: say so before the wait.
        self.stderr.write(_("正在重算……"), style_func=str)  # a note, not an error: no red
        self.stderr.flush()
        return super().handle(*args, **options)

    def do_verify(self, **options):
        result = rollups.verify()
        if not result.ok and not result.rebuildable:
            raise CommandError(_("住户与其房屋的拆除记录不一致：%(m)s请核对后在住户页更正“拆除”记录，"
                                 "或在房屋页标记拆除（rebuild 不改房屋）。") % {"m": result.mismatch}, returncode=1)
        if not result.ok:
            raise CommandError(_("进度汇总与事件不一致：%(m)s可运行 gaizao rollups rebuild 重建。")
                               % {"m": result.mismatch}, returncode=1)
        lapsed = signing.violations()
        if lapsed:
            raise CommandError(_("协议未生效项目的住户有不应记录的进度：%(m)s") % {"m": "；".join(lapsed)}, returncode=1)
        self.stdout.write(self.style.SUCCESS(_("进度汇总与事件一致：%(h)d 户，%(r)d 条汇总")
                                             % {"h": result.households, "r": result.rollups}))

    def do_rebuild(self, **options):
        with transaction.atomic():  # the rebuild and its audit entry stand or fall together
            count, fixed = rollups.rebuild()
            audit.record(actor=SYSTEM, action="progress.rollups_rebuild", object_type="progress.rollup",
                         object_repr="进度汇总", changes={"rollups": count, "households_fixed": fixed})
        self.stdout.write(self.style.SUCCESS(_("已重建进度汇总：%(r)d 条汇总，修正 %(f)d 户。")
                                             % {"r": count, "f": fixed}))
