"""The demo's supervision orders (演示督办单): orders in every state and every colour.

Drafted by the office (the commander), approved by the leader, received and answered by the unit's
own staff, verified by the office — all through the order services, so the audit trail and the
notices are those of real work. Dates are then set back (issued some working days ago, fed back on
a given day) with plain updates, as the demo's tasks are backdated. Some orders are raised in one
step from the campaign's red lights and overdue tasks, the rest are about the streets' villages.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from gaizao.core import calendar
from gaizao.core.actors import SYSTEM
from gaizao.core.errors import AppError
from gaizao.ledger.models import Village
from gaizao.org.choices import OrgKind, Role
from gaizao.org.models import Membership, User
from gaizao.oversight.choices import OrderLevel, SubjectKind
from gaizao.oversight.models import SupervisionOrder
from gaizao.oversight.selectors.orders import order_candidates
from gaizao.oversight.services import orders as services

# (what becomes of it, working days since issue, time limit in working days)
SCRIPT = (
    ("draft", None, 5),
    ("review", None, 5),
    ("issued", 0, 10),            # issued today: on time
    ("issued", 3, 10),            # not signed for after three working days: yellow
    ("received", 1, 15),          # on time
    ("handling", 8, 10),          # two working days left: blue
    ("handling", 12, 10),         # past its deadline: red
    ("feedback", 4, 10),          # waiting for the office's verification
    ("feedback_late", 14, 10),    # fed back after its deadline: red
    ("returned", 6, 10),          # returned once: yellow
    ("closed", 20, 10),           # closed on time
    ("closed_late", 25, 10),      # closed, fed back late
    ("cancelled", 5, 10),
)
VILLAGE_WORK = (
    ("{v}签约进度滞后", "{v}签约进度明显落后于全区平均水平。请街道逐户分析未签约原因，落实包户干部和签约时间表，"
                     "每周报送进展。"),
    ("{v}腾空交房推进缓慢", "{v}已签约户腾空交房进度缓慢。请街道逐户落实腾空时间，按期完成交房验收。"),
    ("{v}拆除现场安全文明施工问题", "督查发现{v}拆除现场围挡不全、扬尘控制不到位。请立即整改，并建立日常巡查制度。"),
    ("{v}信访矛盾化解", "{v}群众反映补偿标准解释不到位。请街道会同有关部门逐户解释政策，及时化解矛盾。"),
)
FEEDBACK = ("已召开专题会议研究部署，逐户落实责任人和完成时限，目前已完成主要工作，佐证材料见附件。",
            "已组织专班集中攻坚，问题已整改到位，相关台账和照片已上传。",
            "已按督办要求完成整改，建立长效巡查机制。")


def _moment(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _evidence():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("办理情况佐证.pdf", b"%PDF-1.4\n% demo evidence\n", content_type="application/pdf")


def demo_orders(*, campaign, today: dt.date, rng: random.Random) -> int:
    """Create the demo's supervision orders for ``campaign``; returns how many were made."""
    office = User.objects.filter(is_active=True, memberships__role=Role.COMMANDER).order_by("id").first() or SYSTEM
    leader = User.objects.filter(is_active=True, memberships__role=Role.LEADER).order_by("id").first() or SYSTEM
    staff: dict[int, User] = {}
    for membership in Membership.objects.filter(role__in=(Role.STREET, Role.DEPARTMENT), user__is_active=True,
                                                org_unit__kind__in=(OrgKind.STREET, OrgKind.DEPARTMENT)
                                                ).select_related("user", "org_unit").order_by("id"):
        staff.setdefault(membership.org_unit_id, membership.user)
    drafts: list[SupervisionOrder] = []
    # one click from the red lights and the overdue tasks, as the office would
    for candidate in order_candidates(campaign, today=today)[:6]:
        try:
            if candidate.kind == "target":
                drafts.append(services.order_raise_from_target(actor=office, campaign=campaign,
                                                               street=candidate.unit_id, metric=candidate.metric,
                                                               on=today))
            else:
                drafts.append(services.order_raise_from_task(actor=office, task=candidate.subject_id, on=today))
        except AppError:
            continue
    villages = list(Village.objects.filter(street_id__in=staff).select_related("street").order_by("code"))
    rng.shuffle(villages)
    for village in villages:
        if len(drafts) >= len(SCRIPT) + 3:
            break
        if services.open_order_for(SubjectKind.VILLAGE, village.pk):
            continue
        title, requirement = rng.choice(VILLAGE_WORK)
        drafts.append(services.order_create(
            actor=office, title=title.format(v=village.name), requirement=requirement.format(v=village.name),
            level=rng.choice((OrderLevel.GENERAL, OrderLevel.KEY, OrderLevel.KEY, OrderLevel.LISTED)),
            deadline_workdays=10, campaign=campaign, subject_kind=SubjectKind.VILLAGE, subject_id=village.pk))
    made = 0
    for order, (fate, ago, workdays) in zip(drafts, SCRIPT + (("draft", None, 5),) * len(drafts)):
        made += 1
        unit_user = staff.get(order.unit_id, SYSTEM)
        if order.deadline_workdays != workdays:
            order = services.order_update(actor=office, order=order, deadline_workdays=workdays)
        if fate == "draft":
            continue
        order = services.order_submit(actor=office, order=order)
        if fate == "review":
            continue
        issued_on = calendar.add_workdays(today, -ago) if ago else today
        order = services.order_review(actor=leader, order=order, approve=True, on=issued_on,
                                      note=rng.choice(("同意。", "同意下发，请按期办结。", "")))
        SupervisionOrder.objects.filter(pk=order.pk).update(submitted_at=_moment(issued_on, 9),
                                                            reviewed_at=_moment(issued_on, 11))
        if fate == "issued":
            continue
        if fate == "cancelled":
            services.order_cancel(actor=office, order=order, reason="该事项已并入其他督办单统一督办。")
            continue
        order = services.order_receive(actor=unit_user, order=order, on=min(calendar.add_workdays(issued_on, 1), today))
        if fate == "received":
            continue
        order = services.order_start(actor=unit_user, order=order)
        if fate == "handling":
            continue
        late = fate in ("feedback_late", "closed_late")
        fed_on = calendar.add_workdays(order.deadline, 2) if late else \
            min(calendar.add_workdays(issued_on, max(workdays - 3, 1)), today)
        fed_on = min(fed_on, today)
        order = services.order_feedback(actor=unit_user, order=order, text=rng.choice(FEEDBACK), files=[_evidence()])
        SupervisionOrder.objects.filter(pk=order.pk).update(feedback_at=_moment(fed_on, 16))
        if fate in ("feedback", "feedback_late"):
            continue
        if fate == "returned":
            services.order_verify(actor=office, order=order, passed=False,
                                  reason="佐证材料不完整，缺少逐户台账，请补充后重新反馈。")
            continue
        services.order_verify(actor=office, order=order, passed=True, on=min(calendar.add_workdays(fed_on, 1), today))
    return made
