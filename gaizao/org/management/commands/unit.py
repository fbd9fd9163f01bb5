"""`gaizao unit ...`: org units from the terminal — list them, and set a district's or street's
boundary (边界) for the command map from a GeoJSON file (a GIS export), audited as the system.

The boundary is usually drawn in a GIS tool by the district's planning office; a file is how it
arrives, so the command reads one (or standard input with ``-``) rather than a pasted argument.
"""

from __future__ import annotations

import sys

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.core.actors import SYSTEM
from gaizao.core.commands import AppCommand, pad
from gaizao.org import services
from gaizao.org.models import OrgUnit, OrgUnitBoundary


def _points(boundary: dict | None) -> int:
    if not boundary:
        return 0
    polygons = [boundary["coordinates"]] if boundary["type"] == "Polygon" else boundary["coordinates"]
    return sum(len(ring) for rings in polygons for ring in rings)


class Command(AppCommand):
    @property
    def help(self) -> str:
        return _("组织机构：list 列出（含是否已有边界）、boundary 设置区或街道的边界（GeoJSON 文件）。")

    stealth_options = ("stdin",)

    subcommands = {
        "list": gettext_lazy("列出组织机构：代码、名称、类型、边界坐标点数"),
        "boundary": gettext_lazy("设置区或街道在作战图上的边界：gaizao unit boundary 代码 文件.geojson"
                                 "（- 为标准输入；--clear 清除）"),
    }

    def add_boundary(self, parser: CommandParser) -> None:
        parser.add_argument("code", help=_("组织机构代码"))
        parser.add_argument("file", nargs="?",
                            help=_("GeoJSON 文件（Polygon、MultiPolygon，或含一个要素的 Feature/FeatureCollection）"))
        parser.add_argument("--clear", action="store_true", help=_("清除边界"))

    def do_list(self, **options) -> None:
        shapes = dict(OrgUnitBoundary.objects.values_list("unit_id", "geometry"))
        for unit in OrgUnit.objects.order_by("path"):
            points = _points(shapes.get(unit.pk))
            depth = unit.path.count("/")
            shape = _("边界 %(n)s 个点") % {"n": points} if points else _("无边界")
            self.stdout.write(f"{pad(unit.code, 18)}{pad('  ' * depth + unit.name, 28)}"
                              f"{pad(str(unit.get_kind_display()), 16)}{shape}")

    def do_boundary(self, *, code: str, file: str | None, clear: bool, **options) -> None:
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None:
            raise CommandError(_("组织机构代码「%(code)s」不存在（gaizao unit list 列出全部）。") % {"code": code})
        if clear == bool(file):
            raise CommandError(_("请给出 GeoJSON 文件（或 - 从标准输入读取），或用 --clear 清除边界，二者选一。"))
        if clear:
            services.orgunit_set_boundary(actor=SYSTEM, unit=unit, boundary=None)
            self.stdout.write(_("已清除「%(name)s」的边界。") % {"name": unit.name})
            return
        try:
            if file == "-":
                text = (options.get("stdin") or sys.stdin).read()
            else:
                with open(file, encoding="utf-8-sig") as handle:  # a BOM from Windows tools is not an error
                    text = handle.read()
        except OSError as exc:
            raise CommandError(_("读取文件「%(file)s」失败：%(why)s") % {"file": file, "why": exc.strerror}) from None
        except UnicodeDecodeError:
            raise CommandError(_("文件「%(file)s」不是 UTF-8 编码的文本。") % {"file": file}) from None
        row = services.orgunit_set_boundary(actor=SYSTEM, unit=unit, boundary=text)
        self.stdout.write(_("已设置「%(name)s」的边界（%(n)s 个坐标点）。") % {
            "name": unit.name, "n": _points(row.geometry if row else None)})
