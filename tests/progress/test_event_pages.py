"""The progress card on the household page: who sees it, who records, errors, corrections, files."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gaizao.ledger.models import Household
from gaizao.progress.models import EventAttachment, StageEvent
from gaizao.progress.services import event_correct, household_record_event

D = dt.date

pytestmark = pytest.mark.usefixtures("media", "rollups_stay_correct")


def page_url(household) -> str:
    return f"/ledger/households/{household.pk}/"


def record_url(household) -> str:
    return f"/progress/households/{household.pk}/events/"


def version(household) -> int:
    return Household.objects.get(pk=household.pk).version


def post_event(client, household, **data):
    body = {"kind": "surveyed", "on_date": "2026-03-01", "note": "", "resettlement_mode": "",
            "version": version(household), **data}
    return client.post(record_url(household), body)


def correct(client, event, **data):
    prefix = f"c{event.pk}-"
    body = {"action": "date", "on_date": "", "note": "", "version": version(event.household), **data}
    return client.post(f"/progress/events/{event.pk}/correct/", {prefix + k: v for k, v in body.items()})


def seed(cast, *kinds, start=D(2026, 3, 1)):
    return [household_record_event(actor=cast.admin, household=cast.household_a1, kind=kind,
                                   on_date=start + dt.timedelta(days=i)) for i, kind in enumerate(kinds)]


# --- who sees what ----------------------------------------------------------------------------------

def test_the_street_officer_sees_the_card_with_the_form(cast, login_as):
    seed(cast, "surveyed", "decided")
    html = login_as(cast.street_user_a).get(page_url(cast.household_a1)).content.decode()
    assert 'data-testid="progress-card"' in html and 'data-testid="record-form"' in html
    assert 'data-testid="progress-stage">认定<' in html
    assert 'data-testid="stage-surveyed">2026-03-01<' in html and 'data-testid="stage-decided">2026-03-02<' in html
    assert 'data-testid="stage-valued">—<' in html
    # the kinds offered are those that make sense next, the next stage first
    assert '<option value="valued" selected>评估</option>' in html
    assert 'value="signed"' not in html.split('data-testid="record-form"')[1].split("</select>")[0]
    assert html.count('data-testid="correct-') >= 2
    assert "补偿决定" not in html.split('data-testid="stage-dates"')[1].split("</table>")[0]


@pytest.mark.parametrize("role", ["cadre", "leader", "commander"])
def test_readers_see_the_card_and_only_writers_the_form(cast, login_as, role):
    seed(cast, "surveyed")
    html = login_as(getattr(cast, role)).get(page_url(cast.household_a1)).content.decode()
    assert 'data-testid="progress-card"' in html and 'data-testid="event-table"' in html
    assert ('data-testid="record-form"' in html) is (role == "commander")
    assert ('data-testid="correct-' in html) is (role == "commander")


def test_the_other_street_gets_404_on_the_page_and_on_every_write(cast, login_as):
    event, = seed(cast, "surveyed")
    client = login_as(cast.street_user_b)
    assert client.get(page_url(cast.household_a1)).status_code == 404
    assert post_event(client, cast.household_a1, kind="decided", on_date="2026-03-02").status_code == 404
    assert correct(client, event, on_date="2026-03-02", note="改").status_code == 404
    assert StageEvent.objects.count() == 1


@pytest.mark.parametrize("role", ["cadre", "leader", "resident"])
def test_readers_cannot_record_by_posting(cast, login_as, role):
    event, = seed(cast, "surveyed")
    household = cast.household_a2 if role == "resident" else cast.household_a1
    client = login_as(getattr(cast, role))
    assert post_event(client, household, kind="surveyed").status_code == 404
    assert correct(client, event, on_date="2026-03-02", note="改").status_code == 404
    assert StageEvent.objects.count() == 1


def test_the_resident_sees_the_stage_dates_but_not_the_staff_history(cast, login_as):
    household_record_event(actor=cast.admin, household=cast.household_a2, kind="surveyed", on_date=D(2026, 3, 1),
                           note="内部说明")
    html = login_as(cast.resident).get("/ledger/my-household/").content.decode()
    assert 'data-testid="stage-surveyed">2026-03-01<' in html
    assert 'data-testid="event-table"' not in html and "内部说明" not in html
    assert 'data-testid="record-form"' not in html


# --- recording ----------------------------------------------------------------------------------------

def test_recording_on_the_page_moves_the_stage(cast, login_as):
    client = login_as(cast.street_user_a)
    response = post_event(client, cast.household_a1, kind="surveyed", on_date="2026-03-01", note="入户登记")
    assert response.status_code == 302
    assert response["Location"] == f"/ledger/households/{cast.household_a1.pk}/#progress"
    html = client.get(page_url(cast.household_a1)).content.decode()
    assert "已记录「入户调查」（2026-03-01）。" in html
    assert 'data-testid="progress-stage">入户调查<' in html and "入户登记" in html and "王东湖" in html
    event = StageEvent.objects.get()
    assert (event.actor, event.note) == (cast.street_user_a, "入户登记")


def test_an_order_refusal_is_shown_beside_the_form_and_nothing_is_written(cast, login_as):
    seed(cast, "surveyed", "decided")
    response = post_event(login_as(cast.street_user_a), cast.household_a1, kind="signed", on_date="2026-03-05")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="progress-error">本户尚未记录「评估」，不能记录「签约」。<' in html
    assert 'name="kind" class="form-select is-invalid"' in html
    assert StageEvent.objects.count() == 2


def test_a_missing_date_is_a_chinese_field_error(cast, login_as):
    response = post_event(login_as(cast.street_user_a), cast.household_a1, on_date="")
    assert response.status_code == 400
    assert 'data-testid="error-on_date">此项必填。<' in response.content.decode()


def test_a_stale_version_shows_the_conflict_and_writes_nothing(cast, login_as):
    client = login_as(cast.street_user_a)
    seen = version(cast.household_a1)
    seed(cast, "surveyed")  # someone else records meanwhile
    response = post_event(client, cast.household_a1, kind="surveyed", on_date="2026-03-04", version=seen)
    assert response.status_code == 409
    assert "已被他人修改" in response.content.decode()
    assert StageEvent.objects.count() == 1
    assert Household.objects.get(pk=cast.household_a1.pk).surveyed_on == D(2026, 3, 1)


# --- corrections ----------------------------------------------------------------------------------

def test_correcting_a_date_on_the_page_strikes_the_original(cast, login_as):
    _surveyed, decided = seed(cast, "surveyed", "decided")
    client = login_as(cast.street_user_a)
    response = correct(client, decided, on_date="2026-03-05", note="按认定书日期")
    assert response.status_code == 302
    html = client.get(page_url(cast.household_a1)).content.decode()
    assert "已将「认定」更正为 2026-03-05。" in html
    assert "<del>2026-03-02</del>" in html and f"更正 #{decided.pk}" in html
    assert 'data-testid="stage-decided">2026-03-05<' in html
    assert f'data-testid="correct-{decided.pk}"' not in html  # the original is no longer corrected
    correction = StageEvent.objects.get(corrects=decided)
    assert f'data-testid="correct-{correction.pk}"' in html


def test_voiding_on_the_page(cast, login_as):
    _surveyed, decided = seed(cast, "surveyed", "decided")
    client = login_as(cast.street_user_a)
    assert correct(client, decided, action="void", note="误录").status_code == 302
    html = client.get(page_url(cast.household_a1)).content.decode()
    assert "撤销「认定」" in html and 'data-testid="progress-stage">入户调查<' in html


def test_a_correction_without_reason_or_against_the_order_is_shown_at_its_row(cast, login_as):
    surveyed, _decided = seed(cast, "surveyed", "decided")
    client = login_as(cast.street_user_a)
    response = correct(client, surveyed, on_date="2026-03-02")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="correct-error">更正须写明原因。<' in html
    assert f'<details open>\n              <summary class="btn btn-sm btn-outline-secondary" data-testid="correct-{surveyed.pk}"' in html
    response = correct(client, surveyed, action="void", note="误录")
    assert "须先撤销「认定」" in response.content.decode()
    response = correct(client, surveyed, action="date", note="改")
    assert "请填写新的日期" in response.content.decode()
    assert StageEvent.objects.count() == 2


def test_a_stale_correction_is_409(cast, login_as):
    surveyed, = seed(cast, "surveyed")
    client = login_as(cast.street_user_a)
    seen = version(cast.household_a1)
    seed(cast, "decided", start=D(2026, 3, 10))
    response = correct(client, surveyed, on_date="2026-03-02", note="改", version=seen)
    assert response.status_code == 409
    assert StageEvent.objects.filter(corrects=surveyed).count() == 0


# --- attachments ----------------------------------------------------------------------------------

def test_attachments_upload_and_download_for_readers_only(cast, login_as):
    seed(cast, "surveyed", "decided", "valued")
    client = login_as(cast.street_user_a)
    files = [SimpleUploadedFile("签约协议.pdf", b"%PDF-1.7\nbody", content_type="application/pdf"),
             SimpleUploadedFile("现场.png", b"\x89PNG\r\n\x1a\nrest", content_type="image/png")]
    response = client.post(record_url(cast.household_a1), {
        "kind": "signed", "on_date": "2026-04-01", "version": version(cast.household_a1), "attachments": files})
    assert response.status_code == 302
    pdf, png = EventAttachment.objects.order_by("id")
    html = client.get(page_url(cast.household_a1)).content.decode()
    assert f'href="/progress/attachments/{pdf.pk}/"' in html and "签约协议.pdf" in html
    download = client.get(f"/progress/attachments/{pdf.pk}/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E7%AD%BE%E7%BA%A6%E5%8D%8F%E8%AE%AE.pdf" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == b"%PDF-1.7\nbody"
    assert login_as(cast.cadre).get(f"/progress/attachments/{png.pk}/").status_code == 200  # reads the household
    for outsider in (cast.street_user_b, cast.resident, cast.department_user):
        assert login_as(outsider).get(f"/progress/attachments/{pdf.pk}/").status_code == 404


def test_a_fake_pdf_on_the_page_is_refused_with_the_message(cast, login_as):
    fake = SimpleUploadedFile("协议.pdf", b"plain text, not a pdf", content_type="application/pdf")
    response = login_as(cast.street_user_a).post(record_url(cast.household_a1), {
        "kind": "surveyed", "on_date": "2026-03-01", "version": version(cast.household_a1), "attachments": [fake]})
    assert response.status_code == 400
    assert "附件「协议.pdf」的内容与扩展名不符（不是有效的 PDF 文件）。" in response.content.decode()
    assert StageEvent.objects.count() == 0 and EventAttachment.objects.count() == 0


# --- a fixed number of queries ----------------------------------------------------------------------

@pytest.mark.parametrize("events", [0, 6])
def test_the_card_costs_the_same_whatever_the_number_of_events(cast, login_as, django_assert_num_queries, events):
    if events:
        made = seed(cast, "surveyed", "decided", "valued", "signed")
        event_correct(actor=cast.admin, event=made[1], on_date=D(2026, 3, 3), note="改")
        event_correct(actor=cast.admin, event=made[3], void=True, note="误录")
        EventAttachment.objects.create(event=made[0], file="progress/x.pdf", name="x.pdf", size=1,
                                       content_type="application/pdf")
    client = login_as(cast.street_user_a)
    # 7 per signed-in request, the household with members, buildings and history (4), the progress
    # card (events with actors, attachments: 2) and the hard-case card (1); compensation's panels: the agreement
    # (the live agreement, the calculation it would come from), the calculation (the current one, the scheme in
    # force) and the change requests (5); the valuation panel shows from 认定 on (the seeded events reach it): its
    # buildings' valuations (1)
    with django_assert_num_queries(19 + (1 if events else 0)):
        response = client.get(page_url(cast.household_a1))
    assert response.content.decode().count('data-testid="event-') == 1 + events
