"""Reads for the 公文模板 page."""

from __future__ import annotations

from gaizao.documents import docx
from gaizao.documents.models import DocumentTemplate

HISTORY = 5  # earlier uploads shown per kind


def template_overview() -> list[dict]:
    """Each kind with the template in use (None: the shipped one) and its latest earlier uploads. One query."""
    rows = list(DocumentTemplate.objects.select_related("uploaded_by").order_by("kind", "-uploaded_at", "-id"))
    by_kind: dict[str, list[DocumentTemplate]] = {}
    for row in rows:
        by_kind.setdefault(row.kind, []).append(row)
    out = []
    for kind, label in docx.KINDS.items():
        uploads = by_kind.get(kind, [])
        active = next((u for u in uploads if u.active), None)
        out.append({"kind": kind, "label": label, "active": active,
                    "history": [u for u in uploads if not u.active][:HISTORY]})
    return out
