"""Reading schemes (征收补偿方案): a project's versions, one version, two versions side by side, and the check of
a text (检查) with a sample calculation of the project's first households or of test cases pasted beside it."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from gaizao.compensation import language
from gaizao.compensation.choices import Option, SchemeStatus
from gaizao.compensation.models import Scheme
from gaizao.compensation.policies.schemes import calculation_household_scope, scheme_project_scope, scheme_scope
from gaizao.core.errors import AppError, NotFound
from gaizao.ledger.models import Project

OPTION_LABELS = dict(Option.choices)
SAMPLE_HOUSEHOLDS = 3
CASES_MAX = 50
CASES_TEXT_MAX = 200_000


def scheme_projects(user):
    """The projects whose schemes the user reads, each with its version in force and its number of versions."""
    return (scheme_project_scope(user).select_related("village", "village__street")
            .annotate(versions=Count("compensation_schemes"),
                      drafts=Count("compensation_schemes", filter=Q(compensation_schemes__status=SchemeStatus.DRAFT)))
            .order_by("village__street__path", "village__name", "code"))


def in_force_by_project(project_ids) -> dict[int, Scheme]:
    """The published version of each project (one query)."""
    return {s.project_id: s for s in Scheme.objects.filter(project_id__in=list(project_ids),
                                                          status=SchemeStatus.PUBLISHED)}


def project_get(user, pk) -> Project:
    found = scheme_project_scope(user).filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise NotFound(_("项目不存在或无权查看。"))
    return found


def scheme_list(project: Project) -> list[Scheme]:
    """Every version of the project's scheme, newest first (the text is not read)."""
    return list(Scheme.objects.filter(project=project).defer("text")
                .select_related("created_by", "published_by").order_by("-number"))


def scheme_get(user, pk) -> Scheme:
    found = (scheme_scope(user).select_related("created_by", "published_by").filter(pk=pk).first()
             if str(pk).isdigit() else None)
    if found is None:
        raise NotFound(_("补偿方案不存在或无权查看。"))
    return found


def scheme_previous(scheme: Scheme) -> Scheme | None:
    """The version to compare a version with by default: the one before it."""
    return Scheme.objects.filter(project_id=scheme.project_id, number__lt=scheme.number).order_by("-number").first()


# ---------------------------------------------------------------- diff

@dataclass(frozen=True)
class DiffRow:
    """One row of a side-by-side diff: the left and right line numbers and text, and how they differ
    (equal, replace, delete, insert)."""

    kind: str
    left_no: int | None
    left: str
    right_no: int | None
    right: str


def scheme_diff(left: str, right: str, *, context: int | None = None) -> list[DiffRow]:
    """Two texts side by side, line by line (difflib); ``context`` lines around each change, or all."""
    a, b = left.splitlines(), right.splitlines()
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    groups = matcher.get_grouped_opcodes(context) if context is not None else [matcher.get_opcodes()]
    rows: list[DiffRow] = []
    for group in groups:
        if rows:
            rows.append(DiffRow("gap", None, "…", None, "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows.extend(DiffRow("equal", i1 + k + 1, a[i1 + k], j1 + k + 1, b[j1 + k]) for k in range(i2 - i1))
                continue
            for k in range(max(i2 - i1, j2 - j1)):
                li, rj = i1 + k, j1 + k
                has_left, has_right = li < i2, rj < j2
                kind = "replace" if has_left and has_right else "delete" if has_left else "insert"
                rows.append(DiffRow(kind, li + 1 if has_left else None, a[li] if has_left else "",
                                    rj + 1 if has_right else None, b[rj] if has_right else ""))
    return rows


# ---------------------------------------------------------------- check

@dataclass
class Sample:
    """One sample calculation: the household (or test case) it is for, the option, and the result or the refusal."""

    label: str
    option: str
    option_label: str
    total: object = None
    swap_area: object = None
    items: list = field(default_factory=list)
    error: str = ""
    differences: list = field(default_factory=list)
    expected: bool | None = None  # the case's ``expect`` held (None: it gave none)


@dataclass
class CheckReport:
    problems: list
    lines: set[int]
    samples: list[Sample]
    cases_error: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict:
        return {
            "ok": self.ok,
            "problems": [{"line": p.line, "name": p.name, "message": p.message} for p in self.problems],
            "samples": [{"label": s.label, "option": s.option, "total": None if s.total is None else str(s.total),
                         "swap_area": None if s.swap_area is None else str(s.swap_area), "items": s.items,
                         "error": s.error, "expected": s.expected, "differences": s.differences}
                        for s in self.samples],
            "cases_error": self.cases_error,
        }


def _options(parsed) -> list[str]:
    offered = [o for o in (getattr(parsed, "options", None) or Option.values) if o in Option.values]
    return offered or [Option.MONEY]


def _sample(parsed, case, option: str, label: str) -> Sample:
    from gaizao.compensation import calculator

    sample = Sample(label=label, option=option, option_label=str(OPTION_LABELS.get(option, option)))
    try:
        result = calculator.calculate(parsed, case, option=option)
    except AppError as exc:
        sample.error = exc.message
        return sample
    data = result.as_json()
    sample.total, sample.swap_area, sample.items = data["total"], data.get("swap_area"), data["items"]
    return sample


def _pasted_samples(text: str, cases_text: str) -> list[Sample]:
    """Test cases pasted as JSON (the input of ``gaizao compensation calc``), run as that command runs them
    (``check_cases`` writes nothing): each case's result or refusal, and what differs from its ``expect``."""
    from gaizao.compensation.services.calculations import check_cases

    if len(cases_text) > CASES_TEXT_MAX:
        raise AppError(_("测试用例过长（最多 %(n)d 个字符）。") % {"n": CASES_TEXT_MAX}, fields={"cases": _("过长")})
    try:
        data = json.loads(cases_text)
    except json.JSONDecodeError as exc:
        raise AppError(_("测试用例不是有效的 JSON（第 %(l)d 行第 %(c)d 列）。") % {"l": exc.lineno, "c": exc.colno},
                       fields={"cases": _("不是有效的 JSON")}) from None
    if isinstance(data, dict):
        data = data.get("cases", [data])
    if isinstance(data, list) and len(data) > CASES_MAX:
        raise AppError(_("测试用例最多 %(n)d 个。") % {"n": CASES_MAX}, fields={"cases": _("过多")})
    out = []
    for entry in check_cases(text=text, cases=data):
        label = entry.get("name") or _("第 %(i)d 个案例") % {"i": entry["case"]}
        option = entry.get("option") or ""
        sample = Sample(label=label, option=option, option_label=str(OPTION_LABELS.get(option, option)),
                        error=entry.get("error", ""), total=entry.get("total"), swap_area=entry.get("swap_area"),
                        items=entry.get("items") or [], differences=entry.get("differences") or [],
                        expected=entry.get("expected"))
        out.append(sample)
    return out


def scheme_check(user, *, project: Project, text: str, cases_text: str = "") -> CheckReport:
    """The language's check of ``text`` (every problem with its line and name) and, when it has none, a sample
    calculation: of the test cases pasted (JSON), else of the project's first households the user reads."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        problem = language.Problem(line=None, name="", message=_("方案文本为空。"))
        return CheckReport(problems=[problem], lines=set(), samples=[])
    problems = list(language.check(text))
    report = CheckReport(problems=problems, lines={p.line for p in problems if p.line}, samples=[])
    if problems:
        return report
    parsed = language.parse(text)
    options = _options(parsed)
    if (cases_text or "").strip():
        try:
            report.samples = _pasted_samples(text, cases_text)
        except AppError as exc:
            report.cases_error = exc.message
        return report
    from gaizao.compensation import facts

    households = list(calculation_household_scope(user).filter(project=project).order_by("id")
                      .values_list("pk", "number", "head_name")[:SAMPLE_HOUSEHOLDS])
    # A household not signed yet as if it signed on the first day of the signing period, as 测算 takes it.
    cases = (facts.cases_for([pk for pk, _n, _h in households], signed_on=project.signing_start)
             if households else {})
    for pk, number, head in households:
        for option in options:
            report.samples.append(_sample(parsed, cases[pk], option, f"{number} {head}"))
    return report
