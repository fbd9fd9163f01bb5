"""The 公文模板 page: each kind's template in use, downloads, previews; the administrator uploads and reverts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from gaizao.core.requests import client_ip
from gaizao.documents import docx, policies, selectors, services
from gaizao.documents.forms import TemplateUploadForm


HELP = (
    _lazy("{{ title }} 这样的标记会换成公文的内容：可以改它的字体、字号和位置，不要删去或拆开。"),
    _lazy("单独成段的 {%p for … %} 与 {%p endfor %} 之间的段落按条数重复，{%p if … %} 与 {%p endif %} 之间的段落"
          "只在有内容时出现；表格中的 {%tr … %} 重复行，{%tc … %} 重复列。"),
    _lazy("每种公文可用的内容（键名）见使用说明“公文模板”一页；上传前可先点“示例预览”看效果。"),
)


def _reader(request, kind: str | None = None) -> None:
    if not policies.template_reader(request.user) or (kind is not None and kind not in docx.KINDS):
        raise Http404(_("页面不存在。"))


def _writer(request, kind: str) -> None:
    _reader(request, kind)
    if not policies.template_writer(request.user):
        raise Http404(_("页面不存在。"))


def _docx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=docx.CONTENT_TYPE)
    from django.utils.http import content_disposition_header

    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _page(request, *, form=None, form_kind=None, status=200):
    writer = policies.template_writer(request.user)
    return render(request, "documents/template_list.html", {
        "breadcrumbs": [(_("公文模板"), None)], "kinds": selectors.template_overview(), "writer": writer,
        "form": form, "form_kind": form_kind, "help": HELP, "blank_form": TemplateUploadForm() if writer else None,
    }, status=status)


@login_required
def template_list(request):
    _reader(request)
    return _page(request)


@login_required
def template_current(request, kind: str):
    _reader(request, kind)
    return _docx_response(docx.current_template(kind), f"{docx.KINDS[kind]}模板（当前）.docx")


@login_required
def template_default(request, kind: str):
    _reader(request, kind)
    return _docx_response(docx.default_template(kind), f"{docx.KINDS[kind]}模板（默认）.docx")


@login_required
def template_preview(request, kind: str):
    _reader(request, kind)
    return _docx_response(docx.render(kind, docx.sample_context(kind)), f"{docx.KINDS[kind]}（示例）.docx")


@login_required
@require_POST
def template_upload(request, kind: str):
    _writer(request, kind)
    form = TemplateUploadForm(request.POST, request.FILES)
    if form.is_valid() and form.submit(lambda: services.template_upload(
            actor=request.user, kind=kind, file=form.cleaned_data["file"], ip=client_ip(request))):
        messages.success(request, _("已启用新的%(label)s模板：%(name)s。") % {
            "label": docx.KINDS[kind], "name": form.result.original_name})
        return redirect(reverse("documents:template_list"))
    return _page(request, form=form, form_kind=kind, status=getattr(form, "error_status", 400))


@login_required
@require_POST
def template_revert(request, kind: str):
    _writer(request, kind)
    if services.template_revert(actor=request.user, kind=kind, ip=client_ip(request)):
        messages.success(request, _("%(label)s已恢复使用系统默认模板。") % {"label": docx.KINDS[kind]})
    return redirect(reverse("documents:template_list"))
