"""Ledger pages that write: create and edit forms, and marking a building demolished.

Each page finds its object through a ``*_write_scope`` selector, so an object the user may not
change answers 404 — whether it is out of their scope or only readable to them (leader, cadre,
resident). The form is parsed here; the service checks, writes and audits. A stale edit (someone
saved first) shows the Conflict message above the form with status 409 and writes nothing.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gaizao.core.editing import edit_page
from gaizao.core.scoping import get_in_scope
from gaizao.ledger import selectors, services
from gaizao.ledger.forms import (
    BuildingForm, DemolishForm, HeritageForm, HouseholdForm, PersonForm, ProjectForm, ResidentLinkForm, VillageForm,
)
from gaizao.ledger.models import Building, HeritageElement, Household, Village
from gaizao.ledger.policies import heritage_can_override
from gaizao.core.requests import client_ip as _ip

GET_POST = require_http_methods(["GET", "POST"])


def _form_page(request, form, *, save, title: str, breadcrumbs: list, cancel_url: str, done,
               template: str = "ledger/edit_form.html", extra: dict | None = None):
    """The ledger's edit page (``core.editing.edit_page``) in its one template, titled, with its crumbs."""
    return edit_page(request, form, save=save, done=done, page=lambda status: render(request, template, {
        "form": form, "title": title, "breadcrumbs": [*breadcrumbs, (title, None)],
        "cancel_url": cancel_url, **(extra or {}),
    }, status=status))


def _data(request):
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def _village_crumbs(village: Village) -> list:
    return [(_("城中村"), reverse("ledger:village_list")),
            (village.name, reverse("ledger:village_detail", args=[village.pk]))]


def _household_crumbs(household: Household) -> list:
    return [(_("住户台账"), reverse("ledger:household_list")),
            (str(household), reverse("ledger:household_detail", args=[household.pk]))]


def _village_url(village) -> str:
    return reverse("ledger:village_detail", args=[village.pk])


def _household_url(household) -> str:
    return reverse("ledger:household_detail", args=[household.pk])


def _building_url(building) -> str:
    return reverse("ledger:building_detail", args=[building.pk])


# --- villages and projects ---------------------------------------------------------------------

@login_required
@GET_POST
def village_create(request):
    if not selectors.street_write_list(request.user).exists():
        raise Http404(_("页面不存在。"))
    data, _files = _data(request)
    form = VillageForm(data, user=request.user)

    def save(form):
        values = form.values()
        return services.village_create(actor=request.user, ip=_ip(request), **values)

    return _form_page(request, form, save=save, title=_("新建城中村"),
                      breadcrumbs=[(_("城中村"), reverse("ledger:village_list"))],
                      cancel_url=reverse("ledger:village_list"), done=_village_url)


@login_required
@GET_POST
def village_edit(request, pk: int):
    village = get_in_scope(selectors.village_write_scope(request.user), pk=pk)
    data, _files = _data(request)
    form = VillageForm(data, user=request.user, instance=village)

    def save(form):
        return services.village_update(actor=request.user, village=village, version=form.version_value,
                                       ip=_ip(request), **form.values())

    return _form_page(request, form, save=save, title=_("修改城中村"), breadcrumbs=_village_crumbs(village),
                      cancel_url=_village_url(village), done=_village_url)


@login_required
@GET_POST
def project_create(request, village_pk: int):
    village = get_in_scope(selectors.village_write_scope(request.user), pk=village_pk)
    data, _files = _data(request)
    form = ProjectForm(data, initial={"signing_threshold": "90.00", "consultation_threshold": "90.00", "phase": 1})

    def save(form):
        return services.project_create(actor=request.user, village=village, ip=_ip(request), **form.values())

    return _form_page(request, form, save=save, title=_("新建改造项目"), breadcrumbs=_village_crumbs(village),
                      cancel_url=_village_url(village), done=lambda project: _village_url(village))


@login_required
@GET_POST
def project_edit(request, pk: int):
    project = get_in_scope(selectors.project_write_scope(request.user), pk=pk)
    data, _files = _data(request)
    form = ProjectForm(data, instance=project)

    def save(form):
        return services.project_update(actor=request.user, project=project, version=form.version_value,
                                       ip=_ip(request), **form.values())

    return _form_page(request, form, save=save, title=_("修改改造项目「%(name)s」") % {"name": project.name},
                      breadcrumbs=_village_crumbs(project.village), cancel_url=_village_url(project.village),
                      done=lambda obj: _village_url(project.village))


# --- households and their members --------------------------------------------------------------

@login_required
@GET_POST
def household_create(request, project_pk: int):
    project = get_in_scope(selectors.project_write_scope(request.user), pk=project_pk)
    data, _files = _data(request)
    form = HouseholdForm(data, street=project.village.street,
                         initial={"land_type": "collective", "use": "residential", "member_count": 1})

    def save(form):
        return services.household_create(actor=request.user, project=project, ip=_ip(request), **form.values())

    return _form_page(request, form, save=save, title=_("登记住户（%(project)s）") % {"project": project.name},
                      breadcrumbs=_village_crumbs(project.village), cancel_url=_village_url(project.village),
                      done=_household_url)


@login_required
@GET_POST
def household_edit(request, pk: int):
    household = get_in_scope(selectors.household_write_scope(request.user).select_related("street"), pk=pk)
    data, _files = _data(request)
    form = HouseholdForm(data, street=household.street, instance=household)

    def save(form):
        return services.household_update(actor=request.user, household=household, version=form.version_value,
                                         ip=_ip(request), **form.values())

    return _form_page(request, form, save=save, title=_("修改住户"), breadcrumbs=_household_crumbs(household),
                      cancel_url=_household_url(household), done=_household_url)


@login_required
@GET_POST
def household_resident(request, pk: int):
    """关联居民账号: link a resident account to the household, or unlink the one linked (解除关联)."""
    household = get_in_scope(selectors.household_write_scope(request.user).select_related("street", "resident"),
                             pk=pk)
    data, _files = _data(request)
    form = ResidentLinkForm(data, initial={"version": household.version,
                                           "resident": household.resident.username if household.resident else ""})
    unlink = request.method == "POST" and "unlink" in request.POST

    def save(form):
        return services.household_link_resident(
            actor=request.user, household=household, version=form.cleaned_data["version"],
            resident=form.cleaned_data["resident"], unlink=unlink, ip=_ip(request))

    def message(result):
        if result.resident_id is None:
            return _("已解除该户与居民账号的关联。")
        return _("已将居民账号「%(u)s」关联到本户，该居民登录后可在“我的住户”中查看。") % {"u": result.resident.username}

    title = _("关联居民账号")
    return edit_page(request, form, save=save, done=_household_url, message=message,
                     page=lambda status: render(request, "ledger/household_resident.html", {
                         "form": form, "title": title, "household": household,
                         "options": selectors.resident_options(household.street),
                         "breadcrumbs": [*_household_crumbs(household), (title, None)],
                         "cancel_url": _household_url(household)}, status=status))


@login_required
@GET_POST
def person_create(request, household_pk: int):
    household = get_in_scope(selectors.household_write_scope(request.user), pk=household_pk)
    data, _files = _data(request)
    form = PersonForm(data, initial={"hukou": "local_rural"})

    def save(form):
        return services.person_add(actor=request.user, household=household, ip=_ip(request), **form.values())

    return _form_page(request, form, save=save, title=_("添加家庭成员"), breadcrumbs=_household_crumbs(household),
                      cancel_url=_household_url(household), done=lambda person: _household_url(household))


@login_required
@GET_POST
def person_edit(request, pk: int):
    person = get_in_scope(selectors.person_write_scope(request.user).select_related("household"), pk=pk)
    household = person.household
    data, _files = _data(request)
    form = PersonForm(data, instance=person)

    def save(form):
        return services.person_update(actor=request.user, person=person, version=form.version_value,
                                      ip=_ip(request), **form.values())

    return _form_page(request, form, save=save, title=_("修改家庭成员「%(name)s」") % {"name": person.name},
                      breadcrumbs=_household_crumbs(household), cancel_url=_household_url(household),
                      done=lambda obj: _household_url(household))


# --- buildings -----------------------------------------------------------------------------------

def _building_in_write_scope(request, pk: int) -> Building:
    return get_in_scope(selectors.building_write_scope(request.user).select_related("household"), pk=pk)


@login_required
@GET_POST
def building_create(request, household_pk: int):
    household = get_in_scope(selectors.household_write_scope(request.user), pk=household_pk)
    data, _files = _data(request)
    form = BuildingForm(data, initial={"floors": 1, "legal_area": "0.00", "unlicensed_area": "0.00",
                                       "legality": "pending", "structure": "brick_concrete", "use": household.use})

    def save(form):
        return services.building_add(actor=request.user, household=household, ip=_ip(request), **form.values())

    return _form_page(request, form, save=save, title=_("登记房屋"), breadcrumbs=_household_crumbs(household),
                      cancel_url=_household_url(household), done=_building_url)


@login_required
@GET_POST
def building_edit(request, pk: int):
    building = _building_in_write_scope(request, pk)
    data, _files = _data(request)
    form = BuildingForm(data, instance=building)

    def save(form):
        return services.building_update(actor=request.user, building=building, version=form.version_value,
                                        ip=_ip(request), **form.values())

    crumbs = [*_household_crumbs(building.household), (_("房屋 %(n)s") % {"n": building.number}, _building_url(building))]
    return _form_page(request, form, save=save, title=_("修改房屋"), breadcrumbs=crumbs,
                      cancel_url=_building_url(building), done=_building_url)


@login_required
@GET_POST
def building_demolish(request, pk: int):
    """Mark a building demolished; one with heritage elements needs the office's override (audited).

    The reason's field is shown only where it is needed: a building with heritage elements, to an
    account that may override; others are told that the office must do it (the service decides).
    """
    building = _building_in_write_scope(request, pk)
    data, _files = _data(request)
    form = DemolishForm(data, initial={"version": building.version, "on_date": timezone.localdate()})
    heritage = selectors.heritage_of_building(building)
    can_override = bool(heritage) and heritage_can_override(request.user)
    if not can_override:
        del form.fields["heritage_override_reason"]

    def save(form):
        values = form.cleaned_data
        return services.building_mark_demolished(
            actor=request.user, building=building, on_date=values["on_date"], version=values["version"],
            heritage_override_reason=values.get("heritage_override_reason") or "", ip=_ip(request),
        )

    crumbs = [*_household_crumbs(building.household), (_("房屋 %(n)s") % {"n": building.number}, _building_url(building))]
    return _form_page(request, form, save=save, title=_("标记拆除"), breadcrumbs=crumbs,
                      cancel_url=_building_url(building), done=_building_url,
                      template="ledger/building_demolish.html",
                      extra={"building": building, "heritage": heritage, "can_override": can_override})


# --- heritage elements ---------------------------------------------------------------------------

@login_required
@GET_POST
def heritage_create(request, village_pk: int):
    village = get_in_scope(selectors.village_write_scope(request.user), pk=village_pk)
    data, files = _data(request)
    initial = {"protection_level": "unrated"}
    building_id = request.GET.get("building", "")
    if building_id.isdigit():
        building = selectors.building_in_village(village, pk=int(building_id))
        if building is not None:
            initial["building"] = f"{building.household.number}/{building.number}"
    form = HeritageForm(data, files, village=village, initial=initial)

    def save(form):
        values = form.values()
        return services.heritage_create(actor=request.user, village=village, ip=_ip(request), **values)

    return _form_page(request, form, save=save, title=_("登记历史文化要素"), breadcrumbs=_village_crumbs(village),
                      cancel_url=_village_url(village), done=_heritage_url)


@login_required
@GET_POST
def heritage_edit(request, pk: int):
    heritage: HeritageElement = get_in_scope(selectors.heritage_write_scope(request.user), pk=pk)
    data, files = _data(request)
    form = HeritageForm(data, files, village=heritage.village, instance=heritage)

    def save(form):
        return services.heritage_update(actor=request.user, heritage=heritage, version=form.version_value,
                                        ip=_ip(request), **form.values())

    crumbs = [*_village_crumbs(heritage.village), (heritage.name, _heritage_url(heritage))]
    return _form_page(request, form, save=save, title=_("修改历史文化要素"), breadcrumbs=crumbs,
                      cancel_url=_heritage_url(heritage), done=_heritage_url)


def _heritage_url(heritage) -> str:
    return reverse("ledger:heritage_detail", args=[heritage.pk])

