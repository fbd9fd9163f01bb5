"""Recording stage events through the services: order of stages, dates, the signing period,
duplicates, corrections, stale versions, attachments — and the rollups stay equal to a recount."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gaizao.core.errors import AppError, Conflict, NotFound
from gaizao.ledger.models import Household, Project
from gaizao.progress.models import EventAttachment, StageEvent
from gaizao.progress.services import event_correct, household_record_event

D = dt.date

pytestmark = pytest.mark.usefixtures("media", "rollups_stay_correct")


def record(cast, kind, day, *, household=None, **kwargs):
    return household_record_event(actor=cast.street_user_a, household=household or cast.household_a1, kind=kind,
                                  on_date=day, **kwargs)


def walk(cast, *kinds, household=None, start=D(2026, 3, 1)):
    """Record ``kinds`` in order, one day apart."""
    events = []
    for offset, kind in enumerate(kinds):
        events.append(record(cast, kind, start + dt.timedelta(days=offset), household=household,
                             resettlement_mode="money" if kind == "resettled" else ""))
    return events


def fresh(household) -> Household:
    return Household.objects.get(pk=household.pk)


def signing_period(project, start, end, threshold=0) -> None:
    """A signing period; its threshold 0 by default, so that the agreements took effect at its end
    (the lapsed project's refusals are tests of their own, tests/progress/test_signing_judgement.py)."""
    Project.objects.filter(pk=project.pk).update(signing_start=start, signing_end=end, signing_threshold=threshold)


def pdf(name="协议.pdf", size=0) -> SimpleUploadedFile:
    body = b"%PDF-1.4\n" + b"0" * size
    return SimpleUploadedFile(name, body, content_type="application/pdf")


# --- order of stages ----------------------------------------------------------------------------

def test_it_records_the_funnel_and_moves_stage_and_dates(cast):
    walk(cast, "surveyed", "decided", "valued", "signed")
    household = fresh(cast.household_a1)
    assert household.stage == "signed"
    assert (household.surveyed_on, household.decided_on, household.valued_on, household.signed_on) == (
        D(2026, 3, 1), D(2026, 3, 2), D(2026, 3, 3), D(2026, 3, 4))
    assert household.version == cast.household_a1.version + 4
    assert list(StageEvent.objects.filter(household=household).values_list("kind", flat=True)) == [
        "surveyed", "decided", "valued", "signed"]


def test_it_refuses_signing_before_valuation(cast):
    walk(cast, "surveyed", "decided")
    with pytest.raises(AppError) as exc:
        record(cast, "signed", D(2026, 3, 10))
    assert "尚未记录「评估」" in exc.value.message and exc.value.fields == {"kind": "顺序不符"}
    assert fresh(cast.household_a1).stage == "decided"
    assert StageEvent.objects.filter(kind="signed").count() == 0


def test_it_refuses_a_signing_date_before_the_valuation_date(cast):
    walk(cast, "surveyed", "decided", "valued")  # valued on 03-03
    with pytest.raises(AppError) as exc:
        record(cast, "signed", D(2026, 3, 2))
    assert exc.value.message == "签约日期 2026-03-02 早于评估日期 2026-03-03。"
    assert "on_date" in exc.value.fields


def test_it_refuses_demolition_before_vacating(cast):
    walk(cast, "surveyed", "decided", "valued", "signed")
    with pytest.raises(AppError) as exc:
        record(cast, "demolished", D(2026, 4, 1))
    assert "尚未记录「腾空交房」" in exc.value.message
    record(cast, "vacated", D(2026, 4, 10))
    with pytest.raises(AppError) as exc:
        record(cast, "demolished", D(2026, 4, 9))
    assert "早于腾空交房日期 2026-04-10" in exc.value.message


def test_it_refuses_vacating_without_signing_or_decision(cast):
    walk(cast, "surveyed", "decided", "valued")
    with pytest.raises(AppError) as exc:
        record(cast, "vacated", D(2026, 4, 1))
    assert "尚未记录「签约」或「补偿决定」" in exc.value.message


def test_it_refuses_a_date_in_the_future(cast):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(AppError) as exc:
        record(cast, "surveyed", tomorrow)
    assert "晚于今天" in exc.value.message and exc.value.fields == {"on_date": "不能晚于今天"}
    record(cast, "surveyed", timezone.localdate())  # today is fine


def test_it_refuses_a_datetime_or_garbage_for_a_date(cast):
    with pytest.raises(AppError) as exc:
        record(cast, "surveyed", dt.datetime(2026, 3, 1, 10, 0))
    assert "不含时间" in exc.value.message
    with pytest.raises(AppError) as exc:
        record(cast, "surveyed", "三月一日")
    assert "无法识别" in exc.value.message


def test_it_refuses_signing_outside_the_projects_signing_period(cast):
    signing_period(cast.project_a, D(2026, 4, 1), D(2026, 6, 30))
    walk(cast, "surveyed", "decided", "valued")
    with pytest.raises(AppError) as exc:
        record(cast, "signed", D(2026, 3, 31))
    assert exc.value.message == "签约日期 2026-03-31 早于项目签约期开始日 2026-04-01。"
    with pytest.raises(AppError) as exc:
        record(cast, "signed", D(2026, 7, 1))
    assert "晚于项目签约期结束日 2026-06-30" in exc.value.message
    record(cast, "signed", D(2026, 6, 30))
    assert fresh(cast.household_a1).signed_on == D(2026, 6, 30)


def test_a_compensation_decision_only_after_the_signing_period(cast):
    walk(cast, "surveyed", "decided", "valued")
    with pytest.raises(AppError) as exc:
        record(cast, "decision", D(2026, 8, 1))
    assert "未设定签约期" in exc.value.message
    signing_period(cast.project_a, D(2026, 4, 1), D(2026, 6, 30))
    with pytest.raises(AppError) as exc:
        record(cast, "decision", D(2026, 6, 30))
    assert "须在签约期结束日 2026-06-30 之后" in exc.value.message
    record(cast, "decision", D(2026, 7, 1))
    household = fresh(cast.household_a1)
    assert household.stage == "decision" and household.decision_on == D(2026, 7, 1)
    with pytest.raises(AppError) as exc:
        record(cast, "signed", D(2026, 6, 1))
    assert "早于补偿决定日期 2026-07-01" in exc.value.message  # a later signature still ends the path
    record(cast, "vacated", D(2026, 8, 1))  # a decision also leads to vacating
    assert fresh(cast.household_a1).stage == "vacated"


def test_a_duplicate_event_is_refused(cast):
    walk(cast, "surveyed")
    with pytest.raises(AppError) as exc:
        record(cast, "surveyed", D(2026, 3, 5))
    assert exc.value.message == "本户已于 2026-03-01 记录了「入户调查」，不能重复记录；日期有误请更正原记录。"
    assert StageEvent.objects.count() == 1


def test_resettlement_needs_its_mode(cast):
    walk(cast, "surveyed", "decided", "valued", "signed", "vacated")
    with pytest.raises(AppError) as exc:
        record(cast, "resettled", D(2026, 5, 1))
    assert exc.value.fields == {"resettlement_mode": "必选"}
    record(cast, "resettled", D(2026, 5, 1), resettlement_mode="swap")
    household = fresh(cast.household_a1)
    assert (household.stage, household.resettlement_mode) == ("resettled", "swap")


def test_who_may_record(cast):
    with pytest.raises(NotFound):
        household_record_event(actor=cast.street_user_b, household=cast.household_a1, kind="surveyed",
                               on_date=D(2026, 3, 1))
    for reader in (cast.cadre, cast.leader, cast.resident):
        with pytest.raises(NotFound):
            household_record_event(actor=reader, household=cast.household_a1, kind="surveyed", on_date=D(2026, 3, 1))
    household_record_event(actor=cast.commander, household=cast.household_a1, kind="surveyed", on_date=D(2026, 3, 1))
    assert StageEvent.objects.count() == 1


# --- corrections ------------------------------------------------------------------------------------

def test_a_correction_moves_the_date_and_keeps_the_original(cast):
    surveyed, decided, _valued = walk(cast, "surveyed", "decided", "valued")
    correction = event_correct(actor=cast.street_user_a, event=decided, on_date=D(2026, 3, 1), note="笔误")
    assert correction.corrects_id == decided.pk and correction.kind == "decided"
    household = fresh(cast.household_a1)
    assert household.decided_on == D(2026, 3, 1) and household.stage == "valued"
    decided.refresh_from_db()
    assert decided.on_date == D(2026, 3, 2)  # nothing edited in place
    with pytest.raises(AppError) as exc:  # the original is no longer the one to correct
        event_correct(actor=cast.street_user_a, event=decided, on_date=D(2026, 3, 2), note="再改")
    assert "已被更正过" in exc.value.message
    # a correction can itself be corrected
    event_correct(actor=cast.street_user_a, event=correction, on_date=D(2026, 3, 2), note="改回")
    assert fresh(cast.household_a1).decided_on == D(2026, 3, 2)


def test_a_correction_that_breaks_the_order_is_refused(cast):
    surveyed, *_rest = walk(cast, "surveyed", "decided", "valued")
    with pytest.raises(AppError) as exc:
        event_correct(actor=cast.street_user_a, event=surveyed, on_date=D(2026, 3, 5), note="改")
    assert "晚于已记录的认定日期 2026-03-02" in exc.value.message
    assert StageEvent.objects.filter(corrects__isnull=False).count() == 0


def test_a_correction_needs_a_reason(cast):
    surveyed, = walk(cast, "surveyed")
    with pytest.raises(AppError) as exc:
        event_correct(actor=cast.street_user_a, event=surveyed, on_date=D(2026, 3, 2), note=" ")
    assert exc.value.fields == {"note": "必填"}


def test_voiding_the_last_stage_moves_the_stage_back(cast):
    _s, _d, valued = walk(cast, "surveyed", "decided", "valued")
    void = event_correct(actor=cast.street_user_a, event=valued, void=True, note="误录")
    assert void.kind == "void" and void.corrects_id == valued.pk
    household = fresh(cast.household_a1)
    assert household.stage == "decided" and household.valued_on is None
    record(cast, "valued", D(2026, 3, 20))  # it may be recorded again
    assert fresh(cast.household_a1).valued_on == D(2026, 3, 20)


def test_voiding_a_stage_with_a_later_stage_is_refused(cast):
    _s, decided, _v = walk(cast, "surveyed", "decided", "valued")
    with pytest.raises(AppError) as exc:
        event_correct(actor=cast.street_user_a, event=decided, void=True, note="误录")
    assert exc.value.message == "本户已记录「评估」，须先撤销「评估」，再撤销「认定」。"
    assert fresh(cast.household_a1).decided_on == D(2026, 3, 2)


# --- two people at once -----------------------------------------------------------------------------

def test_a_stale_version_is_refused_and_writes_nothing(cast):
    seen = fresh(cast.household_a1).version
    record(cast, "surveyed", D(2026, 3, 1), version=seen)
    with pytest.raises(Conflict) as exc:
        record(cast, "decided", D(2026, 3, 2), version=seen)
    assert exc.value.status == 409 and "已被他人修改" in exc.value.message
    assert StageEvent.objects.count() == 1 and fresh(cast.household_a1).stage == "surveyed"


def test_exactly_one_of_two_concurrent_recordings_wins(cast):
    # Two officers load the same page (same version) and both record the survey.
    first_sees = fresh(cast.household_a1).version
    second_sees = fresh(cast.household_a1).version
    outcomes = []
    for officer, version, day in ((cast.street_user_a, first_sees, D(2026, 3, 1)),
                                  (cast.commander, second_sees, D(2026, 3, 3))):
        try:
            household_record_event(actor=officer, household=cast.household_a1, kind="surveyed", on_date=day,
                                   version=version)
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(exc.message)
    assert outcomes[0] == "ok" and "已被他人修改" in outcomes[1]
    assert StageEvent.objects.filter(household=cast.household_a1).count() == 1
    assert fresh(cast.household_a1).surveyed_on == D(2026, 3, 1)


def test_a_stale_correction_is_refused(cast):
    surveyed, = walk(cast, "surveyed")
    seen = fresh(cast.household_a1).version
    record(cast, "decided", D(2026, 3, 5))
    with pytest.raises(Conflict):
        event_correct(actor=cast.street_user_a, event=surveyed, on_date=D(2026, 3, 2), note="改", version=seen)
    assert fresh(cast.household_a1).surveyed_on == D(2026, 3, 1)


# --- attachments ------------------------------------------------------------------------------------

def test_a_pdf_attachment_is_kept_with_the_event(cast):
    walk(cast, "surveyed", "decided", "valued")
    event = record(cast, "signed", D(2026, 4, 1), attachments=[pdf("签约协议.pdf", 100)])
    attachment = EventAttachment.objects.get(event=event)
    assert (attachment.name, attachment.content_type, attachment.size) == ("签约协议.pdf", "application/pdf", 109)
    with attachment.file.open("rb") as handle:
        assert handle.read(4) == b"%PDF"


def test_a_text_file_named_pdf_is_refused_and_nothing_is_written(cast):
    fake = SimpleUploadedFile("协议.pdf", b"just some text", content_type="application/pdf")
    with pytest.raises(AppError) as exc:
        record(cast, "surveyed", D(2026, 3, 1), attachments=[fake])
    assert exc.value.message == "附件「协议.pdf」的内容与扩展名不符（不是有效的 PDF 文件）。"
    assert StageEvent.objects.count() == 0 and EventAttachment.objects.count() == 0
    assert fresh(cast.household_a1).stage == "registered"


def test_an_attachment_over_20_mb_is_refused(cast):
    with pytest.raises(AppError) as exc:
        record(cast, "surveyed", D(2026, 3, 1), attachments=[pdf("扫描件.pdf", 20 * 1024 * 1024)])
    assert "超过 20 MB" in exc.value.message
    assert StageEvent.objects.count() == 0


def test_an_unsupported_kind_of_file_is_refused(cast):
    exe = SimpleUploadedFile("tool.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    with pytest.raises(AppError) as exc:
        record(cast, "surveyed", D(2026, 3, 1), attachments=[exe])
    assert "类型不支持" in exc.value.message
