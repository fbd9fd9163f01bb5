"""Forms of the campaign pages: the campaign, the targets grid, milestones, the completion rule, agreements."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gaizao.campaign.choices import Metric
from gaizao.campaign.completion import CONDITIONS, rule_for
from gaizao.core.forms import StyledForm
from gaizao.ledger.choices import RenovationMode


def _date(label, *, required=True):
    return forms.DateField(label=label, required=required,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


def _amount(label, *, required=False):
    return forms.DecimalField(label=label, required=required, min_value=Decimal("0"), max_digits=12,
                              decimal_places=2, widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}))


class CampaignForm(StyledForm):
    name = forms.CharField(label=_("名称"), max_length=100)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    starts_on = _date(_("开始日期"))
    ends_on = _date(_("结束日期"))
    yellow_behind = forms.DecimalField(label=_("黄灯：落后序时进度（百分点）"), min_value=0, max_value=100,
                                       decimal_places=2, initial=Decimal("10"))
    red_behind = forms.DecimalField(label=_("红灯：落后超过（百分点）"), min_value=0, max_value=100, decimal_places=2,
                                    initial=Decimal("30"))
    report_days = forms.IntegerField(label=_("汇报周期（天）"), min_value=1, max_value=92, initial=7)
    report_lock_days = forms.IntegerField(label=_("周期结束后锁定（天）"), min_value=0, max_value=60, initial=3)
    number_prefix = forms.CharField(label=_("发文机关代字"), max_length=30, required=False, initial="改造办")

    def __init__(self, *args, **kwargs):
        today = timezone.localdate()
        kwargs.setdefault("initial", {"year": today.year, "starts_on": today.replace(month=1, day=1),
                                      "ends_on": today.replace(month=12, day=31)})
        super().__init__(*args, **kwargs)


class TargetsForm(StyledForm):
    """The targets grid: a district goal per metric and a target per street and metric (empty: none)."""

    reason = forms.CharField(label=_("调整原因"), max_length=200, required=False,
                             help_text=_("已签订责任书的街道目标调整后，生成新版本责任书，原因写入新版本。"))

    def __init__(self, *args, streets, grid, metrics=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.streets, self.metrics = streets, list(metrics or Metric.values)
        for metric in self.metrics:
            self.fields[f"goal_{metric}"] = _amount(_("区级目标·%(m)s") % {"m": Metric(metric).label})
            self.initial.setdefault(f"goal_{metric}", grid["goals"].get(metric))
            for street in streets:
                name = f"t_{street.pk}_{metric}"
                self.fields[name] = _amount(f"{street.name}·{Metric(metric).label}")
                cell = grid["cells"].get((street.pk, metric))
                self.initial.setdefault(name, cell.target if cell else None)
        self.order_fields(["reason"])

    def rows(self):
        """(street, [bound fields by metric]) for the table; the goal row first."""
        out = [(None, [self[f"goal_{m}"] for m in self.metrics])]
        out += [(s, [self[f"t_{s.pk}_{m}"] for m in self.metrics]) for s in self.streets]
        return out

    def changes(self) -> tuple[dict, dict]:
        """(goals, targets) that differ from what is stored: only those are written."""
        goals, targets = {}, {}
        for metric in self.metrics:
            name = f"goal_{metric}"
            if self.cleaned_data.get(name) != self.initial.get(name):
                goals[metric] = self.cleaned_data.get(name)
            for street in self.streets:
                name = f"t_{street.pk}_{metric}"
                if self.cleaned_data.get(name) != self.initial.get(name):
                    targets[(street, metric)] = self.cleaned_data.get(name)
        return goals, targets


class MilestoneForm(StyledForm):
    metric = forms.ChoiceField(label=_("指标"), choices=Metric.choices)
    due_on = _date(_("节点日期"))
    rate = forms.DecimalField(label=_("应完成比例（%）"), min_value=0, max_value=100, decimal_places=2)


class CompletionRuleForm(StyledForm):
    """Per mode, the conditions a village must meet to count as completed (村完成标准)."""

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(key, c.label) for key, c in CONDITIONS.items()]
        for mode, label in RenovationMode.choices:
            self.fields[mode] = forms.MultipleChoiceField(label=label, choices=choices, required=True,
                                                          widget=forms.CheckboxSelectMultiple)
            self.initial.setdefault(mode, list(rule_for(campaign, mode)))


class AgreementEditForm(StyledForm):
    duties = forms.CharField(label=_("工作职责（每行一条）"), widget=forms.Textarea(attrs={"rows": 7}), max_length=5000)
    assessment = forms.CharField(label=_("考核与奖惩（每行一条）"), widget=forms.Textarea(attrs={"rows": 5}),
                                 max_length=5000)


class AgreementIssueForm(StyledForm):
    number = forms.CharField(label=_("文号"), max_length=60, required=False,
                             help_text=_("留空则按本年度顺序自动编号，如 改造办〔2026〕3号。"))
    issued_on = _date(_("印发日期"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"issued_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class AgreementSignForm(StyledForm):
    scan = forms.FileField(label=_("签字盖章扫描件（PDF、JPG、PNG）"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
    signed_on = _date(_("签订日期"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"signed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class NarrowTargetForm(StyledForm):
    """A target for one village or one project of a street (到村、到项目的目标); empty target removes it."""

    village = forms.ModelChoiceField(label=_("城中村"), queryset=None)
    project = forms.ModelChoiceField(label=_("项目（可不选）"), queryset=None, required=False)
    metric = forms.ChoiceField(label=_("指标"), choices=Metric.choices)
    target = _amount(_("目标值（留空为删除）"))

    def __init__(self, *args, **kwargs):
        from gaizao.ledger.models import Project, Village

        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = Village.objects.select_related("street").order_by("street__path", "code")
        self.fields["village"].label_from_instance = lambda v: f"{v.street.name} · {v.name}"
        self.fields["project"].queryset = Project.objects.select_related("village").order_by("code")
        self.fields["project"].label_from_instance = lambda p: f"{p.village.name} · {p.name}"

    def clean(self):
        data = super().clean()
        village, project = data.get("village"), data.get("project")
        if village and project and project.village_id != village.pk:
            self.add_error("project", _("该项目不属于所选城中村。"))
        return data
