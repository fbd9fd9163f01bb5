"""Supervision orders for the scope matrix: one order for each of the two streets and the department,
issued, received and fed back with an evidence file (the evidence route is checked on it)."""

from django.core.files.uploadedfile import SimpleUploadedFile


def pdf(name: str = "佐证.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 evidence", content_type="application/pdf")


def fed_back_orders(cast):
    from gaizao.oversight.services import orders as services

    out = []
    for unit, user, title in ((cast.street_a, cast.street_user_a, "东湖街道抽样督办"),
                              (cast.street_b, cast.street_user_b, "西岭街道抽样督办"),
                              (cast.department, cast.department_user, "住建局抽样督办")):
        order = services.order_create(actor=cast.commander, title=title, requirement="按期办结并反馈。", unit=unit,
                                      deadline_workdays=10)
        services.order_submit(actor=cast.commander, order=order)
        services.order_review(actor=cast.leader, order=order, approve=True)
        services.order_receive(actor=user, order=order)
        services.order_feedback(actor=user, order=order, text="已办结。", files=[pdf()])
        order.refresh_from_db()
        out.append(order)
    return out


SAMPLES = {
    "oversight.order": fed_back_orders,
    "oversight.order_office": fed_back_orders,
    "oversight.order_review": fed_back_orders,
}

BODIES = {
    "order_feedback_api": lambda order: {"text": "补充反馈", "files": pdf("补充.pdf")},
    "order_feedback_page": lambda order: {"text": "补充反馈", "files": pdf("补充.pdf")},
    "order_verify_page": lambda order: {"passed": "0", "reason": "佐证不足"},
    "order_verify_api": lambda order: {"passed": False, "reason": "佐证不足"},
    "order_cancel_page": lambda order: {"reason": "矩阵撤销"},
    "order_cancel_api": lambda order: {"reason": "矩阵撤销"},
}
