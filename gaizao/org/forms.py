"""Forms of the account pages. They parse and check input; every write happens in services."""

from __future__ import annotations

from axes.helpers import get_cool_off
from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.core import validators
from django.utils.translation import gettext_lazy as _

from gaizao.core.errors import AppError
from gaizao.core.forms import StyledForm
from gaizao.org.choices import OrgKind, Role
from gaizao.core.requests import client_ip
from gaizao.org.models import ApiToken, OrgUnit, User
from gaizao.org.services import login_gate


def cool_off_minutes() -> int:
    cool_off = get_cool_off()
    return int(cool_off.total_seconds() // 60) if cool_off else 0


class LoginForm(StyledForm):
    """Username and password, checked with ``authenticate`` so that django-axes counts failures."""

    username = forms.CharField(label=_("用户名"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(label=_("密码"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.user: User | None = None
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        username, password = cleaned.get("username"), cleaned.get("password")
        if not username or not password:
            return cleaned
        # A user name being sprayed from many addresses waits its turn before any password check.
        try:
            login_gate(username=username, ip=client_ip(self.request))
        except AppError as exc:
            raise forms.ValidationError(exc.message, code="throttled") from None
        self.user = authenticate(request=self.request, username=username, password=password)
        if self.user is not None:
            return cleaned
        if User.objects.filter(username=username, is_active=False).exists():
            raise forms.ValidationError(_("该账号已停用，不能登录。如有疑问请联系系统管理员。"), code="inactive")
        # Set by django-axes while it counted this failure.
        failures = getattr(self.request, "axes_failures_since_start", 0) or 0
        left = settings.AXES_FAILURE_LIMIT - failures
        if failures and left > 0:
            raise forms.ValidationError(
                _("用户名或密码错误。再失败 %(n)d 次，账号将被锁定 %(m)d 分钟。")
                % {"n": left, "m": cool_off_minutes()},
                code="invalid_login",
            )
        raise forms.ValidationError(_("用户名或密码错误。"), code="invalid_login")


class TokenForm(StyledForm):
    token = forms.CharField(
        label=_("动态口令"), min_length=6, max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "pattern": "[0-9 ]*", "autofocus": True, "placeholder": "000000"}),
    )


class PasswordChangeForm(StyledForm):
    old_password = forms.CharField(label=_("当前密码"), strip=False,
                                   widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new_password1 = forms.CharField(
        label=_("新密码"), strip=False,
        help_text=_("至少 10 位，包含小写字母、大写字母、数字、符号中的至少 3 类。"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(label=_("再次输入新密码"), strip=False,
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("new_password1") and cleaned.get("new_password2") \
                and cleaned["new_password1"] != cleaned["new_password2"]:
            self.add_error("new_password2", _("两次输入的新密码不一致。"))
        return cleaned


class ApiTokenForm(StyledForm):
    name = forms.CharField(label=_("用途"), max_length=100,
                           widget=forms.TextInput(attrs={"placeholder": _("例如：数据大屏对接")}))
    days = forms.IntegerField(label=_("有效期（天）"), min_value=1, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The longest period is the district's setting; a creator may choose a shorter one.
        longest = settings.GAIZAO_API_TOKEN_DAYS
        field = self.fields["days"]
        field.max_value = longest
        field.initial = longest
        field.validators.append(validators.MaxValueValidator(
            longest, message=_("有效期最长 %(limit_value)s 天。")))
        field.widget.attrs.update(min=1, max=longest)


class TokenRevokeForm(StyledForm):
    """The security officer revokes someone's token (吊销); the reason is optional and audited."""

    reason = forms.CharField(label=_("吊销原因"), max_length=200, required=False,
                             widget=forms.TextInput(attrs={"placeholder": _("原因（可不填）")}))


class TokenFilterForm(StyledForm):
    owner = forms.CharField(label=_("用户名"), max_length=150, required=False,
                            widget=forms.TextInput(attrs={"placeholder": _("用户名")}))
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("", _("全部")), *ApiToken.Status.choices])


class DeviceRemoveForm(StyledForm):
    password = forms.CharField(label=_("当前密码"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password",
                                                                 "placeholder": _("当前密码")}))


def _boundary_field() -> forms.CharField:
    # checked by the service (core.boundary), whose message is shown beside this field
    return forms.CharField(
        label=_("边界（GeoJSON）"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("区或街道在作战图上的范围：粘贴 GeoJSON 面数据（测绘单位或地图软件可导出；坐标为 [经度, 纬度]，"
                    "WGS 84），可以是一个面、多个面或含一个要素的文件内容；留空表示不设边界。"))


class OrgUnitForm(StyledForm):
    code = forms.CharField(label=_("代码"), max_length=32)
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=OrgKind.choices)
    parent = forms.ModelChoiceField(label=_("上级"), queryset=OrgUnit.objects.none(), required=False,
                                    empty_label=_("（无，作为顶级）"))
    sort_order = forms.IntegerField(label=_("排序"), min_value=0, initial=0, required=False)
    boundary = _boundary_field()

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["parent"].queryset = units


class UnitBoundaryForm(StyledForm):
    """An existing district's or street's boundary (边界): replaced, or cleared when left empty."""

    boundary = _boundary_field()


class UserCreateForm(StyledForm):
    username = forms.RegexField(
        label=_("用户名"), max_length=150, regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("用户名只能包含字母、数字和 @ . + - _。")},
    )
    full_name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    password1 = forms.CharField(
        label=_("初始密码"), strip=False,
        help_text=_("至少 10 位，包含小写字母、大写字母、数字、符号中的至少 3 类。"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(label=_("再次输入密码"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password2") and cleaned["password1"] != cleaned["password2"]:
            self.add_error("password2", _("两次输入的密码不一致。"))
        return cleaned


class MembershipForm(StyledForm):
    role = forms.ChoiceField(label=_("角色"), choices=[("", _("请选择角色")), *Role.choices], required=False)
    org_unit = forms.ModelChoiceField(label=_("组织机构"), queryset=OrgUnit.objects.all(), required=False,
                                      empty_label=_("请选择组织机构"),
                                      error_messages={"invalid_choice": _("所选组织机构不存在或不在你的范围内。")})

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:  # the units the account manager may place an account in (the rows and the empty one)
            self.fields["org_unit"].queryset = units

    def clean(self):
        cleaned = super().clean()
        role, unit = cleaned.get("role"), cleaned.get("org_unit")
        if role and not unit:
            self.add_error("org_unit", _("请选择该角色所在的组织机构。"))
        if unit and not role:
            self.add_error("role", _("请选择角色。"))
        return cleaned


class BaseMembershipFormSet(forms.BaseFormSet):
    default_error_messages = {
        **forms.BaseFormSet.default_error_messages,
        "too_many_forms": _("一个账号最多 %(num)d 个岗位。"),
    }

    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        if not self.pairs():
            raise forms.ValidationError(_("至少为账号指定一个角色。"))

    def pairs(self) -> list[tuple[str, OrgUnit]]:
        return [(f.cleaned_data["role"], f.cleaned_data["org_unit"]) for f in self.forms
                if f.cleaned_data.get("role") and f.cleaned_data.get("org_unit")]


# One row to start with; the page's 添加岗位 button adds another (up to six) from the formset's empty form.
MembershipFormSet = forms.formset_factory(MembershipForm, formset=BaseMembershipFormSet, extra=1, max_num=6,
                                          validate_max=True)


class UserFilterForm(StyledForm):
    q = forms.CharField(label=_("搜索"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("用户名或姓名")}))
    status = forms.ChoiceField(
        label=_("状态"), required=False,
        choices=[("", _("全部")), ("active", _("正常")), ("disabled", _("已停用")), ("locked", _("已锁定"))],
    )
