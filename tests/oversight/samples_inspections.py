"""Objects of the inspections area's resources for the scope matrix (joined by tests/oversight/scope_samples.py):
an inspection of each of the two streets and of the department, each with one finding and its photo."""

from __future__ import annotations

import datetime as dt
import io


def jpeg(name: str = "现场.jpg", size=(40, 30), colour="orange"):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def _made(cast):
    from django.utils import timezone

    from gaizao.core import calendar
    from gaizao.core.actors import SYSTEM
    from gaizao.oversight.services.inspections import finding_add, inspection_create

    today = timezone.localdate()
    deadline = calendar.next_workday(today + dt.timedelta(days=20))
    inspections, findings = [], []
    for unit, title in ((cast.street_a, "东湖街道抽样督查"), (cast.street_b, "西岭街道抽样督查"),
                        (cast.department, "住建局抽样督查")):
        inspection = inspection_create(actor=SYSTEM, title=title, held_on=today, inspectors="督查组甲、督查组乙",
                                       units=[unit])
        inspections.append(inspection)
        findings.append(finding_add(actor=SYSTEM, inspection=inspection, unit=unit, deadline=deadline,
                                    text=f"{unit.name}抽样问题：围挡破损未修复", photos=[jpeg()]))
    return inspections, findings


SAMPLES = {
    "oversight.inspection": lambda cast: _made(cast)[0],
    "oversight.finding": lambda cast: _made(cast)[1],
    "oversight.finding_fix": lambda cast: _made(cast)[1],
}

BODIES = {
    # bodies the schemas take (else ninja answers 422 before any scope check)
    "finding_add_page": lambda i: {"unit": i.units.first().pk, "text": "矩阵新问题", "workdays": 5},
    "finding_add_api": lambda i: {"unit_id": i.units.first().pk, "text": "矩阵新问题", "workdays": 5},
    "inspection_edit_page": lambda i: {"version": i.version, "title": i.title, "held_on": i.held_on.isoformat(),
                                       "inspectors": i.inspectors, "units": [u.pk for u in i.units.all()]},
    "inspection_patch_api": lambda i: {"version": i.version, "places": "东湖村"},
    "finding_fix_page": lambda f: {"version": f.version, "note": "已修复围挡"},
    "finding_fix_api": lambda f: {"version": f.version, "note": "已修复围挡", "photos": jpeg("整改后.jpg")},
    "finding_verify_page": lambda f: {"version": f.version, "decision": "pass"},
    "finding_verify_api": lambda f: {"version": f.version, "passed": True},
}
