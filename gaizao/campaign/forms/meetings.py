"""Forms of the meeting pages (例会): the meeting's record, a decision, a decision made a task."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gaizao.campaign.choices import MeetingKind
from gaizao.core.forms import StyledForm
from gaizao.org.choices import OrgKind
from gaizao.org.models import OrgUnit, User


def _date(label, *, required=False):
    return forms.DateField(label=label, required=required,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


def _area(label, rows=3):
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": rows}))


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class MeetingForm(StyledForm):
    wide_fields = ("attendees", "agenda", "minutes")
    kind = forms.ChoiceField(label=_("会议类型"), choices=MeetingKind.choices)
    unit = UnitChoiceField(label=_("召开街道（街道例会）"), queryset=OrgUnit.objects.none(), required=False)
    title = forms.CharField(label=_("会议名称"), max_length=200, required=False)
    number = forms.CharField(label=_("纪要编号（期号）"), max_length=60, required=False)
    held_on = _date(_("会议日期"), required=True)
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    chair = forms.CharField(label=_("主持人"), max_length=50, required=False)
    attendees = _area(_("参会人员"), rows=2)
    agenda = _area(_("议程"), rows=3)
    minutes = _area(_("会议纪要"), rows=8)
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, kinds, streets, meeting=None, **kwargs):
        if meeting is not None and not args:
            kwargs.setdefault("initial", {f: getattr(meeting, f) for f in (
                "kind", "title", "number", "held_on", "place", "chair", "attendees", "agenda", "minutes", "version")}
                | {"unit": meeting.unit_id})
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, label) for k, label in MeetingKind.choices if k in kinds]
        self.fields["unit"].queryset = OrgUnit.objects.filter(kind=OrgKind.STREET, pk__in=streets).order_by("path")
        if meeting is not None:  # kind and unit stay
            del self.fields["kind"]
            del self.fields["unit"]

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


class DecisionForm(StyledForm):
    text = forms.CharField(label=_("议定事项"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DecisionTaskForm(StyledForm):
    """The decision made a task: responsible unit and person, deadline (a date or working days)."""

    decision = forms.ModelChoiceField(label=_("议定事项"), queryset=None)
    unit = UnitChoiceField(label=_("责任单位"), queryset=OrgUnit.objects.none(), required=False)
    person = forms.ModelChoiceField(label=_("责任人"), queryset=User.objects.none(), required=False)
    parent = forms.ModelChoiceField(label=_("上级任务"), queryset=None, required=False,
                                    help_text=_("街道例会的议定事项挂在本街道的任务下（新任务由领导小组办公室交办）。"))
    title = forms.CharField(label=_("任务名称"), max_length=200, required=False,
                            help_text=_("不填则取议定事项的内容。"))
    deadline = _date(_("完成时限"))
    workdays = forms.IntegerField(label=_("或：工作日数"), required=False, min_value=1, max_value=365,
                                  help_text=_("自今天起的工作日数（按工作日历）。"))

    def __init__(self, *args, decisions, units, people, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].queryset = decisions
        self.fields["decision"].label_from_instance = lambda d: f"{d.order}. {d.text[:40]}"
        self.fields["unit"].queryset = units
        self.fields["parent"].queryset = parents
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda u: u.full_name or u.username
