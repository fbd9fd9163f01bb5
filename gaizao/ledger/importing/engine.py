"""The ledger import as services (台账导入): preview, then confirm — for the command line and the page.

    plan = ledger_import_preview(actor=user, project_code="P001", path=upload)   # parse + check + compare
    plan.summary()                                                               # the preview, JSON-ready
    ledger_import_apply(actor=user, plan=plan, skip_invalid=False)               # one transaction

``progress(stage, done, total)`` is called as rows are read ("read") and households written
("write"), for a progress bar. A page that previews in one request and confirms in the next parses
the stored upload again and compares ``plan.fingerprint`` with the one it showed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.core.actors import is_system
from gaizao.core.errors import NotFound
from gaizao.ledger.importing.apply import ApplyResult, apply_plan
from gaizao.ledger.importing.plan import ImportPlan, make_plan
from gaizao.ledger.importing.validate import parse_file
from gaizao.ledger.models import Project

Progress = Callable[[str, int, int], None]
READ, WRITE = "read", "write"

# Chinese labels of the audit actions written by the import and the export (审计日志).
ACTION_LABELS = {
    "household.import_create": gettext_lazy("导入新增住户"),
    "household.import_update": gettext_lazy("导入修改住户"),
    "ledger.import": gettext_lazy("导入住户台账"),
    "ledger.import_interrupted": gettext_lazy("导入中断（服务进程停止），上传文件已删除"),
    "ledger.export": gettext_lazy("导出住户台账"),
    "ledger.export_full": gettext_lazy("导出住户台账（完整号码）"),
    "ledger.export_list": gettext_lazy("按筛选条件导出住户"),
}


def project_for_import(*, actor, code: str) -> Project:
    """The project to import into, if the actor may write it (the system actor: every project)."""
    from gaizao.ledger.selectors import project_write_scope

    projects = project_write_scope(actor) if not is_system(actor) else Project.objects.select_related(
        "village", "village__street")
    project = projects.filter(code=code).first()
    if project is None:
        message = _("项目 %(code)s 不存在或你无权向其导入住户（街道工作人员只能导入本街道的项目）。") % {"code": code}
        raise NotFound(message, fields={"project": message})
    return project


def ledger_import_preview(*, actor, project_code: str, path: str | Path, filename: str | None = None,
                          progress: Progress | None = None, to_apply: bool = False) -> ImportPlan:
    """Read, check and compare a ledger file with the project (导入预览); writes nothing.

    ``to_apply``: the plan is going to be written: the file's personal numbers are encrypted meanwhile.
    """
    project = project_for_import(actor=actor, code=project_code)
    on_read = (lambda done, total: progress(READ, done, total)) if progress else None
    parsed = parse_file(Path(path), filename=filename, progress=on_read, seal=to_apply)
    return make_plan(parsed, project=project, actor=actor)


def ledger_import_apply(*, actor, plan: ImportPlan, skip_invalid: bool = False, progress: Progress | None = None,
                        ip: str | None = None) -> ApplyResult:
    """Write a previewed plan (确认导入): all of it in one transaction, or only the valid households."""
    on_write = (lambda done, total: progress(WRITE, done, total)) if progress else None
    return apply_plan(plan, actor=actor, skip_invalid=skip_invalid, progress=on_write, ip=ip)
