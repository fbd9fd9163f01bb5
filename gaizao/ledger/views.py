"""Ledger pages: villages and households. Parse, call a selector or service, render.

Lists and pages show citizen IDs and phone numbers masked; the full numbers appear only after an
audited reveal (``household_reveal_personal_data``) by someone allowed to ask for them.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gaizao.core import errors
from gaizao.core.masking import mask_citizen_id, mask_phone
from gaizao.ledger import selectors, services
from gaizao.ledger.forms import HouseholdFilterForm, VillageFilterForm
from gaizao.ledger.models import Household


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


@login_required
@require_GET
def village_list(request):
    form = VillageFilterForm(request.GET or None, user=request.user)
    villages = selectors.village_list(request.user, **form.filters()) if form.valid_or_unbound() else []
    return render(request, "ledger/village_list.html", {
        "form": form,
        "villages": villages,
        "breadcrumbs": [(_("城中村"), None)],
    })


@login_required
@require_GET
def village_detail(request, pk: int):
    village = selectors.village_get(request.user, pk=pk)
    stages = selectors.household_stage_summary(request.user, village=village)
    return render(request, "ledger/village_detail.html", {
        "village": village,
        "projects": selectors.project_list(request.user, village=village),
        "stages": stages,
        "household_total": sum(row["count"] for row in stages),
        "breadcrumbs": [(_("城中村"), reverse("ledger:village_list")), (village.name, None)],
    })


@login_required
@require_GET
def household_list(request):
    form = HouseholdFilterForm(request.GET or None, user=request.user)
    page = selectors.household_list(request.user, **form.filters()) if form.valid_or_unbound() else None
    rows = [_masked(household) for household in page.items] if page else []
    next_url = first_url = None
    if page and page.next_after:
        next_url = "?" + urlencode(_query_without_after(request) + [("after", page.next_after)])
    if form.value("after"):
        first_url = "?" + urlencode(_query_without_after(request))
    return render(request, "ledger/household_list.html", {
        "form": form,
        "households": rows,
        "next_url": next_url,
        "first_url": first_url,
        "breadcrumbs": [(_("住户台账"), None)],
    })


def _query_without_after(request) -> list[tuple[str, str]]:
    return [(key, value) for key, value in request.GET.items() if key != "after" and value]


@login_required
@require_GET
def household_detail(request, pk: int):
    household = selectors.household_get(request.user, pk=pk)
    return _render_household(request, household, revealed=None)


@login_required
@require_POST
def household_reveal(request, pk: int):
    household = selectors.household_get(request.user, pk=pk)
    revealed = _reveal(request, household)
    return _render_household(request, household, revealed=revealed)


@login_required
@require_http_methods(["GET", "POST"])
def my_household(request):
    """The resident's own household; a POST reveals their own full numbers."""
    household = selectors.household_get(request.user, resident=request.user)
    revealed = _reveal(request, household) if request.method == "POST" else None
    return _render_household(request, household, revealed=revealed, own=True)


def _reveal(request, household: Household) -> dict:
    try:
        return services.household_reveal_personal_data(actor=request.user, household=household,
                                                       ip=_client_ip(request))
    except errors.PermissionDenied as exc:
        raise PermissionDenied(exc.message) from None


def _masked(household: Household) -> Household:
    household.head_id_display = mask_citizen_id(household.head_id_number)
    household.phone_display = mask_phone(household.phone)
    return household


def _render_household(request, household: Household, *, revealed: dict | None, own: bool = False):
    _masked(household)
    persons = list(household.persons.all())
    for person in persons:
        person.id_display = mask_citizen_id(person.id_number)
    if revealed is not None:
        household.head_id_display = revealed["head_id_number"]
        household.phone_display = revealed["phone"]
        for person in persons:
            person.id_display = revealed["persons"].get(person.pk, person.id_display)
    if own:
        breadcrumbs = [(_("我的住户"), None)]
        reveal_url = reverse("ledger:my_household")
    else:
        breadcrumbs = [(_("住户台账"), reverse("ledger:household_list")), (str(household), None)]
        reveal_url = reverse("ledger:household_reveal", args=[household.pk])
    buildings = list(household.buildings.all())
    return render(request, "ledger/household_detail.html", {
        "household": household,
        "persons": persons,
        "buildings": buildings,
        "unlicensed_area_total": sum((b.unlicensed_area for b in buildings), Decimal("0")),
        "revealed": revealed is not None,
        "can_reveal": selectors.household_can_reveal(request.user, household),
        "reveal_url": reveal_url,
        "breadcrumbs": breadcrumbs,
    })
