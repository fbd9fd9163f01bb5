"""The demo's inspections and rectification (演示督查整改): two inspections of the office across the
streets (and a department), each with findings and photos in every state — open, some overdue; fixed and
waiting for verification; verified (most on time, one late); one returned; one that raised a supervision
order (a draft for the office to complete).

Everything goes through the inspection services (the office records and verifies, the street's staff fix);
the history is then backdated (the day of the inspection, the deadlines counted from it, the day of each
fix and verification), as the demo task list does. Photos are small pictures drawn with Pillow.
"""

from __future__ import annotations

import datetime as dt
import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from gaizao.campaign.services.tasks import campaign_units
from gaizao.core import calendar
from gaizao.core.actors import SYSTEM
from gaizao.org.choices import OrgKind, Role
from gaizao.org.models import Membership, User
from gaizao.oversight.models import Finding, FindingPhoto, Inspection
from gaizao.oversight.services.inspections import (finding_add, finding_fix, finding_raise_order, finding_verify,
                                                   inspection_create)

PROBLEMS = (
    ("拆除现场围挡破损，裸土未覆盖，扬尘明显", "立即修复围挡，裸土全部覆盖，落实洒水降尘。"),
    ("建筑垃圾堆放超过一周未清运", "限期清运，建立日清台账。"),
    ("已签约户未按约定日期腾空交房", "逐户约谈，落实腾空交房时间表。"),
    ("补偿方案公示资料不全，缺少测绘成果", "补齐公示资料，重新公示不少于10个工作日。"),
    ("包户干部走访记录缺失，难点户情况不清", "补录走访记录，一户一策更新到平台。"),
    ("过渡安置费发放台账与花名册不一致", "逐户核对，更正台账并报区财政局备案。"),
    ("危旧房屋未设置警示标志和隔离设施", "设置警示标志和隔离设施，安排专人巡查。"),
    ("施工现场消防器材缺失，临时用电不规范", "配齐消防器材，整改临时用电。"),
    ("村民诉求未按期答复，群众意见较大", "逐件答复并回访，纳入信访台账。"),
    ("新增违法建设未及时查处", "依法查处并拆除，追究相关责任。"),
)
PLACES = ("拆除现场", "村委会", "安置过渡点", "项目指挥部", "三组片区", "东片区")
FIXES = ("已完成整改，详见整改照片。", "问题已整改到位，建立长效机制。", "已按要求整改，并对相关人员进行了提醒谈话。")
COLOURS = ((176, 190, 197), (161, 136, 127), (141, 110, 99), (120, 144, 156), (188, 170, 164))


def photo(rng: random.Random, name: str) -> SimpleUploadedFile:
    """A small picture of a site (a few KB): ground, a building, a fence."""
    image = Image.new("RGB", (320, 240), rng.choice(COLOURS))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 150, 320, 240), fill=(121, 85, 72))
    left = rng.randint(20, 150)
    draw.rectangle((left, rng.randint(40, 90), left + rng.randint(80, 140), 160), fill=(224, 224, 224),
                   outline=(66, 66, 66))
    for x in range(0, 320, 16):
        draw.line((x, 170, x + rng.randint(-4, 4), 200), fill=(33, 150, 243), width=3)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def _moment(day: dt.date, rng: random.Random) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(9, 17), rng.randint(0, 59))))


def _staff() -> tuple[object, dict[int, object]]:
    office = User.objects.filter(is_active=True, memberships__role=Role.COMMANDER).order_by("id").first() or SYSTEM
    staff: dict[int, object] = {}
    for membership in (Membership.objects.filter(role__in=(Role.STREET, Role.DEPARTMENT), user__is_active=True)
                       .select_related("user").order_by("id")):
        staff.setdefault(membership.org_unit_id, membership.user)
    return office, staff


def _inspect(*, campaign, held_on: dt.date, title: str, units, rng: random.Random, office) -> Inspection:
    inspection = inspection_create(actor=office, campaign=campaign, title=title, held_on=held_on,
                                   inspectors="区领导小组办公室督查组（周指挥、吴督查、郑督查）",
                                   units=units, places="、".join(rng.sample(PLACES, k=3)),
                                   summary="总体推进有序，但部分点位存在安全文明施工、台账资料和群众工作方面的问题，现通报如下，限期整改。")
    Inspection.objects.filter(pk=inspection.pk).update(created_at=_moment(held_on, rng))
    return inspection


def _finding(*, inspection, unit, held_on: dt.date, workdays: int, rng: random.Random, office, owner) -> Finding:
    text, requirement = rng.choice(PROBLEMS)
    finding = finding_add(actor=office, inspection=inspection, unit=unit, text=text, requirement=requirement,
                          place=f"{unit.name}{rng.choice(PLACES)}", owner=owner, workdays=workdays,
                          photos=[photo(rng, f"问题照片{i + 1}.jpg") for i in range(rng.randint(1, 2))])
    deadline = calendar.add_workdays(held_on, workdays)
    Finding.objects.filter(pk=finding.pk).update(deadline=deadline, created_at=_moment(held_on, rng))
    FindingPhoto.objects.filter(finding=finding).update(created_at=_moment(held_on, rng))
    finding.refresh_from_db()
    return finding


def _fix(finding: Finding, *, on: dt.date, rng: random.Random, actor) -> Finding:
    fixed = finding_fix(actor=actor, finding=finding, version=finding.version, note=rng.choice(FIXES),
                        photos=[photo(rng, "整改后.jpg")])
    Finding.objects.filter(pk=finding.pk).update(fixed_at=_moment(on, rng))
    FindingPhoto.objects.filter(finding=finding, kind="fix").update(created_at=_moment(on, rng))
    fixed.refresh_from_db()
    return fixed


def _verify(finding: Finding, *, on: dt.date, rng: random.Random, office, passed=True, reason="") -> Finding:
    done = finding_verify(actor=office, finding=finding, version=finding.version, passed=passed, reason=reason)
    if passed:
        Finding.objects.filter(pk=finding.pk).update(verified_at=_moment(on, rng))
    done.refresh_from_db()
    return done


def demo_inspections(*, campaign, today: dt.date, rng: random.Random) -> int:
    """Two inspections with findings in every state; returns how many findings were made."""
    office, staff = _staff()
    units = list(campaign_units())
    streets = [u for u in units if u.kind == OrgKind.STREET]
    departments = [u for u in units if u.kind == OrgKind.DEPARTMENT]
    if not streets:
        return 0
    made = 0

    # The first inspection, six weeks ago: deadlines passed; most verified, one late, one returned, two overdue
    # (one of them raised an order), one waiting for verification.
    first_day = calendar.next_workday(today - dt.timedelta(days=45))
    first_units = streets[:4]
    first = _inspect(campaign=campaign, held_on=first_day, title=f"{first_day.month}月拆除腾退专项督查",
                     units=first_units, rng=rng, office=office)
    plan = ["verified", "verified", "verified", "late", "returned", "overdue", "order", "waiting"]
    for i, fate in enumerate(plan):
        unit = first_units[i % len(first_units)]
        fixer = staff.get(unit.pk, SYSTEM)
        finding = _finding(inspection=first, unit=unit, held_on=first_day, workdays=10, rng=rng, office=office,
                           owner=staff.get(unit.pk) if rng.random() < 0.5 else None)
        made += 1
        if fate in ("verified", "late", "returned", "waiting"):
            fixed_on = finding.deadline + dt.timedelta(days=4) if fate == "late" else \
                finding.deadline - dt.timedelta(days=rng.randint(1, 5))
            finding = _fix(finding, on=min(fixed_on, today), rng=rng, actor=fixer)
            if fate in ("verified", "late"):
                _verify(finding, on=min(fixed_on + dt.timedelta(days=2), today), rng=rng, office=office)
            elif fate == "returned":
                _verify(finding, on=min(fixed_on + dt.timedelta(days=1), today), rng=rng, office=office, passed=False,
                        reason="整改照片不能反映整改效果，现场仍有裸土未覆盖。")
        elif fate == "order":
            finding_raise_order(actor=office, finding=finding)

    # The second inspection, ten days ago: deadlines ahead; open items, one fixed waiting, one verified early.
    second_day = calendar.next_workday(today - dt.timedelta(days=10))
    if second_day > today:
        second_day = today
    second_units = streets[-3:] + departments[:1]
    second = _inspect(campaign=campaign, held_on=second_day, title=f"{second_day.month}月签约攻坚暨安全生产督查",
                      units=second_units, rng=rng, office=office)
    for i, fate in enumerate(["open", "open", "open", "waiting", "verified", "open"]):
        unit = second_units[i % len(second_units)]
        finding = _finding(inspection=second, unit=unit, held_on=second_day, workdays=15, rng=rng, office=office,
                           owner=staff.get(unit.pk) if rng.random() < 0.5 else None)
        made += 1
        if fate in ("waiting", "verified"):
            fixed_on = min(second_day + dt.timedelta(days=rng.randint(2, 6)), today)
            finding = _fix(finding, on=fixed_on, rng=rng, actor=staff.get(unit.pk, SYSTEM))
            if fate == "verified":
                _verify(finding, on=min(fixed_on + dt.timedelta(days=1), today), rng=rng, office=office)
    return made
