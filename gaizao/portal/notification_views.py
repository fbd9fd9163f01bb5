"""In-platform notifications (站内通知): the user's list, one notice, and the bell's unread count.

Any signed-in user reads their own notifications and no one else's (another's answers 404). The
navbar bell asks for its count with htmx after the page has loaded, so no page pays a query for it.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gaizao.core import notifications


def _safe_link(request, link: str) -> str:
    # Links are written by the platform, but a notice must never send anyone off-site.
    if link and link.startswith("/") and url_has_allowed_host_and_scheme(
            link, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return link
    return ""


@login_required
@require_GET
def notification_list(request):
    before = request.GET.get("before", "")
    before = int(before) if before.isdigit() and len(before) < 19 else None
    rows, next_before = notifications.notification_page(request.user, before=before)
    for row in rows:
        row.unread = row.read_at is None
        row.safe_link = _safe_link(request, row.link)
    # Shown is read: the bell counts what the user has not yet seen.
    notifications.mark_read(request.user, rows)
    return render(request, "portal/notifications.html", {
        "notifications": rows,
        "next_url": f"?before={next_before}" if next_before else None,
        "breadcrumbs": [(_("站内通知"), None)],
    })


@login_required
@require_GET
def notification_open(request, pk: int):
    """One notice: marked read, then its link (or the list when it has none)."""
    # A number past the database's integer range is as absent as any other.
    notice = notifications.notification_get(request.user, pk=pk) if pk < 2**63 else None
    if notice is None:
        raise Http404(_("页面不存在。"))
    notifications.mark_read(request.user, [notice])
    return redirect(_safe_link(request, notice.link) or reverse("portal:notifications"))


@require_GET
def notification_badge(request):
    """The bell's unread count (an htmx fragment). Signed out: nothing to swap in (204)."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    return render(request, "portal/notifications_badge.html", {
        "unread": notifications.unread_count(request.user),
    })
