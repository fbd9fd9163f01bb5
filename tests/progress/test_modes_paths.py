"""The modes' refusals on the paths the service tests do not walk: the village's own edit (its mode
changing under recorded steps), the record page, the dates import (row and column named), and the
signing judgement, which counts only the households that sign."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from django.utils import timezone

from gaizao.core.actors import SYSTEM
from gaizao.core.errors import AppError
from gaizao.ledger import services as ledger_services
from gaizao.ledger.models import Household, Project, Village
from gaizao.progress import signing
from gaizao.progress.importing import events_import
from gaizao.progress.models import StageEvent
from gaizao.progress.services.events import household_record_event
from tests.progress.test_modes import _household, _village

pytestmark = pytest.mark.usefixtures("media", "rollups_stay_correct")
DAY = dt.date(2026, 3, 2)


def test_a_village_mode_change_through_village_update_refuses_stranding_recorded_steps(cast):
    village, project = _village(cast, "upgrade", "U1")
    household = _household(cast, project, "U-1", "")
    household_record_event(actor=cast.admin, household=household, kind="surveyed", on_date=DAY)
    household_record_event(actor=cast.admin, household=household, kind="agreed", on_date=DAY)
    village = Village.objects.get(pk=village.pk)
    with pytest.raises(AppError) as refused:
        ledger_services.village_update(actor=cast.admin, village=village, version=village.version,
                                       mode="demolish_rebuild")
    assert "U-1" in refused.value.message
    assert Village.objects.get(pk=village.pk).mode == "upgrade"  # nothing written


def test_a_village_mode_change_through_village_update_moves_the_ways(cast):
    village, project = _village(cast, "upgrade", "U2")
    _household(cast, project, "U-2", "")
    village = Village.objects.get(pk=village.pk)
    ledger_services.village_update(actor=cast.admin, village=village, version=village.version,
                                   mode="demolish_rebuild")
    assert Household.objects.get(number="U-2").way == "demolish"


def test_the_record_page_refuses_the_other_way_naming_the_mode(cast, login_as):
    _v, project = _village(cast, "upgrade", "U3")
    household = _household(cast, project, "U-3", "")
    household_record_event(actor=cast.admin, household=household, kind="surveyed", on_date=DAY)
    household = Household.objects.get(pk=household.pk)
    response = login_as(cast.street_user_a).post(f"/progress/households/{household.pk}/events/", {
        "kind": "decided", "on_date": DAY.isoformat(), "version": household.version})
    assert response.status_code == 400
    assert "整治提升的步骤是入户调查、同意整治、开工、竣工验收" in response.content.decode()


def test_the_dates_import_reads_the_upgrade_dates_and_names_the_row_of_the_other_way(cast, tmp_path):
    _v, project = _village(cast, "upgrade", "U4")
    _household(cast, project, "U-4", "")
    _household(cast, project, "U-5", "")
    book = openpyxl.Workbook()
    book.active.append(["户号", "入户调查日期", "同意整治日期", "开工日期", "签约日期"])
    book.active.append(["U-4", "2026-03-01", "2026-03-05", "2026-04-01", None])
    book.active.append(["U-5", "2026-03-01", None, None, "2026-03-10"])
    path = tmp_path / "整治进度.xlsx"
    book.save(path)
    result = events_import(actor=cast.admin, project_code=project.code, path=path)
    assert not result.written
    assert [(r.row, r.column) for r in result.rejected] == [(3, "签约日期")]
    assert "整治提升" in result.rejected[0].reason
    book.active.delete_cols(5)
    book.save(path)
    result = events_import(actor=cast.admin, project_code=project.code, path=path)
    assert result.written and result.recorded == 4
    assert Household.objects.get(number="U-4").stage == "works_started"


def test_upgrade_households_are_not_counted_in_the_signing_judgement(cast):
    today = timezone.localdate()
    _v, project = _village(cast, "upgrade", "U6")
    _household(cast, project, "U-6", "")
    Project.objects.filter(pk=project.pk).update(signing_start=today - dt.timedelta(days=30),
                                                 signing_end=today - dt.timedelta(days=2))
    assert signing.judge_due(actor=SYSTEM) == 1
    result = signing.latest([project.pk])[project.pk]
    assert (result.in_scope, result.signed, result.reached) == (0, 0, True)  # nobody signs: nothing lapses
    assert not StageEvent.objects.filter(household__number="U-6").exists()
