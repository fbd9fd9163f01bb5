"""Schemes (补偿方案) and calculations (补偿测算) for the scope matrix: a draft on each project (written through the
service, so it parses), the cast's households (each project with a published scheme, so a calculation can run)
and the two projects; and the bodies their writes are sent with."""

from __future__ import annotations

from gaizao.compensation.choices import SchemeStatus
from gaizao.compensation.models import Scheme
from gaizao.compensation.samples import scheme_text
from gaizao.compensation.services.schemes import scheme_create, scheme_publish
from gaizao.core.actors import SYSTEM


def published(project) -> Scheme:
    """The project's scheme in force (the money-heavy sample), published through the services."""
    found = Scheme.objects.filter(project=project, status=SchemeStatus.PUBLISHED).first()
    if found is not None:
        return found
    draft = scheme_create(actor=SYSTEM, project=project, text=scheme_text("money", project=project.name))
    return scheme_publish(actor=SYSTEM, scheme=draft)


def draft(project, *, kind: str = "money") -> Scheme:
    return scheme_create(actor=SYSTEM, project=project, text=scheme_text(kind, project=project.name),
                         note="草稿")


def _schemes(cast):
    return [draft(cast.project_a), draft(cast.project_b)]


def _households(cast):
    published(cast.project_a)
    published(cast.project_b)
    return [cast.household_a1, cast.household_a2, cast.household_b1]


def _projects(cast):
    published(cast.project_a)
    return [cast.project_a, cast.project_b]


SAMPLES = {
    "compensation.scheme": _schemes,
    "compensation.calculation": _households,
    "compensation.project_calculation": _projects,
}
BODIES = {
    "comp_scheme_check_page": lambda s: {"text": s.text},
    "comp_scheme_create_page_post": lambda s: {"name": "", "text": s.text, "note": "新版本"},
    "comp_scheme_save_page": lambda s: {"name": s.name, "text": s.text, "note": "修改", "version": s.version},
    "comp_scheme_check_api": lambda s: {"text": s.text},
    "comp_scheme_create_api": lambda s: {"text": s.text},
    "comp_scheme_update_api": lambda s: {"text": s.text, "note": "修改", "version": s.version},
    "comp_calculation_calculate_page": lambda h: {"option": "money"},
    "comp_calculation_calculate_api": lambda h: {"option": "money"},
    "comp_project_calculate_page": lambda p: {"option": "money"},
    "comp_project_calculate_api": lambda p: {"option": "money"},
}
