"""Forms of recording progress (记录进度), one household or many, and the dates import: they parse what was typed; the services judge it.

The kind, date and order of stages are checked by ``progress.services.events``; a form only turns
the request into the values a service takes, and shows the service's message beside the form.
"""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.core.errors import AppError
from gaizao.core.forms import StyledForm
from gaizao.core.tabular.reader import MAX_FILE_BYTES
from gaizao.ledger.choices import Stage
from gaizao.progress.choices import ResettlementMode
from gaizao.progress.stages import RECORDABLE

KIND_CHOICES = [(k.value, k.label) for k in RECORDABLE]
MODE_CHOICES = [("", gettext_lazy("（不适用）")), *ResettlementMode.choices]
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (``<input type=file multiple>``); the service checks each one."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def _date_field(label, *, required=True):
    return forms.DateField(label=label, required=required, widget=DATE_INPUT)


class ProgressForm(StyledForm):
    """Shows a service's refusal as one sentence above the form, and marks the field it names."""

    def show_error(self, exc: AppError) -> None:
        self.add_error(None, exc.message)
        for name in exc.fields:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"


class StageForm(ProgressForm):
    """The fields of recording a stage, one household or many: what, when, how resettled, why."""

    kind = forms.ChoiceField(label=gettext_lazy("事项"), choices=KIND_CHOICES)
    on_date = _date_field(gettext_lazy("日期"))
    resettlement_mode = forms.ChoiceField(label=gettext_lazy("安置方式"), choices=MODE_CHOICES, required=False,
                                          help_text=gettext_lazy("记录“安置”时必选。"))
    note = forms.CharField(label=gettext_lazy("说明"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))
    # Shown by the page only where it is needed: a 拆除 that brings down a building with a heritage
    # element, to an account that may override (the service judges the rest).
    heritage_override_reason = forms.CharField(
        label=gettext_lazy("特批拆除理由（涉及历史文化要素）"), required=False, max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("房屋登记有历史文化要素时必填：不少于 10 个字，写明确需拆除的理由和批准文件文号；"
                               "理由、操作人和涉及的要素记入审计日志。"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("on_date", timezone.localdate())
        super().__init__(*args, **kwargs)


class EventForm(StageForm):
    """Record the next event of one household (记录进度)."""

    attachments = MultipleFileField(label=gettext_lazy("附件"), required=False,
                                    help_text=gettext_lazy("PDF、JPG、PNG、DOCX 或 XLSX，每个不超过 20 MB，最多 10 个。"))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, kinds: list[str] | None = None, **kwargs):
        kwargs.setdefault("initial", {})
        if kinds:
            kwargs["initial"].setdefault("kind", kinds[0])
        super().__init__(*args, **kwargs)
        # Offer the kinds that make sense now; any recordable kind is accepted (the service judges).
        if kinds is not None:
            offered = set(kinds)
            if self.is_bound and self.data.get("kind") in dict(KIND_CHOICES):
                offered.add(self.data.get("kind"))
            self.fields["kind"].widget.choices = [c for c in KIND_CHOICES if c[0] in offered]
        self.fields["attachments"].widget.attrs.update({"class": "form-control",
                                                        "accept": ".pdf,.jpg,.jpeg,.png,.docx,.xlsx"})

    def values(self) -> dict:
        data = self.cleaned_data
        return {"kind": data["kind"], "on_date": data["on_date"], "note": data.get("note") or "",
                "resettlement_mode": data.get("resettlement_mode") or "",
                "heritage_override_reason": data.get("heritage_override_reason") or "",
                "attachments": data.get("attachments") or []}


class CorrectionForm(ProgressForm):
    """Correct one event (更正): a new date, or void it (撤销); the reason is required."""

    DATE, VOID = "date", "void"
    action = forms.ChoiceField(label=gettext_lazy("更正方式"), widget=forms.RadioSelect,
                               choices=[(DATE, gettext_lazy("改为新日期")), (VOID, gettext_lazy("撤销这条记录"))],
                               initial=DATE)
    on_date = _date_field(gettext_lazy("新日期"), required=False)
    note = forms.CharField(label=gettext_lazy("更正原因"), required=False, max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == self.DATE and not cleaned.get("on_date") and "on_date" not in self.errors:
            self.add_error("on_date", _("请填写新的日期，或选择“撤销这条记录”。"))
        return cleaned

    def values(self) -> dict:
        data = self.cleaned_data
        void = data["action"] == self.VOID
        return {"void": void, "on_date": None if void else data["on_date"], "note": data.get("note") or ""}


class ProjectChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, project) -> str:
        return f"{project.code} {project.name}（{project.village.name}）"


class BulkFilterForm(StyledForm):
    """Which households the bulk page lists: a project, optionally those at one stage (GET)."""

    project = ProjectChoiceField(label=gettext_lazy("项目"), queryset=None, to_field_name="code",
                                 empty_label=gettext_lazy("请选择项目"), required=False)
    stage = forms.ChoiceField(label=gettext_lazy("当前阶段"), required=False,
                              choices=[("", gettext_lazy("全部阶段")), *Stage.choices])
    after = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects


class BulkRecordForm(StageForm):
    """The same stage, on the same day, for many households (批量记录)."""

    field_order = ["project", "kind", "on_date", "resettlement_mode", "note", "heritage_override_reason", "numbers"]

    project = ProjectChoiceField(label=gettext_lazy("项目"), queryset=None, to_field_name="code",
                                 empty_label=gettext_lazy("请选择项目"))
    numbers = forms.CharField(
        label=gettext_lazy("粘贴户号"), required=False, max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": gettext_lazy("每行一个，或用空格、逗号、顿号隔开")}),
        help_text=gettext_lazy("也可以在住户列表中勾选；两者合并记录。"))

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects

    def ticked(self) -> list[int]:
        """The household ids ticked in the list (ignoring what is not a number)."""
        return [int(v) for v in self.data.getlist("households") if str(v).isdigit()] if self.is_bound else []


class EventsImportForm(StyledForm):
    """An XLSX of stage dates per 户号 (从 Excel 导入进度日期)."""

    project = ProjectChoiceField(label=gettext_lazy("项目"), queryset=None, to_field_name="code",
                                 empty_label=gettext_lazy("请选择项目"))
    file = forms.FileField(label=gettext_lazy("日期文件"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xlsm,.xls,.ods,.csv"}),
                           help_text=gettext_lazy("须有“户号”列和若干日期列（入户调查日期、签约日期、腾空交房日期……）。"))
    dry_run = forms.BooleanField(label=gettext_lazy("只检查，不写入"), required=False)
    heritage_override_reason = StageForm.base_fields["heritage_override_reason"]

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects
        self.fields["dry_run"].widget.attrs["class"] = "form-check-input"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("文件超过 %(mb)d MB。") % {"mb": MAX_FILE_BYTES // (1024 * 1024)})
        if Path(upload.name).suffix.lower() not in (".xlsx", ".xlsm", ".xls", ".ods", ".csv"):
            raise forms.ValidationError(_("不支持这种文件；请上传 .xlsx、.xls、.ods 或 .csv 文件。"))
        return upload
