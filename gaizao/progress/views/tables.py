"""The progress table (进度表): a page that shows it and the XLSX download, scoped like the dashboard.

District roles see the district (or one street they pick with ``?street=CODE``); street staff their
own street; anyone else gets 404. Figures come from the rollups through the summary selectors.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gaizao.core.editing import found, street_param
from gaizao.progress.documents import ProgressTable, build_table, progress_table_bytes
from gaizao.org.choices import OrgKind
from gaizao.org.models import OrgUnit
from gaizao.progress.choices import Level
from gaizao.progress.extensions import deadlines, targets_for
from gaizao.progress.policies import dashboard_grant
from gaizao.progress.selectors import summary as s

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def progress_table_for(area: s.Area, *, today: dt.date | None = None) -> ProgressTable:
    """The table of an area (district or street) from the rollups, in a fixed number of queries; with a
    campaign running, the streets' targets (and the district's goals) and forecasts against its dates."""
    today = today or timezone.localdate()
    streets = s.street_summaries(area)
    villages = s.village_summaries(area)
    projects = s.project_summaries(area, today=today)
    street_targets = targets_for(Level.STREET, [x.unit_id for x in streets], today=today)
    street_forecasts = s.forecasts(Level.STREET, streets, today=today, deadlines=deadlines(street_targets))
    village_forecasts = s.forecasts(Level.VILLAGE, villages, today=today)
    total_targets = None
    if area.is_district:
        total = s.UnitSummary(level=Level.DISTRICT, unit_id=area.unit.pk)
        for street in streets:
            for key, count in street.counts.items():
                total.counts[key] = total.counts.get(key, 0) + count
        goals = targets_for(Level.DISTRICT, [area.unit.pk], today=today)
        total_targets = goals.get(area.unit.pk)
        total_forecast = s.forecasts(Level.DISTRICT, [total], today=today, deadlines=deadlines(goals))[area.unit.pk]
        title = _("%(d)s城中村改造进度表") % {"d": area.district.name}
    else:
        total_forecast = street_forecasts.get(area.unit.pk)
        title = _("%(d)s%(s)s城中村改造进度表") % {"d": area.district.name, "s": area.unit.name}
    labels = [(key, str(s.KEY_LABELS[key])) for key in s.FUNNEL_KEYS]
    return build_table(title=title, as_of=today, stage_labels=labels, streets=streets, villages=villages,
                       projects=projects, street_forecasts=street_forecasts, village_forecasts=village_forecasts,
                       total_forecast=total_forecast, street_targets=street_targets, total_targets=total_targets,
                       total_name=area.district.name)


def _area(request) -> s.Area:
    return found(s.dashboard_area, request.user, street_code=street_param(request), resource="progress.table_export")


@login_required
@require_GET
def table(request):
    area = _area(request)
    progress_table = progress_table_for(area)
    streets = []
    if dashboard_grant(request.user, "progress.table_export").everywhere:
        streets = list(OrgUnit.objects.filter(kind=OrgKind.STREET, path__startswith=area.district.path + "/")
                       .order_by("code").values_list("code", "name"))
    street_code = "" if area.is_district else area.unit.code
    return render(request, "progress/tables/table.html", {
        "table": progress_table,
        "area": area,
        "streets": streets,
        "street_code": street_code,
        "breadcrumbs": [(_("进度表"), None)],
    })


@login_required
@require_GET
def table_xlsx(request):
    progress_table = progress_table_for(_area(request))
    response = HttpResponse(progress_table_bytes(progress_table), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, progress_table.filename)
    return response


urlpatterns = [
    path("table/", table, name="table"),
    path("table.xlsx", table_xlsx, name="table_xlsx"),
]
