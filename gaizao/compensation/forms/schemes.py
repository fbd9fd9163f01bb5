"""Forms of the scheme pages (征收补偿方案): the editor (name, text, note), the check's test cases, the diff's
choice of versions, and the option a household or a project is calculated for."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gaizao.compensation.choices import Option
from gaizao.core.forms import StyledForm

TEXT_ATTRS = {"rows": 30, "spellcheck": "false", "autocapitalize": "off", "autocomplete": "off",
              "class": "form-control font-monospace scheme-text", "data-scheme-editor": "1", "wrap": "off"}


class SchemeForm(StyledForm):
    """A draft's name, text (TOML) and note; ``version`` guards a stale save."""

    name = forms.CharField(label=_("方案名称"), max_length=200, required=False,
                           help_text=_("不填则取方案文本 [scheme] 中的 name。"))
    text = forms.CharField(label=_("方案文本（TOML）"), required=False, strip=False,
                           widget=forms.Textarea(attrs=TEXT_ATTRS))
    note = forms.CharField(label=_("版本说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, scheme=None, readonly: bool = False, **kwargs):
        if scheme is not None and not args:
            kwargs.setdefault("initial", {f: getattr(scheme, f) for f in ("name", "text", "note", "version")})
        super().__init__(*args, **kwargs)
        if readonly:  # read only, not disabled: 检查 still sends the text with the form
            for f in self.fields.values():
                f.widget.attrs["readonly"] = "readonly"


class CheckForm(StyledForm):
    """What the check button sends: the text as typed, and optional test cases (JSON)."""

    text = forms.CharField(required=False, strip=False, widget=forms.Textarea)
    cases = forms.CharField(label=_("测试用例（JSON，可选）"), required=False,
                            widget=forms.Textarea(attrs={"rows": 4, "class": "form-control font-monospace",
                                                         "spellcheck": "false"}),
                            help_text=_("与 gaizao compensation calc --input 的格式相同；不填则测算本项目前几户。"))
    scheme = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class OptionForm(StyledForm):
    option = forms.ChoiceField(label=_("补偿方式"), choices=Option.choices, required=False)
