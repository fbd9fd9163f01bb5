"""Pages of the weekly bulletin (工作通报) and the leader's page (领导驾驶舱).

The bulletins' list with the office's "生成本周通报" button (POST) and each bulletin's DOCX and XLSX; the
leader's page: ranking, lights, red items, orders by colour, the latest bulletin, on a phone too. Thin:
parse, call a selector or a service, render. Readers out of the table get 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gaizao.core.errors import AppError
from gaizao.core.requests import client_ip as _ip
from gaizao.core.scoping import get_in_scope
from gaizao.documents.docx import CONTENT_TYPE as DOCX
from gaizao.oversight.bulletin_doc import bulletin_docx, bulletin_filename, bulletin_xlsx
from gaizao.oversight.policies.bulletins import bulletin_reader, bulletin_scope, bulletin_writer, leader_page_reader
from gaizao.oversight.selectors import bulletins as selectors
from gaizao.oversight.services.bulletins import bulletin_generate

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _list_context(request, **extra) -> dict:
    today = timezone.localdate()
    return {"bulletins": selectors.bulletin_list(), "can_generate": bulletin_writer(request.user),
            "this_week": selectors.week_of(today).period, "breadcrumbs": [(_("工作通报"), None)],
            "period_value": extra.pop("period_value", selectors.week_of(today).period),
            "next_steps_value": extra.pop("next_steps_value", ""), **extra}


@login_required
@require_GET
def bulletin_list(request):
    """工作通报: every week's bulletin with its downloads; the office generates this week's."""
    if not bulletin_reader(request.user):
        raise Http404(_("不存在或无权查看。"))
    return render(request, "oversight/bulletins/list.html", _list_context(request))


@login_required
@require_POST
def bulletin_generate_page(request):
    """生成本周通报 (or another week's): the first generation freezes it; again, the frozen one."""
    if not bulletin_writer(request.user):
        raise Http404(_("不存在或无权操作。"))
    period = request.POST.get("period") or selectors.week_of(timezone.localdate()).period
    next_steps = request.POST.get("next_steps") or None
    try:
        bulletin, created = bulletin_generate(actor=request.user, period=period, next_steps=next_steps,
                                              ip=_ip(request))
    except AppError as exc:
        context = _list_context(request, error=exc, period_value=period, next_steps_value=next_steps or "")
        return render(request, "oversight/bulletins/list.html", context, status=exc.status)
    if created:
        messages.success(request, _("已生成%(t)s（%(n)s），数据已固定。") % {"t": bulletin.title, "n": bulletin.number})
    else:
        messages.info(request, _("%(t)s此前已生成，数据已固定，下载的文件与原件相同。") % {"t": bulletin.title})
    return redirect(reverse("oversight:bulletins") + f"#bulletin-{bulletin.pk}")


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
@require_GET
def bulletin_docx_page(request, pk: int):
    bulletin = get_in_scope(bulletin_scope(request.user), pk=pk)
    return _download(bulletin_docx(bulletin.data), DOCX, bulletin_filename(bulletin, "docx"))


@login_required
@require_GET
def bulletin_xlsx_page(request, pk: int):
    bulletin = get_in_scope(bulletin_scope(request.user), pk=pk)
    return _download(bulletin_xlsx(bulletin.data), XLSX, bulletin_filename(bulletin, "xlsx"))


@login_required
@require_GET
def leader_page(request):
    """督查考核总览 (领导驾驶舱): one page for the leaders, the office and the admin."""
    if not leader_page_reader(request.user):
        raise Http404(_("不存在或无权查看。"))
    view = selectors.leader_overview()
    return render(request, "oversight/leader/page.html", {
        "view": view, "can_generate": bulletin_writer(request.user),
        "breadcrumbs": [(_("督查考核总览"), None)],
    })


urlpatterns = [
    path("bulletins/", bulletin_list, name="bulletins"),
    path("bulletins/generate/", bulletin_generate_page, name="bulletin_generate"),
    path("bulletins/<int:pk>/docx/", bulletin_docx_page, name="bulletin_docx"),
    path("bulletins/<int:pk>/xlsx/", bulletin_xlsx_page, name="bulletin_xlsx"),
    path("leader/", leader_page, name="leader"),
]
