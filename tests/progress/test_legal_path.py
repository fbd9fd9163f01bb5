"""The holdout's legal path (补偿决定的法定程序): the rules (progress.legal) and the services.

Rules are tested on plain paths (no database); the services on the cast's households, brought
under a 补偿决定 through the event services, the case opened by ``legal_follow_events`` (which the
event services call once wired; called here directly, it is idempotent).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gaizao.core.actors import SYSTEM
from gaizao.core.audit import AuditEntry
from gaizao.core.errors import AppError, Conflict, NotFound
from gaizao.ledger.models import Household, Project
from gaizao.progress import legal
from gaizao.progress.legal import Path, Step, add_months, allowed_next, refusal, windows
from gaizao.progress.models import LegalCase, LegalStep
from gaizao.progress.services import household_record_event
from gaizao.progress.services.legal import legal_follow_events, legal_step_record
from tests.progress.helpers import decidable

D = dt.date
TODAY = timezone.localdate()


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def path(*steps, land="state", ended_on=None, outcome="") -> Path:
    return Path(household="DH-001", land_type=land, ended_on=ended_on, outcome=outcome,
                steps=[Step(kind=k, on_date=d, **extra) for k, d, *rest in steps for extra in [rest[0] if rest else {}]])


SERVED_PATH = (("decided", D(2026, 1, 5)), ("served", D(2026, 1, 10), {"way": "direct"}),
               ("announced", D(2026, 1, 12)))


# --- windows -------------------------------------------------------------------------------------

def test_six_months_from_the_31st_of_august_is_the_end_of_february():
    assert add_months(D(2025, 8, 31), 6) == D(2026, 2, 28)
    assert add_months(D(2027, 8, 31), 6) == D(2028, 2, 29)
    assert add_months(D(2026, 1, 15), 6) == D(2026, 7, 15)
    assert add_months(D(2026, 10, 31), 3) == D(2027, 1, 31)


def test_windows_count_from_service():
    w = windows(path(*SERVED_PATH))
    assert w.served_on == D(2026, 1, 10)
    assert w.reconsideration_until == D(2026, 3, 11)  # 60 days, the day of service not counted
    assert w.litigation_until == D(2026, 7, 10)
    assert not w.reconsideration_pending and not w.litigation_pending
    assert w.apply_until == D(2026, 10, 10)  # three months after the later window (shown only)


def test_no_window_before_service():
    w = windows(path(("decided", D(2026, 1, 5))))
    assert w.served_on is None and w.reconsideration_until is None and w.litigation_until is None


def test_after_a_reconsideration_decision_the_household_has_fifteen_days_to_sue():
    w = windows(path(*SERVED_PATH, ("recon_filed", D(2026, 2, 1)),
                     ("recon_decided", D(2026, 4, 1), {"result": "upheld"})))
    assert w.litigation_until == D(2026, 4, 16)
    assert not w.reconsideration_pending


# --- what may come next --------------------------------------------------------------------------

def test_allowed_next_follows_the_path():
    today = D(2026, 1, 20)
    assert allowed_next(path(("decided", D(2026, 1, 5))), today) == ["served", "announced"]
    assert allowed_next(path(*SERVED_PATH), today) == ["recon_filed", "lit_filed"]
    after_windows = D(2026, 7, 11)
    assert allowed_next(path(*SERVED_PATH), after_windows) == ["urged"]
    urged = path(*SERVED_PATH, ("urged", D(2026, 7, 11)))
    assert "applied" not in allowed_next(urged, D(2026, 7, 20))
    assert "applied" in allowed_next(urged, D(2026, 7, 21))
    applied = path(*SERVED_PATH, ("urged", D(2026, 7, 11)), ("applied", D(2026, 7, 21)))
    assert allowed_next(applied, D(2026, 8, 1)) == ["ruling"]
    granted = path(*SERVED_PATH, ("urged", D(2026, 7, 11)), ("applied", D(2026, 7, 21)),
                   ("ruling", D(2026, 8, 1), {"result": "granted"}))
    assert allowed_next(granted, D(2026, 8, 2)) == ["enforced"]
    assert allowed_next(path(*SERVED_PATH, ended_on=D(2026, 2, 1), outcome="settled"), today) == []


def refused(p: Path, kind: str, on: dt.date, *, today=D(2026, 12, 1), **kwargs) -> str:
    message = refusal(p, kind, on=on, today=today, **kwargs)
    assert message is not None, f"{kind} on {on} was allowed"
    assert "DH-001" in message
    return message


def test_enforcement_waits_for_the_reconsideration_window():
    message = refused(path(*SERVED_PATH), "urged", D(2026, 3, 11))
    assert "行政复议期限至 2026-03-11 届满" in message


def test_enforcement_waits_for_the_litigation_window():
    message = refused(path(*SERVED_PATH), "urged", D(2026, 7, 10))
    assert "行政诉讼期限至 2026-07-10 届满" in message
    assert refusal(path(*SERVED_PATH), "urged", on=D(2026, 7, 11), today=D(2026, 12, 1)) is None


def test_enforcement_waits_for_a_pending_reconsideration():
    p = path(*SERVED_PATH, ("recon_filed", D(2026, 2, 1)))
    assert "行政复议尚未作出复议决定" in refused(p, "urged", D(2026, 11, 1))


def test_enforcement_waits_for_a_pending_lawsuit():
    p = path(*SERVED_PATH, ("lit_filed", D(2026, 2, 1)))
    assert "行政诉讼尚未判决" in refused(p, "urged", D(2026, 11, 1))


def test_after_an_upholding_judgement_enforcement_need_not_wait_for_the_windows():
    p = path(*SERVED_PATH, ("lit_filed", D(2026, 2, 1)), ("lit_judged", D(2026, 3, 1), {"result": "upheld"}))
    assert refusal(p, "urged", on=D(2026, 3, 2), today=D(2026, 12, 1)) is None


def test_after_a_reconsideration_decision_enforcement_waits_fifteen_days():
    p = path(*SERVED_PATH, ("recon_filed", D(2026, 2, 1)), ("recon_decided", D(2026, 4, 1), {"result": "upheld"}))
    assert "起诉期限至 2026-04-16 届满" in refused(p, "urged", D(2026, 4, 16))
    assert refusal(p, "urged", on=D(2026, 4, 17), today=D(2026, 12, 1)) is None


def test_application_needs_a_urging_ten_days_before():
    assert "尚未催告" in refused(path(*SERVED_PATH), "applied", D(2026, 8, 1))
    p = path(*SERVED_PATH, ("urged", D(2026, 7, 11)))
    assert "最早 2026-07-21" in refused(p, "applied", D(2026, 7, 20))


def test_urging_needs_the_announcement():
    p = path(("decided", D(2026, 1, 5)), ("served", D(2026, 1, 10), {"way": "post"}))
    assert "尚未公告" in refused(p, "urged", D(2026, 8, 1))


def test_filings_need_service():
    p = path(("decided", D(2026, 1, 5)))
    assert "尚未送达" in refused(p, "recon_filed", D(2026, 1, 6))
    assert "尚未送达" in refused(p, "lit_filed", D(2026, 1, 6))


def test_no_reconsideration_after_a_lawsuit_and_no_lawsuit_while_reconsideration_is_pending():
    sued = path(*SERVED_PATH, ("lit_filed", D(2026, 2, 1)))
    assert "不能再申请行政复议" in refused(sued, "recon_filed", D(2026, 2, 2))
    pending = path(*SERVED_PATH, ("recon_filed", D(2026, 2, 1)))
    assert "复议期间不能起诉" in refused(pending, "lit_filed", D(2026, 2, 2))


def test_filings_after_their_window_are_refused():
    assert "已超过复议期限（至 2026-03-11" in refused(path(*SERVED_PATH), "recon_filed", D(2026, 3, 12))
    assert refusal(path(*SERVED_PATH), "recon_filed", on=D(2026, 3, 11), today=D(2026, 12, 1)) is None
    assert "已超过起诉期限（至 2026-07-10）" in refused(path(*SERVED_PATH), "lit_filed", D(2026, 7, 11))
    decided = path(*SERVED_PATH, ("recon_filed", D(2026, 2, 1)), ("recon_decided", D(2026, 4, 1), {"result": "upheld"}))
    assert "至 2026-04-16" in refused(decided, "lit_filed", D(2026, 4, 17))


def test_results_need_their_filing():
    assert "未申请行政复议" in refused(path(*SERVED_PATH), "recon_decided", D(2026, 2, 1), result="upheld")
    assert "未提起行政诉讼" in refused(path(*SERVED_PATH), "lit_judged", D(2026, 2, 1), result="upheld")


def test_a_ruling_needs_the_application_and_enforcement_a_granting_ruling():
    p = path(*SERVED_PATH, ("urged", D(2026, 7, 11)))
    assert "尚未申请人民法院强制执行" in refused(p, "ruling", D(2026, 8, 1), result="granted")
    applied = path(*SERVED_PATH, ("urged", D(2026, 7, 11)), ("applied", D(2026, 7, 21)))
    assert "准予执行的裁定" in refused(applied, "enforced", D(2026, 8, 1))


def test_nothing_after_the_case_ended():
    p = path(*SERVED_PATH, ended_on=D(2026, 2, 1), outcome="settled")
    assert "已于 2026-02-01 结束（和解签约）" in refused(p, "lit_filed", D(2026, 2, 2))


def test_dates_go_forward_and_not_past_today():
    assert "早于上一步「公告」的日期 2026-01-12" in refused(path(*SERVED_PATH), "lit_filed", D(2026, 1, 11))
    assert "晚于今天" in refused(path(*SERVED_PATH), "lit_filed", D(2026, 12, 2), today=D(2026, 12, 1))


def test_each_step_once_and_way_and_result_where_they_belong():
    assert "不能重复登记" in refused(path(*SERVED_PATH), "served", D(2026, 2, 1), way="post")
    assert "送达方式" in refused(path(("decided", D(2026, 1, 5))), "served", D(2026, 1, 6))
    assert "只有「送达」" in refused(path(("decided", D(2026, 1, 5))), "announced", D(2026, 1, 6), way="post")
    p = path(*SERVED_PATH, ("recon_filed", D(2026, 2, 1)))
    assert "须选择结果" in refused(p, "recon_decided", D(2026, 3, 1))
    assert "不需要填写结果" in refused(path(("decided", D(2026, 1, 5))), "announced", D(2026, 1, 6), result="upheld")


def test_decision_and_settlement_come_from_the_stage_events():
    assert "进度卡片记录「补偿决定」" in refused(path(*SERVED_PATH), "decided", D(2026, 2, 1))
    assert "进度卡片记录「签约」" in refused(path(*SERVED_PATH), "settled", D(2026, 2, 1))


def test_a_revoked_decision_or_a_refused_ruling_ends_the_path():
    assert legal.ending("recon_decided", "revoked") == "revoked"
    assert legal.ending("lit_judged", "revoked") == "revoked"
    assert legal.ending("lit_judged", "upheld") is None
    assert legal.ending("ruling", "refused") == "refused"
    assert legal.ending("enforced", "") == "enforced"


def test_collective_land_names_its_decision():
    assert legal.step_label("decided", "collective") == "作出责令交出土地决定"
    p = path(("decided", D(2026, 1, 5)), land="collective")
    assert "责令交出土地决定尚未送达" in refused(p, "recon_filed", D(2026, 1, 6))


# --- services ------------------------------------------------------------------------------------

def under_decision(cast, household=None, *, decided: int = 300, land: str = "state") -> LegalCase:
    """The household walked to 评估 a year ago, the project's signing period over, a 补偿决定
    ``decided`` days ago, and its case opened."""
    household = household or cast.household_a1
    start = days_ago(decided + 60)
    # The period over and its threshold reached (here by a threshold of 0: a lapsed period refuses decisions).
    Project.objects.filter(pk=household.project_id).update(signing_start=start, signing_end=start + dt.timedelta(days=30),
                                                           land_type=land, signing_threshold=0)
    decidable(cast.admin, [household])
    for offset, kind in enumerate(("surveyed", "decided", "valued")):
        household_record_event(actor=cast.admin, household=household, kind=kind,
                               on_date=start + dt.timedelta(days=offset))
    household_record_event(actor=cast.admin, household=household, kind="decision", on_date=days_ago(decided))
    legal_follow_events(actor=SYSTEM, households=[Household.objects.get(pk=household.pk)], kind="decision",
                        on=days_ago(decided), ip=None)
    return LegalCase.objects.get(household=household, ended_on=None)


def step(cast, case, kind, day, actor=None, **kwargs):
    return legal_step_record(actor=actor or cast.street_user_a, case=case, kind=kind, on_date=day, **kwargs)


def pdf(name="决定书.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 decision", content_type="application/pdf")


def test_a_decision_opens_the_case_with_its_first_step(cast):
    case = under_decision(cast)
    assert (case.step, case.step_on, case.opened_on, case.land_type) == ("decided", days_ago(300), days_ago(300), "state")
    assert (case.street_id, case.village_id, case.project_id) == (cast.street_a.pk, cast.village_a.pk,
                                                                    cast.project_a.pk)
    assert list(case.steps.values_list("kind", "on_date")) == [("decided", days_ago(300))]
    assert AuditEntry.objects.filter(action="legal.open", object_id=str(case.pk)).exists()
    # Called again (an event write already wired, or twice): no second case.
    legal_follow_events(actor=SYSTEM, households=[Household.objects.get(pk=cast.household_a1.pk)],
                        kind="decision", on=days_ago(300), ip=None)
    assert LegalCase.objects.filter(household=cast.household_a1).count() == 1


def test_collective_land_opens_a_collective_case(cast):
    case = under_decision(cast, land="collective")
    assert case.land_type == "collective"


def test_the_whole_path_to_enforcement(cast, media):
    case = under_decision(cast)
    step(cast, case, "served", days_ago(298), way="left", document_number="云征决〔2026〕1号", document=pdf())
    step(cast, case, "announced", days_ago(297))
    step(cast, case, "urged", days_ago(100))
    step(cast, case, "applied", days_ago(90))
    step(cast, case, "ruling", days_ago(60), result="granted")
    last = step(cast, case, "enforced", days_ago(30))
    case.refresh_from_db()
    assert (case.step, case.step_on, case.ended_on, case.outcome) == ("enforced", days_ago(30), days_ago(30),
                                                                      "enforced")
    assert last.actor == cast.street_user_a
    served = case.steps.get(kind="served")
    assert (served.way, served.document_number, served.file_name) == ("left", "云征决〔2026〕1号", "决定书.pdf")
    assert served.content_type == "application/pdf" and served.file_size > 0
    assert AuditEntry.objects.filter(action="legal.step", object_id=str(case.pk)).count() == 6
    assert case.version == 7


def test_a_refused_step_writes_nothing(cast):
    case = under_decision(cast)
    step(cast, case, "served", days_ago(298), way="direct")
    step(cast, case, "announced", days_ago(297))
    with pytest.raises(AppError) as err:
        step(cast, case, "applied", days_ago(100))
    assert "住户 DH-001" in err.value.message and "尚未催告" in err.value.message
    assert "kind" in err.value.fields
    with pytest.raises(AppError) as err:
        step(cast, case, "urged", days_ago(290))
    assert "行政复议期限" in err.value.message and "on_date" in err.value.fields
    assert case.steps.count() == 3


def test_a_revocation_on_reconsideration_ends_the_case(cast):
    case = under_decision(cast)
    step(cast, case, "served", days_ago(298), way="post")
    step(cast, case, "recon_filed", days_ago(280))
    step(cast, case, "recon_decided", days_ago(200), result="revoked")
    case.refresh_from_db()
    assert (case.ended_on, case.outcome) == (days_ago(200), "revoked")
    with pytest.raises(AppError) as err:
        step(cast, case, "lit_filed", days_ago(190))
    assert "程序已于" in err.value.message and "决定被撤销" in err.value.message


def test_a_refused_ruling_ends_the_case(cast):
    case = under_decision(cast)
    for kind, n, extra in (("served", 298, {"way": "direct"}), ("announced", 297, {}), ("urged", 100, {}),
                           ("applied", 90, {}), ("ruling", 60, {"result": "refused"})):
        step(cast, case, kind, days_ago(n), **extra)
    case.refresh_from_db()
    assert case.outcome == "refused" and case.ended_on == days_ago(60)


@pytest.mark.parametrize("kind,bad", [("served", {"way": "fax"}), ("lit_judged", {"result": "maybe"}),
                                      ("nonsense", {}), ("", {})])
def test_bad_input_is_refused_by_name(cast, kind, bad):
    case = under_decision(cast)
    with pytest.raises(AppError) as err:
        step(cast, case, kind, days_ago(10), **bad)
    assert "DH-001" in err.value.message
    assert LegalStep.objects.filter(case=case).count() == 1


def test_a_bad_document_is_refused(cast, media):
    case = under_decision(cast)
    fake = SimpleUploadedFile("决定书.pdf", b"not a pdf", content_type="application/pdf")
    with pytest.raises(AppError) as err:
        step(cast, case, "served", days_ago(298), way="direct", document=fake)
    assert "内容与扩展名不符" in err.value.message and "document" in err.value.fields
    assert case.steps.count() == 1


def test_a_stale_version_is_refused(cast):
    case = under_decision(cast)
    step(cast, case, "served", days_ago(298), way="direct", version=case.version)
    with pytest.raises(Conflict):
        step(cast, case, "announced", days_ago(297), version=case.version)


@pytest.mark.parametrize("who", ["street_user_b", "cadre", "leader", "resident", "outsider"])
def test_only_the_households_write_roles_record(cast, who):
    case = under_decision(cast)
    with pytest.raises(NotFound):
        step(cast, case, "served", days_ago(298), actor=getattr(cast, who), way="direct")


def test_the_office_records_too(cast):
    case = under_decision(cast)
    step(cast, case, "served", days_ago(298), actor=cast.commander, way="direct")


def test_a_signature_settles_the_case(cast):
    case = under_decision(cast)
    step(cast, case, "served", days_ago(298), way="direct")
    household = Household.objects.get(pk=cast.household_a1.pk)
    legal_follow_events(actor=cast.street_user_a, households=[household], kind="signed", on=days_ago(5), ip=None)
    case.refresh_from_db()
    assert (case.step, case.ended_on, case.outcome) == ("settled", days_ago(5), "settled")
    assert list(case.steps.values_list("kind", flat=True)) == ["decided", "served", "settled"]
    assert AuditEntry.objects.filter(action="legal.end", object_id=str(case.pk)).exists()


def test_a_signature_dated_before_the_last_step_is_refused(cast):
    case = under_decision(cast)
    step(cast, case, "served", days_ago(200), way="direct")
    household = Household.objects.get(pk=cast.household_a1.pk)
    with pytest.raises(AppError) as err:
        legal_follow_events(actor=cast.street_user_a, households=[household], kind="signed", on=days_ago(250),
                            ip=None)
    assert "DH-001" in err.value.message and "送达" in err.value.message
    case.refresh_from_db()
    assert case.ended_on is None


def test_moving_out_ends_the_case(cast):
    case = under_decision(cast)
    household = Household.objects.get(pk=cast.household_a1.pk)
    legal_follow_events(actor=cast.street_user_a, households=[household], kind="vacated", on=days_ago(5), ip=None)
    case.refresh_from_db()
    assert case.outcome == "moved_out" and case.step == "moved_out"


def test_a_voided_decision_ends_the_case_as_void_keeping_its_rows(cast):
    case = under_decision(cast)
    step(cast, case, "served", days_ago(298), way="direct")
    household = Household.objects.get(pk=cast.household_a1.pk)
    legal_follow_events(actor=cast.street_user_a, households=[household], kind="decision", on=days_ago(300),
                        ip=None, voided=True)
    case.refresh_from_db()
    assert (case.outcome, case.ended_on, case.step) == ("voided", TODAY, "voided")
    assert case.steps.count() == 3
    # A new decision opens a new case; the old one stays.
    legal_follow_events(actor=SYSTEM, households=[household], kind="decision", on=days_ago(10), ip=None)
    assert LegalCase.objects.filter(household=household).count() == 2


def test_other_events_cost_no_query(cast, django_assert_num_queries):
    household = Household.objects.get(pk=cast.household_a1.pk)
    with django_assert_num_queries(0):
        legal_follow_events(actor=SYSTEM, households=[household], kind="surveyed", on=TODAY, ip=None)
        legal_follow_events(actor=SYSTEM, households=[household], kind="signed", on=TODAY, ip=None)  # no decision
