"""Pages: compensation calculations (补偿测算).

A project's list (each household, its options and totals, a page of households at a time by id) with 测算 for
the whole project; a household's calculation, every line item with its amount opening to its formula, the
inputs it used and its rows per building. The household's page shows the same as a panel; the resident sees
only their own household's. Thin: parse, call the services, render.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gaizao.compensation.choices import Option
from gaizao.compensation.forms.schemes import OptionForm
from gaizao.compensation.policies.schemes import (calculation_can_write, calculation_household_scope,
                                                  calculation_project_scope, project_calculation_can_write,
                                                  scheme_can_read)
from gaizao.compensation.selectors import calculation_pages as selectors
from gaizao.core.errors import AppError, NotFound
from gaizao.core.pages import keyset_links
from gaizao.core.requests import client_ip as _ip
from gaizao.core.scoping import get_in_scope

PAGE_SIZE = 50


def _after(request) -> int | None:
    raw = request.GET.get("after") or ""
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


@login_required
@require_GET
def project_calculations(request, pk: int):
    project = get_in_scope(calculation_project_scope(request.user), pk=pk)
    page = selectors.project_calculation_page(request.user, project, after=_after(request), limit=PAGE_SIZE)
    return render(request, "compensation/calculations/project.html", {
        "project": project, "rows": page.items, "count": len(page.items), **keyset_links(request, page.next_after),
        "scheme": selectors.scheme_in_force(project), "schemes_link": scheme_can_read(request.user, project),
        "writer": project_calculation_can_write(request.user, project), "option_form": OptionForm(),
        "breadcrumbs": [(_("补偿方案"), reverse("compensation:projects")), (project.name, None)],
    })


def _run(request, call, done: str, message):
    try:
        result = call()
    except NotFound:
        raise Http404(_("不存在或无权操作。")) from None
    except AppError as exc:
        messages.error(request, exc.message)
        return redirect(done)
    messages.success(request, message(result))
    return redirect(done)


def _option(request) -> str | None:
    form = OptionForm(request.POST)
    return form.cleaned_data.get("option") or None if form.is_valid() else None


def _outcome(outcome: dict) -> str:
    text = _("已测算 %(n)d 户，%(u)d 户与上次相同。") % {"n": outcome["calculated"], "u": outcome["unchanged"]}
    if outcome.get("skipped"):
        text += _("另有 %(s)d 户缺少计算依据，未测算。") % {"s": outcome["skipped"]}
    return text


@login_required
@require_POST
def project_calculate(request, pk: int):
    """测算 every household of the project (the option chosen, else each household's own)."""
    from gaizao.compensation.services.calculations import project_calculate as calculate

    project = get_in_scope(calculation_project_scope(request.user, write=True), pk=pk)
    option = _option(request)
    return _run(request, lambda: calculate(actor=request.user, project=project, option=option, ip=_ip(request)),
                reverse("compensation:project_calculations", args=[project.pk]),
                _outcome)


@login_required
@require_GET
def household_calculation(request, pk: int):
    household = get_in_scope(calculation_household_scope(request.user).select_related("project"), pk=pk)
    data = selectors.household_calculations(household)
    return render(request, "compensation/calculations/household.html", {
        "household": household, **data, "writer": calculation_can_write(request.user, household),
        "option_form": OptionForm(initial={"option": data["current"].option if data["current"] else Option.MONEY}),
        "breadcrumbs": [(household.project.name, None),
                        (household.number, reverse("ledger:household_detail", args=[household.pk])),
                        (_("补偿测算"), None)],
    })


@login_required
@require_POST
def household_calculate(request, pk: int):
    from gaizao.compensation.services.calculations import household_calculate as calculate

    household = get_in_scope(calculation_household_scope(request.user, write=True).select_related("project"), pk=pk)
    option = _option(request) or selectors.last_option(household)
    done = request.POST.get("next") or ""
    if not done.startswith("/") or done.startswith("//"):
        done = reverse("compensation:household_calculation", args=[household.pk])
    return _run(request, lambda: calculate(actor=request.user, household=household, option=option, ip=_ip(request)),
                done, lambda c: _("已按%(o)s测算：合计 %(t)s 元。") % {"o": c.get_option_display(), "t": c.total})


urlpatterns = [
    path("projects/<int:pk>/calculations/", project_calculations, name="project_calculations"),
    path("projects/<int:pk>/calculate/", project_calculate, name="project_calculate"),
    path("households/<int:pk>/calculation/", household_calculation, name="household_calculation"),
    path("households/<int:pk>/calculate/", household_calculate, name="household_calculate"),
]
