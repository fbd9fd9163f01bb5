"""Inspections and rectification (督查 / 整改), through the services and selectors: an inspection of some
units, findings with photos for those units only, the fix by the finding's unit only, the verification by
someone else, a finding raising a supervision order once; and the reads the leader's page, the bulletin and
the assessment take (open items until verified, the fixed-on-time figures)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import ExifTags, Image

from gaizao.core import calendar
from gaizao.core.actors import SYSTEM
from gaizao.core.errors import AppError, Conflict, NotFound
from gaizao.core.models import AuditEntry
from gaizao.oversight.choices import FindingStatus, OrderLevel, OrderStatus, PhotoKind, SubjectKind
from gaizao.oversight.models import Finding, FindingPhoto, Inspection, SupervisionOrder
from gaizao.oversight.selectors import inspections as selectors
from gaizao.oversight.services import inspections as services
from tests.oversight.samples_inspections import jpeg

TODAY = timezone.localdate()


def later(days: int) -> dt.date:
    return calendar.next_workday(TODAY + dt.timedelta(days=days))


def files_in(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def phone_jpeg(name="IMG_1.jpg", *, size=(2400, 1200)):
    image = Image.new("RGB", size, (0, 0, 255))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Orientation] = 6
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def not_an_image(name="照片.jpg"):
    return SimpleUploadedFile(name, "这不是照片".encode() * 50, content_type="image/jpeg")


@pytest.fixture
def inspection(cast):
    return services.inspection_create(actor=cast.commander, title="十二月第一次督查", held_on=TODAY,
                                      inspectors="周指挥、督查组", units=[cast.street_a, cast.department],
                                      places="东湖村拆除现场")


def add(cast, inspection, unit=None, **kwargs):
    values = {"actor": cast.commander, "inspection": inspection, "unit": unit or cast.street_a,
              "text": "拆除现场围挡破损、扬尘未覆盖", "requirement": "三日内修复围挡并覆盖", "deadline": later(10)}
    values.update(kwargs)
    return services.finding_add(**values)


# --- inspections ---------------------------------------------------------------------------------------

def test_the_office_records_an_inspection_of_units_audited(cast, inspection):
    assert set(inspection.units.values_list("pk", flat=True)) == {cast.street_a.pk, cast.department.pk}
    entry = AuditEntry.objects.filter(action="oversight.inspection_create").get()
    assert set(entry.changes["units"].split("、")) == {"东湖街道", "住房和城乡建设局"}


@pytest.mark.parametrize("who", ["street_user_a", "leader", "department_user"])
def test_only_the_office_records_inspections(cast, who):
    with pytest.raises(NotFound):
        services.inspection_create(actor=getattr(cast, who), title="x", held_on=TODAY, inspectors="y",
                                   units=[cast.street_a])
    assert not Inspection.objects.exists()


@pytest.mark.parametrize("values, field", [
    ({"units": []}, "units"),
    ({"units": [None]}, "units"),
    ({"held_on": TODAY + dt.timedelta(days=1)}, "held_on"),
    ({"title": " "}, "title"),
    ({"inspectors": ""}, "inspectors"),
])
def test_an_inspection_with_bad_input_is_refused_naming_the_field(cast, values, field):
    base = {"title": "督查", "held_on": TODAY, "inspectors": "督查组", "units": [cast.street_a]}
    with pytest.raises(AppError) as refused:
        services.inspection_create(actor=cast.commander, **{**base, **values})
    assert field in refused.value.fields
    assert not Inspection.objects.exists()


def test_an_inspection_of_a_community_is_refused(cast):
    with pytest.raises(AppError, match="街道或部门"):
        services.inspection_create(actor=cast.commander, title="督查", held_on=TODAY, inspectors="督查组",
                                   units=[cast.community_a])


def test_an_inspection_is_edited_on_its_version_and_a_stale_edit_is_409(cast, inspection):
    changed = services.inspection_update(actor=cast.commander, inspection=inspection, version=1,
                                         places="东湖村、西岭村", units=[cast.street_a, cast.department, cast.street_b])
    assert changed.version == 2 and changed.units.count() == 3
    with pytest.raises(Conflict):
        services.inspection_update(actor=cast.commander, inspection=inspection, version=1, title="又改")
    assert Inspection.objects.get().title == "十二月第一次督查"


def test_a_unit_with_findings_stays_among_the_inspected(cast, inspection):
    add(cast, inspection)
    with pytest.raises(AppError, match="东湖街道已有督查问题"):
        services.inspection_update(actor=cast.commander, inspection=inspection, version=1, units=[cast.department])


# --- findings ------------------------------------------------------------------------------------------

def test_a_finding_with_photos_upright_without_exif_resized(cast, inspection, media):
    finding = add(cast, inspection, owner=cast.street_user_a, photos=[phone_jpeg()])
    photo = FindingPhoto.objects.get()
    assert photo.kind == PhotoKind.FINDING and photo.name == "IMG_1.jpg"
    assert photo.file.name.startswith(f"oversight/findings/{finding.pk}/") and "IMG_1" not in photo.file.name
    with Image.open(photo.file.path) as stored:
        assert stored.format == "JPEG" and max(stored.size) <= 1600
        assert stored.size[1] > stored.size[0]  # turned upright (orientation 6)
        assert not stored.getexif()
    assert finding.owner == cast.street_user_a and finding.status == FindingStatus.OPEN


def test_a_deadline_in_working_days_counts_from_today(cast, inspection):
    finding = add(cast, inspection, deadline=None, workdays=5)
    assert finding.deadline == calendar.add_workdays(TODAY, 5)


def test_a_finding_for_a_unit_not_inspected_is_refused(cast, inspection):
    with pytest.raises(AppError, match="被督查单位") as refused:
        add(cast, inspection, unit=cast.street_b)
    assert "unit" in refused.value.fields
    assert not Finding.objects.exists()


def test_a_deadline_in_the_past_is_refused_at_creation(cast, inspection):
    with pytest.raises(AppError, match="早于今天") as refused:
        add(cast, inspection, deadline=TODAY - dt.timedelta(days=1))
    assert refused.value.fields == {"deadline": "不能早于今天"}


def test_an_owner_from_another_unit_is_refused(cast, inspection):
    with pytest.raises(AppError) as refused:
        add(cast, inspection, owner=cast.street_user_b)
    assert "owner" in refused.value.fields


def test_a_bad_photo_refuses_the_finding_and_keeps_nothing(cast, inspection, media):
    with pytest.raises(AppError, match="不是可识别的照片"):
        add(cast, inspection, photos=[jpeg(), not_an_image()])
    assert not Finding.objects.exists() and not FindingPhoto.objects.exists()
    assert files_in(media) == []


def test_a_street_may_not_add_findings(cast, inspection):
    with pytest.raises(NotFound):
        add(cast, inspection, actor=cast.street_user_a)


# --- fix and verification ------------------------------------------------------------------------------

def test_the_unit_fixes_and_another_verifies(cast, inspection, media):
    finding = add(cast, inspection)
    fixed = services.finding_fix(actor=cast.street_user_a, finding=finding, version=finding.version,
                                 note="围挡已修复，裸土已覆盖", photos=[jpeg("整改后.jpg")])
    assert fixed.status == FindingStatus.FIXED and fixed.fixed_by == cast.street_user_a
    assert FindingPhoto.objects.filter(kind=PhotoKind.FIX).count() == 1
    verified = services.finding_verify(actor=cast.commander, finding=finding, version=fixed.version, passed=True)
    assert verified.status == FindingStatus.VERIFIED and verified.verified_by == cast.commander
    assert list(AuditEntry.objects.filter(action__startswith="oversight.finding").order_by("id")
                .values_list("action", flat=True)) == ["oversight.finding_add", "oversight.finding_fix",
                                                       "oversight.finding_verify"]


def test_a_returned_fix_goes_back_to_the_unit_with_the_reason(cast, inspection):
    finding = add(cast, inspection)
    fixed = services.finding_fix(actor=cast.street_user_a, finding=finding, version=1, note="已整改")
    with pytest.raises(AppError) as refused:
        services.finding_verify(actor=cast.commander, finding=finding, version=fixed.version, passed=False)
    assert "reason" in refused.value.fields
    returned = services.finding_verify(actor=cast.commander, finding=finding, version=fixed.version, passed=False,
                                       reason="覆盖不完整")
    assert returned.status == FindingStatus.RETURNED and returned.return_reason == "覆盖不完整"
    again = services.finding_fix(actor=cast.street_user_a, finding=finding, version=returned.version, note="全部覆盖")
    assert again.status == FindingStatus.FIXED


@pytest.mark.parametrize("who", ["street_user_b", "department_user", "commander", "leader", "outsider"])
def test_a_fix_by_anyone_but_the_findings_unit_is_404(cast, inspection, who):
    finding = add(cast, inspection)
    with pytest.raises(NotFound):
        services.finding_fix(actor=getattr(cast, who), finding=finding, version=1, note="已整改")
    assert Finding.objects.get().status == FindingStatus.OPEN


def test_nobody_verifies_a_fix_they_submitted(cast, inspection):
    finding = add(cast, inspection)
    fixed = services.finding_fix(actor=SYSTEM, finding=finding, version=1, note="已整改")
    # the commander submitted nothing: but an office member who is also the fixer is refused
    Finding.objects.filter(pk=finding.pk).update(fixed_by=cast.commander)
    with pytest.raises(AppError, match="不能核验自己提交的整改"):
        services.finding_verify(actor=cast.commander, finding=finding, version=fixed.version, passed=True)
    assert Finding.objects.get().status == FindingStatus.FIXED
    services.finding_verify(actor=cast.admin, finding=finding, version=fixed.version, passed=True)


def test_a_stale_fix_is_409(cast, inspection):
    finding = add(cast, inspection)
    services.finding_fix(actor=cast.street_user_a, finding=finding, version=1, note="已整改")
    with pytest.raises(Conflict):
        services.finding_verify(actor=cast.commander, finding=finding, version=1, passed=True)


def test_a_fix_with_a_bad_photo_writes_nothing(cast, inspection, media):
    finding = add(cast, inspection)
    before = files_in(media)
    with pytest.raises(AppError):
        services.finding_fix(actor=cast.street_user_a, finding=finding, version=1, note="已整改",
                             photos=[jpeg(), not_an_image()])
    assert Finding.objects.get().status == FindingStatus.OPEN and files_in(media) == before


def test_verification_needs_a_fix_waiting(cast, inspection):
    finding = add(cast, inspection)
    with pytest.raises(AppError, match="没有待核验"):
        services.finding_verify(actor=cast.commander, finding=finding, version=1, passed=True)


# --- 督办 -----------------------------------------------------------------------------------------------

def test_a_finding_raises_a_draft_order_once(cast, inspection):
    finding = add(cast, inspection)
    order = services.finding_raise_order(actor=cast.commander, finding=finding)
    assert (order.status, order.level, order.deadline_workdays) == (OrderStatus.DRAFT, OrderLevel.GENERAL, 5)
    assert (order.subject_kind, order.subject_id, order.unit_id) == (SubjectKind.FINDING, finding.pk,
                                                                     cast.street_a.pk)
    assert order.requirement == "三日内修复围挡并覆盖" and "围挡破损" in order.title
    assert Finding.objects.get().order == order
    assert AuditEntry.objects.filter(action="oversight.order_raise_from_finding").count() == 1
    with pytest.raises(AppError, match="不能重复督办"):
        services.finding_raise_order(actor=cast.commander, finding=finding)
    assert SupervisionOrder.objects.count() == 1
    SupervisionOrder.objects.filter(pk=order.pk).update(status=OrderStatus.CANCELLED)
    second = services.finding_raise_order(actor=cast.commander, finding=finding)
    assert Finding.objects.get().order == second


def test_only_the_office_raises_orders(cast, inspection):
    finding = add(cast, inspection)
    for who in (cast.street_user_a, cast.leader):
        with pytest.raises(NotFound):
            services.finding_raise_order(actor=who, finding=finding)
    assert not SupervisionOrder.objects.exists()


# --- reads ---------------------------------------------------------------------------------------------

def _mixed(cast, inspection):
    """Street A: one open overdue, one fixed waiting, one verified; the department: one open."""
    overdue = add(cast, inspection, text="问题一")
    Finding.objects.filter(pk=overdue.pk).update(deadline=TODAY - dt.timedelta(days=3))
    waiting = add(cast, inspection, text="问题二")
    services.finding_fix(actor=cast.street_user_a, finding=waiting, version=1, note="已整改")
    done = add(cast, inspection, text="问题三")
    fixed = services.finding_fix(actor=cast.street_user_a, finding=done, version=1, note="已整改")
    services.finding_verify(actor=cast.commander, finding=done, version=fixed.version, passed=True)
    add(cast, inspection, unit=cast.department, text="问题四")
    return overdue, waiting, done


def test_open_items_stay_visible_until_verified(cast, inspection):
    overdue, waiting, _done = _mixed(cast, inspection)
    assert selectors.open_findings_by_unit(cast.commander) == {cast.street_a.pk: 2, cast.department.pk: 1}
    assert selectors.open_findings_by_unit(cast.street_user_a) == {cast.street_a.pk: 2}
    assert selectors.open_findings_by_unit(cast.street_user_b) == {}
    rows = selectors.open_findings_rows(cast.leader, limit=10)
    assert [row.text for row in rows][:1] == ["问题一"] and rows[0].overdue and rows[0].days_overdue == 3
    assert [row.text for row in rows][-1] == "问题二"  # waiting verification: last, still listed
    assert "问题三" not in [row.text for row in rows]


def test_a_unit_reads_only_its_own_findings_of_an_inspection(cast, inspection):
    _mixed(cast, inspection)
    page = selectors.finding_list(cast.department_user)
    assert [row.text for row in page.items] == ["问题四"]
    assert [f.text for f in selectors.inspection_findings(cast.department_user, inspection)] == ["问题四"]
    rows = selectors.inspection_list(cast.department_user).items
    assert [(row.title, row.findings, row.open) for row in rows] == [("十二月第一次督查", 1, 1)]
    assert selectors.inspection_list(cast.street_user_b).items == []


def test_the_lists_filter_by_unit_status_and_open(cast, inspection):
    _mixed(cast, inspection)
    assert len(selectors.finding_list(cast.commander, open_only=True).items) == 3
    assert len(selectors.finding_list(cast.commander, unit=cast.street_a).items) == 3
    assert [r.text for r in selectors.finding_list(cast.commander, status=FindingStatus.FIXED).items] == ["问题二"]
    assert [r.text for r in selectors.finding_list(cast.commander, overdue=True).items] == ["问题一"]


def test_the_fixed_rate_counts_deadlines_in_the_period_and_verified_on_time(cast, inspection):
    overdue, waiting, done = _mixed(cast, inspection)
    late = add(cast, inspection, text="问题五")
    fixed = services.finding_fix(actor=cast.street_user_a, finding=late, version=1, note="已整改")
    services.finding_verify(actor=cast.commander, finding=late, version=fixed.version, passed=True)
    Finding.objects.filter(pk=late.pk).update(deadline=TODAY - dt.timedelta(days=1))  # fixed after its deadline
    starts, ends = TODAY - dt.timedelta(days=30), TODAY + dt.timedelta(days=30)
    rate = selectors.findings_fixed_rate([cast.street_a.pk, cast.department.pk, cast.street_b.pk], starts, ends)
    assert rate[cast.street_a.pk] == {"due": 4, "fixed_on_time": 1}
    assert rate[cast.department.pk] == {"due": 1, "fixed_on_time": 0}
    assert cast.street_b.pk not in rate  # no finding due: missing, not zero
    assert selectors.findings_fixed_rate([cast.street_a.pk], starts, TODAY - dt.timedelta(days=5)) == {}


def test_the_unit_is_told_of_a_finding_the_office_of_its_fix_and_the_unit_of_a_return(cast, inspection):
    from gaizao.core.models import Notification

    finding = add(cast, inspection)
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["street_a"]
    fixed = services.finding_fix(actor=cast.street_user_a, finding=finding, version=1, note="已整改")
    assert Notification.objects.filter(recipient=cast.commander, title__startswith="整改待核验").exists()
    services.finding_verify(actor=cast.commander, finding=finding, version=fixed.version, passed=False,
                            reason="照片不清")
    told = Notification.objects.filter(title__startswith="整改核验未通过").get()
    assert told.recipient == cast.street_user_a and "照片不清" in told.body


def test_the_system_reads_every_open_finding_for_the_bulletin(cast, inspection):
    _mixed(cast, inspection)
    assert selectors.open_findings_by_unit(SYSTEM) == {cast.street_a.pk: 2, cast.department.pk: 1}
    assert len(selectors.open_findings_rows(SYSTEM, limit=10)) == 3


def test_the_inspections_held_in_a_period_with_their_findings_per_unit(cast, inspection, django_assert_num_queries):
    _mixed(cast, inspection)
    with django_assert_num_queries(2):
        held = selectors.inspections_held(TODAY - dt.timedelta(days=7), TODAY)
    assert [row["title"] for row in held] == ["十二月第一次督查"]
    by_unit = {row["unit_name"]: row for row in held[0]["units"]}
    assert by_unit["东湖街道"] == {"unit_id": cast.street_a.pk, "unit_name": "东湖街道", "findings": 3, "open": 2,
                                  "overdue": 1, "verified": 1}
    assert by_unit["住房和城乡建设局"]["open"] == 1
    with django_assert_num_queries(1):
        assert selectors.inspections_held(TODAY - dt.timedelta(days=30), TODAY - dt.timedelta(days=8)) == []
