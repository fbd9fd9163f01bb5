"""Forms of the task pages (任务清单): filters, a task (new, sub-task, edit), a note, files, closing,
and the XLSX upload. They parse what was typed; the services check it and their refusals come back
beside the field (``StyledForm.apply_error``)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gaizao.campaign.choices import TaskCategory, TaskStatus
from gaizao.campaign.policies import campaign_scope
from gaizao.campaign.selectors.tasks import OPEN
from gaizao.campaign.services.tasks import campaign_units
from gaizao.core.forms import StyledForm
from gaizao.ledger.models import Village
from gaizao.org.models import OrgUnit, User
from gaizao.progress.forms.events import MultipleFileField

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date(label, *, required=False, help_text=""):
    return forms.DateField(label=label, required=required, help_text=help_text, widget=DATE_INPUT)


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.get_kind_display()}）"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.full_name or obj.username}（{getattr(obj, 'unit_name', '')}）"


def person_options(units) -> "forms.QuerySet":
    """The staff of the given units, each with the unit's name (one query)."""
    from django.db.models import F

    return (User.objects.filter(is_active=True, memberships__org_unit__in=units)
            .annotate(unit_name=F("memberships__org_unit__name")).order_by("memberships__org_unit__path", "full_name")
            .distinct())


class TaskFilterForm(StyledForm):
    campaign = forms.ModelChoiceField(label=_("攻坚行动"), queryset=None, required=False, empty_label=None)
    unit = UnitChoiceField(label=_("责任单位"), queryset=None, required=False, empty_label=_("全部单位"))
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("", _("全部状态")), (OPEN, _("未办结")), *TaskStatus.choices])
    category = forms.ChoiceField(label=_("类别"), required=False, choices=[("", _("全部类别")), *TaskCategory.choices])
    overdue = forms.BooleanField(label=_("仅看逾期"), required=False,
                                 widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
    after = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaign_scope(user).order_by("-year", "-starts_on", "-id")
        self.fields["unit"].queryset = campaign_units()
        self.fields["overdue"].widget.attrs["class"] = "form-check-input"

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_bound else {}
        return {"unit": data.get("unit"), "status": data.get("status") or None,
                "category": data.get("category") or None, "overdue": True if data.get("overdue") else None,
                "after": data.get("after")}

    def narrowed(self) -> bool:
        """A filter other than the campaign is set: the flat list, not the tree."""
        filters = self.filters()
        return any(filters[name] for name in ("unit", "status", "category", "overdue"))


class TaskForm(StyledForm):
    """A task: new (the office), a sub-task (under ``parent``), or an edit (``task``)."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("任务名称"), required=False, max_length=200)
    unit = UnitChoiceField(label=_("责任单位"), queryset=None, required=False)
    person = PersonChoiceField(label=_("责任人"), queryset=None, required=False, empty_label=_("（单位负责，不指定）"))
    deadline = _date(_("完成时限"), help_text=_("遇休息日自动顺延至下一个工作日"))
    workdays = forms.IntegerField(label=_("或：时限（工作日）"), required=False, min_value=1, max_value=1000,
                                  help_text=_("从起算日期起算的工作日数，与完成时限只填一项"))
    start = _date(_("起算日期"), help_text=_("默认今天"))
    category = forms.ChoiceField(label=_("类别"), required=False, choices=TaskCategory.choices)
    village = forms.ModelChoiceField(label=_("城中村"), queryset=None, required=False, empty_label=_("（不限）"))
    description = forms.CharField(label=_("任务要求"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    wide_fields = ("description",)

    def __init__(self, *args, units=None, task=None, **kwargs):
        if task is not None:
            kwargs.setdefault("initial", {
                "version": task.version, "title": task.title, "unit": task.unit_id, "person": task.person_id,
                "deadline": task.deadline, "category": task.category, "village": task.village_id,
                "description": task.description})
        super().__init__(*args, **kwargs)
        units = units if units is not None else campaign_units()
        self.fields["unit"].queryset = units
        self.fields["person"].queryset = person_options(units)
        self.fields["village"].queryset = Village.objects.order_by("code")
        if task is None:
            del self.fields["version"]

    def values(self) -> dict:
        values = {name: value for name, value in self.cleaned_data.items() if name != "version"}
        if values.get("workdays") and values.get("deadline") == self.initial.get("deadline"):
            values["deadline"] = None  # an edit counting working days anew: the old date gives way
        return values


class NoteForm(StyledForm):
    text = forms.CharField(label=_("进展情况"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    progress = forms.IntegerField(label=_("完成进度（%）"), required=False, min_value=0, max_value=100)
    wide_fields = ("text",)


class AttachForm(StyledForm):
    files = MultipleFileField(label=_("附件"), required=False,
                              help_text=_("PDF、JPG、PNG、DOCX 或 XLSX，每个不超过 20 MB，一次最多 10 个"))


class CompleteForm(StyledForm):
    done_on = _date(_("完成日期"))
    note = forms.CharField(label=_("办结说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"done_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("原因"), required=False, max_length=200)


class TaskImportForm(StyledForm):
    campaign = forms.ModelChoiceField(label=_("攻坚行动"), queryset=None, empty_label=None)
    file = forms.FileField(label=_("任务清单文件（XLSX）"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaign_scope(user).order_by("-year", "-starts_on", "-id")


def sub_units(parent_unit: OrgUnit):
    """The units a street or department may give a sub-task to: itself and the campaign units below it."""
    from django.db.models import Q

    return campaign_units().filter(Q(pk=parent_unit.pk) | Q(path__startswith=f"{parent_unit.path}/"))
