"""Helpers for the supervision order tests: orders in a given state, made through the services."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from gaizao.oversight.services import orders as services


def pdf(name: str = "佐证.pdf", size: int = 0) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 evidence" + b"0" * size, content_type="application/pdf")


def draft(cast, *, title="东湖村签约推进督办", **kwargs):
    values = {"actor": cast.commander, "title": title, "requirement": "逐户落实，按期反馈。",
              "unit": cast.street_a, "deadline_workdays": 5}
    values.update(kwargs)
    return services.order_create(**values)


def issued(cast, *, on: dt.date | None = None, **kwargs):
    order = draft(cast, **kwargs)
    services.order_submit(actor=cast.commander, order=order)
    services.order_review(actor=cast.leader, order=order, approve=True, on=on)
    order.refresh_from_db()
    return order


def fed_back(cast, *, user=None, **kwargs):
    order = issued(cast, **kwargs)
    user = user or cast.street_user_a
    services.order_receive(actor=user, order=order)
    services.order_feedback(actor=user, order=order, text="已逐户落实。", files=[pdf()])
    order.refresh_from_db()
    return order
