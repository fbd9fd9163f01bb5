"""Ledger pages that read: villages, households, buildings, heritage. Parse, call a selector, render.

Lists and pages show citizen IDs and phone numbers masked; the full numbers appear only after an
audited reveal (``household_reveal_personal_data``) by someone allowed to ask for them.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gaizao.core import errors
from gaizao.core.pages import keyset_links
from gaizao.core.masking import mask_citizen_id, mask_phone
from gaizao.ledger import selectors, services
from gaizao.ledger.policies import ledger_writer, village_grant
from gaizao.ledger.forms import CadreAssignForm, HouseholdFilterForm, VillageFilterForm
from gaizao.ledger.choices import Stage
from gaizao.ledger.listing import household_list_facts
from gaizao.ledger.nextstep import next_step
from gaizao.ledger.models import Household
from gaizao.ledger.services.id_search import IdSearchRefused, household_search
from gaizao.core.requests import client_ip as _client_ip

@login_required
@require_GET
def village_list(request):
    form = VillageFilterForm(request.GET or None, user=request.user)
    villages = selectors.village_list(request.user, **form.filters()) if form.valid_or_unbound() else []
    return render(request, "ledger/village_list.html", {
        "form": form,
        "villages": villages,
        "can_create": ledger_writer(request.user),  # the write scope decides what they may really change
        "breadcrumbs": [(_("城中村"), None)],
    })


@login_required
@require_GET
def village_detail(request, pk: int):
    village = selectors.village_get(request.user, pk=pk)
    stages = selectors.household_stage_summary(request.user, village=village)
    projects = list(selectors.project_list(request.user, village=village))
    heritage = list(selectors.heritage_list(request.user, village=village))
    return render(request, "ledger/village_detail.html", {
        "village": village,
        "projects": projects,
        "heritage": heritage,
        "history_limit": selectors.HISTORY_LIMIT,
        "history": selectors.village_history(village, project_ids=[p.pk for p in projects],
                                             heritage_ids=[h.pk for h in heritage]),
        "can_edit": selectors.village_can_write(request.user, village),
        "stages": stages,
        "household_total": sum(row["count"] for row in stages),
        "breadcrumbs": [(_("城中村"), reverse("ledger:village_list")), (village.name, None)],
    })


@login_required
@require_GET
def household_list(request):
    form = HouseholdFilterForm(request.GET or None, user=request.user)
    page, status = None, 200
    if form.valid_or_unbound():
        try:
            page = household_search(actor=request.user, ip=_client_ip(request), **form.filters())
        except IdSearchRefused as exc:
            # Over the limit of searches by ID: the reason beside the search box, and no rows.
            form.add_error("q", exc.message)
            status = exc.status
    rows = _list_rows(page.items) if page else []
    filtered = sum(1 for name in ("street", "village", "project", "stage", "land_type", "legality")
                   if form.is_bound and form.data.get(name))
    return render(request, "ledger/household_list.html", {
        "form": form,
        "households": rows,
        "filtered": filtered,
        "export_url": _export_url(request),
        "can_assign": ledger_writer(request.user),
        **keyset_links(request, page.next_after if page else None),
        "breadcrumbs": [(_("住户台账"), None)],
    }, status=status)


@login_required
@require_GET
def cadre_options(request):
    """The cadres the user may assign (those of the streets whose households they change), as <option>s for
    the list's 分配包户干部 box (read on its first focus)."""
    if not ledger_writer(request.user):
        raise Http404(_("页面不存在。"))
    return render(request, "ledger/_cadre_options.html", {"cadres": selectors.assignable_cadres(request.user)})


@login_required
@require_POST
def household_assign_cadre(request):
    """分配包户干部 to the households ticked in the list (or 取消), then back to the list as it was."""
    if not ledger_writer(request.user):
        raise Http404(_("页面不存在。"))
    form = CadreAssignForm(request.POST)
    back = request.POST.get("back") or ""
    if not back.startswith(reverse("ledger:household_list")) or not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}):
        back = reverse("ledger:household_list")
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
        return redirect(back)
    values = form.cleaned_data
    cadre = None if values["unassign"] else values["cadre"].strip()
    try:
        if cadre == "":
            raise errors.AppError(_("请填写包户干部的姓名或用户名；要取消所选住户的包户干部，请勾选“取消所选住户的包户干部”。"))
        count = services.households_assign_cadre(actor=request.user, household_ids=values["households"],
                                                 cadre=cadre, ip=_client_ip(request))
    except errors.NotFound as exc:
        raise Http404(exc.message) from None
    except errors.AppError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    chosen = len(values["households"])
    if cadre is None:
        text = _("已取消 %(n)d 户的包户干部。") % {"n": count}
    else:
        text = _("已为 %(n)d 户分配包户干部「%(c)s」。") % {"n": count, "c": cadre}
    if count < chosen:
        text += _("（所选其余 %(m)d 户原已如此，未改动。）") % {"m": chosen - count}
    messages.success(request, text)
    return redirect(back)


@login_required
@require_GET
def household_detail(request, pk: int):
    household = selectors.household_get(request.user, pk=pk)
    return _render_household(request, household, revealed=None, own=_own(request, household))


@login_required
@require_POST
def household_reveal(request, pk: int):
    household = selectors.household_get(request.user, pk=pk)
    revealed = _reveal(request, household)
    return _render_household(request, household, revealed=revealed, own=_own(request, household))


def _own(request, household: Household) -> bool:
    """The resident looking at their own household, by whatever link: they get the resident's page
    (no staff history, no staff names), as on 我的住户."""
    return household.resident_id is not None and household.resident_id == request.user.pk


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


def _export_url(request) -> str | None:
    """The list's export with its filters (not its page), for those who read villages."""
    if not village_grant(request.user):
        return None
    query = request.GET.copy()
    query.pop("after", None)
    url = reverse("ledger:household_export")
    return f"{url}?{query.urlencode()}" if query else url


def _list_rows(households: list[Household]) -> list[Household]:
    """What each list row shows, computed here once per row instead of in template tags
    (the page renders 50 rows on every request; see bench/README.md)."""
    stage_labels = {value: str(label) for value, label in Stage.choices}
    detail_prefix = reverse("ledger:household_detail", args=[0])[: -len("0/")]
    facts = [(str(fact.label), fact.key) for fact in household_list_facts]
    for household in households:
        _masked(household)
        household.stage_label = stage_labels.get(household.stage, household.stage)
        # The phone's card: the next step (ledger.nextstep) and what upper apps add (ledger.listing).
        household.next_step = next_step(household.stage, household.way)
        household.facts = [(label, getattr(household, key, None)) for label, key in facts]
        household.detail_url = f"{detail_prefix}{household.pk}/"
        area = household.legal_area_total
        household.legal_area_text = f"{area:,.2f}" if area is not None else ""
    return households


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
    # The resident's own page shows no staff history.
    history = None if own else selectors.household_history(
        household, person_ids=[p.pk for p in persons], building_ids=[b.pk for b in buildings])
    return render(request, "ledger/household_detail.html", {
        "household": household,
        "persons": persons,
        "buildings": buildings,
        "history": history,
        "history_limit": selectors.HISTORY_LIMIT,
        "can_edit": not own and selectors.household_can_write(request.user, household),
        "unlicensed_area_total": sum((b.unlicensed_area for b in buildings), Decimal("0")),
        "revealed": revealed is not None,
        "can_reveal": selectors.household_can_reveal(request.user, household),
        "reveal_url": reveal_url,
        "breadcrumbs": breadcrumbs,
        "own": own,
    })


@login_required
@require_GET
def building_detail(request, pk: int):
    building = selectors.building_get(request.user, pk=pk)
    household = building.household
    # Whoever reads the building reads its heritage elements (a cadre too, who has no village pages).
    heritage = selectors.heritage_of_building(building) if building.has_heritage else []
    own = _own(request, household)
    household_url = reverse("ledger:my_household") if own else reverse("ledger:household_detail", args=[household.pk])
    return render(request, "ledger/building_detail.html", {
        "building": building,
        "household": household,
        "heritage": heritage,
        "heritage_links": selectors.village_can_read(request.user, household.village),
        "history_limit": selectors.HISTORY_LIMIT,
        # The resident sees no staff history, as on 我的住户.
        "history": None if own else selectors.building_history(building, heritage_ids=[h.pk for h in heritage]),
        "can_edit": selectors.household_can_write(request.user, household),
        "breadcrumbs": [
            *([] if own else [(_("住户台账"), reverse("ledger:household_list"))]),
            (_("我的住户") if own else str(household), household_url),
            (_("房屋 %(number)s") % {"number": building.number}, None),
        ],
    })


@login_required
@require_GET
def heritage_detail(request, pk: int):
    heritage = selectors.heritage_get(request.user, pk=pk)
    village = heritage.village
    return render(request, "ledger/heritage_detail.html", {
        "heritage": heritage,
        "history": selectors.heritage_history(heritage),
        "history_limit": selectors.HISTORY_LIMIT,
        "can_edit": selectors.village_can_write(request.user, village),
        "breadcrumbs": [
            (_("城中村"), reverse("ledger:village_list")),
            (village.name, reverse("ledger:village_detail", args=[village.pk])),
            (heritage.name, None),
        ],
    })


@login_required
@require_GET
def heritage_photo(request, pk: int):
    """A heritage element's photo, to whoever reads the element (no public media URL)."""
    heritage = selectors.heritage_get(request.user, pk=pk)
    if not heritage.photo:
        raise Http404(_("没有照片。"))
    try:
        handle = heritage.photo.open("rb")
    except FileNotFoundError:
        raise Http404(_("照片文件不存在。")) from None
    return FileResponse(handle, content_type=heritage.photo_content_type)
