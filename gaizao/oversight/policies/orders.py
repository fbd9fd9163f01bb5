"""Supervision orders (督办单): who reads them and who may move them on.

Three resources of the access table:

- ``oversight.order``: reading, and the unit's own steps (签收、开始办理、反馈). The office and the admin
  read every order; leaders read every order; a street or a department reads the orders issued to its
  own unit, **from the day they are issued**: a draft or an order waiting for the leader's review is
  the office's business and answers 404 to the unit. Feedback is written by the unit the order was
  issued to, and by nobody else (another unit: 404; the office: refused, 400);
- ``oversight.order_office``: the office's steps (拟稿、修改草稿、提交审核、核验销号或退回、撤销);
- ``oversight.order_review``: the leader's review (领导审核：同意下发，或退回修改). The admin may too.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.urls import reverse

from gaizao.core import access
from gaizao.core.actors import is_system
from gaizao.core.access import DISTRICT, UNIT, Endpoint, Place, Rule
from gaizao.oversight.models import SupervisionOrder
from gaizao.org.choices import Role

ORDER_ROWS = {
    Role.ADMIN: Rule(read=DISTRICT, write=DISTRICT),
    Role.COMMANDER: Rule(read=DISTRICT, write=DISTRICT),
    Role.LEADER: Rule(read=DISTRICT),
    Role.STREET: Rule(read=UNIT, write=UNIT),
    Role.DEPARTMENT: Rule(read=UNIT, write=UNIT),
}
ORDER_OFFICE_ROWS = {
    Role.ADMIN: Rule(read=DISTRICT, write=DISTRICT),
    Role.COMMANDER: Rule(read=DISTRICT, write=DISTRICT),
}
ORDER_REVIEW_ROWS = {
    Role.ADMIN: Rule(read=DISTRICT, write=DISTRICT),
    Role.LEADER: Rule(read=DISTRICT, write=DISTRICT),
}


def order_place(order) -> Place:
    return Place(unit_id=order.unit_id)


def _scoped(grant: access.Grant) -> QuerySet[SupervisionOrder]:
    qs = SupervisionOrder.objects.all()
    if grant.everywhere:
        return qs
    # a unit sees its orders from the day they are issued (a draft or one in review is the office's)
    return grant.filter(qs, unit="unit_id").filter(issued_on__isnull=False)


def order_scope(user) -> QuerySet[SupervisionOrder]:
    """The orders the user reads (the system actor: all, for the bulletin and commands)."""
    if is_system(user):
        return SupervisionOrder.objects.all()
    return _scoped(access.grant(user, "oversight.order"))


def order_write_scope(user) -> QuerySet[SupervisionOrder]:
    """Orders the user may act on as the unit (or, for the office, at all)."""
    return _scoped(access.grant(user, "oversight.order", write=True))


def order_unit_condition(user) -> Q | None:
    """The orders the user answers for as their unit (street or department role at the order's unit):
    None when the user holds no such role. Feedback, receipt and starting are theirs only."""
    grant = access.grant(user, "oversight.order", write=True)
    roles = grant.roles_at(UNIT)
    if not roles:
        return None
    return Q(unit_id__in=grant.unit_ids, issued_on__isnull=False)


def order_reader(user) -> bool:
    return bool(access.grant(user, "oversight.order"))


def order_office(user) -> bool:
    """The office (领导小组办公室) and the admin: draft, submit, verify, return, cancel."""
    return access.grant(user, "oversight.order_office", write=True).everywhere


def order_reviewer(user) -> bool:
    """The leader (and the admin): approve an order for issue or send it back."""
    return access.grant(user, "oversight.order_review", write=True).everywhere


def _evidence(order) -> int:
    return order.evidence.order_by("id").first().pk


def _shows(order) -> str:
    return order.title


ORDER_ENDPOINTS = (
    Endpoint("order_page", lambda o: reverse("oversight:order_detail", args=[o.pk]), shows=_shows),
    Endpoint("order_api", lambda o: f"/api/oversight/orders/{o.pk}", shows=_shows),
    Endpoint("order_docx", lambda o: reverse("oversight:order_docx", args=[o.pk])),
    Endpoint("order_evidence_file", lambda o: reverse("oversight:order_evidence", args=[_evidence(o)])),
    Endpoint("order_receive_page", lambda o: reverse("oversight:order_receive", args=[o.pk]), write=True,
             method="POST"),
    Endpoint("order_receive_api", lambda o: f"/api/oversight/orders/{o.pk}/receive", write=True, method="POST"),
    Endpoint("order_start_page", lambda o: reverse("oversight:order_start", args=[o.pk]), write=True,
             method="POST"),
    Endpoint("order_start_api", lambda o: f"/api/oversight/orders/{o.pk}/start", write=True, method="POST"),
    Endpoint("order_feedback_page", lambda o: reverse("oversight:order_feedback", args=[o.pk]), write=True,
             method="POST"),
    Endpoint("order_feedback_api", lambda o: f"/api/oversight/orders/{o.pk}/feedback", write=True, method="POST"),
)
ORDER_OFFICE_ENDPOINTS = (
    Endpoint("order_edit_page", lambda o: reverse("oversight:order_edit", args=[o.pk]), write=True, method="POST"),
    Endpoint("order_patch_api", lambda o: f"/api/oversight/orders/{o.pk}", write=True, method="PATCH"),
    Endpoint("order_submit_page", lambda o: reverse("oversight:order_submit", args=[o.pk]), write=True,
             method="POST"),
    Endpoint("order_submit_api", lambda o: f"/api/oversight/orders/{o.pk}/submit", write=True, method="POST"),
    Endpoint("order_verify_page", lambda o: reverse("oversight:order_verify", args=[o.pk]), write=True,
             method="POST"),
    Endpoint("order_verify_api", lambda o: f"/api/oversight/orders/{o.pk}/verify", write=True, method="POST"),
    Endpoint("order_cancel_page", lambda o: reverse("oversight:order_cancel", args=[o.pk]), write=True,
             method="POST"),
    Endpoint("order_cancel_api", lambda o: f"/api/oversight/orders/{o.pk}/cancel", write=True, method="POST"),
)
ORDER_REVIEW_ENDPOINTS = (
    Endpoint("order_review_page", lambda o: reverse("oversight:order_review", args=[o.pk]), write=True,
             method="POST"),
    Endpoint("order_review_api", lambda o: f"/api/oversight/orders/{o.pk}/review", write=True, method="POST"),
)

access.register("oversight.order", ORDER_ROWS, locate=order_place, endpoints=ORDER_ENDPOINTS)
access.register("oversight.order_office", ORDER_OFFICE_ROWS, locate=order_place, endpoints=ORDER_OFFICE_ENDPOINTS)
access.register("oversight.order_review", ORDER_REVIEW_ROWS, locate=order_place, endpoints=ORDER_REVIEW_ENDPOINTS)
