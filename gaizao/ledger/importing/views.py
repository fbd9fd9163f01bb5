"""Excel on the ledger pages (台账的 Excel 模板、导入、导出): parse the request, call, render.

Upload → a job previews the file in the background (``jobs``) → the job page polls its progress
and shows the preview → confirm → the job writes it through the import services → the result.
Who may import is decided by ``selectors.project_write_scope``; a job is seen by its uploader
(and the system administrator) only, everyone else gets 404.
"""

from __future__ import annotations

import io
import re
import tempfile
from pathlib import Path
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gaizao.core import errors
from gaizao.core.editing import edit_page
from gaizao.core.forms import StyledForm
from gaizao.core.requests import client_ip as _ip
from gaizao.core.scoping import get_in_scope
from gaizao.core.tabular.reader import MAX_FILE_BYTES, SPREADSHEET_SUFFIXES
from gaizao.ledger import selectors
from gaizao.ledger.importing import jobs
from gaizao.ledger.importing.engine import READ, WRITE
from gaizao.ledger.importing.export import export_households, export_project, export_project_for
from gaizao.ledger.importing.template import write_template
from gaizao.ledger.policies import ledger_writer, village_grant

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ACCEPT = ".xlsx,.xlsm,.xls,.ods,.csv"
STAGES = {READ: gettext_lazy("读取"), WRITE: gettext_lazy("写入")}


def _crumbs(*tail) -> list:
    return [(_("住户台账"), reverse("ledger:household_list")), *tail]


def _attachment(response: FileResponse, *, filename: str, fallback: str) -> FileResponse:
    """A Chinese file name (RFC 5987), with an ASCII one for clients that do not read it."""
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", fallback)
    encoded = quote(filename, safe="")
    response["Content-Disposition"] = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
    return response


def _xlsx_response(handle, *, filename: str, fallback: str) -> FileResponse:
    return _attachment(FileResponse(handle, content_type=XLSX), filename=filename, fallback=fallback)


class ProjectChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, project) -> str:
        return f"{project.code} {project.name}（{project.village.name}）"


class UploadForm(StyledForm):
    project = ProjectChoiceField(label=gettext_lazy("导入到项目"), queryset=None, to_field_name="code",
                                 empty_label=gettext_lazy("请选择项目"))
    file = forms.FileField(
        label=gettext_lazy("台账文件"), widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=gettext_lazy("Excel（.xlsx、.xlsm、.xls）、WPS/LibreOffice（.ods）或 .csv，不超过 50 MB。"),
    )

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in SPREADSHEET_SUFFIXES:
            raise forms.ValidationError(_("不支持这种文件；请上传 .xlsx、.xlsm、.xls、.ods 或 .csv 文件。"))
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("文件超过单次导入上限 %(mb)d MB；请拆分成几个文件分批导入。")
                                        % {"mb": MAX_FILE_BYTES // (1024 * 1024)})
        return upload


class ExportForm(StyledForm):
    project = ProjectChoiceField(label=gettext_lazy("项目"), queryset=None, to_field_name="code",
                                 empty_label=gettext_lazy("请选择项目"))
    full = forms.BooleanField(label=gettext_lazy("导出完整身份证号和手机号（记入审计日志）"), required=False)

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects
        self.fields["full"].widget.attrs["class"] = "form-check-input"


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request):
    """The upload page (导入台账): choose the project and the file."""
    if not ledger_writer(request.user):
        raise Http404(_("不存在或无权查看。"))
    projects = selectors.project_write_scope(request.user).order_by("code")
    named = request.POST.get("project") or request.GET.get("project")
    if named and not projects.filter(code=named).exists():
        raise Http404(_("不存在或无权查看。"))  # another street's project looks like no project
    form = UploadForm(request.POST or None, request.FILES or None, projects=projects,
                      initial={"project": request.GET.get("project")})
    # No message: the job's page (where the browser goes) says what is happening to the file.
    return edit_page(request, form, save=lambda form: jobs.import_job_create(
        actor=request.user, project=form.cleaned_data["project"], upload=form.cleaned_data["file"], ip=_ip(request)),
        message="", done=lambda job: reverse("ledger:import_job", kwargs={"pk": job.pk}),
        page=lambda status: render(request, "ledger/import_start.html", {
            "form": form,
            "has_projects": projects.exists(),
            "recent": jobs.import_job_list(request.user),
            "breadcrumbs": _crumbs((_("导入台账"), None)),
        }, status=status))


def _job_context(request, job) -> dict:
    summary = job.summary or {}
    to_write = summary.get("new", 0) + summary.get("changed", 0)
    progress = jobs.import_job_progress(job)
    result = job.result or {}
    new_rows = [c for c in summary.get("changes", []) if c["status"] == "new"]
    changed_rows = [c for c in summary.get("changes", []) if c["status"] == "changed"]
    return {
        "job": job,
        "summary": summary,
        "progress": progress,
        "stage_label": STAGES.get(progress.stage, ""),
        "stalled": jobs.import_job_stalled(job),
        "waiting": jobs.import_job_waiting(job),
        "waiting_long": jobs.import_job_waiting_long(job),
        "new_rows": new_rows,
        "changed_rows": changed_rows,
        "changes_more": summary.get("changes_total", 0) > len(new_rows) + len(changed_rows),
        "to_write": to_write,
        "can_confirm": job.actor_id == request.user.pk and job.status == job.Status.PREVIEWED and to_write > 0,
        "result": result,
        "written": {
            "households": result.get("created", 0) + result.get("updated", 0),
            "buildings": result.get("buildings_created", 0) + result.get("buildings_updated", 0),
            "persons": result.get("persons_created", 0) + result.get("persons_updated", 0),
        },
    }


@login_required
@require_GET
def import_job(request, pk):
    """A job's page: progress while it runs (polled by htmx), then the preview or the result."""
    job = get_in_scope(jobs.import_job_scope(request.user), pk=pk)
    context = _job_context(request, job)
    if request.htmx:
        response = render(request, "ledger/import_job_body.html", context)
    else:
        response = render(request, "ledger/import_job.html", {
            **context, "breadcrumbs": _crumbs((_("导入台账"), reverse("ledger:import_start")), (job.filename, None)),
        })
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_POST
def import_confirm(request, pk):
    """确认导入 / 仅导入有效的住户: queue the writing; the job page follows it."""
    job = get_in_scope(jobs.import_job_write_scope(request.user), pk=pk)
    try:
        jobs.import_job_confirm(actor=request.user, job=job, fingerprint=request.POST.get("fingerprint", ""),
                                skip_invalid=request.POST.get("skip_invalid") == "1", ip=_ip(request))
    except errors.NotFound:
        raise Http404(_("不存在或无权查看。")) from None
    except errors.AppError as exc:
        messages.error(request, exc.message)
    return redirect("ledger:import_job", pk=job.pk)


@login_required
@require_GET
def import_errors(request, pk):
    """The error report of a job (错误清单.xlsx): every rejected row with its row number and reason."""
    job = get_in_scope(jobs.import_job_scope(request.user), pk=pk)
    path = jobs.media_path(job.error_report_path) if job.error_report_path else None
    if path is None or not path.exists():
        raise Http404(_("这个导入没有错误清单。"))
    stem = Path(job.filename).stem
    return _xlsx_response(open(path, "rb"), filename=_("%(f)s 错误清单.xlsx") % {"f": stem},
                          fallback="import-errors.xlsx")


@login_required
@require_GET
def template_download(request):
    """The empty ledger template (下载模板): drop-down lists and a notes sheet; it holds no data."""
    buffer = io.BytesIO()
    write_template(buffer)
    buffer.seek(0)
    return _xlsx_response(buffer, filename=_("住户台账导入模板.xlsx"), fallback="ledger-template.xlsx")


@login_required
@require_GET
def export_download(request):
    """A project's ledger in the template layout (导出台账); ``?full=1`` for full numbers, audited.

    Without ``?project=`` the page lets the user choose the project.
    """
    code = request.GET.get("project", "")
    full = request.GET.get("full") in {"1", "on", "true"}
    if not code:
        projects = selectors.project_scope(request.user).order_by("code")
        return render(request, "ledger/import_export.html", {
            "form": ExportForm(projects=projects),
            "can_full": ledger_writer(request.user),
            "breadcrumbs": _crumbs((_("导出台账"), None)),
        })
    try:
        project = export_project_for(actor=request.user, code=code, full=full)
    except errors.NotFound:
        raise Http404(_("不存在或无权查看。")) from None
    except errors.PermissionDenied as exc:
        raise PermissionDenied(exc.message) from None
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # gone when the response closes it
    export_project(actor=request.user, project=project, out=handle, full=full, ip=_ip(request))
    handle.seek(0)
    today = timezone.localdate().strftime("%Y%m%d")
    name = _("%(code)s %(name)s 住户台账 %(day)s%(full)s.xlsx") % {
        "code": project.code, "name": project.name, "day": today, "full": _("（完整号码）") if full else ""}
    return _xlsx_response(handle, filename=name, fallback=f"ledger-{project.code}-{today}.xlsx")


@login_required
@require_GET
def household_export(request):
    """The household list as it is filtered (按筛选条件导出), every page of it, numbers masked.

    For those who read villages (a street's staff its street, the district roles all); the query
    string is the list's, so the button exports what the list shows. A search by citizen ID is not
    exported (that search is audited and limited one page at a time)."""
    from gaizao.ledger.forms import HouseholdFilterForm
    from gaizao.ledger.selectors.lists import household_search_is_by_id

    if not village_grant(request.user):
        raise Http404(_("页面不存在。"))
    form = HouseholdFilterForm(request.GET or None, user=request.user)
    back = reverse("ledger:household_list") + (f"?{request.GET.urlencode()}" if request.GET else "")
    if not form.valid_or_unbound():
        messages.error(request, _("筛选条件有误，请改正后再导出：%(e)s") % {
            "e": "；".join(f"{form.fields[k].label if k in form.fields else ''}{v[0]}" for k, v in form.errors.items())})
        return redirect(back)
    filters = form.filters()
    filters.pop("after", None)
    if household_search_is_by_id(filters.get("q") or ""):
        messages.error(request, _("按身份证号查询的结果不能导出；请按姓名、户号或筛选条件导出。"))
        return redirect(back)
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # gone when the response closes it
    export_households(actor=request.user, ids=selectors.household_export_ids(request.user, **filters), out=handle,
                      filters=filters, ip=_ip(request))
    handle.seek(0)
    today = timezone.localdate().strftime("%Y%m%d")
    return _xlsx_response(handle, filename=_("住户台账（筛选结果） %(day)s.xlsx") % {"day": today},
                          fallback=f"households-{today}.xlsx")
