"""The signing threshold judged once at the deadline (签约期满判定), frozen, re-judged on record, and
a lapsed project (协议未生效) refusing vacating, demolition, resettlement and decisions on every path
until the office records the next step (a new period, or the project's end)."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest
from django.utils import timezone

from gaizao.core.actors import SYSTEM
from gaizao.core.errors import AppError
from gaizao.core.models import AuditEntry
from gaizao.ledger import services as ledger_services
from gaizao.ledger.models import Project
from gaizao.progress import signing
from gaizao.progress.importing import events_import
from gaizao.progress.models import SigningOutcome, SigningResult, StageEvent
from gaizao.progress.services import event_correct, household_record_event, households_record_stage
from gaizao.progress.services.signing import signing_outcome_record
from tests.progress.helpers import decidable

pytestmark = pytest.mark.usefixtures("media", "rollups_stay_correct")


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def walk_to_valued(cast, household) -> None:
    decidable(cast.admin, [household])
    for offset, kind in enumerate(("surveyed", "decided", "valued")):
        household_record_event(actor=cast.admin, household=household, kind=kind, on_date=days_ago(60 - offset))


@pytest.fixture
def lapsed(cast):
    """东湖村一期: period from 40 to 10 days ago, threshold 90 %; DH-001 signed in it, DH-002 did not:
    1 of 2 (50 %), judged at the deadline."""
    Project.objects.filter(pk=cast.project_a.pk).update(signing_start=days_ago(40), signing_end=days_ago(10))
    walk_to_valued(cast, cast.household_a1)
    walk_to_valued(cast, cast.household_a2)
    household_record_event(actor=cast.admin, household=cast.household_a1, kind="signed", on_date=days_ago(20))
    assert signing.judge_due(actor=SYSTEM) == 1
    return SigningResult.objects.get(project=cast.project_a)


def project_a(cast) -> Project:
    return Project.objects.get(pk=cast.project_a.pk)


def test_the_period_is_judged_once_at_the_deadline_and_audited(cast, lapsed):
    assert (lapsed.kind, lapsed.signed, lapsed.in_scope, lapsed.reached) == ("deadline", 1, 2, False)
    assert lapsed.period_end == days_ago(10) and str(lapsed.threshold) == "90.00"
    assert signing.judge_due(actor=SYSTEM) == 0  # once
    entry = AuditEntry.objects.filter(action="signing.judge").get()
    assert entry.changes["signed"] == 1 and entry.changes["reached"] is False


def test_a_project_still_in_its_period_is_not_judged(cast):
    Project.objects.filter(pk=cast.project_a.pk).update(signing_start=days_ago(5), signing_end=timezone.localdate())
    assert signing.judge_due(actor=SYSTEM) == 0
    assert not SigningResult.objects.exists()


def test_later_withdrawals_and_signings_after_a_decision_do_not_change_the_result(cast, lapsed):
    Project.objects.filter(pk=cast.project_a.pk).update(signing_threshold=0)  # took effect? no: frozen at 90
    household_record_event(actor=cast.admin, household=cast.household_b1, kind="withdrawn", on_date=days_ago(1))
    assert SigningResult.objects.count() == 1
    standing = signing.standing(project_a(cast), result=signing.latest([cast.project_a.pk])[cast.project_a.pk],
                                live_reached=True)
    assert standing.code == "lapsed" and standing.result.signed == 1


def test_a_correction_of_an_in_period_signing_is_rejudged_with_who_and_why(cast, lapsed):
    signed = StageEvent.objects.get(household=cast.household_a1, kind="signed")
    event_correct(actor=cast.street_user_a, event=signed, void=True, note="签约人非产权人，协议无效")
    rejudged = SigningResult.objects.exclude(pk=lapsed.pk).get()
    assert (rejudged.kind, rejudged.signed, rejudged.in_scope, rejudged.supersedes_id) == ("rejudged", 0, 2, lapsed.pk)
    assert rejudged.actor == cast.street_user_a and "签约人非产权人" in rejudged.reason
    lapsed.refresh_from_db()
    assert lapsed.signed == 1  # the judgement at the deadline is kept as it was
    assert signing.latest([cast.project_a.pk])[cast.project_a.pk] == rejudged


def test_a_late_entry_of_an_in_period_signing_is_rejudged_and_can_make_the_agreements_take_effect(cast, lapsed):
    with pytest.raises(AppError):
        household_record_event(actor=cast.admin, household=cast.household_a1, kind="vacated", on_date=days_ago(1))
    household_record_event(actor=cast.street_user_a, household=cast.household_a2, kind="signed",
                           on_date=days_ago(15), note="纸质协议补录")
    rejudged = signing.latest([cast.project_a.pk])[cast.project_a.pk]
    assert (rejudged.kind, rejudged.signed, rejudged.reached) == ("rejudged", 2, True)
    assert "补录" in rejudged.reason and "DH-002" in rejudged.reason
    household_record_event(actor=cast.admin, household=cast.household_a1, kind="vacated", on_date=days_ago(1))


def test_a_signing_after_the_period_is_refused_unless_under_a_decision(cast, lapsed):
    with pytest.raises(AppError) as exc:
        household_record_event(actor=cast.admin, household=cast.household_a2, kind="signed", on_date=days_ago(2))
    assert "晚于项目签约期结束日" in exc.value.message


@pytest.mark.parametrize("kind", ["vacated", "decision"])
def test_a_lapsed_project_refuses_moving_out_and_decisions_naming_the_project(cast, lapsed, kind):
    household = cast.household_a1 if kind == "vacated" else cast.household_a2
    with pytest.raises(AppError) as exc:
        household_record_event(actor=cast.admin, household=household, kind=kind, on_date=days_ago(1))
    assert "东湖村一期" in exc.value.message and "协议未生效" in exc.value.message
    assert "领导小组办公室登记下一步" in exc.value.message


def test_a_lapsed_project_refuses_in_bulk_naming_the_household(cast, lapsed):
    with pytest.raises(AppError) as exc:
        households_record_stage(actor=cast.admin, household_ids=[cast.household_a1.pk], kind="vacated",
                                on_date=days_ago(1))
    assert "DH-001 李四" in exc.value.message and "协议未生效" in exc.value.message
    assert not StageEvent.objects.filter(kind="vacated").exists()


def test_a_lapsed_project_refuses_through_the_api(cast, lapsed, client, login_as):
    api = login_as(cast.commander)
    response = api.post(f"/api/progress/households/{cast.household_a1.pk}/events",
                        data={"kind": "vacated", "on_date": days_ago(1).isoformat()}, content_type="application/json")
    assert response.status_code == 400
    assert "协议未生效" in response.json()["message"]


def test_a_lapsed_project_refuses_in_the_dates_import_naming_the_row(cast, lapsed, tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["户号", "户主姓名", "腾空交房日期"])
    book.active.append(["DH-001", "李四", days_ago(1).isoformat()])
    path = tmp_path / "进度.xlsx"
    book.save(path)
    result = events_import(actor=cast.admin, project_code="P001", path=path)
    assert not result.written and len(result.rejected) == 1
    assert result.rejected[0].row == 2 and "协议未生效" in result.rejected[0].reason
    assert not StageEvent.objects.filter(kind="vacated").exists()


def test_only_the_office_records_the_next_step_with_a_reason(cast, lapsed):
    with pytest.raises(AppError) as exc:
        signing_outcome_record(actor=cast.street_user_a, project=cast.project_a, decision="ended",
                               decided_on=days_ago(1), reason="街道决定终止本项目的签约工作")
    assert exc.value.status == 403
    with pytest.raises(AppError) as exc:
        signing_outcome_record(actor=cast.commander, project=cast.project_a, decision="ended",
                               decided_on=days_ago(1), reason="终止")
    assert "reason" in exc.value.fields
    with pytest.raises(AppError) as exc:
        signing_outcome_record(actor=cast.commander, project=cast.project_a, decision="new_period",
                               decided_on=days_ago(1), reason="领导小组第5次会议决定重新签约",
                               new_start=days_ago(12), new_end=days_ago(-30))
    assert "新签约期须在原签约期" in exc.value.message
    assert not SigningOutcome.objects.exists()


def test_a_new_signing_period_lifts_the_block_and_is_judged_again_at_its_end(cast, lapsed):
    signing_outcome_record(actor=cast.commander, project=cast.project_a, decision="new_period",
                           decided_on=days_ago(1), reason="领导小组第5次会议决定重新签约", new_start=timezone.localdate(),
                           new_end=days_ago(-30))
    project = project_a(cast)
    assert (project.signing_start, project.signing_end) == (timezone.localdate(), days_ago(-30))
    assert AuditEntry.objects.filter(action="project.signing_renew", object_id=str(project.pk)).exists()
    household_record_event(actor=cast.admin, household=cast.household_a1, kind="vacated", on_date=timezone.localdate())
    summary = signing.standing(project, result=signing.latest([project.pk])[project.pk], live_reached=False)
    assert summary.code == "open"


def test_a_project_ended_after_a_lapse_keeps_refusing(cast, lapsed):
    signing_outcome_record(actor=cast.commander, project=cast.project_a, decision="ended", decided_on=days_ago(1),
                           reason="领导小组第5次会议决定终止本项目")
    with pytest.raises(AppError) as exc:
        household_record_event(actor=cast.admin, household=cast.household_a1, kind="vacated", on_date=days_ago(1))
    assert "已于" in exc.value.message and "终止" in exc.value.message
    with pytest.raises(AppError):  # recorded once
        signing_outcome_record(actor=cast.commander, project=cast.project_a, decision="ended",
                               decided_on=days_ago(1), reason="领导小组第5次会议决定终止本项目")


def test_a_project_whose_agreements_took_effect_proceeds(cast):
    Project.objects.filter(pk=cast.project_a.pk).update(signing_start=days_ago(40), signing_end=days_ago(10),
                                                        signing_threshold=50)
    walk_to_valued(cast, cast.household_a1)
    household_record_event(actor=cast.admin, household=cast.household_a1, kind="signed", on_date=days_ago(20))
    household_record_event(actor=cast.admin, household=cast.household_a1, kind="vacated", on_date=days_ago(1))
    result = SigningResult.objects.get()  # the write judged the period first
    assert result.reached and (result.signed, result.in_scope) == (1, 2)


# --- changing the signing rules ------------------------------------------------------------------

def update(actor, cast, **changes):
    project = project_a(cast)
    return ledger_services.project_update(actor=actor, project=project, version=project.version, **changes)


def test_before_signing_starts_the_street_changes_the_period(cast):
    Project.objects.filter(pk=cast.project_a.pk).update(signing_start=days_ago(-10), signing_end=days_ago(-40))
    update(cast.street_user_a, cast, signing_end=days_ago(-50))
    assert project_a(cast).signing_end == days_ago(-50)


def test_once_signing_started_only_the_office_changes_it_with_a_reason_audited(cast):
    Project.objects.filter(pk=cast.project_a.pk).update(signing_start=days_ago(5), signing_end=days_ago(-20))
    with pytest.raises(AppError) as exc:
        update(cast.street_user_a, cast, signing_threshold="80")
    assert exc.value.status == 403 and "领导小组办公室" in exc.value.message
    with pytest.raises(AppError) as exc:
        update(cast.commander, cast, signing_end=days_ago(-30), signing_reason="延期")
    assert "signing_reason" in exc.value.fields and "现为 2 个字" in exc.value.message
    update(cast.commander, cast, signing_end=days_ago(-30), signing_reason="区政府批复同意签约期延长十天")
    entry = AuditEntry.objects.filter(action="project.update").latest("id")
    assert entry.changes["signing_reason"] == "区政府批复同意签约期延长十天"
    update(cast.street_user_a, cast, name="东湖村一期（更名）")  # other fields stay the street's


def test_once_the_period_ended_nobody_changes_it(cast, lapsed):
    for changes in ({"signing_end": days_ago(-5)}, {"signing_threshold": "50"}):
        with pytest.raises(AppError) as exc:
            update(cast.commander, cast, signing_reason="区政府批复同意修改签约期", **changes)
        assert "已于" in exc.value.message and "届满" in exc.value.message


def test_the_project_api_needs_the_reason_after_start(cast, login_as):
    Project.objects.filter(pk=cast.project_a.pk).update(signing_start=days_ago(5), signing_end=days_ago(-20))
    api = login_as(cast.commander)
    project = project_a(cast)
    response = api.patch(f"/api/ledger/projects/{project.pk}", content_type="application/json",
                         data=json.dumps({"version": project.version, "signing_threshold": "80"}))
    assert response.status_code == 400 and "signing_reason" in response.json()["fields"]


# --- what people see ------------------------------------------------------------------------------

def test_the_signing_page_shows_the_frozen_result_and_the_office_records_the_next_step(cast, lapsed, login_as):
    street = login_as(cast.street_user_a)
    page = street.get(f"/progress/projects/{cast.project_a.pk}/signing/").content.decode()
    assert 'data-code="lapsed"' in page and "期内签约 1 户 / 期满时应签约 2 户（拆除范围内）" in page
    assert 'data-testid="outcome-form"' not in page
    assert street.post(f"/progress/projects/{cast.project_a.pk}/signing/", {"decision": "ended"}).status_code == 404
    office = login_as(cast.commander)
    page = office.get(f"/progress/projects/{cast.project_a.pk}/signing/").content.decode()
    assert 'data-testid="outcome-form"' in page
    bad = office.post(f"/progress/projects/{cast.project_a.pk}/signing/",
                      {"decision": "ended", "decided_on": days_ago(1).isoformat(), "reason": "短"})
    assert bad.status_code == 400 and "须写明理由" in bad.content.decode()
    good = office.post(f"/progress/projects/{cast.project_a.pk}/signing/",
                       {"decision": "ended", "decided_on": days_ago(1).isoformat(), "reason": "领导小组第5次会议决定终止"})
    assert good.status_code == 302
    assert 'data-code="ended"' in office.get(good.url).content.decode()


def test_the_api_the_summary_and_the_dashboard_show_the_frozen_result(cast, lapsed, login_as):
    household_record_event(actor=cast.admin, household=cast.household_a2, kind="withdrawn", on_date=days_ago(1))
    api = login_as(cast.commander)
    body = api.get(f"/api/progress/projects/{cast.project_a.pk}/signing").json()
    assert body["status"] == "lapsed" and body["blocks_execution"] is True
    assert [(r["kind"], r["signed"], r["in_scope"]) for r in body["results"]] == [("deadline", 1, 2)]
    summary = api.get("/api/progress/summary").json()
    project = next(p for p in summary["projects"] if p["code"] == "P001")
    assert project["status"] == "lapsed" and project["judgement"]["signed"] == 1
    assert project["judgement"]["in_scope"] == 2 and project["rate"] == "50.0"  # not today's 1 of 1
    page = api.get("/progress/").content.decode()
    assert 'data-testid="frozen">1 / 2</span>' in page


def test_rollups_verify_names_a_household_that_moved_out_of_a_lapsed_project(cast, lapsed):
    from django.core.management import CommandError, call_command

    assert signing.violations() == []
    # a history the rule now refuses (recorded under a threshold that was later found wrong): the
    # verify command finds it
    SigningResult.objects.all().delete()
    Project.objects.filter(pk=cast.project_a.pk).update(signing_threshold=0)
    household_record_event(actor=cast.admin, household=cast.household_a1, kind="vacated", on_date=days_ago(2))
    SigningResult.objects.all().delete()
    Project.objects.filter(pk=cast.project_a.pk).update(signing_threshold=90)
    signing.judge_due(actor=SYSTEM)
    assert "住户 DH-001 李四" in signing.violations()[0]
    with pytest.raises(CommandError) as exc:
        call_command("rollups", "verify")
    assert "协议未生效" in str(exc.value)


def test_the_summary_command_shows_the_frozen_result_as_text_and_json(cast, lapsed):
    from tests.progress.helpers import run_progress_command

    code, out, err = run_progress_command("summary")
    assert code == 0, err
    line = next(line for line in out.splitlines() if line.startswith("P001 "))
    assert "1 / 2" in line and "50.0%" in line and "90%" in line and "协议未生效" in line
    code, out, err = run_progress_command("summary", "--json")
    project = next(p for p in json.loads(out)["projects"] if p["code"] == "P001")
    assert project["status"] == "lapsed" and project["judgement"]["signed"] == 1
    assert project["signing_end"] == days_ago(10).isoformat()


def test_every_signing_status_has_its_short_word_in_the_progress_table():
    from gaizao.progress.documents import SIGNING_ORDER, SIGNING_SHORT

    assert set(SIGNING_SHORT) == set(SIGNING_ORDER) == set(signing.LABELS)


def test_the_progress_table_says_a_judged_and_an_unjudged_ended_period(cast, login_as):
    Project.objects.filter(pk=cast.project_a.pk).update(signing_start=days_ago(40), signing_end=days_ago(10))
    office = login_as(cast.commander)
    assert "待判定" in office.get("/progress/table/").content.decode()
    signing.judge_due(actor=SYSTEM)
    assert "未生效" in office.get("/progress/table/").content.decode()


def test_the_project_edit_page_asks_the_reason_beside_its_field_once_signing_started(cast, login_as):
    Project.objects.filter(pk=cast.project_a.pk).update(signing_start=days_ago(5), signing_end=days_ago(-20))
    project = project_a(cast)
    form = {"version": project.version, "name": project.name, "code": project.code, "phase": "1",
            "signing_start": project.signing_start.isoformat(), "signing_end": days_ago(-30).isoformat(),
            "signing_threshold": "90", "consultation_threshold": "90", "land_type": "state", "scope": ""}
    office = login_as(cast.commander)
    page = office.get(f"/ledger/projects/{project.pk}/edit/").content.decode()
    assert 'name="signing_reason"' in page
    refused = office.post(f"/ledger/projects/{project.pk}/edit/", {**form, "signing_reason": ""})
    assert refused.status_code == 400 and "修改签约期或协议生效比例须写明理由" in refused.content.decode()
    assert project_a(cast).signing_end == days_ago(-20)
    done = office.post(f"/ledger/projects/{project.pk}/edit/", {**form, "signing_reason": "区政府批复同意签约期延长十天"})
    assert done.status_code == 302 and project_a(cast).signing_end == days_ago(-30)
    street = login_as(cast.street_user_a)
    project = project_a(cast)
    refused = street.post(f"/ledger/projects/{project.pk}/edit/", {
        **form, "version": project.version, "signing_end": days_ago(-40).isoformat(),
        "signing_reason": "街道认为需要延长签约期"})
    assert refused.status_code == 403 and "只能由领导小组办公室账号修改" in refused.content.decode()


def test_the_hourly_sweep_is_on_the_schedule_and_judges_as_the_system(cast):
    from gaizao.core import schedule
    from gaizao.progress.periodic import signing_judge_sweep

    assert "progress.signing_judge" in {entry.name for entry in schedule.registered()}
    Project.objects.filter(pk=cast.project_a.pk).update(signing_start=days_ago(40), signing_end=days_ago(10))
    assert signing_judge_sweep() == 1 and signing_judge_sweep() == 0
    result = SigningResult.objects.get()
    assert result.actor is None and result.kind == "deadline"  # the system's


def test_a_lapsed_project_refuses_on_the_command_line(cast, lapsed):
    from tests.progress.helpers import run_progress_command

    code, out, err = run_progress_command("record", "--project", "P001", "--stage", "腾空交房",
                                          "--date", days_ago(1).isoformat(), "--households", "DH-001")
    assert code != 0 and "协议未生效" in err and "DH-001" in err
    assert not StageEvent.objects.filter(kind="vacated").exists()


def test_the_office_judges_an_ended_period_at_once_on_the_page_and_the_api(cast, login_as):
    Project.objects.filter(pk=cast.project_a.pk).update(signing_start=days_ago(40), signing_end=days_ago(10))
    office = login_as(cast.commander)
    page = office.get(f"/progress/projects/{cast.project_a.pk}/signing/").content.decode()
    assert 'data-code="due"' in page and 'data-testid="judge-now"' in page
    done = office.post(f"/progress/projects/{cast.project_a.pk}/signing/judge/")
    assert done.status_code == 302
    assert 'data-code="lapsed"' in office.get(done.url).content.decode()
    result = SigningResult.objects.get()
    assert result.actor == cast.commander
    body = office.post(f"/api/progress/projects/{cast.project_a.pk}/signing/judge").json()
    assert body["status"] == "lapsed" and len(body["results"]) == 1  # judged once
    street = login_as(cast.street_user_a)
    assert street.post(f"/progress/projects/{cast.project_a.pk}/signing/judge/").status_code == 404


def test_a_signing_within_an_open_period_reads_no_judgement(cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Project.objects.filter(pk=cast.project_a.pk).update(signing_start=days_ago(10), signing_end=days_ago(-10))
    walk_to_valued(cast, cast.household_a1)
    with CaptureQueriesContext(connection) as ctx:
        household_record_event(actor=cast.admin, household=cast.household_a1, kind="signed", on_date=days_ago(1))
    assert not [q for q in ctx.captured_queries if "progress_signingresult" in q["sql"]]


def test_list_pages_read_a_lapsed_projects_outcome_without_a_query_each(cast, lapsed, django_assert_num_queries):
    from gaizao.progress.selectors.summary import dashboard_area, project_summaries

    area = dashboard_area(cast.commander)
    with django_assert_num_queries(3):  # projects, their rollups, their judgements (with the outcomes)
        status = {p.code: p.extra["signing"] for p in project_summaries(area)}["P001"]
    assert status.code == "lapsed" and status.outcome is None
