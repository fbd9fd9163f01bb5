"""Responsibility agreements (目标责任书): drafted from the targets, issued, signed with a scan, in force;
a signed one is never edited, a change of targets drafts the next version and the old one is kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gaizao.campaign.models import Agreement
from gaizao.campaign.services import agreements as services
from gaizao.campaign.services import campaign as campaign_services
from gaizao.core.errors import AppError
from tests.campaign.helpers import make_campaign

PDF = b"%PDF-1.4\n%test\n"


@pytest.fixture
def campaign(cast):
    c = make_campaign(cast.commander)
    campaign_services.target_set(actor=cast.commander, campaign=c, metric="signed", street=cast.street_a, target="40")
    campaign_services.milestone_set(actor=cast.commander, campaign=c, metric="signed", due_on=dt.date(2026, 6, 30),
                                    rate="60")
    return c


def _scan(name="signed.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _sign(cast, agreement):
    services.agreement_issue(actor=cast.commander, agreement=agreement, issued_on=dt.date(2026, 2, 1))
    return services.agreement_sign(actor=cast.commander, agreement=agreement, scan=_scan(),
                                   signed_on=dt.date(2026, 2, 3))


def test_a_draft_freezes_the_targets_and_their_milestones(cast, campaign):
    a = services.agreement_draft(actor=cast.commander, campaign=campaign, street=cast.street_a)
    assert a.version == 1 and a.status == "draft"
    assert a.targets == [{"metric": "signed", "label": "签约户数", "scope": "", "target": "40", "unit": "户",
                          "milestones": "6月30日前完成60%"}]


def test_a_street_without_targets_gets_no_agreement(cast, campaign):
    with pytest.raises(AppError, match="尚未分解目标"):
        services.agreement_draft(actor=cast.commander, campaign=campaign, street=cast.street_b)


def test_issue_numbers_the_agreement_and_sign_puts_it_in_force(cast, campaign, media):
    a = services.agreement_draft(actor=cast.commander, campaign=campaign, street=cast.street_a)
    _sign(cast, a)
    a.refresh_from_db()
    assert (a.status, a.number, a.signed_on, a.in_force_on) == ("in_force", "改造办〔2026〕1号", dt.date(2026, 2, 3),
                                                                dt.date(2026, 2, 3))
    assert a.scan.read() == PDF and a.scan_name == "signed.pdf"


def test_a_signed_agreement_is_not_edited(cast, campaign, media):
    a = services.agreement_draft(actor=cast.commander, campaign=campaign, street=cast.street_a)
    _sign(cast, a)
    with pytest.raises(AppError, match="不能再修改"):
        services.agreement_update(actor=cast.commander, agreement=a, duties="改了", assessment="改了")
    assert Agreement.objects.get(pk=a.pk).duties != "改了"


def test_a_target_changed_after_signing_drafts_a_new_version_and_keeps_the_old(cast, campaign, media):
    a = services.agreement_draft(actor=cast.commander, campaign=campaign, street=cast.street_a)
    _sign(cast, a)
    campaign_services.target_set(actor=cast.commander, campaign=campaign, metric="signed", street=cast.street_a,
                                 target="50", reason="区领导小组第3次会议调整")
    v1, v2 = Agreement.objects.order_by("version")
    assert (v1.status, v1.targets[0]["target"]) == ("in_force", "40")  # still what was signed
    assert (v2.version, v2.status, v2.targets[0]["target"], v2.supersedes_id) == (2, "draft", "50", v1.pk)
    assert v2.change_reason == "区领导小组第3次会议调整"
    services.agreement_issue(actor=cast.commander, agreement=v2)
    services.agreement_sign(actor=cast.commander, agreement=v2, scan=_scan("v2.pdf"))
    v1.refresh_from_db()
    assert v1.status == "superseded"


def test_a_draft_follows_the_targets_without_a_new_version(cast, campaign):
    services.agreement_draft(actor=cast.commander, campaign=campaign, street=cast.street_a)
    campaign_services.target_set(actor=cast.commander, campaign=campaign, metric="vacated", street=cast.street_a,
                                 target="10")
    [a] = Agreement.objects.all()
    assert [r["metric"] for r in a.targets] == ["signed", "vacated"]


@pytest.mark.parametrize(("name", "content", "words"), [
    ("scan.exe", b"MZ", "类型不支持"), ("scan.pdf", b"not a pdf", "内容与扩展名不符"),
    ("scan.docx", b"PK\x03\x04rest", "PDF、JPG 或 PNG"),
])
def test_a_scan_that_is_not_a_pdf_or_image_is_refused(cast, campaign, media, name, content, words):
    a = services.agreement_draft(actor=cast.commander, campaign=campaign, street=cast.street_a)
    services.agreement_issue(actor=cast.commander, agreement=a)
    with pytest.raises(AppError, match=words):
        services.agreement_sign(actor=cast.commander, agreement=a, scan=SimpleUploadedFile(name, content))
    assert Agreement.objects.get(pk=a.pk).status == "issued"


def test_signing_a_draft_is_refused(cast, campaign, media):
    a = services.agreement_draft(actor=cast.commander, campaign=campaign, street=cast.street_a)
    with pytest.raises(AppError, match="不能执行此操作"):
        services.agreement_sign(actor=cast.commander, agreement=a, scan=_scan())
