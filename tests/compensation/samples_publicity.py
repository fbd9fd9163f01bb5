"""Objects of the publicity area's resources for the scope matrix (tests/test_scope_matrix.py, joined by
tests/compensation/scope_samples.py): a round of the survey results published today in each street's project,
each with one objection, and the bodies its writes are sent with."""

from __future__ import annotations

from django.utils import timezone


def _rounds(cast):
    from gaizao.compensation.services.publicity import publicity_publish
    from gaizao.core.actors import SYSTEM

    return [publicity_publish(actor=SYSTEM, project=project, kind="survey", title=f"{project.name}抽样公示")
            for project in (cast.project_a, cast.project_b)]


def _objections(cast):
    from gaizao.compensation.services.publicity import objection_record
    from gaizao.core.actors import SYSTEM

    return [objection_record(actor=SYSTEM, publicity=p, submitter="赵六", content=f"{p.project.name}的面积有误")
            for p in _rounds(cast)]


SAMPLES = {
    "compensation.publicity": _rounds,
    "compensation.objection": _objections,
    "compensation.publicity_public": _rounds,
}


def _today() -> str:
    return timezone.localdate().isoformat()


BODIES = {
    "publicity_create_page_post": lambda p: {"kind": "survey", "days": "7"},
    "publicity_create_api": lambda p: {"kind": "survey", "days": 7},
    "objection_create_page": lambda o: {"submitter": "钱七", "content": "认定结果有误", "received_on": _today()},
    "objection_create_api": lambda o: {"submitter": "钱七", "content": "认定结果有误", "received_on": _today()},
    "objection_answer_page": lambda o: {f"o{o.pk}-answer": "经复核，面积无误。", f"o{o.pk}-version": o.version},
    "objection_answer_api": lambda o: {"version": o.version, "answer": "经复核，面积无误。"},
    "objection_publish_page": lambda o: {f"p{o.pk}-version": o.version},
    "objection_publish_api": lambda o: {"version": o.version},
}
